"""Town and region names in Kyrgyz, Tajik and Uzbek (centres/data/place_names.csv): the data, the pages, the search."""

import csv
import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from centres import geo
from centres.geo import NAME_LANGUAGES, NAME_SOURCES, NAMES_FILE, load_places, read_gazetteer, typed_spellings
from centres.models import Centre, CountryRules, Place, Region
from centres.public.presentation import centre_view
from tests.conftest import make_centre

TASHKENT, KHUJAND, JALAL_ABAD, TASH_KUMYR, QUNGHIROT, GHAFUROV = 1512569, 1514879, 1528249, 1527260, 601323, 1514900
ALMATY, KARAKOL, VANJ = 1526384, 1528121, 1220210  # Vanj: a Tajik name, no Russian one

# The alphabets: Kyrgyz is Russian's and ң ө ү; Tajik has ғ ӣ қ ӯ ҳ ҷ and none of ц щ ы ь (dropped in 1998); Uzbek
# Latin has no c but in "ch", no w, and ʻ only in oʻ and gʻ.
RUSSIAN = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")
ALPHABETS = {"ky": RUSSIAN | set("ңөү"), "tg": (RUSSIAN - set("цщыь")) | set("ғӣқӯҳҷ")}
UZBEK = set("abdefghijklmnopqrstuvxyzcʻʼ")
MARKS = set(" -0123456789")


def wrong_script(language: str, name: str) -> str | None:
    """What is wrong with `name` as a name in `language`, or None."""
    letters = set(name.lower()) - MARKS
    if language == "uz":
        if letters - UZBEK:
            return f"not Uzbek Latin: {''.join(sorted(letters - UZBEK))}"
        if re.search(r"c(?!h)", name.lower()) or re.search(r"(?<![og])ʻ", name.lower()):
            return "c without h, or ʻ after a letter other than o and g"
        return None
    stray = letters - ALPHABETS[language]
    return f"not in the {language} alphabet: {''.join(sorted(stray))}" if stray else None


def rows() -> list[dict[str, str]]:
    with NAMES_FILE.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def names_of(language: str) -> dict[str, str]:
    return {row["geonameid_or_region_code"]: row["name"] for row in rows() if row["language"] == language}


# --- the data file ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "name"),
    [
        ("uz", "Тошкент"),  # Cyrillic
        ("uz", "Farg'ona"),  # an apostrophe for ʻ
        ("uz", "Farʻgona"),  # ʻ after a letter other than o or g
        ("uz", "Cimkent"),
        ("uz", "Wobkent"),
        ("ky", "Bishkek"),  # Latin
        ("ky", "Хуҷанд"),  # Tajik letters
        ("ky", "Қарақол"),  # Kazakh (or Uzbek) letters
        ("tg", "Өзгөн"),  # Kyrgyz letters
        ("tg", "Кызыл-Кыя"),  # ы, which Tajik does not have
    ],
)
def test_the_script_check_catches_a_name_in_the_wrong_script_or_alphabet(language, name):
    assert wrong_script(language, name)


@pytest.mark.parametrize(
    ("language", "name"), [("uz", "Qoʻngʻirot"), ("uz", "Chimkent"), ("ky", "Таш-Көмүр"), ("tg", "Хуҷанд")]
)
def test_the_script_check_passes_good_names(language, name):
    assert wrong_script(language, name) is None


def test_every_name_is_in_its_languages_script_and_alphabet():
    wrong = [(row["name"], row["language"], wrong_script(row["language"], row["name"])) for row in rows()]
    assert [entry for entry in wrong if entry[2]] == []


def test_every_row_names_a_place_or_region_of_the_gazetteer_once_per_language():
    data = read_gazetteer()
    known = {str(place["geonameid"]) for place in data["places"]} | {region["code"] for region in data["regions"]}
    keys = [(row["geonameid_or_region_code"], row["language"]) for row in rows()]
    assert {key for key, _ in keys} <= known
    assert [key for key, count in Counter(keys).items() if count > 1] == []
    assert {row["language"] for row in rows()} == set(NAME_LANGUAGES)
    assert {row["source"] for row in rows()} == set(NAME_SOURCES)
    assert all(row["name"] == row["name"].strip() and row["name"] for row in rows())


