"""Playwright driving Debian's Chromium (headless) against pytest-django's live server.

Without /usr/bin/chromium or the playwright package every test here is skipped with the reason; `.ci/run` installs
Chromium. One browser serves the whole session; each test gets fresh contexts. Every context aborts any request
that would leave 127.0.0.1, so these tests never touch the network even if a page tried to.
"""

import datetime
import os
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pytest_django.live_server_helper import LiveServer

from centres.models import Centre, Place
from tests.conftest import LIVE_SERVER_REQUESTS, make_centre, make_operator

LOCAL_HOST = "127.0.0.1"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}

try:
    from playwright.sync_api import sync_playwright
except ImportError:
    sync_playwright = None

if not CHROMIUM.exists():
    SKIP_REASON = f"Chromium not found at {CHROMIUM}: browser tests skipped; .ci/run installs it"
elif sync_playwright is None:
    SKIP_REASON = "playwright is not installed: browser tests skipped; pip install -e '.[dev]' installs it"
else:
    SKIP_REASON = ""

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not SKIP_REASON:
        return
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """pytest-django's live server on 127.0.0.1, with static files served as in production: by WhiteNoise from
    STATIC_ROOT (`make pytest` collects them) under the manifest's hashed names. pytest-django's own static
    handler looks files up by their source names and answers 404 for the hashed ones."""
    server = LiveServer(LOCAL_HOST, start=False)
    server.thread.static_handler = LIVE_SERVER_REQUESTS.wrap  # and counted while answered (conftest.InFlight)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator:
    # Playwright's sync API runs an event loop in this thread; Django would refuse database access beside it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


class NeutralPage(BaseHTTPRequestHandler):
    """Stands in for the neutral site of QUICK_EXIT_URL: another origin, but on this machine."""

    def do_GET(self) -> None:
        body = b"<!doctype html><html lang='en'><title>Weather</title><h1>Weather today</h1></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        pass


@pytest.fixture(scope="session")
def neutral_server() -> Iterator[str]:
    server = ThreadingHTTPServer((LOCAL_HOST, 0), NeutralPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://{LOCAL_HOST}:{server.server_port}/weather"
    server.shutdown()
    server.server_close()


@pytest.fixture
def neutral_site(neutral_server: str, settings) -> str:
    """QUICK_EXIT_URL pointed at the local neutral page (the live server runs in this process: it sees the change)."""
    settings.QUICK_EXIT_URL = neutral_server
    return neutral_server


class Requests(list):
    """Every URL a browser context asked for, in order."""

    def leaving(self) -> list[str]:
        # data: URLs (Bootstrap's inline SVG icons) never leave the browser.
        return [url for url in self if urlsplit(url).scheme != "data" and urlsplit(url).hostname != LOCAL_HOST]


@pytest.fixture
def new_context(browser, transactional_db) -> Iterator[Callable]:
    """Make browser contexts (a phone-sized screen unless told otherwise); each records its requests in
    `context.requests`, those that failed or answered an error in `context.broken`, and aborts any request that
    would leave 127.0.0.1.

    The contexts are closed, and the live server left idle, before the test's tables are emptied (hence the
    database fixture): a page still loading after the test (a Back navigation, say) would otherwise hold a table of
    SQLite's shared in-memory database while it is flushed ("database table is locked")."""
    contexts = []

    def make(**options):
        context = browser.new_context(**{"viewport": PHONE, **options})
        context.requests = Requests()
        context.on("request", lambda request: context.requests.append(request.url))
        # A stylesheet that fails to load would let axe pass pages it never saw styled.
        context.broken = []
        context.on("response", lambda response: response.ok or context.broken.append(response.url))
        context.on("requestfailed", lambda request: context.broken.append(request.url))
        context.route(lambda url: urlsplit(url).hostname not in (LOCAL_HOST, None), lambda route: route.abort())
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    LIVE_SERVER_REQUESTS.wait_until_idle()


@pytest.fixture
def centre(live_server, migration_data) -> Centre:
    """A centre in Almaty, committed where the live server can see it."""
    almaty = Place.objects.named("Алматы").get(country="KZ")
    return make_centre(
        name="Кризисный центр «Жан»",
        operator=make_operator(),
        city=almaty,
        region=almaty.region,
        phones=[("Горячая линия", "+7 727 000 0000", True)],
        open_24_7=True,
        last_verified_on=datetime.date.today(),
    )
