"""Shelter coverage: the arithmetic against the European standard, which shelters count, the page and who may see
it, population records kept in history, and the figures the migration loaded."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from centres.advocacy.coverage import coverage_table, places_missing, places_needed, places_per_10000
from centres.models import Population, Region
from tests.conftest import count_queries, form_data, make_centre, make_user, sign_in

pytestmark = pytest.mark.django_db

COVERAGE = "/en/coverage/"
AS_OF = datetime.date(2025, 12, 1)


@pytest.fixture
def populations(almaty):
    """Only the test's own figures: Kazakhstan 20,000,000 and Almaty 2,345,012; Kyrgyzstan 7,395,000; no others."""
    Population.objects.all().delete()
    kz = Population.objects.create(country="KZ", population=20_000_000, as_of=AS_OF, source_publisher="Bureau")
    city = Population.objects.create(
        country="KZ", region=almaty.region, population=2_345_012, as_of=AS_OF, source_publisher="Bureau"
    )
    kg = Population.objects.create(country="KG", population=7_395_000, as_of=AS_OF, source_publisher="Committee")
    return {"KZ": kz, "KZ-75": city, "KG": kg}


def shelter(region: str | None, beds: int | None, **overrides):
    return make_centre(
        name=f"Shelter {region} {beds}", region_id=region, beds=beds, services=["shelter", "legal"], **overrides
    )


def lines():
    """{name: line} of every country's total (by code) and every region (by code) of the coverage table."""
    found = {}
    regions = {str(region): region.code for region in Region.objects.all()}
    for country in coverage_table():
        found[country.code] = country.total
        for line in country.regions:
            found[regions.get(line.name, (country.code, line.name))] = line
    return found


# -- the arithmetic --------------------------------------------------------------------------------------------------


def test_the_standard_asks_one_place_per_10000_inhabitants_begun():
    assert places_needed(10_000) == 1
    assert places_needed(10_001) == 2
    assert places_needed(2_345_012) == 235
    assert places_needed(None) is None
    assert places_per_10000(50, 2_345_012) == Decimal("0.21")
    assert places_per_10000(0, 10_000) == Decimal("0.00")
    assert places_per_10000(3, None) is None
    assert places_missing(50, 235) == 185
    assert places_missing(300, 235) == 0  # a region above the standard has no gap, not a negative one
    assert places_missing(5, None) is None


def test_a_region_with_population_and_shelters(populations):
    shelter("KZ-75", 30)
    shelter("KZ-75", 20)
    almaty = lines()["KZ-75"]
    assert (almaty.places, almaty.shelters) == (50, 2)
    assert almaty.per_10000 == Decimal("0.21")
    assert (almaty.needed, almaty.gap) == (235, 185)
    assert almaty.population == populations["KZ-75"]


def test_a_region_without_a_population_record_shows_places_but_no_figures(populations):
    shelter("KZ-71", 12)  # Astana: the migration's record was deleted by the fixture
    astana = lines()["KZ-71"]
    assert (astana.places, astana.population) == (12, None)
    assert (astana.per_10000, astana.needed, astana.gap) == (None, None, None)


def test_a_country_without_shelters_needs_every_place(populations):
    kyrgyzstan = lines()["KG"]
    assert (kyrgyzstan.places, kyrgyzstan.shelters, kyrgyzstan.per_10000) == (0, 0, Decimal("0.00"))
    assert kyrgyzstan.needed == kyrgyzstan.gap == 740
    tajikistan = lines()["TJ"]  # neither shelters nor a population record
    assert (tajikistan.places, tajikistan.needed, tajikistan.gap) == (0, None, None)


def test_the_country_total_counts_every_region_and_shelters_without_one(populations):
    shelter("KZ-75", 30)
    shelter("KZ-71", 12)
    shelter(None, 8)
    found = lines()
    kazakhstan = found["KZ"]
    assert (kazakhstan.places, kazakhstan.shelters) == (50, 3)
    assert (kazakhstan.needed, kazakhstan.gap, kazakhstan.per_10000) == (2000, 1950, Decimal("0.03"))
    assert found[("KZ", str(gettext("Region not recorded")))].places == 8


def test_only_active_published_shelters_count(populations):
    shelter("KZ-75", 10)
    shelter("KZ-75", 100, published=False)  # a draft
    shelter("KZ-75", 200, archived=True)
    shelter("KZ-75", 400, status="closed")
    shelter("KZ-75", 800, status="temporarily_closed")  # takes nobody in tonight
    make_centre(name="Legal help", region_id="KZ-75", beds=1600, services=["legal"])  # not a shelter
    almaty = lines()["KZ-75"]
    assert (almaty.places, almaty.shelters) == (10, 1)


def test_a_shelter_without_a_bed_count_is_counted_apart(populations):
    shelter("KZ-75", 10)
    shelter("KZ-75", None)
    almaty = lines()["KZ-75"]
    assert (almaty.places, almaty.shelters, almaty.shelters_without_beds) == (10, 2, 1)


def test_the_table_costs_the_same_queries_however_many_regions_have_shelters(populations):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            coverage_table()
        return len(captured)

    shelter("KZ-75", 10)
    few = queries()
    for code in ["KZ-71", "KZ-79", "KZ-35", "KG-GB", "TJ-DU", "UZ-TK"]:
        shelter(code, 5, country=code[:2])
    assert queries() == few == 3


# -- population records ----------------------------------------------------------------------------------------------


def test_one_population_record_per_country_and_per_region(populations, almaty):
    with pytest.raises(IntegrityError), transaction.atomic():
        Population.objects.create(country="KZ", population=1, as_of=AS_OF, source_publisher="again")
    with pytest.raises(IntegrityError), transaction.atomic():
        Population.objects.create(
            country="KZ", region=almaty.region, population=1, as_of=AS_OF, source_publisher="again"
        )
    Population.objects.create(country="UZ", population=1, as_of=AS_OF, source_publisher="first")  # another country


