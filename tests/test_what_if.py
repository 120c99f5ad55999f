"""What a proposed minimum would cost (centres/advocacy/whatif.py): the same centres as the at-risk list when the
proposal is today's rules, the boundaries, nothing saved, the exports, and a constant number of queries."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest

from centres.advocacy.whatif import CURVE_MINIMUMS, Proposal, curve, what_if
from centres.models import CountryRules, today
from tests.conftest import count_queries, make_centre, make_operator, make_user, sign_in

WHAT_IF = "/en/at-risk/what-if/"
RECENT = datetime.date.today() - datetime.timedelta(days=5)


def shelter(name: str, area: str | None, beds: int, **overrides):
    return make_centre(
        name=name,
        services=["shelter"],
        beds=beds,
        last_verified_on=RECENT,
        compliance={"licence_status": overrides.pop("licence_status", "licensed"), "premises_area_m2": area},
        **overrides,
    )


@pytest.fixture
def shelters(thresholds):
    """Kazakhstan's minimum is 60 m² (the `thresholds` fixture) and 6 m² per bed."""
    thresholds.min_area_per_bed_m2 = Decimal("6")
    thresholds.save()
    cso = make_operator(name="Фонд", kind="cso")
    return {
        "at 80": shelter("At eighty", "80", 10, operator=cso, beds_free=3, address_visibility="public"),
        "at 79.9": shelter("Just under eighty", "79.9", 5, beds_free=2, address_visibility="hidden"),
        "at 59.9": shelter("Just under sixty", "59.9", 4, operator=cso),
        "crowded": shelter("Crowded", "70", 20),  # 3.5 m² a bed
        "no area": shelter("No area recorded", None, 8),
        "closed": shelter("Closed one", "10", 9, status="closed"),
        "kyrgyz": shelter("Kyrgyz one", "10", 9, country="KG"),
    }


def rules() -> dict[str, CountryRules]:
    return {rules.country: rules for rules in CountryRules.objects.all()} | {
        code: CountryRules(country=code) for code in ("KG", "UZ", "TJ") if not CountryRules.objects.filter(country=code)
    }


def page(client, **params):
    sign_in(client, make_user("advocate-1", "advocate"))
    response = client.get(WHAT_IF, params)
    assert response.status_code == 200
    return response


def test_with_todays_minimums_it_finds_the_at_risk_lists_centres(client, shelters):
    sign_in(client, make_user("advocate-1", "advocate"))
    listed = set()
    for flag in ("premises_too_small", "area_per_bed_too_small"):
        listed |= {row.centre.name for row in client.get("/en/at-risk/", {"flag": flag}).context["result"].rows}
    result = client.get(WHAT_IF, {"country": "KZ", "min_area": "60", "min_per_bed": "6"}).context["result"]
    assert listed == {"Just under sixty", "Crowded"}
    assert (result.total.centres, result.total.centres_now) == (len(listed), len(listed))
    assert (result.total.beds, result.total.beds_now) == (24, 24)


def test_a_minimum_of_80_puts_those_below_it_and_not_those_at_it(shelters):
    result = what_if(rules(), Proposal("KZ", Decimal("80"), None), today())
    # Below 80: 79.9, 59.9 and 70 (crowded); at 80 passes; no recorded area is a gap, not a flag; closed and
    # Kyrgyz centres are not judged here.
    assert (result.total.centres, result.total.beds, result.total.cso) == (3, 29, 1)
    assert (result.total.centres_now, result.total.beds_now) == (2, 24)  # today: 59.9 and the crowded one
    assert result.total.free == 0  # the hidden shelter's 2 places free are never shown, not even summed
    assert sum(row.centres for row in result.by_kind) == sum(row.centres for row in result.by_region) == 3


def test_a_lost_licence_status_counts_whatever_the_area(shelters):
    make_centre(name="Refused", services=["shelter"], beds=6, compliance={"licence_status": "refused"})
    result = what_if(rules(), Proposal("KZ", None, None, ("refused",)), today())
    assert (result.total.centres, result.total.beds) == (1, 6)


def test_the_proposal_changes_no_rule(client, shelters):
    before = list(CountryRules.objects.values_list("country", "min_premises_area_m2", "min_area_per_bed_m2"))
    page(client, country="KZ", min_area="120", min_per_bed="12")
    assert list(CountryRules.objects.values_list("country", "min_premises_area_m2", "min_area_per_bed_m2")) == before


def test_the_curve_counts_the_shelters_below_each_minimum(shelters):
    points = dict((minimum, (count, beds)) for minimum, count, beds in curve("KZ"))
    assert set(points) == set(CURVE_MINIMUMS)
    assert points[0] == (0, 0) and points[60] == (1, 4) and points[80] == (3, 29) and points[90] == (4, 39)


