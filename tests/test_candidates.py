"""Candidate centres (centres named in public sources, unverified): `load_candidates` loads them as drafts, once,
and none of them reaches the public until an editor checks and publishes it."""

import csv
import html
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from centres import candidates
from centres.models import Centre, CentrePhone
from tests.conftest import make_centre

pytestmark = pytest.mark.django_db

SHARED_COPY = Path(settings.BASE_DIR).parent / "shared" / "data" / "candidate-centres.csv"
HEADER = "name,country,city,operator_type,phone,services,notes,source,source_url,evidence_date,confidence\n"


def valid_rows(path: Path = candidates.CANDIDATES_FILE) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as file:
        return [row for row in csv.DictReader(file) if row["name"].strip() and row["country"].strip() in COUNTRIES]


COUNTRIES = ("KZ", "KG", "UZ", "TJ")


def load(path: Path | None = None) -> str:
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command("load_candidates", *(["--file", str(path)] if path else []), stdout=out, stderr=err)
    return err.getvalue() + out.getvalue()  # the summary, then the details


def write_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "candidates.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_the_committed_file_is_the_shared_one_byte_for_byte():
    if not SHARED_COPY.exists():
        pytest.skip("no shared data next to this checkout")
    assert candidates.CANDIDATES_FILE.read_bytes() == SHARED_COPY.read_bytes()


def test_loading_twice_creates_each_candidate_once_all_drafts():
    expected = len(valid_rows())
    assert expected > 20
    first = load()
    assert f"{expected} created, 0 already present, 0 skipped" in first
    ids = set(Centre.objects.values_list("pk", flat=True))
    versions = dict(Centre.objects.values_list("pk", "version"))

    second = load()
    assert f"0 created, {expected} already present, 0 skipped" in second
    assert Centre.objects.count() == expected
    assert set(Centre.objects.values_list("pk", flat=True)) == ids
    assert dict(Centre.objects.values_list("pk", "version")) == versions  # nothing saved again
    assert Centre.history.count() == expected  # one history entry each: the creation
    assert set(Centre.history.values_list("history_change_reason", flat=True)) == {candidates.CHANGE_REASON}

    for centre in Centre.objects.all():
        assert centre.published is False, centre
        assert centre.is_demo is False and centre.operator_id is None and centre.last_verified_on is None, centre
        for code, _name in settings.LANGUAGES:
            assert not getattr(centre, f"public_notes_{code}"), (centre, code)
        assert "unverified" in centre.internal_notes and centre.source, centre


