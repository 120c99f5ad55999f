"""Rate limits and the login lockout: counted by every worker alike (in the database without Redis), per client
address as our proxies saw it, stored only as a keyed hash."""

import datetime
import os
import subprocess
import sys
import textwrap

import pytest
import time_machine
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from centres.clients import client_address, client_key
from centres.models import Counter, Hotline
from tests.conftest import make_centre, make_user, sign_in

pytestmark = pytest.mark.django_db

PASSWORD = "a long test password 1"
SEARCH = "/en/centres/?q=centre"


@pytest.fixture
def counters():
    return caches["counters"]


# -- the counters ---------------------------------------------------------------------------------------------


def test_counters_start_count_and_end(counters):
    assert counters.add("k", 1, 60) and not counters.add("k", 5, 60)
    assert counters.incr("k") == 2 and counters.incr("k", 3) == 5 and counters.get("k") == 5
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61), tick=False):
        assert counters.get("k") is None and counters.get("k", 0) == 0
        with pytest.raises(ValueError, match="not found"):
            counters.incr("k")
        assert counters.add("k", 1, 60)  # a counter whose time is up starts again
        assert counters.get("k") == 1
    assert counters.delete("k") and not counters.has_key("k")
    with pytest.raises(TypeError):
        counters.add("other", "text", 60)


def test_a_counted_request_costs_two_statements_on_the_counters(client):
    client.get(SEARCH)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(SEARCH).status_code == 200
    on_counters = [query for query in captured.captured_queries if Counter._meta.db_table in query["sql"]]
    assert len(on_counters) == 2


def test_the_counters_in_the_database_are_what_every_worker_shares():
    assert settings.CACHES["counters"]["BACKEND"] == "centres.counters.CounterCache"
    assert settings.AXES_CACHE == settings.RATELIMIT_USE_CACHE == "counters"


# -- rate limits ----------------------------------------------------------------------------------------------


@pytest.fixture
def hotline(db):
    return Hotline.objects.create(country="KZ", number="150", purpose="domestic_violence", is_main=True, open_24_7=True)


@pytest.mark.parametrize("language", ["ru", "kk", "ky", "uz", "tg", "en"])
def test_searches_over_the_limit_get_a_friendly_429_with_the_hotlines(client, settings, hotline, language):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": "3/m"}
    url = f"/{language}/centres/?q=centre"
    for _ in range(3):
        assert client.get(url).status_code == 200
    response = client.get(url)
    assert response.status_code == 429 and response["Retry-After"] == "60"
    page = response.content.decode()
    assert "150" in page and 'href="tel:150"' in page  # the hotline bar is still there
    assert client.get(f"/{language}/centres/").status_code == 200  # the plain list is never limited
    assert client.get(f"/{language}/").status_code == 200


def test_the_429_page_speaks_the_visitors_language(client, settings, hotline):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": "1/m"}
    client.get("/ru/centres/?near=Алматы")
    assert "Слишком много запросов" in client.get("/ru/centres/?near=Алматы").content.decode()


