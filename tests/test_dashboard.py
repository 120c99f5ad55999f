"""The advocates' dashboard and "what changed since 2025": who may see them, that they agree with the at-risk list,
and that history edited through the admin shows with its dates and reasons."""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from centres.advocacy.filters import AtRiskFilter
from centres.eligibility import FLAGS, GAPS
from centres.models import Centre, Compliance, CountryRules, today
from centres.selectors import at_risk_pages, changes_since
from tests.conftest import change_url, count_queries, errors, form_data, make_centre, make_operator, make_user, sign_in

pytestmark = pytest.mark.django_db

DASHBOARD = "/en/dashboard/"
ALMATY_TIME = ZoneInfo("Asia/Almaty")
HELP = ["psychological", "legal"]


def at(year: int, month: int, day: int):
    """Travel to noon of that day in Almaty, with the clock standing still."""
    return time_machine.travel(datetime.datetime(year, month, day, 12, 0, tzinfo=ALMATY_TIME), tick=False)


def table(response, slug: str) -> dict:
    """A dashboard table as {row header: [cells]}."""
    chart = next(chart for chart in response.context["charts"] if chart.slug == slug)
    return {str(row[0]): row[1:] for row in chart.rows}


@pytest.fixture
def thresholds():
    rules = CountryRules.objects.get(country="KZ")
    rules.min_premises_area_m2 = Decimal("60")
    rules.min_area_per_bed_m2 = Decimal("6")
    rules.save()
    return rules


@pytest.fixture
def world(thresholds):
    recent = datetime.date.today() - datetime.timedelta(days=5)
    soon = datetime.date.today() + datetime.timedelta(days=20)
    past = datetime.date.today() - datetime.timedelta(days=20)
    state, cso = make_operator(name="Акимат", kind="state"), make_operator()
    return [
        make_centre(
            name="Small shelter",
            operator=cso,
            services=["shelter"],
            beds=10,
            last_verified_on=recent,
            compliance={"licence_status": "licensed", "premises_area_m2": Decimal("42")},
        ),
        make_centre(
            name="Roomy shelter",
            operator=state,
            services=["shelter"],
            beds=4,
            last_verified_on=recent,
            compliance={"licence_status": "licensed", "premises_area_m2": Decimal("80")},
        ),
        make_centre(name="Shelter of unknown size", operator=cso, services=["shelter"], last_verified_on=None),
        make_centre(
            name="Pending centre", services=HELP, last_verified_on=recent, compliance={"licence_status": "applied"}
        ),
        make_centre(name="Revoked centre", services=HELP, compliance={"licence_status": "revoked"}),
        make_centre(
            name="Funding ending",
            services=HELP,
            compliance={"licence_status": "licensed", "funding_ends_on": soon},
        ),
        make_centre(
            name="Lease ended",
            services=HELP,
            compliance={"licence_status": "licensed", "premises_tenure": "leased", "lease_ends_on": past},
        ),
        make_centre(
            name="Fine centre", services=HELP, last_verified_on=recent, compliance={"licence_status": "licensed"}
        ),
        make_centre(name="Closed centre", services=HELP, status="closed", closure_reason="Закрыт", compliance={}),
        make_centre(name="Kyrgyz centre", country="KG", last_verified_on=None),
    ]


# -- access (anonymous visitors and other logged-in people: tests/test_advocacy.py) -----------------------------


@pytest.mark.parametrize("group", ["advocate", "editor"])
def test_advocates_and_editors_see_charts_each_with_its_table(client, world, group):
    sign_in(client, make_user("someone", group))
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    page = response.content.decode()
    charts = response.context["charts"]
    assert [chart.slug for chart in charts] == [
        "operators",
        "licences",
        "risk",
        "flags",
        "gaps",
        "premises",
        "changes-by-month",
    ]
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label=') == len(charts)
    # Each chart's table folded under it; the changes over time have no table when nothing changed.
    assert page.count("<details><summary>The numbers</summary>") == len(charts)
    assert page.count("<table") == len(charts) - 1
    assert "No such change recorded." in page  # nothing was suspended, closed or lost in this world
    # The Content-Security-Policy forbids inline styles and scripts: the charts use neither.
    assert "style=" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)


