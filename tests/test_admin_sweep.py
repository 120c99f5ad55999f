"""Every model of the editor area, asked by each kind of login: centre staff of one centre, an advocate, nobody.
Nothing changes that they may not change."""

import pytest
from django.urls import reverse

from centres.models import Centre, StaffAssignment
from centres.roles import CENTRE_STAFF
from tests.conftest import admin_urls, make_centre, make_user, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(almaty):
    mine = make_centre(name="Мой центр", city=almaty)
    theirs = make_centre(name="Чужой центр", city=almaty)
    staff = make_user("staff-a", CENTRE_STAFF, is_staff=True)
    StaffAssignment.objects.create(user=staff, centre=mine)
    return {"mine": mine, "theirs": theirs, "staff": staff}


def rows() -> dict:
    from django.apps import apps

    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def test_centre_staff_reach_nothing_in_the_editor_area_but_their_own_centre(client, world):
    sign_in(client, world["staff"])
    before = rows()
    allowed = {
        reverse("admin:centres_centre_changelist"),
        reverse("admin:centres_centre_change", args=[world["mine"].pk]),
    }
    for kind, url in admin_urls({Centre: world["theirs"]}):
        got = client.get(url).status_code
        posted = client.post(url, {"post": "yes", "name": "changed"}).status_code
        if url in allowed:
            continue
        assert got in (403, 404), (kind, url, got)
        assert posted in (403, 404), (kind, url, posted)
    assert client.get(reverse("admin:index")).status_code == 200
    after = rows()
    after.pop("axes.AccessAttempt", None), before.pop("axes.AccessAttempt", None)
    assert {k: v for k, v in after.items() if not k.startswith("sessions")} == {
        k: v for k, v in before.items() if not k.startswith("sessions")
    }


def test_an_advocate_with_an_editor_area_login_changes_nothing(client, world):
    advocate = make_user("adv", "advocate", is_staff=True)
    sign_in(client, advocate)
    before = rows()
    for kind, url in admin_urls({Centre: world["theirs"]}):
        response = client.post(url, {"post": "yes", "name": "changed"})
        # The list and a history page only read (an advocate may read); every other form is refused.
        assert response.status_code in (403, 404) or kind in {"list", "history"}, (kind, url, response.status_code)
    assert {k: v for k, v in rows().items() if not k.startswith("sessions")} == {
        k: v for k, v in before.items() if not k.startswith("sessions")
    }
    assert Centre.objects.filter(name="changed").count() == 0


def test_nobody_logged_in_is_sent_to_log_in_everywhere(client, world):
    for kind, url in admin_urls({Centre: world["theirs"]}):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], (kind, url)