def test_editing_a_population_in_the_editor_area_keeps_its_history(editor_client, populations):
    record = populations["KZ-75"]
    url = reverse("admin:centres_population_change", args=[record.pk])
    data = form_data(editor_client, url)
    data.update(population="2400000", as_of="2026-06-01", source_publisher="Bureau, mid-year estimate")
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    record.refresh_from_db()
    assert (record.population, record.as_of, record.version) == (2_400_000, datetime.date(2026, 6, 1), 2)
    history = list(record.history.order_by("history_date").values_list("population", "source_publisher"))
    assert history == [(2_345_012, "Bureau"), (2_400_000, "Bureau, mid-year estimate")]
    assert record.history.first().history_user.username == "editor"


def test_a_stale_population_edit_is_refused(editor_client, populations):
    record = populations["KG"]
    url = reverse("admin:centres_population_change", args=[record.pk])
    data = form_data(editor_client, url)
    record.population = 7_400_000
    record.save()  # someone else's edit, after the form was opened
    data.update(population="7000000")
    response = editor_client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    record.refresh_from_db()
    assert record.population == 7_400_000


def test_the_migration_loaded_the_csv_with_a_first_history_entry():
    kazakhstan = Population.objects.get(country="KZ", region=None)
    assert (kazakhstan.population, kazakhstan.women, kazakhstan.as_of) == (20478879, 10468756, AS_OF)
    assert kazakhstan.source_url.startswith("https://www.zakon.kz/")
    assert Population.objects.get(region_id="KZ-75").population == 2345012
    assert Population.objects.get(region_id="TJ-DU").population == 1290000
    assert Population.objects.count() == 20
    assert kazakhstan.history.get().history_type == "+"
    assert not Population.objects.filter(country="KG").exclude(region=None).exists()  # regions it lacks: empty


def test_loading_again_changes_nothing_and_skips_an_unknown_region(capsys):
    from django.apps import apps

    migration = importlib.import_module("centres.migrations.0026_population")
    before = list(Population.objects.values_list("pk", "population", "version"))
    migration.load(apps, None)
    assert list(Population.objects.values_list("pk", "population", "version")) == before
    row = {"country": "KZ", "region_iso": "KZ-99", "population": "5", "women": "", "as_of": "2025-12-01"}
    skipped = migration.load_rows(apps, [{**row, "source_publisher": "x", "source_url": ""}])
    assert skipped == ["population.csv line 2: region KZ-99 is not in the Region table; skipped"]
    assert not Population.objects.filter(region_id="KZ-99").exists()


# -- the page --------------------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(COVERAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/en/login/")


def test_people_outside_the_advocacy_roles_are_refused(client):
    sign_in(client, make_user("nobody"))
    assert client.get(COVERAGE).status_code == 403


@pytest.mark.parametrize("group", ["advocate", "editor"])
def test_advocates_see_the_table_with_the_standard_cited(client, populations, group):
    shelter("KZ-75", 1234)
    sign_in(client, make_user("someone", group))
    response = client.get(COVERAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Explanatory Report to the Istanbul Convention, para. 135" in page
    assert "European Institute for Gender Equality (EIGE)" in page
    assert "2,345,012" in page and "1,234" in page and "5.26" in page  # English number format
    assert "population not recorded" in page


def test_numbers_follow_the_page_language(client, populations):
    shelter("KZ-75", 1234)
    sign_in(client, make_user("someone", "advocate"))
    page = client.get("/ru/coverage/").content.decode()
    assert "2\xa0345\xa0012" in page and "5,26" in page


def test_the_at_risk_list_links_to_the_coverage_page(client):
    sign_in(client, make_user("someone", "advocate"))
    assert 'href="/en/coverage/"' in client.get("/en/at-risk/").content.decode()


def test_the_figures_are_kept_until_a_population_or_a_shelter_is_saved(
    client, populations, django_capture_on_commit_callbacks
):
    shelter("KZ-75", 100)
    sign_in(client, make_user("someone", "advocate"))

    def almaty_line():
        (kazakhstan,) = [country for country in client.get(COVERAGE).context["countries"] if country.code == "KZ"]
        return next(line for line in kazakhstan.regions if line.population == populations["KZ-75"])

    assert (almaty_line().places, almaty_line().needed) == (100, 235)
    with django_capture_on_commit_callbacks(execute=True):
        populations["KZ-75"].population = 3_000_000
        populations["KZ-75"].save()
    assert almaty_line().needed == 300  # a population edit makes a new data version
    with django_capture_on_commit_callbacks(execute=True):
        shelter("KZ-75", 20)
    assert almaty_line().places == 120


def test_the_kept_figures_are_served_without_counting_again(client, populations):
    shelter("KZ-75", 100)
    sign_in(client, make_user("someone", "advocate"))
    counted, kept = count_queries(client, COVERAGE), count_queries(client, COVERAGE, kept="everything")
    assert kept < counted
    # Kept: the session, the user, the permission check (two) and saving the session (three), nothing counted.
    assert kept <= 7, kept


def test_the_page_ends_with_how_to_quote_it(client, populations):
    sign_in(client, make_user("someone", "advocate"))
    page = client.get("/ru/coverage/?x=<b>").content.decode()
    assert "Для цитирования: Справочник кризисных центров, «Обеспеченность убежищами по европейскому стандарту»" in page
    cite = page[page.index("Для цитирования") :]
    assert "http://testserver/ru/coverage/?x=" in cite and "<b>" not in cite[: cite.index("</p>")]