def test_the_navigation_links_to_the_advocacy_pages_only_for_those_who_may_see_them(client, world):
    assert "/en/dashboard/" not in client.get("/en/").content.decode()
    sign_in(client, make_user("nobody"))
    assert "/en/dashboard/" not in client.get("/en/").content.decode()
    sign_in(client, make_user("advocate-2", "advocate"))
    page = client.get("/en/").content.decode()
    assert 'href="/en/dashboard/"' in page and 'href="/en/at-risk/"' in page
    assert 'href="/en/dashboard/"' in client.get("/en/at-risk/").content.decode()


# -- the numbers ------------------------------------------------------------------------------------------------


def listed(**params) -> tuple[int, int]:
    """How many rows the at-risk list has with these filters: (at risk, data gaps)."""
    query = QueryDict(mutable=True)
    for key, value in params.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    result = at_risk_pages(filters=AtRiskFilter(query, rules=CountryRules.for_countries(), on=today()))
    return result.risks.paginator.count, result.gaps.paginator.count


def test_the_dashboard_counts_agree_with_the_at_risk_list(client, world):
    sign_in(client, make_user("someone", "advocate"))
    response = client.get(DASHBOARD)

    by_risk = table(response, "risk")
    assert by_risk["High"] == [listed(severity="high")[0]]
    assert by_risk["Medium"] == [listed(severity="medium")[0]]
    assert by_risk["High"][0] + by_risk["Medium"][0] == listed()[0]
    assert by_risk == {"High": [3], "Medium": [2]}  # small shelter, revoked, lease ended; pending, funding ending

    by_flag = table(response, "flags")
    for rule in FLAGS:
        assert by_flag[str(rule.label)] == [listed(flag=rule.code)[0]], rule.code
    assert by_flag["Premises too small"] == [1]
    assert by_flag["Too little area per bed"] == [1]

    by_gap = table(response, "gaps")
    for rule in GAPS:
        assert by_gap[str(rule.label)] == [listed(gap=rule.code)[1]], rule.code
    assert by_gap["Premises area not recorded"] == [1]


def test_the_dashboard_counts_open_centres_by_country_operator_and_licence(client, world):
    sign_in(client, make_user("someone", "advocate"))
    response = client.get(DASHBOARD)
    operators = table(response, "operators")
    assert operators["Kazakhstan"] == [1, 2, 5, 8]  # state, CSO, none, total; the closed centre left out
    assert operators["Kyrgyzstan"] == [0, 0, 1, 1]
    assert operators["All countries"] == [1, 2, 6, 9]
    licences = table(response, "licences")
    assert licences["Licensed"] == [5]
    assert licences["Unknown"] == [1]
    assert licences["Revoked"] == [1]
    assert sum(cells[0] for cells in licences.values()) == 8


def test_shelters_premises_are_counted_against_each_countrys_minimum(client, world):
    sign_in(client, make_user("someone", "advocate"))
    premises = table(client.get(DASHBOARD), "premises")
    # minimum, shelters, below, at or above, not recorded
    assert premises["Kazakhstan"] == ["60 m²", 3, 1, 1, 1]
    assert premises["Kyrgyzstan"] == ["not set", 1, "—", "—", 1]


# -- what changed -----------------------------------------------------------------------------------------------


def edit_in_admin(client, centre: Centre, **changes) -> None:
    """Save the centre's change form with `changes`, as the editor would, at whatever time it is (travelled to)."""
    sign_in(client, User.objects.get(username="editor"))  # a fresh session: sessions expire as time travels
    url = change_url(centre)
    data = form_data(client, url)
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, errors(response)


@pytest.fixture
def edited_history(editor_client, almaty):
    """Centres entered in 2024, then edited through the admin: in 2024 (before the table's start) and in 2025."""
    with at(2024, 6, 1):
        suspended, closed, revoked, early, renamed = (
            make_centre(name=name, city=almaty, compliance={"licence_status": "licensed", "funding_kind": "grant"})
            for name in ("Suspended centre", "Closed centre", "Revoked centre", "Suspended in 2024", "Renamed")
        )
    with at(2024, 11, 5):
        edit_in_admin(editor_client, early, status="temporarily_closed", closure_reason="Ремонт кровли")
        edit_in_admin(editor_client, renamed, **{"compliance-0-licence_status": "revoked"})
    with at(2025, 3, 10):
        edit_in_admin(editor_client, suspended, status="temporarily_closed", closure_reason="Ремонт")
        edit_in_admin(editor_client, early, name="Suspended in 2024, renamed")  # still suspended: no change
        edit_in_admin(editor_client, renamed, name="Renamed, still revoked")  # still revoked: no change
    with at(2025, 4, 2):
        edit_in_admin(editor_client, closed, status="closed", closure_reason="Нет финансирования")
    with at(2025, 5, 20):
        edit_in_admin(editor_client, revoked, **{"compliance-0-licence_status": "revoked"})
        edit_in_admin(editor_client, suspended, **{"compliance-0-funding_kind": "none"})
    Compliance.objects.filter(centre=renamed).update(funding_ends_on=datetime.date(2025, 6, 30))
    Compliance.objects.filter(centre=early).update(funding_ends_on=datetime.date(2024, 12, 31))  # before 2025
    sign_in(editor_client, User.objects.get(username="editor"))
    return editor_client