def test_every_region_has_a_name_in_its_countrys_language():
    for country, language in {"KG": "ky", "TJ": "tg", "UZ": "uz"}.items():
        codes = {region["code"] for region in read_gazetteer()["regions"] if region["country"] == country}
        assert codes <= set(names_of(language)), language


def test_uzbek_names_spell_o_and_g_with_the_modifier_letter_not_an_apostrophe():
    uzbek = names_of("uz")
    assert uzbek[str(QUNGHIROT)] == "Qo\u02bbng\u02bbirot"
    assert not [name for name in uzbek.values() if set(name) & set("'‘’`")]


def test_a_names_file_with_a_second_name_or_an_unknown_language_is_refused(tmp_path):
    header = "geonameid_or_region_code,language,name,source\n"
    twice = tmp_path / "twice.csv"
    twice.write_text(header + "1512569,uz,Toshkent,editorial\n1512569,uz,Tashkent,editorial\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 3: a second uz name for 1512569"):
        geo.read_place_names(twice)
    unknown = tmp_path / "unknown.csv"
    unknown.write_text(header + "1512569,kaa,Tashkent,editorial\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2: unknown language"):
        geo.read_place_names(unknown)


@pytest.mark.django_db
def test_loading_refuses_names_of_a_place_not_in_the_gazetteer(monkeypatch):
    monkeypatch.setattr(geo, "read_place_names", lambda: {"999999999": {"ky": "Жок"}})
    with pytest.raises(ValueError, match=r"names places or regions not in the gazetteer: \['999999999'\]"):
        load_places(Place, Region)


def test_an_uzbek_name_is_searchable_as_people_type_it():
    assert set(typed_spellings("Fargʻona")) >= {"Fargʻona", "Farg'ona", "Farg’ona", "Farg‘ona", "Farg`ona", "Fargona"}
    assert typed_spellings("Toshkent") == ["Toshkent"]


# --- the database and the names a page shows ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migrations_load_the_names_and_their_search_names():
    khujand, tashkent = Place.objects.get(pk=KHUJAND), Place.objects.get(pk=TASHKENT)
    assert (khujand.name_tg, khujand.name_uz, khujand.name_ky) == ("Хуҷанд", "Xoʻjand", "")
    assert tashkent.name_uz == "Toshkent"
    assert Region.objects.get(code="UZ-TK").name_uz == "Toshkent"
    assert ";qo'ng'irot;" in Place.objects.get(pk=QUNGHIROT).search_names
    assert ";toshkent viloyati;" in Region.objects.get(code="UZ-TO").search_names


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("geonameid", "language", "expected"),
    [
        (KHUJAND, "tg", "Хуҷанд"),
        (KHUJAND, "ky", "Худжанд"),  # no Kyrgyz name: the Russian one
        (KHUJAND, "uz", "Xoʻjand"),
        (KHUJAND, "ru", "Худжанд"),
        (JALAL_ABAD, "ky", "Жалал-Абад"),
        (JALAL_ABAD, "ru", "Джалал-Абад"),
        (TASHKENT, "uz", "Toshkent"),
        (TASHKENT, "tg", "Тошканд"),
        (TASHKENT, "en", "Tashkent"),
        (ALMATY, "uz", "Almaty"),  # no Uzbek name: Latin, never the Cyrillic one
        (ALMATY, "tg", "Алматы"),
        (ALMATY, "kk", "Алматы"),
        (KARAKOL, "uz", "Qoraqoʻl"),
        (VANJ, "tg", "Ванҷ"),
        (VANJ, "ru", "Ванҷ"),  # no Russian name: the Tajik one, Cyrillic still, never "Vanj" on a Cyrillic page
        (VANJ, "ky", "Ванҷ"),
        (VANJ, "uz", "Vanj"),
    ],
)
def test_a_place_shows_its_name_in_the_pages_language_or_in_the_script_its_reader_reads(geonameid, language, expected):
    assert Place.objects.get(pk=geonameid).display_name(language) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "language", "expected"),
    [
        ("TJ-SU", "tg", "Вилояти Суғд"),
        ("KG-Y", "ky", "Ысык-Көл облусу"),
        ("UZ-FA", "uz", "Fargʻona viloyati"),
        ("KZ-10", "uz", "Abai Region"),
        ("KZ-10", "ky", "Абайская область"),
    ],
)
def test_a_region_shows_its_name_in_the_pages_language_or_in_the_script_its_reader_reads(code, language, expected):
    assert Region.objects.get(code=code).display_name(language) == expected


