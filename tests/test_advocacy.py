"""The at-risk list: who may see it (and the dashboard), what it lists, and how it filters."""

import datetime
import html
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from centres.models import Centre, Place, today
from centres.paging import PAGE_SIZE
from tests.conftest import count_queries, make_centre, make_operator, make_user, sign_in

pytestmark = pytest.mark.django_db

AT_RISK = "/en/at-risk/"
HELP = ["psychological", "legal"]  # not a shelter: no premises rules
ALMATY, SHYMKENT, OSH = 1526384, 1518980, 1527534  # GeoNames ids of gazetteer towns


@pytest.fixture
def world(thresholds):
    recent = datetime.date.today() - datetime.timedelta(days=5)
    return {
        "small": make_centre(
            name="Small shelter",
            services=["shelter"],
            last_verified_on=recent,
            compliance={"licence_status": "licensed", "premises_area_m2": Decimal("42")},
        ),
        "pending": make_centre(
            name="Pending centre", services=HELP, last_verified_on=recent, compliance={"licence_status": "applied"}
        ),
        "unknown": make_centre(
            name="Unknown centre", services=HELP, last_verified_on=recent, compliance={"licence_status": "unknown"}
        ),
        "fine": make_centre(
            name="Fine centre", services=HELP, last_verified_on=recent, compliance={"licence_status": "licensed"}
        ),
        "kyrgyz": make_centre(name="Kyrgyz centre", country="KG", last_verified_on=None),
    }


def names(rows) -> list[str]:
    return [row.centre.name for row in rows]


ADVOCACY_PAGES = [AT_RISK, "/en/dashboard/"]