def test_what_changed_since_2025_shows_admin_edits_with_their_dates_and_reasons(edited_history):
    response = edited_history.get(DASHBOARD)
    assert response.status_code == 200
    changes = [(c.day, c.centre_name, c.kind, c.detail) for c in response.context["changes"]]
    assert changes == [
        (datetime.date(2025, 6, 30), "Renamed, still revoked", "funding_ended", "Funding ended on June 30, 2025."),
        (datetime.date(2025, 5, 20), "Suspended centre", "funding_ended", "Funding recorded as none (was: Grant)."),
        (
            datetime.date(2025, 5, 20),
            "Revoked centre",
            "licence_lost",
            "Licence status: Revoked (was: Licensed).",
        ),
        (datetime.date(2025, 4, 2), "Closed centre", "closed", "Нет финансирования"),
        (datetime.date(2025, 3, 10), "Suspended centre", "suspended", "Ремонт"),
    ]
    page = response.content.decode()
    assert "04/02/2025" in page and "Нет финансирования" in page  # the English page's short date
    assert "Ремонт кровли" not in page  # the suspension of 2024 is before the table's start


def test_changes_by_month_count_the_same_changes(edited_history):
    by_month = table(edited_history.get(DASHBOARD), "changes-by-month")
    # suspended, closed, licence lost, funding ended, total
    assert "December 2024" not in by_month
    assert "January 2025" not in by_month  # the table lists only the months with a change; the chart has them all
    assert by_month["March 2025"] == [1, 0, 0, 0, 1]
    assert by_month["April 2025"] == [0, 1, 0, 0, 1]
    assert by_month["May 2025"] == [0, 0, 1, 1, 2]
    assert by_month["June 2025"] == [0, 0, 0, 1, 1]
    assert sum(cells[-1] for cells in by_month.values()) == 5


def test_a_centre_entered_already_closed_is_not_a_change(db):
    with at(2025, 2, 1):
        make_centre(name="Entered closed", status="closed", closure_reason="Закрыт в 2019")
    assert changes_since() == []


# -- queries ------------------------------------------------------------------------------------------------------


def many_centres(count: int) -> None:
    """`count` centres of every sort, some suspended, closed or losing their licence since 2025."""
    kinds = [make_operator(name="Акимат", kind="state"), make_operator(), None]
    for n in range(count):
        with at(2024, 6, 1):
            centre = make_centre(
                name=f"Centre {n}",
                country=["KZ", "KZ", "KG", "UZ"][n % 4],
                operator=kinds[n % 3],
                services=["shelter"] if n % 2 else HELP,
                beds=n % 5,
                compliance={
                    "licence_status": ["licensed", "applied", "unknown"][n % 3],
                    "premises_area_m2": Decimal(n * 7),
                    "funding_ends_on": datetime.date(2025, 1 + n % 12, 1),
                },
            )
        with at(2025, 1 + n % 12, 3):
            centre.status = ["temporarily_closed", "closed", "active"][n % 3]
            centre.closure_reason = "Причина"
            centre.save()
            centre.compliance.licence_status = "revoked"
            centre.compliance.save()


def test_the_dashboard_makes_the_same_few_queries_whatever_the_number_of_centres(client, thresholds):
    sign_in(client, make_user("someone", "advocate"))
    many_centres(3)
    few, few_kept = count_queries(client, DASHBOARD), count_queries(client, DASHBOARD, kept="everything")
    many_centres(27)
    assert Centre.objects.count() == 30
    many, many_kept = count_queries(client, DASHBOARD), count_queries(client, DASHBOARD, kept="everything")
    # Counted afresh: the session, the user and the permission check (two: the user's own and their groups', once:
    # the page and the navigation share it);
    # three of history (centre records, compliance records, funding end dates) and four of counts (by country and
    # operator kind, by licence, risks with flags and gaps in one conditional count, premises against the
    # minimum); the session is saved on every request (three more: a savepoint, the update, its release).
    assert few == many <= 14, many
    # The numbers kept: the session, the user, the permission check (two) and saving the session, nothing counted.
    assert few_kept == many_kept <= 7, many_kept
    # The first request after a restart reads the country rules too.
    assert count_queries(client, DASHBOARD, kept="nothing") <= many + 1


