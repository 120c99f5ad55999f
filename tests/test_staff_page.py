"""The staff page: tonight's places free, saved by a centre's own staff, its time stamped by itself."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from centres.models import Centre, StaffAssignment
from centres.roles import CENTRE_STAFF
from tests.conftest import change_url, current_code, form_data, make_centre, make_user, sign_in

pytestmark = pytest.mark.django_db

STAFF_URL = "/en/staff/"


@pytest.fixture
def centres(almaty):
    mine = make_centre(name="Убежище «Мой»", city=almaty, beds=10, beds_free=2, address_visibility="public")
    theirs = make_centre(name="Убежище «Чужой»", city=almaty, beds=10, beds_free=4)
    return mine, theirs


@pytest.fixture
def staff(centres):
    user = make_user("night", CENTRE_STAFF, is_staff=True)
    StaffAssignment.objects.create(user=user, centre=centres[0])
    return user


def post_figure(client, centre: Centre, figure, version=None):
    centre.refresh_from_db()
    return client.post(
        STAFF_URL,
        {"centre": str(centre.pk), f"{centre.pk}-version": version or centre.version, f"{centre.pk}-beds_free": figure},
    )


def test_a_staff_login_lands_on_its_page_after_its_code_and_sees_its_centres_only(client, staff, centres):
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    response = client.post("/en/login/", {"username": "night", "password": "a long test password 1"})
    assert response.status_code == 302 and response["Location"] == STAFF_URL
    response = client.get(STAFF_URL)
    assert response.status_code == 302 and response["Location"].startswith("/en/second-factor/?next=")
    response = client.post(response["Location"], {"code": current_code(device), "next": STAFF_URL})
    assert response.status_code == 302 and response["Location"] == STAFF_URL
    page = client.get(STAFF_URL).content.decode()
    assert centres[0].name in page and centres[1].name not in page


def test_saving_a_figure_stamps_its_time_and_keeps_history(client, staff, centres):
    mine = centres[0]
    sign_in(client, staff)
    moment = timezone.now().replace(microsecond=0) + datetime.timedelta(minutes=5)  # within the session
    with time_machine.travel(moment, tick=False):
        response = post_figure(client, mine, 5)
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.beds_free == 5 and mine.beds_free_updated_at == moment
    record = mine.history.first()
    assert record.history_change_reason == "Places free updated on the staff page"
    assert record.history_user == staff
    assert "Saved: 5 places free" in client.get(STAFF_URL).content.decode()


def test_another_centres_figure_cannot_be_saved(client, staff, centres):
    theirs = centres[1]
    sign_in(client, staff)
    assert post_figure(client, theirs, 0).status_code == 404
    assert client.post(STAFF_URL, {"centre": "not-a-uuid"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.beds_free == 4


@pytest.mark.parametrize(
    ("figure", "message"), [("11", "has 10 beds"), ("-1", "greater than or equal to 0"), ("x", "whole number")]
)
def test_a_bad_figure_is_refused_with_a_message_and_nothing_changes(client, staff, centres, figure, message):
    mine = centres[0]
    sign_in(client, staff)
    response = post_figure(client, mine, figure)
    assert response.status_code == 400 and message in response.content.decode()
    mine.refresh_from_db()
    assert mine.beds_free == 2


def test_a_figure_from_a_stale_page_is_not_saved_over_a_newer_edit(client, staff, centres):
    mine = centres[0]
    sign_in(client, staff)
    seen = Centre.objects.get(pk=mine.pk).version
    mine.hours = "9–18"
    mine.save()  # an editor's edit after the page was opened
    response = post_figure(client, mine, 7, version=seen)
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.beds_free == 2
    assert "was changed by someone else" in client.get(STAFF_URL).content.decode()


def test_only_centre_staff_reach_the_page(client, centres, editor, advocate):
    assert client.get(STAFF_URL).status_code == 302
    sign_in(client, advocate)
    assert client.get(STAFF_URL).status_code == 403


def test_the_public_page_says_when_the_figure_was_set(client, staff, centres):
    mine = centres[0]
    sign_in(client, staff)
    post_figure(client, mine, 6)
    client.logout()
    page = client.get(reverse("centres:centre_detail", args=[mine.slug]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "updated just now" in page


# -- the figure's time, stamped on every path ------------------------------------------------------------------


def test_every_save_of_a_new_figure_stamps_its_time_unless_the_time_was_set_on_purpose(centres):
    mine = centres[0]
    set_on_purpose = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=5)
    moment = timezone.now().replace(microsecond=0) + datetime.timedelta(days=1)
    with time_machine.travel(moment, tick=False):
        mine.beds_free = 1
        mine.save()
        assert mine.beds_free_updated_at == moment
        mine.beds_free, mine.beds_free_updated_at = 0, set_on_purpose
        mine.save()
        assert mine.beds_free_updated_at == set_on_purpose
        mine.hours = "24/7"
        mine.save()  # no new figure: its time stays
        assert mine.beds_free_updated_at == set_on_purpose
        fresh = make_centre(name="Новый", beds=3, beds_free=3)
        assert fresh.beds_free_updated_at == moment


def test_the_editor_form_stamps_a_changed_figure(editor_client, centres):
    mine = centres[0]
    url = change_url(mine)
    data = form_data(editor_client, url)
    data["beds_free"] = "9"
    moment = timezone.now().replace(microsecond=0) + datetime.timedelta(minutes=5)
    with time_machine.travel(moment, tick=False):
        assert editor_client.post(url, data).status_code == 302
    mine.refresh_from_db()
    assert mine.beds_free_updated_at == moment
