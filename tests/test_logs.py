"""The log lines of centres/logs.py and directory/log_format.py, in both formats: one line a request with its
method, path, status, duration and request id, and never an address, a query string, a form value, a cookie or the
referrer — including on the lines Django writes itself, which carry the whole request on their record."""

import io
import json
import logging
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import path

from directory import log_format as logs
from directory.urls import urlpatterns as site_urls

pytestmark = pytest.mark.django_db

# What a visitor typed or sent, spelled out of pieces so that no source line of a traceback holds them whole.
SEARCHED = "".join(["тай", "ное"])
PLACE = "-".join(["secret", "street"])
POSITION = ("43." + "2871", "76." + "9452")
PASSWORD = "-".join(["hunter", "two", "42"])
ADDRESS = "203.0." + "113.77"
COOKIE = "cookie-" + "value-77"
REFERRER = "https://watcher.example/" + "history"


def broken(request):
    raise RuntimeError("the page broke")


urlpatterns = [path("broken/", broken), *site_urls]


@pytest.fixture(params=logs.FORMATS)
def captured(request):
    """Everything logged while a test runs, as the console handler of LOG_FORMAT=<param> writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.formatter(request.param))
    handler.addFilter(logs.PrivateRecords())
    loggers = [logging.getLogger(), logging.getLogger("centres.requests")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield request.param, stream
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def lines_of(captured) -> tuple[str, list[str]]:
    kind, stream = captured
    return kind, [line for line in stream.getvalue().splitlines() if line.strip()]


def hostile(client, **extra):
    """A search, a missing page, a failing page and a login, each with what must never reach a log."""
    headers = {"REMOTE_ADDR": ADDRESS, "HTTP_X_FORWARDED_FOR": ADDRESS, "HTTP_REFERER": REFERRER, **extra}
    client.cookies["sessionid"] = COOKIE
    query = {"q": SEARCHED, "near": PLACE, "lat": POSITION[0], "lon": POSITION[1]}
    client.get("/ru/centres/", query, **headers)
    client.get("/ru/centres/no-such-centre/", query, **headers)
    client.raise_request_exception = False
    with override_settings(ROOT_URLCONF=__name__):
        assert client.get("/broken/", query, **headers).status_code == 500
    client.post("/ru/login/", {"username": "editor", "password": PASSWORD, "next": f"/ru/?q={SEARCHED}"}, **headers)


def test_nothing_private_reaches_a_line(client, captured):
    hostile(client)
    kind, lines = lines_of(captured)
    text = "\n".join(lines)
    assert "RuntimeError: the page broke" in text  # the failure is there, with its traceback
    for secret in (SEARCHED, PLACE, *POSITION, PASSWORD, ADDRESS, COOKIE, "watcher.example", "?", "%D1"):
        assert secret not in text, (kind, secret)


def test_a_line_for_each_request(client, captured):
    hostile(client)
    kind, lines = lines_of(captured)
    if kind == "json":
        records = [json.loads(line) for line in lines if line.startswith("{")]
        assert len(records) == len([line for line in lines if line.startswith("{")])
        requests = [record for record in records if record["logger"] == "centres.requests"]
        assert [(r["method"], r["path"], r["status"]) for r in requests] == [
            ("GET", "/ru/centres/", 302),  # the position is rounded first
            ("GET", "/ru/centres/no-such-centre/", 404),
            ("GET", "/broken/", 500),
            ("POST", "/ru/login/", 200),
        ]
        for record in requests:
            assert isinstance(record["duration_ms"], int) and record["duration_ms"] >= 0
            assert re.fullmatch(r"[0-9a-f]{32}", record["request_id"])
            assert set(record) == {"time", "level", "logger", "message", "request_id", *logs.REQUEST_FIELDS}
        assert len({record["request_id"] for record in requests}) == 4
        # Django's own lines, written once the response is done, carry their request's id, and not the request.
        failed = next(record for record in records if record["logger"] == "django.request" and "exc_info" in record)
        assert failed["request_id"] == requests[2]["request_id"]
        assert failed["message"] == "Internal Server Error: /broken/"
        not_found = next(record for record in records if record["message"].startswith("Not Found"))
        assert not_found["request_id"] == requests[1]["request_id"]
    else:
        requests = [line for line in lines if " centres.requests: " in line]
        assert [line.split(": ", 1)[1].rsplit(" ", 2)[0] for line in requests] == [
            "GET /ru/centres/ 302",
            "GET /ru/centres/no-such-centre/ 404",
            "GET /broken/ 500",
            "POST /ru/login/ 200",
        ]
        for line in requests:
            assert re.fullmatch(r"INFO \[[0-9a-f]{32}\] centres\.requests: \S+ \S+ \d{3} \d+ ms", line), line


def test_the_proxys_request_id_is_kept_when_well_formed(client, captured):
    client.get("/ru/safety/", HTTP_X_REQUEST_ID="0123456789abcdef0123456789abcdef")
    response = client.get("/ru/safety/", HTTP_X_REQUEST_ID=f"{PLACE} injected\nline")
    _kind, lines = lines_of(captured)
    assert len(lines) == 2
    assert "0123456789abcdef0123456789abcdef" in lines[0]
    assert PLACE not in lines[1] and "injected" not in lines[1]
    assert response["X-Request-ID"] in lines[1]  # a new id, said back to the proxy


def test_health_checks_leave_no_line(client, captured):
    assert client.get("/healthz").status_code == 200
    assert lines_of(captured)[1] == []


def test_an_unknown_format_is_refused_with_a_message():
    environment = {**os.environ, "LOG_FORMAT": "xml", "SECRET_KEY": "x", "DJANGO_SETTINGS_MODULE": "directory.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "LOG_FORMAT must be plain or json, not 'xml'." in result.stderr


def test_a_path_that_matches_no_page_is_never_written(client, captured):
    typed = "/ru/centres/%3Fq%3D" + SEARCHED + "/"  # a link whose "?" was encoded on the way
    assert client.get(typed).status_code == 404
    assert client.get("/ru/" + PLACE + "/").status_code == 404
    _kind, lines = lines_of(captured)
    text = "\n".join(lines)
    assert SEARCHED not in text and PLACE not in text
    assert sum(logs.UNMATCHED in line for line in lines) == 4, text  # each request's line and Django's "Not Found"


def test_a_path_cannot_forge_a_line(client, captured):
    # A country code is any text up to the next slash: the route matches (and the view sends it to its lower case).
    assert client.get("/ru/countries/K%0AINFO [x] centres.requests: GET forged 200 1 ms/").status_code == 301
    kind, lines = lines_of(captured)
    if kind == "plain":
        assert not any(line.startswith("INFO [x]") for line in lines)
        assert "/ru/countries/K\\x0aINFO [x]" in "\n".join(lines)


def test_a_csrf_refusal_names_the_referring_site_only(captured):
    foreign = Client(enforce_csrf_checks=True)
    referrer = "https://www.google.com/search?q=" + SEARCHED
    response = foreign.post(
        "/ru/login/", {"username": "editor", "password": PASSWORD}, secure=True, HTTP_REFERER=referrer
    )
    assert response.status_code == 403
    _kind, lines = lines_of(captured)
    text = "\n".join(lines)
    assert "Referer checking failed - https://www.google.com does not match" in text
    assert SEARCHED not in text and PASSWORD not in text and "search?q" not in text


def test_an_unknown_host_is_its_request_line_alone(client, captured):
    assert client.get("/ru/", HTTP_HOST="scanner.example").status_code == 400
    _kind, lines = lines_of(captured)
    assert len(lines) == 1 and "scanner.example" not in lines[0] and "/ru/" in lines[0]


def test_gunicorns_master_loads_nothing_of_djangos():
    # Workers a reload starts would run the Django modules the master holds, old ones after an upgrade.
    probe = (
        "import sys, directory.gunicorn_logging; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'django', 'centres'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