def test_the_numbers_are_cached_until_the_next_save(client, world, django_capture_on_commit_callbacks):
    sign_in(client, make_user("someone", "advocate"))
    with CaptureQueriesContext(connection) as computed:
        before = table(client.get(DASHBOARD), "operators")
    with CaptureQueriesContext(connection) as cached:
        assert table(client.get(DASHBOARD), "operators") == before
    assert len(cached) < len(computed)
    with django_capture_on_commit_callbacks(execute=True):
        make_centre(name="One more in Tajikistan", country="TJ")
    after = table(client.get(DASHBOARD), "operators")
    assert after != before  # the save made a new data version: counted afresh


# -- the drawings: changes over time, numbers and dates in the page's language --------------------------------------


def test_changes_over_time_are_a_column_a_month_stacked_by_kind(edited_history):
    chart = next(chart for chart in edited_history.get(DASHBOARD).context["charts"] if chart.slug == "changes-by-month")
    drawing, on = chart.drawing, today()
    assert len(drawing.columns) == (on.year - 2025) * 12 + on.month  # every month since January 2025, zeros too
    march, april, may, june = drawing.columns[2:6]
    assert [len(column.segments) for column in (march, april, may, june)] == [1, 1, 2, 1]
    assert [segment.title for segment in may.segments] == [
        "May 2025: Licence lost or refused — 1",
        "May 2025: Funding ended — 1",
    ]
    one = march.segments[0].height
    assert one > 0 and sum(segment.height for segment in may.segments) == pytest.approx(2 * one)
    assert may.segments[1].y + may.segments[1].height == pytest.approx(may.segments[0].y)  # stacked, not overlaid
    assert march.segments[0].y + one == pytest.approx(drawing.baseline)  # standing on the axis
    assert [tick.label for tick in drawing.ticks] == ["0", "1", "2"]  # the axis ends at May's two changes
    assert [(column.month, column.year) for column in drawing.columns[:4]] == [
        ("Jan", "2025"),
        ("", ""),
        ("", ""),
        ("Apr", ""),
    ]
    assert not drawing.empty


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (1, 1), (2, 2), (3, 5), (7, 10), (10, 10), (11, 20), (51, 100), (2001, 5000)]
)
def test_an_axis_ends_at_a_round_number_at_least_the_largest_value(value, top):
    from centres.advocacy.charts import nice_ceiling

    assert nice_ceiling(value) == top


@pytest.mark.parametrize(
    ("language", "number", "day"),
    [("ru", "12\xa0345", "1 марта 2025 г."), ("kk", "12\xa0345", "01.03.2025"), ("en", "12,345", "March 1, 2025")],
)
def test_numbers_and_dates_are_written_as_the_page_language_writes_them(language, number, day):
    from django.utils import translation

    from centres.advocacy.charts import Bar, Bars, Chart, shown
    from centres.selectors import CHANGES_SINCE

    with translation.override(language):
        bars = Bars([Bar("a", 12345), Bar("b", 7)])
        assert [bar.value_text for bar in bars.bars] == [number, "7"]
        assert Chart("x", "x", ["a", "b"], [["a", 12345, "m²"]], bars).shown_rows == [["a", number, "m²"]]
        assert shown(Decimal("12345")) == number
        from centres.advocacy.charts import changes_by_month

        assert day in changes_by_month([], CHANGES_SINCE.replace(month=3), datetime.date(2025, 4, 1)).title


def test_the_russian_dashboard_writes_its_dates_in_russian(client, world):
    from django.utils import translation
    from django.utils.formats import date_format

    sign_in(client, make_user("someone", "advocate"))
    page = client.get("/ru/dashboard/").content.decode()
    with translation.override("ru"):
        assert date_format(today(), "DATE_FORMAT") in page
    assert "1 января 2025 г." in page  # since when the changes count
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", page)  # no ISO date anywhere on the page