def test_no_candidate_is_on_any_public_surface(client):
    load()
    published = make_centre(name="Опубликованный центр для сравнения")
    drafts = list(Centre.objects.exclude(pk=published.pk))
    assert len(drafts) == len(valid_rows())
    assert not Centre.objects.public().filter(pk__in=[draft.pk for draft in drafts]).exists()

    sought = [drafts[0].name, "Кризисный центр", "Сезим", "Горячая линия", "Bishkek", "Dushanbe"]
    urls = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            urls += [reverse("centres:home"), reverse("centres:centre_list")]
            urls += [reverse("centres:centre_list") + "?" + f"q={words}" for words in sought]
            urls += [reverse("centres:country", args=[code.lower()]) for code in COUNTRIES]
            urls += [reverse("centres:centre_export_csv"), reverse("centres:centre_export_json")]
            urls += [reverse("centres:centre_export_csv") + "?q=Кризисный"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = (b"".join(response.streaming_content) if response.streaming else response.content).decode()
        for draft in drafts:
            shown = [draft.slug, str(draft.pk)]  # a card links to its centre's page
            if draft.name != sought[0]:  # a search's page repeats the words sought, in its search box
                shown += [draft.name, html.escape(draft.name), json.dumps(draft.name)[1:-1]]
            assert not any(text in body for text in shown), (url, draft.name)
    assert published.name in client.get(reverse("centres:centre_list")).content.decode()  # the list does work
    for draft in drafts:
        assert client.get(reverse("centres:centre_detail", args=[draft.slug])).status_code == 404, draft.slug


def test_source_evidence_date_and_notes_land_in_the_right_fields():
    load()
    oral = Centre.objects.get(name__startswith="Кризисный центр г. Уральска")
    assert oral.source == (
        "mgorod.kz — https://mgorod.kz/news/muzhchiny-stali-obrashhatsya-za-pomoshhyu-v-krizisnyj-czentr-uralska, "
        "evidence date 2024 (quotes 2023 figures), confidence medium"
    )
    assert oral.city is None  # "Oral (Uralsk)" is no one place's name: an editor picks the town
    assert "Oral (Uralsk)" in oral.internal_notes
    assert "operator type per source: state" in oral.internal_notes
    assert oral.internal_notes.startswith("Running since 2013")
    assert oral.services == ["shelter", "psychological", "legal", "social"]
    assert not oral.phones.exists()

    kostanay = Centre.objects.get(name__endswith="(Костанай)")
    assert kostanay.city.name_en == "Kostanay" and kostanay.city.country == "KZ"
    assert kostanay.region_id == kostanay.city.region_id
    assert "evidence date 2026-02-26" in kostanay.source

    hotline = Centre.objects.get(name__startswith="Горячая линия 1146")
    assert list(hotline.phones.values_list("number", flat=True)) == ["1146"]
    assert CentrePhone.history.filter(centre_id=hotline.pk).get().history_change_reason == candidates.CHANGE_REASON
    assert "confidence high" in hotline.source


def test_a_candidate_an_editor_edited_or_published_is_left_alone():
    load()
    centre = Centre.objects.get(name="Кризисный центр «Сезим»")
    centre.name = "Кризисный центр «Сезим» (проверено)"
    centre.internal_notes = "Phoned on 2026-12-02: open."
    centre.services = ["shelter"]
    centre.published = True
    centre._change_reason = "checked"
    centre.save()
    deleted = Centre.objects.get(name__startswith="Убежище «Гулрухсор»")
    deleted.delete()

    output = load()
    assert f"0 created, {len(valid_rows()) - 1} already present, 1 skipped" in output
    assert "1 of those already present was edited or published since it was loaded" in output
    assert "deleted by an editor" in output
    centre.refresh_from_db()
    assert centre.name == "Кризисный центр «Сезим» (проверено)"
    assert centre.internal_notes == "Phoned on 2026-12-02: open."
    assert centre.services == ["shelter"] and centre.published
    assert not Centre.objects.filter(name="Кризисный центр «Сезим»").exists()  # renamed, not loaded again
    assert not Centre.objects.filter(name__startswith="Убежище «Гулрухсор»").exists()


def test_bad_rows_are_reported_with_their_line_and_skipped(tmp_path):
    path = write_file(
        tmp_path,
        'Центр «Первый»,KZ,Almaty,cso,+7 727 000 0000,shelter;massage,"A note\nover two lines",a.kz,https://a.kz/1,2024,low\n'
        ",KZ,Almaty,cso,,shelter,no name here,b.kz,,2024,low\n"
        "Центр «Российский»,RU,Moscow,cso,,shelter,,c.ru,,2024,low\n"
        "Центр «Первый»,kz,,,,,the same again,d.kz,,,\n"
        "Центр «Второй»,TJ,Nowhere-abad,ngo,call us,legal,,e.tj,,undated,low\n",
    )
    output = load(path)
    assert "2 created, 0 already present, 3 skipped" in output
    assert "Skipped line 4 (—): no name." in output
    assert "Skipped line 5 (Центр «Российский»): unknown country 'RU'." in output
    assert "Skipped line 6 (Центр «Первый»): the same candidate as line 2." in output
    assert Centre.objects.count() == 2 and not Centre.objects.filter(published=True).exists()

    first = Centre.objects.get(name="Центр «Первый»")
    assert first.city.name_en == "Almaty" and first.services == ["shelter"]
    assert "massage" in first.internal_notes and "operator type per source: cso" in first.internal_notes
    assert list(first.phones.values_list("number", flat=True)) == ["+7 727 000 0000"]
    second = Centre.objects.get(name="Центр «Второй»")
    assert second.city is None and "Nowhere-abad" in second.internal_notes
    assert not second.phones.exists() and "call us" in second.internal_notes
    assert "operator type per source (not state or cso): ngo" in second.internal_notes
    assert second.source == "e.tj, evidence date undated, confidence low"


def test_a_centre_already_in_the_directory_is_not_loaded_again(tmp_path):
    make_centre(name="Кризисный центр «Сезим»", country="KG", published=False)
    path = write_file(tmp_path, "Кризисный  центр «СЕЗИМ»,KG,Bishkek,cso,,shelter,,sezim.org,,2021-08,medium\n")
    output = load(path)
    assert "0 created, 0 already present, 1 skipped" in output
    assert "a centre of that name is in the directory already" in output
    assert Centre.objects.count() == 1


def test_a_file_without_its_columns_or_missing_is_refused(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("title,place\nX,KZ\n", encoding="utf-8")
    with pytest.raises(CommandError, match="name, country"):
        load(path)
    with pytest.raises(CommandError, match="no file"):
        load(tmp_path / "absent.csv")
    assert not Centre.objects.exists()


def test_neither_migrate_nor_make_run_loads_candidates():
    base = Path(settings.BASE_DIR)
    assert "load_candidates" not in (base / "Makefile").read_text(encoding="utf-8")
    for migration in (base / "centres" / "migrations").glob("*.py"):
        assert "load_candidates" not in migration.read_text(encoding="utf-8"), migration
        assert "candidate-centres" not in migration.read_text(encoding="utf-8"), migration