@pytest.mark.parametrize("url", ADVOCACY_PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    with translation.override("en"):
        assert response["Location"].startswith(reverse("centres:login"))
    assert response["Location"].startswith("/en/login/")


@pytest.mark.parametrize("url", ADVOCACY_PAGES)
def test_logged_in_people_outside_the_two_groups_are_refused(client, url):
    sign_in(client, make_user("nobody"))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("group", ["advocate", "editor"])
def test_advocates_and_editors_see_the_list_with_reasons(client, world, group):
    sign_in(client, make_user("someone", group))
    response = client.get(AT_RISK)
    assert response.status_code == 200
    result = response.context["result"]
    assert names(result.rows) == ["Small shelter", "Pending centre"]  # high risk first, then by name
    assert "Premises 42 m² is below the minimum of 60 m²." in response.content.decode()
    assert set(names(result.gap_rows)) == {"Unknown centre", "Kyrgyz centre"}


def test_filters_by_severity_flag_gap_and_the_public_filters(client, world):
    sign_in(client, make_user("someone", "advocate"))

    def risks(**params):
        return names(client.get(AT_RISK, params).context["result"].rows)

    def gaps(**params):
        return names(client.get(AT_RISK, params).context["result"].gap_rows)

    assert risks(severity="medium") == ["Pending centre"]
    assert risks(flag="premises_too_small") == ["Small shelter"]
    assert risks(service="shelter") == ["Small shelter"]
    assert gaps(gap="not_verified") == ["Kyrgyz centre"]
    assert gaps(gap="licence_unknown") == ["Unknown centre"]
    assert risks(country="KG") == []


def test_the_list_pages_through_high_then_medium_without_losing_or_repeating_a_centre(client, thresholds):
    from centres.paging import Tiers

    for n in range(3):
        make_centre(name=f"High {n}", services=["shelter"], compliance={"premises_area_m2": Decimal("10")})
    for n in range(2):
        make_centre(name=f"Medium {n}", services=HELP, compliance={"licence_status": "applied"})
    from centres.models import Centre

    high, medium = Centre.objects.filter(name__startswith="High"), Centre.objects.filter(name__startswith="Medium")
    tiers = Tiers(high.order_by("name"), medium.order_by("name"))
    assert tiers.capped_count(1000) == 5
    pages = [[c.name for c in tiers[start : start + 2]] for start in (0, 2, 4)]
    assert pages == [["High 0", "High 1"], ["High 2", "Medium 0"], ["Medium 1"]]
    assert Tiers(high, medium).capped_count(3) == 4  # stops counting past the cap


# -- two lists, each with its own page ----------------------------------------------------------------------------


def section(response, heading: str) -> str:
    """The HTML of the page's section labelled by `heading` (the id of its heading)."""
    page = response.content.decode()
    return re.search(rf'<section aria-labelledby="{heading}".*?</section>', page, re.S).group()


def link(response, heading: str, text: str) -> str:
    """The address of the link reading `text` in the section labelled by `heading`, as the browser follows it."""
    found = re.findall(rf'<a class="page-link" href="([^"]*)">{text}</a>', section(response, heading))
    assert len(found) == 1, (heading, text, found)
    return AT_RISK + html.unescape(found[0])


def query_of(address: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(address).query)


def pages_shown(response) -> tuple[int, list[str], int, list[str]]:
    """(page of the risks list, its centres, page of the gaps list, its centres)."""
    result = response.context["result"]
    return result.risks.number, names(result.rows), result.gaps.number, names(result.gap_rows)


def test_paging_one_list_keeps_the_page_of_the_other(client, thresholds):
    recent = today() - datetime.timedelta(days=5)
    risky = [f"Risky {n:02}" for n in range(PAGE_SIZE + 5)]  # at risk, no data gap
    gapped = [f"Gap {n:02}" for n in range(PAGE_SIZE + 5)]  # a data gap, no risk
    for name in risky:
        make_centre(name=name, services=HELP, last_verified_on=recent, compliance={"licence_status": "revoked"})
    for name in gapped:
        make_centre(name=name, services=HELP, last_verified_on=None, compliance={"licence_status": "licensed"})
    first, second = slice(0, PAGE_SIZE), slice(PAGE_SIZE, None)
    sign_in(client, make_user("someone", "advocate"))

    response = client.get(AT_RISK, {"country": "KZ", "gap_page": "2"})
    assert pages_shown(response) == (1, risky[first], 2, gapped[second])
    next_risks = link(response, "risks-heading", "Next")
    assert query_of(next_risks) == {"country": ["KZ"], "gap_page": ["2"], "page": ["2"]}

    response = client.get(next_risks)
    assert pages_shown(response) == (2, risky[second], 2, gapped[second])
    previous_gaps = link(response, "gaps-heading", "Previous")
    assert query_of(previous_gaps) == {"country": ["KZ"], "page": ["2"], "gap_page": ["1"]}

    response = client.get(previous_gaps)
    assert pages_shown(response) == (2, risky[second], 1, gapped[first])
    next_gaps, previous_risks = link(response, "gaps-heading", "Next"), link(response, "risks-heading", "Previous")
    assert query_of(next_gaps) == {"country": ["KZ"], "page": ["2"], "gap_page": ["2"]}
    assert query_of(previous_risks) == {"country": ["KZ"], "gap_page": ["1"], "page": ["1"]}
    assert pages_shown(client.get(next_gaps)) == (2, risky[second], 2, gapped[second])
    assert pages_shown(client.get(previous_risks)) == (1, risky[first], 1, gapped[first])

    # The downloads hold every page of the list: their links carry the filters, never a page of either list.
    risks = section(client.get(AT_RISK, {"country": "KZ", "page": "2", "gap_page": "2"}), "risks-heading")
    exports = [html.unescape(href) for href in re.findall(r'href="(/en/at-risk/export\.[a-z]+[^"]*)"', risks)]
    assert exports == [f"/en/at-risk/export.{format}?country=KZ" for format in ("csv", "xlsx", "json")]


# -- queries ------------------------------------------------------------------------------------------------------


def many_centres(count: int) -> None:
    """`count` more centres of every sort: in three towns or none, run by the state, a CSO or nobody known, with no
    phone, one or two; at high or medium risk, with data gaps, both or neither. The first three already hold a
    high risk, a medium one and a gap, and thirty fit one page of risks: each count is of pages read, never of
    centres."""
    almaty, shymkent, osh = (Place.objects.get(pk=pk) for pk in (ALMATY, SHYMKENT, OSH))
    towns = [almaty, shymkent, None, osh]  # Kyrgyzstan has no rules: its centres show only data gaps
    on = today()
    start = Centre.objects.count()
    for n in range(start, start + count):
        town, kind = towns[n % 4], ["state", "cso", None][n % 3]
        make_centre(
            name=f"Centre {n:02}",
            city=town,
            country=town.country if town else "KZ",
            operator=make_operator(name=f"Operator {n}", kind=kind) if kind else None,
            phones=[("Hotline", f"+7 700 000 00{n:02}", True), ("", "150", False)][: n % 3],
            services=["shelter"] if n % 2 == 0 else HELP,
            beds=n % 4,
            last_verified_on=[on, None, on - datetime.timedelta(days=400)][n % 3],
            compliance={
                "licence_status": ["revoked", "applied", "unknown", "licensed", "licensed"][n % 5],
                "premises_area_m2": [Decimal("20"), None, Decimal("120")][n % 3],
                "funding_ends_on": on + datetime.timedelta(days=10) if n % 7 == 3 else None,
            },
        )


# The session, the user and the permission check (the user's own permissions, then their groups'); whether the
# stored risks are today's (judging.py); per tier of risk read (high and medium, or the one severity asked for) a
# capped count and the page's rows with their
# operator, town, region and compliance joined; the same two for the gaps; the session saved (a savepoint, the
# update, its release).
@pytest.mark.parametrize(
    "params, most",
    [
        ({}, 14),
        ({"severity": "high", "service": "shelter"}, 12),
        ({"gap": "not_verified"}, 14),
    ],
)
def test_the_at_risk_list_makes_as_many_queries_for_3_or_30_centres(client, thresholds, params, most):
    sign_in(client, make_user("someone", "advocate"))
    many_centres(3)
    few = count_queries(client, AT_RISK, params)
    result = client.get(AT_RISK, params).context["result"]
    assert result.rows and result.gap_rows  # every list the page reads has rows to show
    many_centres(27)
    many = count_queries(client, AT_RISK, params)
    result = client.get(AT_RISK, params).context["result"]
    assert {row.risk for row in result.rows} == ({"high"} if params.get("severity") else {"high", "medium"})
    assert {row.centre.operator is None for row in result.rows} == {True, False}
    assert {row.centre.city is None for row in result.rows} == {True, False}
    assert few == many <= most, many
    # With the rules not yet cached (the first request of a minute), one more.
    assert count_queries(client, AT_RISK, params, kept="nothing") <= many + 1


def test_the_list_shows_the_rules_it_is_judged_against_with_their_legal_basis(client, world, thresholds):
    sign_in(client, make_user("someone", "advocate"))
    html = client.get(AT_RISK).content.decode()
    assert "The rules used" in html and "premises of at least 60 m²" in html
    assert "Social Code of the Republic of Kazakhstan" in html and "adilet.zan.kz" in html  # the legal basis
    assert "demo value — not the law" not in html
    thresholds.thresholds_are_demo = True
    thresholds.save()
    cache.clear()  # the rules are cached; in a test the save's on-commit never comes
    assert "demo value — not the law" in client.get(AT_RISK).content.decode()
