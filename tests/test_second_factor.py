"""The second factor: no page of the editor area, the staff page or the advocacy area opens for a login of the
editor area before its code; enrolment draws its QR code here; a backup code works once."""

import datetime
import io
import re

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from centres.roles import CENTRE_STAFF
from tests.conftest import admin_urls, current_code, make_centre, make_user, sign_in

pytestmark = pytest.mark.django_db

VERIFY = "/en/second-factor/"
ENROL = "/en/second-factor/enrol/"
GUARDED = [
    "/admin/",
    "/admin/centres/centre/",
    "/admin/centres/centre/add/",
    "/admin/centres/centre/import/",
    "/admin/auth/user/",
    "/en/staff/",
    "/en/at-risk/",
    "/en/dashboard/",
    "/en/at-risk/export.csv",
]


def later(seconds: float):
    return time_machine.travel(timezone.now() + datetime.timedelta(seconds=seconds), tick=False)


@pytest.fixture
def logins(db):
    return {
        "editor": make_user("ed", "editor", is_staff=True),
        "centre staff": make_user("cs", CENTRE_STAFF, is_staff=True),
        "superuser": make_user("root", is_staff=True, is_superuser=True),
    }


@pytest.mark.parametrize("role", ["editor", "centre staff", "superuser"])
def test_no_page_beyond_the_public_ones_opens_before_the_code(client, logins, role):
    client.force_login(logins[role])  # the password only
    for url in GUARDED:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(VERIFY.replace("/en/", "/ru/")) or response["Location"].startswith(
            VERIFY
        ), (url, response["Location"])
    response = client.post("/admin/centres/centre/add/", {"name": "x"})
    assert response.status_code == 302 and "second-factor" in response["Location"]
    assert "second-factor" not in client.get("/exit/")["Location"]  # the quick exit always works


def test_no_page_of_any_model_in_the_editor_area_opens_before_the_code(client, logins, almaty):
    make_centre(city=almaty)
    client.force_login(logins["editor"])
    for kind, url in admin_urls({}):
        response = client.get(url)
        assert response.status_code == 302 and "second-factor" in response["Location"], (kind, url)


def test_an_advocate_needs_no_code_unless_the_setting_says_so(client, advocate, settings):
    client.force_login(advocate)
    assert client.get("/en/at-risk/").status_code == 200
    settings.SECOND_FACTOR_FOR_ADVOCATES = True
    assert client.get("/en/at-risk/").status_code == 302


def test_enrolment_draws_its_qr_code_here_and_ends_with_ten_backup_codes(client, logins):
    editor = logins["editor"]
    client.force_login(editor)
    response = client.get(VERIFY + "?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith(ENROL)
    page = client.get(response["Location"]).content.decode()
    assert 'src="data:image/svg+xml' in page  # drawn on our server, inline: no request to another site
    assert (
        "otpauth://" not in page and "https://" not in re.sub(r'href="https://[^"]*"', "", page).split("<img")[1][:200]
    )
    device = TOTPDevice.objects.get(user=editor, confirmed=False)

    wrong = client.post(ENROL, {"code": "000000" if current_code(device) != "000000" else "111111", "next": "/admin/"})
    assert wrong.status_code == 200 and "That code is not right" in wrong.content.decode()
    with later(seconds=3):  # after a wrong code the device waits a moment before it takes another
        done = client.post(ENROL, {"code": current_code(device), "next": "/admin/"})
    assert done.status_code == 200
    codes = re.findall(r"<li>(\w+)</li>", done.content.decode().split("backup-codes")[1])
    assert len(codes) == 10 and len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200  # verified in this session


def test_an_enrolled_login_cannot_enrol_another_phone(client, logins):
    editor = logins["editor"]
    TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    client.force_login(editor)
    response = client.get(ENROL)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=editor).count() == 1


def test_a_code_from_the_app_lets_the_login_in(client, logins):
    staff = logins["centre staff"]
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    client.force_login(staff)
    wrong = client.post(VERIFY, {"code": "12345", "next": "/en/staff/"})
    assert wrong.status_code == 200 and "That code is not right" in wrong.content.decode()
    refused = client.post(VERIFY, {"code": current_code(device), "next": "/en/staff/"})
    assert refused.status_code == 200  # too soon after a wrong code: guessing is slowed down
    with later(seconds=5):
        response = client.post(VERIFY, {"code": current_code(device), "next": "/en/staff/"})
    assert response.status_code == 302 and response["Location"] == "/en/staff/"


def test_a_backup_code_works_once(client, logins):
    editor = logins["editor"]
    TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    backup = StaticDevice.objects.create(user=editor, name="backup", confirmed=True)
    backup.token_set.create(token="abcd1234")
    client.force_login(editor)
    assert client.post(VERIFY, {"code": "abcd 1234", "next": "/admin/"})["Location"] == "/admin/"
    client.logout()
    client.force_login(editor)
    again = client.post(VERIFY, {"code": "abcd1234", "next": "/admin/"})
    assert again.status_code == 200 and "That code is not right" in again.content.decode()


def test_where_to_go_after_the_code_is_one_of_our_pages(client, logins):
    editor = logins["editor"]
    device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    client.force_login(editor)
    response = client.post(VERIFY, {"code": current_code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("admin:index")


def test_reset_second_factor_removes_the_app_and_codes(logins):
    editor = logins["editor"]
    TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    StaticDevice.objects.create(user=editor, name="backup", confirmed=True)
    out = io.StringIO()
    call_command("reset_second_factor", "ed", stdout=out)
    assert "Removed 2" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=editor).exists() and not StaticDevice.objects.filter(user=editor).exists()
    with pytest.raises(CommandError):
        call_command("reset_second_factor", "nobody", stdout=io.StringIO())


def test_sign_in_in_tests_really_passes_the_check(client, logins):
    sign_in(client, logins["editor"])
    assert client.get("/admin/").status_code == 200


def test_an_enrolment_key_seen_in_another_session_never_becomes_the_logins_factor(client, logins):
    from django.test import Client

    editor = logins["editor"]
    other = Client()
    other.force_login(editor)  # someone else with the password, who opens the enrolment page first
    other.get(ENROL)
    theirs = TOTPDevice.objects.get(user=editor, confirmed=False)
    client.force_login(editor)
    client.get(ENROL)
    mine = TOTPDevice.objects.get(user=editor, confirmed=False)
    assert mine.key != theirs.key and not TOTPDevice.objects.filter(pk=theirs.pk).exists()
    assert client.post(ENROL, {"code": current_code(mine), "next": "/admin/"}).status_code == 200
    assert list(TOTPDevice.objects.filter(user=editor).values_list("key", flat=True)) == [mine.key]


def test_centre_staff_need_the_code_even_without_the_editor_area_flag(client, db):
    staff = make_user("cs2", CENTRE_STAFF)  # made by hand in the user admin, is_staff left off
    client.force_login(staff)
    response = client.get("/en/staff/")
    assert response.status_code == 302 and "second-factor" in response["Location"]
