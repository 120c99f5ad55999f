"""Texts of the data written per language (centres/languages.py): what each page shows, what a change of the main
text does to the others, and that imports, exports, history and forms name the main column whatever the language."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from centres import languages
from centres.columns import COLUMNS_BY_NAME
from centres.exports import centre_rows
from centres.history import restore_centre, snapshot_after
from centres.models import Centre, Hotline
from tests.conftest import change_url, errors, form_data, make_centre
from tests.test_demo_data import places  # noqa: F401 - a fixture

KAZAKH_HOURS = "Дс–Жм 9:00–18:00, түскі үзіліс 13:00–14:00"
RUSSIAN_HOURS = "Пн–Пт 9:00–18:00, перерыв 13:00–14:00"
ENGLISH_HOURS = "Mon–Fri 9:00–18:00, lunch 13:00–14:00"


@pytest.fixture
def centre(almaty) -> Centre:
    return make_centre(
        name="Центр «Жан»",
        city=almaty,
        address_visibility="public",
        hours_ru=RUSSIAN_HOURS,
        hours_kk=KAZAKH_HOURS,
        hours_en=ENGLISH_HOURS,
        public_notes_ru="Звоните заранее.",
        public_notes_en="Call ahead.",
    )


def page(client, language: str, centre: Centre) -> str:
    response = client.get(f"/{language}/centres/{centre.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_page_shows_its_own_language_else_russian_else_english(client, centre):
    assert KAZAKH_HOURS in page(client, "kk", centre)
    for language in ["ru", "ky", "tg"]:  # nothing written in Kyrgyz or Tajik: the Russian text, never the English
        html = page(client, language, centre)
        assert RUSSIAN_HOURS in html and "Звоните заранее." in html, language
        assert ENGLISH_HOURS not in html and "Call ahead." not in html, language
    english = page(client, "en", centre)
    assert ENGLISH_HOURS in english and "Call ahead." in english and RUSSIAN_HOURS not in english
    Centre.objects.filter(pk=centre.pk).update(public_notes_ru="")
    assert "Call ahead." in page(client, "uz", Centre.objects.get(pk=centre.pk))  # no Russian: the English


def test_the_result_cards_show_the_page_languages_hours_note_from_the_cached_page_too(client, centre):
    Centre.objects.filter(pk=centre.pk).update(opening_hours="")
    for _twice in range(2):  # the second answer comes from the anonymous page cache, per language
        kazakh = client.get("/kk/centres/", {"q": "Жан"}).content.decode()
        russian = client.get("/ru/centres/", {"q": "Жан"}).content.decode()
        assert KAZAKH_HOURS in kazakh and RUSSIAN_HOURS not in kazakh
        assert RUSSIAN_HOURS in russian and KAZAKH_HOURS not in russian


def test_the_hotlines_are_described_in_each_pages_language(db, client):
    """The hotlines loaded with the database were described in English; now in all six languages."""
    contact_centre = Hotline.objects.get(country="KZ", number="111")
    for language, words in {
        "ru": "Государственный контакт-центр",
        "kk": "Мемлекеттік байланыс орталығы",
        "ky": "Мамлекеттик байланыш борбору",
        "tg": "Маркази давлатии тамос",
        "uz": "Davlat aloqa markazi",
        "en": "State contact centre",
    }.items():
        assert getattr(contact_centre, f"run_by_{language}") == words
        html = client.get(f"/{language}/countries/kz/").content.decode()
        assert words in html, language
        if language != "en":
            for english in ["State contact centre", "Union of Crisis Centres", "Ministry of Labour"]:
                assert english not in html, (language, english)


def test_a_hotline_edited_in_russian_shows_the_new_russian_text_on_every_page(db, client):
    hotline = Hotline.objects.get(country="KZ", number="150")
    hotline.run_by_ru = "Союз кризисных центров Казахстана"
    hotline.save()
    hotline.refresh_from_db()
    assert [getattr(hotline, name) for name in languages.others("run_by")] == [None] * 5
    for language in ["kk", "ky", "uz", "tg", "en"]:
        assert "Союз кризисных центров Казахстана" in client.get(f"/{language}/countries/kz/").content.decode()


def test_a_change_of_the_main_text_clears_what_was_written_for_the_old_one(centre):
    centre.hours_ru = "Круглосуточно"
    centre.save()
    centre = Centre.objects.get(pk=centre.pk)
    assert (centre.hours_ru, centre.hours_kk, centre.hours_en) == ("Круглосуточно", None, None)
    assert (centre.public_notes_ru, centre.public_notes_en) == ("Звоните заранее.", "Call ahead.")  # untouched


def test_translations_written_in_the_same_save_as_the_main_text_stay(centre):
    centre.hours_ru, centre.hours_kk = "Круглосуточно", "Тәулік бойы"
    centre.save()
    centre = Centre.objects.get(pk=centre.pk)
    assert (centre.hours_ru, centre.hours_kk, centre.hours_en) == ("Круглосуточно", "Тәулік бойы", None)


def test_a_save_of_some_fields_clears_the_stale_translations_too(centre):
    centre = Centre.objects.only("id", "version", *languages.every_language("hours")).get(pk=centre.pk)
    centre.hours_ru = "Круглосуточно"
    centre.save(update_fields=["hours_ru", "version"])
    assert Centre.objects.values_list("hours_ru", "hours_kk").get(pk=centre.pk) == ("Круглосуточно", None)


def test_an_editor_writes_each_language_in_the_admin(client, editor_client, centre):
    url = change_url(centre)
    form = editor_client.get(url).content.decode()
    assert "Opening hours (Қазақша)" in form and "Public notes (Тоҷикӣ)" in form  # the editor area is in English
    data = form_data(editor_client, url)
    data["public_notes_tg"] = "Пеш аз омадан занг занед."
    response = editor_client.post(url, data)
    assert response.status_code == 302, errors(response)
    assert "Пеш аз омадан занг занед." in page(client, "tg", centre)
    record = centre.history.first()
    assert record.public_notes_tg == "Пеш аз омадан занг занед."
    assert record.diff_against(record.prev_record).changed_fields == ["public_notes_tg"]


def test_an_import_in_the_kazakh_editor_area_writes_the_russian_text(tmp_path, centre):
    path = tmp_path / "centres.csv"
    path.write_text(f"id,hours,public_notes\r\n{centre.pk},Круглосуточно,Звоните днём.\r\n", encoding="utf-8")
    with translation.override("kk"):
        call_command("import_centres", str(path), "--overwrite-all", stdout=io.StringIO(), stderr=io.StringIO())
    centre = Centre.objects.get(pk=centre.pk)
    assert (centre.hours_ru, centre.public_notes_ru) == ("Круглосуточно", "Звоните днём.")
    assert (centre.hours_kk, centre.public_notes_en) == (None, None)  # written for the old Russian text


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_an_export_carries_the_russian_text_whatever_the_language(centre, language):
    with translation.override(language):
        (row,) = centre_rows(Centre.objects.all(), [COLUMNS_BY_NAME["hours"], COLUMNS_BY_NAME["public_notes"]])
        assert COLUMNS_BY_NAME["hours"].labels() == [str(Centre._meta.get_field("hours").verbose_name)]
    assert (row["hours"], row["public_notes"]) == (RUSSIAN_HOURS, "Звоните заранее.")


def test_an_import_cannot_write_a_hidden_address_into_the_main_text(tmp_path, centre, almaty):
    make_centre(name="Убежище", city=almaty, address="ул. Потайная, 7", address_visibility="hidden")
    path = tmp_path / "centres.csv"
    path.write_text(f"id,public_notes\r\n{centre.pk},Рядом: ул. Потайная 7\r\n", encoding="utf-8")
    with pytest.raises(CommandError), translation.override("kk"):  # refused, and said in Kazakh
        call_command("import_centres", str(path), "--overwrite-all", stdout=io.StringIO(), stderr=io.StringIO())
    assert Centre.objects.get(pk=centre.pk).public_notes_ru == "Звоните заранее."


def test_a_restore_brings_back_every_language_as_it_stood(editor, centre):
    before = centre.history.first()
    centre.hours_ru, centre.hours_kk = "Круглосуточно", "Тәулік бойы"
    centre.save()
    with translation.override("kk"):  # an editor working in Kazakh
        restored = restore_centre(snapshot_after(before), expected_version=centre.version)
    restored = Centre.objects.get(pk=restored.pk)
    assert (restored.hours_ru, restored.hours_kk, restored.hours_en) == (RUSSIAN_HOURS, KAZAKH_HOURS, ENGLISH_HOURS)


@pytest.mark.usefixtures("places")
def test_the_demo_centres_say_they_are_not_real_in_every_language(client):
    call_command("load_demo_data", "--force", stdout=io.StringIO())
    centre = Centre.objects.filter(published=True, archived=False, status="active").first()
    for language in ["ru", "kk", "ky", "uz", "tg", "en"]:
        html = page(client, language, centre)
        assert getattr(centre, f"public_notes_{language}") in html, language


def test_line_breaks_sent_as_crlf_are_no_change_of_the_main_text(centre):
    Centre.objects.filter(pk=centre.pk).update(public_notes_ru="Звоните.\nЗаранее.", public_notes_kk="Алдын ала.")
    centre = Centre.objects.get(pk=centre.pk)
    centre.public_notes_ru = "Звоните.\r\nЗаранее."  # as a browser sends a text area
    centre.save()
    assert Centre.objects.values_list("public_notes_ru", "public_notes_kk").get(pk=centre.pk) == (
        "Звоните.\nЗаранее.",
        "Алдын ала.",
    )


def test_a_save_that_does_not_write_the_main_text_clears_nothing(centre):
    centre.hours_ru = "Круглосуточно"
    centre.save(update_fields=["name", "version"])
    assert Centre.objects.values_list("hours_ru", "hours_kk").get(pk=centre.pk) == (RUSSIAN_HOURS, KAZAKH_HOURS)
    centre.refresh_from_db()  # what is remembered is what was read last
    centre.hours_ru = "Круглосуточно"
    centre.save()
    assert Centre.objects.values_list("hours_ru", "hours_kk").get(pk=centre.pk) == ("Круглосуточно", None)


def test_an_import_that_hides_an_address_standing_in_a_translation_is_refused(tmp_path, centre):
    Centre.objects.filter(pk=centre.pk).update(address="ул. Потайная, 7", public_notes_kk="Мекенжай: ул. Потайная, 7")
    path = tmp_path / "centres.csv"
    path.write_text(f"id,address_visibility\r\n{centre.pk},hidden\r\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_centres", str(path), "--overwrite-all", stdout=io.StringIO(), stderr=err)
    assert "public_notes_kk" in err.getvalue()
    assert Centre.objects.get(pk=centre.pk).address_visibility == "public"


def test_a_restore_that_would_show_an_address_hidden_since_is_refused(editor_client, centre, almaty):
    shelter = make_centre(name="Убежище", city=almaty, address="ул. Потайная, 7", address_visibility="public")
    centre.public_notes_kk = "Жанында: ул. Потайная, 7"
    centre.save()
    before = centre.history.first()
    centre.public_notes_kk = ""
    centre.save()
    shelter.address_visibility = "hidden"  # the shelter's address is no longer public
    shelter.save()
    restore = reverse("admin:centres_centre_restore", args=[centre.pk, before.history_id])
    page = editor_client.post(restore, {"version": centre.version}, follow=True).content.decode()
    assert "Nothing was restored" in page and "holds the address of «Убежище»" in page
    assert Centre.objects.get(pk=centre.pk).public_notes_kk is None


def visible_text(html: str) -> str:
    """A page's words as a reader sees them: no tags, attributes, scripts or styles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.usefixtures("places")
def test_no_english_town_or_hotline_description_on_a_cyrillic_page_of_the_demo_data(client):
    """On the Russian, Kazakh, Kyrgyz and Tajik pages of the demo directory — home, list, country pages, every centre
    page — neither a town's or region's English name nor a hotline's English description shows."""
    call_command("load_demo_data", "--force", stdout=io.StringIO())
    centres = Centre.objects.public().select_related("city", "region")
    english = {centre.city.name_en for centre in centres} | {centre.region.name_en for centre in centres}
    english |= {hotline.run_by_en for hotline in Hotline.objects.exclude(run_by_en=None)}
    english -= {"", None}
    assert "Shymkent" in english and "State contact centre" in english  # what is looked for
    for language in ["ru", "kk", "ky", "tg"]:
        paths = [
            f"/{language}/",
            f"/{language}/centres/",
            *(f"/{language}/countries/{c}/" for c in ["kz", "kg", "uz", "tj"]),
        ]
        paths += [f"/{language}/centres/{centre.slug}/" for centre in centres]
        for path in paths:
            text = visible_text(client.get(path).content.decode())
            assert [name for name in english if re.search(rf"\b{re.escape(name)}\b", text)] == [], path