def test_the_page_says_it_in_a_sentence_and_draws_the_curve(client, shelters):
    html = page(client, country="KZ", min_area="80").content.decode()
    assert "3 centres with 29 beds would fall below it, 1 of them run by civil-society organisations." in html
    assert "Under today's rules: 2 centres with 24 beds." in html
    assert "<polyline" in html and "The numbers" in html


@pytest.mark.parametrize(
    "params",
    [{}, {"country": "KZ"}, {"country": "KZ", "min_area": "-5"}, {"country": "XX", "min_area": "80"}],
    ids=["nothing", "no figure", "negative", "unknown country"],
)
def test_bad_or_missing_input_is_said_and_shows_no_numbers(client, shelters, params):
    response = page(client, **params)
    assert response.context["result"] is None
    if params:
        assert response.context["form"].errors


def test_the_export_lists_the_centres_below_with_the_proposals_reasons(client, shelters):
    sign_in(client, make_user("advocate-1", "advocate"))
    response = client.get("/en/at-risk/what-if/export.csv", {"country": "KZ", "min_area": "80"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode().removeprefix("\ufeff"))))
    assert sorted(row["name"] for row in rows) == ["Crowded", "Just under eighty", "Just under sixty"]
    under_eighty = next(row for row in rows if row["name"] == "Just under eighty")
    assert "below the minimum of 80 m²" in under_eighty["reasons"]
    assert client.get("/en/at-risk/what-if/export.csv", {"country": "KZ"}).status_code == 400


def test_anonymous_visitors_and_others_cannot_see_it(client, shelters):
    assert client.get(WHAT_IF, {"country": "KZ", "min_area": "80"}).status_code == 302
    sign_in(client, make_user("nobody"))
    assert client.get(WHAT_IF, {"country": "KZ", "min_area": "80"}).status_code == 403


def test_the_number_of_queries_does_not_grow_with_the_centres(client, shelters):
    sign_in(client, make_user("advocate-1", "advocate"))

    params = {"country": "KZ", "min_area": "80"}
    shelter("In a region", "50", 3, region_id="KZ-75")  # regions are named in one query, once there is one
    few, few_kept = count_queries(client, WHAT_IF, params), count_queries(client, WHAT_IF, params, kept="everything")
    for n in range(15):
        shelter(f"More {n}", "50", 3, region_id="KZ-75" if n % 2 else None)
    assert count_queries(client, WHAT_IF, params) == few  # counted afresh, as after an edit
    assert count_queries(client, WHAT_IF, params, kept="everything") == few_kept < few  # the figures kept


def test_a_proposals_figures_are_kept_until_the_next_save(client, shelters, django_capture_on_commit_callbacks):
    sign_in(client, make_user("advocate-1", "advocate"))
    params = {"country": "KZ", "min_area": "80"}
    before = client.get(WHAT_IF, params).context["result"].total.centres
    with django_capture_on_commit_callbacks(execute=True):
        shelter("One more below", "50", 3)
    assert client.get(WHAT_IF, params).context["result"].total.centres == before + 1
    assert client.get(WHAT_IF, {**params, "min_area": "40"}).context["result"].total.centres < before + 1


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_the_curves_coordinates_are_numbers_in_every_language(client, shelters, language):
    """A Russian page writes 88,7 for a number; an SVG coordinate must stay 88.7, or every label lands at 0."""
    sign_in(client, make_user("advocate-1", "advocate"))
    html = client.get(f"/{language}/at-risk/what-if/", {"country": "KZ", "min_area": "80"}).content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    coordinates = re.findall(r'\b(?:x|y|cx|cy|x1|x2|y1|y2)="([^"]*)"', svg)
    assert coordinates and all(re.fullmatch(r"-?\d+(\.\d+)?", value) for value in coordinates), coordinates
    points = re.search(r'points="([^"]*)"', svg).group(1).split()
    assert len(points) == len(CURVE_MINIMUMS) and all(re.fullmatch(r"[\d.]+,[\d.]+", point) for point in points)
    assert min(float(value) for value in coordinates) > 0 and max(float(value) for value in coordinates) <= 640


def test_a_proposal_is_kept_under_one_key_however_it_was_typed():
    one = Proposal("KZ", Decimal("80"), None, ("revoked", "refused"))
    same = Proposal("KZ", Decimal("80.0"), None, ("refused", "revoked", "refused"))
    assert one.key == same.key == "KZ|80||refused,revoked"
    assert Proposal("KZ", Decimal("80"), Decimal("7"), ()).key != Proposal("KZ", Decimal("80"), None, ()).key
    assert Proposal("KZ", None, Decimal("80"), ()).key != Proposal("KZ", Decimal("80"), None, ()).key
