"""Logins: the page for people who are not staff, lockout after repeated failures, idle sessions."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a long test password 1"


@pytest.fixture(autouse=True)
def fresh_attempts():
    cache.clear()
    yield
    cache.clear()


def login(client, username, password, ip="203.0.113.5"):
    return client.post(reverse("centres:login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_page_is_under_the_language_prefix(client):
    from django.utils import translation

    with translation.override("ru"):
        assert reverse("centres:login") == "/ru/login/"
    response = client.get("/kk/login/")
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


def test_advocate_logs_in_and_out(client):
    make_user("anna", "advocate")
    response = login(client, "anna", PASSWORD)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    client.post(reverse("centres:logout"))
    assert "_auth_user_id" not in client.session


def test_lockout_after_repeated_failures_even_with_the_right_password(client):
    make_user("anna", "advocate")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "anna", "wrong password").status_code == 200
    assert login(client, "anna", "wrong password").status_code == 429
    response = login(client, "anna", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_keyed_on_user_and_address(client):
    make_user("anna", "advocate")
    make_user("boris", "advocate")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "anna", "wrong password")
    assert login(client, "boris", PASSWORD).status_code == 302  # another user from the same address
    client.logout()
    assert login(client, "anna", PASSWORD, ip="198.51.100.7").status_code == 302  # same user, another address


def test_lockout_cools_off(client):
    make_user("anna", "advocate")
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC), tick=False) as clock:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            login(client, "anna", "wrong password")
        assert login(client, "anna", PASSWORD).status_code == 429  # locked out, the right password too
        clock.shift(datetime.timedelta(hours=settings.AXES_COOLOFF_TIME, seconds=1))  # the configured cool-off
        assert login(client, "anna", PASSWORD).status_code == 302


def test_sessions_expire_when_idle():
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_no_ip_address_is_stored_for_login_attempts(client):
    from axes.models import AccessAttempt, AccessLog

    make_user("anna", "advocate")
    login(client, "anna", "wrong password")
    login(client, "anna", PASSWORD)
    assert not AccessAttempt.objects.exists()
    assert not AccessLog.objects.exists()


def test_deploy_checks_are_clean_with_production_settings():
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x" * 30 + "production-like-secret-key-for-check-only",
        "ALLOWED_HOSTS": "directory.example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "SECURE_SSL_REDIRECT": "true",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_public_pages_send_no_referrer_while_form_pages_keep_csrf_origin_checks_working(client):
    assert client.get("/ru/")["Referrer-Policy"] == "no-referrer"
    assert client.get("/ru/login/")["Referrer-Policy"] == "same-origin"
    assert client.get("/admin/login/")["Referrer-Policy"] == "same-origin"
    assert "'unsafe-inline'" not in client.get("/ru/")["Content-Security-Policy"]


def test_the_admin_alone_may_have_inline_styles_and_each_policy_stays_its_own(client):
    # Each policy is built once and kept: asking in turn must never give one page the other's.
    for _ in range(2):
        public = client.get("/ru/safety/")["Content-Security-Policy"]
        admin = client.get("/admin/login/")["Content-Security-Policy"]
        assert "style-src 'self'" in public and "'unsafe-inline'" not in public
        assert "style-src 'self' 'unsafe-inline'" in admin
        assert "script-src 'self'" in admin and "frame-ancestors 'none'" in admin


def test_login_form_posted_by_a_browser_passes_the_csrf_origin_check():
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    make_user("anna", "advocate")
    page = browser.get("/ru/login/")
    token = page.context["csrf_token"]
    response = browser.post(
        "/ru/login/",
        {"username": "anna", "password": PASSWORD, "csrfmiddlewaretoken": str(token)},
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 302
