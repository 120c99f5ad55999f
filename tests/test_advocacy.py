"""The at-risk list: who may see it, what it lists, and how it filters."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from tests.conftest import make_centre, make_user

pytestmark = pytest.mark.django_db

AT_RISK = "/en/at-risk/"
HELP = ["psychological", "legal"]  # not a shelter: no premises rules


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


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(AT_RISK)
    assert response.status_code == 302
    with translation.override("en"):
        assert response["Location"].startswith(reverse("centres:login"))


def test_logged_in_people_outside_the_two_groups_are_refused(client):
    client.force_login(make_user("nobody"))
    assert client.get(AT_RISK).status_code == 403


@pytest.mark.parametrize("group", ["advocate", "editor"])
def test_advocates_and_editors_see_the_list_with_reasons(client, world, group):
    client.force_login(make_user("someone", group))
    response = client.get(AT_RISK)
    assert response.status_code == 200
    result = response.context["result"]
    assert names(result.rows) == ["Small shelter", "Pending centre"]  # high risk first, then by name
    assert "Premises 42 m² is below the minimum of 60 m²." in response.content.decode()
    assert set(names(result.gap_rows)) == {"Unknown centre", "Kyrgyz centre"}


def test_filters_by_severity_flag_gap_and_the_public_filters(client, world):
    client.force_login(make_user("someone", "advocate"))

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