def centre_in(geonameid: int, name: str) -> Centre:
    city = Place.objects.get(pk=geonameid)
    return make_centre(name=name, city=city, region=city.region, country=city.country)


def card_of(response, name: str) -> str:
    assert response.status_code == 200
    return next(card for card in response.content.decode().split('class="centre-card')[1:] if name in card)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "geonameid", "shown", "not_shown"),
    [
        ("tg", KHUJAND, ["Хуҷанд", "Вилояти Суғд"], ["Худжанд", "Согдийская"]),
        ("uz", TASHKENT, ["Toshkent"], ["Tashkent", "Ташкент"]),
        ("ky", JALAL_ABAD, ["Жалал-Абад облусу", "Жалал-Абад"], ["Джалал-Абад"]),
    ],
)
def test_a_centres_card_and_page_show_its_town_and_region_in_the_pages_language(
    client, language, geonameid, shown, not_shown
):
    centre = centre_in(geonameid, "Centre One")
    card = card_of(client.get(f"/{language}/centres/"), "Centre One")
    page = client.get(f"/{language}/centres/{centre.slug}/").content.decode()
    for html in (card, page):
        assert all(name in html for name in shown), (language, shown)
        assert not any(name in html for name in not_shown), (language, not_shown)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("near", "geonameid"),
    [
        ("Хуҷанд", KHUJAND),
        ("Toshkent", TASHKENT),
        ("Таш-Көмүр", TASH_KUMYR),  # editorial: in none of GeoNames' names
        ("Ғафуров", GHAFUROV),
        ("Qoʻngʻirot", QUNGHIROT),
        ("qo'ng'irot", QUNGHIROT),
        ("Qongirot", QUNGHIROT),
    ],
)
def test_near_a_town_named_in_kyrgyz_tajik_or_uzbek_finds_its_centres(client, near, geonameid):
    centre_in(geonameid, "Centre Here")
    response = client.get("/ru/centres/", {"near": near})
    assert response.context["result"].origin.place.pk == geonameid
    assert [view.name for view in response.context["centres"]] == ["Centre Here"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "geonameid"),
    [
        ("toshkent", TASHKENT),
        ("хуҷанд", KHUJAND),
        ("Таш-Көмүр", TASH_KUMYR),
        ("qoʻngʻirot", QUNGHIROT),
        ("qo'ng'irot", QUNGHIROT),
        ("qongirot", QUNGHIROT),
        ("ысык-көл облусу", KARAKOL),  # the region's Kyrgyz name
        ("qoraqalpogʻiston", QUNGHIROT),
    ],
)
def test_the_text_search_finds_centres_by_their_towns_and_regions_kyrgyz_tajik_or_uzbek_name(client, query, geonameid):
    centre_in(geonameid, "Centre Here")
    centre_in(ALMATY, "Centre Elsewhere")
    response = client.get("/ru/centres/", {"q": query})
    assert [view.name for view in response.context["centres"]] == ["Centre Here"]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ky", "tg", "uz"])
def test_a_card_reads_its_towns_names_in_every_language_with_its_query(language):
    """The new name columns are among `CARD_COLUMNS`: a card read without them would cost a query per card."""
    for geonameid in (KHUJAND, TASHKENT, JALAL_ABAD):
        centre_in(geonameid, f"Centre {geonameid}")
    rules = CountryRules.for_countries()
    cards = list(Centre.objects.for_cards())
    with translation.override(language), CaptureQueriesContext(connection) as queries:
        views = [centre_view(centre, rules, trusted=False) for centre in cards]
    assert not queries.captured_queries
    expected = {"ky": "Жалал-Абад", "tg": "Хуҷанд", "uz": "Toshkent"}[language]
    assert expected in {view.city for view in views}
