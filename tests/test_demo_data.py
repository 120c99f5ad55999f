"""manage.py load_demo_data: fictional centres that can never be mistaken for help (DESIGN.md section 6)."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from centres import demo
from centres.models import Centre, CentrePhone, Compliance, CountryRules, Operator, Place
from centres.text import fold
from centres.vocabularies import AddressVisibility, LicenceStatus, OperatorKind, Status
from tests.conftest import make_centre

pytestmark = pytest.mark.django_db

# The demo cities as GeoNames has them (cities15000): id -> (country, Latin name, Russian name, latitude, longitude).
PLACES = {
    1526384: ("KZ", "Almaty", "Алматы", "43.25249", "76.9115"),
    1526273: ("KZ", "Astana", "Астана", "51.1801", "71.44598"),
    1518980: ("KZ", "Shymkent", "Шымкент", "42.30988", "69.60042"),
    609655: ("KZ", "Karagandy", "Караганда", "49.80187", "73.10211"),
    610611: ("KZ", "Aktobe", "Актобе", "50.27969", "57.20718"),
    1516905: ("KZ", "Taraz", "Тараз", "42.89799", "71.37334"),
    1520240: ("KZ", "Pavlodar", "Павлодар", "52.27601", "76.96881"),
    1520316: ("KZ", "Ust-Kamenogorsk", "Усть-Каменогорск", "49.97143", "82.60586"),
    1519422: ("KZ", "Semey", "Семей", "50.42064", "80.25025"),
    610529: ("KZ", "Atyrau", "Атырау", "47.1048", "51.88427"),
    1519928: ("KZ", "Kostanay", "Костанай", "53.21435", "63.62463"),
    1519922: ("KZ", "Kyzylorda", "Кызылорда", "44.85278", "65.50917"),
    608668: ("KZ", "Oral", "Уральск", "51.24601", "51.42558"),
    1520172: ("KZ", "Petropavl", "Петропавловск", "54.87343", "69.15065"),
    610612: ("KZ", "Aktau", "Актау", "43.66105", "51.17392"),
    1517945: ("KZ", "Turkistan", "Туркестан", "43.29458", "68.25685"),
    1528675: ("KG", "Bishkek", "Бишкек", "42.87", "74.59"),
    1527534: ("KG", "Osh", "Ош", "40.52828", "72.7985"),
    1528249: ("KG", "Manas", "Джалал-Абад", "40.94498", "72.99313"),
    1528121: ("KG", "Karakol", "Каракол", "42.49047", "78.39197"),
    1512569: ("UZ", "Tashkent", "Ташкент", "41.26465", "69.21627"),
    1216265: ("UZ", "Samarkand", "Самарканд", "39.65456", "66.96445"),
    1217662: ("UZ", "Bukhara", "Бухара", "39.77026", "64.43069"),
    1513157: ("UZ", "Namangan", "Наманган", "40.9983", "71.67257"),
    601294: ("UZ", "Nukus", "Нукус", "42.45861", "59.60576"),
    1221874: ("TJ", "Dushanbe", "Душанбе", "38.53575", "68.77905"),
    1514879: ("TJ", "Khujand", "Худжанд", "40.28256", "69.62216"),
    1220747: ("TJ", "Bokhtar", "Бохтар", "37.83654", "68.77762"),
    1221194: ("TJ", "Kŭlob", "Куляб", "37.91459", "69.78454"),
}


@pytest.fixture
def places(db) -> None:
    """The demo cities; kept as they are when the full gazetteer is already in the database."""
    for geonameid, (country, name_en, name_ru, latitude, longitude) in PLACES.items():
        Place.objects.get_or_create(
            geonameid=geonameid,
            defaults={
                "country": country,
                "name_en": name_en,
                "name_ru": name_ru,
                "latitude": Decimal(latitude),
                "longitude": Decimal(longitude),
                "search_names": f";{fold(name_en)};{fold(name_ru)};",
            },
        )


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def load(*args: str) -> None:
    call_command("load_demo_data", *args, stdout=io.StringIO())


def history_rows() -> int:
    return (
        sum(model.history.count() for model in (Centre, Compliance, Operator, CountryRules))
        + CentrePhone.history.count()
    )


def test_demo_data_has_about_sixty_centres_in_all_four_countries(places, debug):
    load()
    centres = Centre.objects.all()
    assert 55 <= centres.count() <= 65
    per_country = {country: centres.filter(country=country).count() for country in ["KZ", "KG", "UZ", "TJ"]}
    assert per_country == {"KZ": 36, "KG": 10, "UZ": 8, "TJ": 6}
    assert all(centre.city.country == centre.country for centre in centres.select_related("city"))


def test_every_demo_centre_is_marked_demo_and_has_no_phone(places, debug):
    load()
    assert not Centre.objects.filter(is_demo=False).exists()
    assert not CentrePhone.objects.exists()
    for centre in Centre.objects.all():
        assert "(демо)" in centre.name
        for code, note in demo.DEMO_NOTES.items():  # it says so in every language
            assert getattr(centre, f"public_notes_{code}") == note
            assert note.upper().startswith(("ДЕМО:", "DEMO:"))


def test_every_demo_operator_is_fictional_and_both_kinds_are_present(places, debug):
    load()
    operators = Operator.objects.all()
    assert all(operator.name.endswith("(демо)") for operator in operators)
    assert set(operators.values_list("kind", flat=True)) == set(OperatorKind.values)


def test_demo_data_covers_every_licence_status_visibility_and_status(places, debug):
    load()
    assert set(Compliance.objects.values_list("licence_status", flat=True)) == set(LicenceStatus.values)
    assert set(Centre.objects.values_list("address_visibility", flat=True)) == set(AddressVisibility.values)
    assert set(Centre.objects.values_list("status", flat=True)) == set(Status.values)
    not_active = Centre.objects.exclude(status=Status.ACTIVE)
    assert all(centre.closure_reason for centre in not_active)
    assert Centre.objects.filter(archived=True).exists()


def test_demo_data_covers_admission_patterns_and_sizes(places, debug):
    load()
    centres = Centre.objects.all()
    assert {True, False} <= set(centres.values_list("accepts_children", flat=True))
    assert len(set(centres.exclude(boys_max_age=None).values_list("boys_max_age", flat=True))) >= 3
    assert {"none", "id", "id_and_registration"} <= set(centres.values_list("documents_needed", flat=True))
    for field in ["accepts_pregnant", "accepts_non_citizens", "referral_needed", "anonymous"]:
        assert {True, False} <= set(centres.values_list(field, flat=True)), field
    areas = [area for area in Compliance.objects.values_list("premises_area_m2", flat=True) if area is not None]
    assert min(areas) <= 30 and max(areas) >= 500
    assert Compliance.objects.filter(premises_area_m2=None).exists()


def test_demo_dates_include_recent_and_stale_figures_and_ends_soon_or_past(places, debug):
    load()
    today = timezone.localdate()
    now = timezone.now()
    updated = [value for value in Centre.objects.values_list("beds_free_updated_at", flat=True) if value]
    assert any((now - value).days < 7 for value in updated)
    assert any((now - value).days > 7 for value in updated)
    verified = Centre.objects.values_list("last_verified_on", flat=True)
    assert any(day and (today - day).days < 365 for day in verified)
    assert any(day is None or (today - day).days > 365 for day in verified)
    for field in ["lease_ends_on", "funding_ends_on", "licence_expires_on"]:
        ends = [day for day in Compliance.objects.values_list(field, flat=True) if day]
        assert any(day < today for day in ends), field
        assert any(0 <= (day - today).days <= 90 for day in ends), field


def test_loading_twice_adds_no_duplicate_and_no_history(places, debug):
    load()
    centres, operators, rows = Centre.objects.count(), Operator.objects.count(), history_rows()
    load()
    assert Centre.objects.count() == centres
    assert Operator.objects.count() == operators
    assert Compliance.objects.count() == centres
    assert history_rows() == rows


def test_loading_again_restores_a_changed_demo_record(places, debug):
    load()
    centre = Centre.objects.get(pk=demo.centre_id("kz-almaty-1"))
    slug = centre.slug
    centre.name = "Изменено"
    centre.save()
    load()
    centre.refresh_from_db()
    assert centre.name == "Кризисный центр «Сенім» (демо)"
    assert centre.slug == slug


def test_refuses_when_a_real_centre_exists(places, debug):
    make_centre()
    with pytest.raises(CommandError, match="--force"):
        load()
    assert not Centre.objects.filter(is_demo=True).exists()


def test_refuses_when_debug_is_off(places, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        load()
    assert not Centre.objects.exists()


def test_force_loads_despite_real_centres_and_debug_off(places, settings):
    settings.DEBUG = False
    real = make_centre()
    load("--force")
    assert Centre.objects.filter(is_demo=True).count() == 60
    real.refresh_from_db()
    assert not real.is_demo


def test_fails_clearly_when_a_city_is_missing_from_the_gazetteer(places, debug, monkeypatch):
    monkeypatch.setitem(demo.CITIES, "atlantis", ("TJ", "Атлантида (демо)", 1))
    with pytest.raises(CommandError, match="load_gazetteer"):
        load()
    assert not Centre.objects.exists()


def test_kazakhstan_thresholds_are_set_as_demo_values_when_empty(places, debug):
    CountryRules.objects.filter(country="KZ").update(min_premises_area_m2=None, min_area_per_bed_m2=None)
    load()
    rules = CountryRules.objects.get(country="KZ")
    assert rules.min_premises_area_m2 == Decimal("60")
    assert rules.min_area_per_bed_m2 == Decimal("6")
    assert rules.thresholds_are_demo


def test_thresholds_an_editor_set_are_not_overwritten(places, debug):
    rules = CountryRules.objects.get(country="KZ")
    rules.min_premises_area_m2 = Decimal("100")
    rules.min_area_per_bed_m2 = Decimal("8")
    rules.save()
    load()
    rules.refresh_from_db()
    assert rules.min_premises_area_m2 == Decimal("100")
    assert rules.min_area_per_bed_m2 == Decimal("8")
    assert not rules.thresholds_are_demo