def test_near_me_by_position_counts_as_a_search(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": "2/m"}
    codes = [client.get("/en/centres/", {"lat": "43.25", "lon": "76.91"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_filters_and_their_pages_count_as_searches(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": "2/m"}
    codes = [client.get("/en/centres/", {"service": "shelter", "page": str(n)}).status_code for n in (1, 2, 3)]
    assert codes == [200, 200, 429]
    assert client.get("/en/centres/", {"page": "2"}).status_code == 200  # the plain list's pages are not limited


def test_the_429_page_does_not_carry_the_position_asked_for(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": "1/m"}
    client.get("/en/centres/", {"lat": "43.25", "lon": "76.91"})
    page = client.get("/en/centres/", {"lat": "43.256789", "lon": "76.912345"}).content.decode()
    assert "43.256789" not in page and "76.91" not in page


def test_a_count_the_busy_database_cannot_take_is_skipped_not_an_error(client, counters, monkeypatch):
    from django.db import OperationalError

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(type(counters), "_add", locked)
    monkeypatch.setattr(type(counters), "_incr", locked)
    if connection.vendor != "sqlite":
        with pytest.raises(OperationalError):
            counters.add("k", 1, 60)
        return
    assert counters.add("k", 1, 60) is True and counters.incr("k") == 1
    assert client.get(SEARCH).status_code == 200
    assert client.post("/en/login/", {"username": "x", "password": "y"}).status_code == 200


def test_each_client_address_has_its_own_limit(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": "1/m"}
    assert client.get(SEARCH, REMOTE_ADDR="203.0.113.5").status_code == 200
    assert client.get(SEARCH, REMOTE_ADDR="203.0.113.5").status_code == 429
    assert client.get(SEARCH, REMOTE_ADDR="198.51.100.7").status_code == 200


def test_exports_public_and_advocates_are_limited(client, settings, advocate):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "export": "1/m"}
    make_centre()
    assert client.get("/en/centres/export.csv").status_code == 200
    assert client.get("/en/centres/export.json").status_code == 429
    sign_in(client, advocate)
    assert client.get("/en/at-risk/export.csv", REMOTE_ADDR="198.51.100.7").status_code == 200
    assert client.get("/en/at-risk/export.xlsx", REMOTE_ADDR="198.51.100.7").status_code == 429


def test_login_and_code_forms_are_limited(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "2/m"}
    settings.AXES_FAILURE_LIMIT = 100  # the lockout apart: this is the rate limit
    for _ in range(2):
        assert client.post("/en/login/", {"username": "x", "password": "y"}).status_code == 200
    assert client.post("/en/login/", {"username": "x", "password": "y"}).status_code == 429
    assert client.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 429
    assert client.get("/en/login/").status_code == 200  # the form itself still opens
    editor = make_user("ed", "editor", is_staff=True)
    client.force_login(editor)
    assert client.post("/en/second-factor/", {"code": "123456"}).status_code == 429


# -- the client's address -------------------------------------------------------------------------------------


def request_from(rf, remote="10.0.0.2", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return rf.get("/", **extra)


def test_the_forwarded_header_is_ignored_unless_behind_our_proxy(rf, settings):
    settings.BEHIND_PROXY = False
    assert client_address(request_from(rf, forwarded="203.0.113.5")) == "10.0.0.2"
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from(rf, forwarded="203.0.113.5")) == "203.0.113.5"
    # A client that sends its own header: our proxy appends what it saw, and only that entry is believed.
    assert client_address(request_from(rf, forwarded="1.2.3.4, 203.0.113.5")) == "203.0.113.5"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request_from(rf, forwarded="1.2.3.4, 203.0.113.5, 10.0.0.9")) == "203.0.113.5"
    # What the outermost proxy wrote is no address: the connection's (never one bucket for everyone).
    assert client_address(request_from(rf, forwarded="not an address")) == "10.0.0.2"


@pytest.mark.parametrize(
    ("written", "client"),
    [
        ("203.0.113.5:4711", "203.0.113.5"),
        ("[2001:db8::1]:443", "2001:db8::/64"),
        ("[2001:db8::1]", "2001:db8::/64"),
        ("2001:db8::abcd", "2001:db8::/64"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
    ],
)
def test_addresses_as_proxies_write_them_name_one_client(rf, settings, written, client):
    settings.BEHIND_PROXY = True
    assert client_address(request_from(rf, forwarded=written)) == client


def test_one_ipv6_subscriber_cannot_guess_from_each_of_its_addresses(client):
    make_user("anna", "advocate")
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(client, "anna", "guess", REMOTE_ADDR=f"2001:db8::{n:x}")
    assert login(client, "anna", PASSWORD, REMOTE_ADDR="2001:db8::ff").status_code == 429


def test_the_key_is_a_keyed_hash_of_the_address(rf):
    key = client_key(request_from(rf, remote="203.0.113.5"))
    assert key == client_key(request_from(rf, remote="203.0.113.5")) != client_key(request_from(rf, "203.0.113.6"))
    assert "203" not in key and len(key) == 32


# -- the lockout ----------------------------------------------------------------------------------------------


def login(client, username, password, **extra):
    return client.post("/en/login/", {"username": username, "password": password}, **extra)


def test_behind_the_proxy_an_attacker_elsewhere_cannot_lock_the_editor_out(client, settings):
    settings.BEHIND_PROXY = True
    make_user("anna", "advocate")
    attacker = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.66"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "anna", "guess", **attacker)
    assert login(client, "anna", PASSWORD, **attacker).status_code == 429
    anna = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}  # the same proxy, another client
    assert login(client, "anna", PASSWORD, **anna).status_code == 302


def test_no_address_is_kept_anywhere_by_the_lockout(client):
    make_user("anna", "advocate")
    for _ in range(3):
        login(client, "anna", "guess", REMOTE_ADDR="198.51.100.66")
    stored = " ".join(f"{row.key} {row.value}" for row in Counter.objects.all())
    assert stored and "198.51.100.66" not in stored and "anna" not in stored


LOCKOUT_SCRIPT = textwrap.dedent(
    """
    import sys
    import django
    django.setup()
    from django.test import Client
    client = Client()
    form = {"username": "anna", "password": sys.argv[2]}
    codes = [client.post("/en/login/", form, REMOTE_ADDR="198.51.100.66").status_code for _ in range(int(sys.argv[1]))]
    print(" ".join(map(str, codes)))
    """
)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="one SQLite file shared by the processes")
def test_the_lockout_holds_across_worker_processes_without_redis(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "DATABASE_URL"}} | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "directory.settings",
        "ALLOWED_HOSTS": "testserver",
        "AXES_FAILURE_LIMIT": "5",
    }
    run = {"env": env, "cwd": settings.BASE_DIR, "capture_output": True, "text": True, "check": False}
    assert subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], timeout=120, **run).returncode == 0
    made = subprocess.run(
        [sys.executable, "manage.py", "create_login", "anna", "--role", "advocate", "--password-stdin"],
        input=PASSWORD + "\\n",
        timeout=60,
        **run,
    )
    assert made.returncode == 0, made.stderr

    def worker(attempts: int, password: str) -> list[int]:
        result = subprocess.run([sys.executable, "-c", LOCKOUT_SCRIPT, str(attempts), password], timeout=60, **run)
        assert result.returncode == 0, result.stderr
        return [int(code) for code in result.stdout.split()]

    assert worker(3, "guess") == [200, 200, 200]  # one worker process
    assert worker(2, "guess") == [200, 429]  # another: the fifth failure, counted with the first worker's
    assert worker(1, PASSWORD) == [429]  # a third: the right password is locked out too
