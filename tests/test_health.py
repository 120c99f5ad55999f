"""`/healthz` (centres/health.py): 200 when the database and the cache answer, 503 naming what failed, with no
cookie, no rate limit and no request log line."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def test_healthy(client, caplog):
    with caplog.at_level(logging.INFO, logger="centres.requests"):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert not response.cookies and "Set-Cookie" not in response.headers
    assert response["Cache-Control"] == "no-store"
    assert not [record for record in caplog.records if record.name == "centres.requests"]
    with caplog.at_level(logging.INFO, logger="centres.requests"):
        client.get("/en/safety/")
    assert [(record.method, record.path) for record in caplog.records if record.name == "centres.requests"] == [
        ("GET", "/en/safety/")
    ]  # other requests are logged as before


def test_never_rate_limited(client, settings):
    settings.RATE_LIMITS = {kind: "1/m" for kind in settings.RATE_LIMITS}
    assert {client.get("/healthz").status_code for _ in range(5)} == {200}


def test_only_read(client):
    assert client.post("/healthz").status_code == 405


def test_a_cache_that_does_not_answer_is_a_503(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("refused")

    monkeypatch.setattr(cache, "set", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "database": "ok", "cache": "failing"}


SCRIPT = """
import django
django.setup()
from django.test import Client
response = Client().get("/healthz")
print(response.status_code, response.content.decode(), bool(response.cookies))
"""


def test_a_database_that_refuses_is_a_503():
    """The site started against a PostgreSQL server that refuses every connection (nothing listens on port 9)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "directory.settings",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nothing",
        "SECRET_KEY": "test-only",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "testserver",
        "LOG_LEVEL": "ERROR",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    status, rest = done.stdout.strip().split(" ", 1)
    body, cookies = rest.rsplit(" ", 1)
    assert status == "503"
    assert json.loads(body) == {"status": "failing", "database": "failing", "cache": "ok"}
    assert cookies == "False"


def test_answered_over_plain_http_behind_the_proxy(client, settings):
    """The balancer asks each node directly: no redirect to HTTPS for this address alone."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/en/safety/").status_code == 301
