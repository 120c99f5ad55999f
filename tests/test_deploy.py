"""The deployment recipe in deploy/: the nginx site passes `nginx -t` (deploy/check-nginx) and, run in front of a
stand-in app, logs no query string and no address, redirects plain HTTP but /healthz, keeps content-named static
files a year, and limits bodies and request rates as the app expects; what it says matches the settings it must
follow (import size, rate limits, languages, URLs, static files); the systemd units parse and run what exists; the
nightly backup keeps what README's Backups section says.

The shipped settings are read from the module (`directory.settings`), not from django.conf.settings, which the
test suite overrides (its rate limits, for one)."""

import datetime
import http.client
import importlib.machinery
import importlib.util
import json
import os
import re
import shutil
import socket
import ssl
import stat
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation

from centres import urls as centres_urls
from directory import settings as shipped

ROOT = Path(shipped.BASE_DIR)
DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "directory.conf"
SNIPPET = DEPLOY / "nginx" / "directory-proxy.conf"
UNITS = DEPLOY / "systemd"
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")  # Debian's, as deploy/check-nginx runs it
HAVE_NGINX = os.access(NGINX, os.X_OK) and shutil.which("openssl") is not None
needs_nginx = pytest.mark.skipif(not HAVE_NGINX, reason="needs Debian's nginx and openssl (.ci/run installs them)")
NGINX_ENV = {**os.environ, "NGINX": NGINX}
PROJECT_ROOT_ON_SERVER = "/srv/directory"


# -- reading nginx's configuration ----------------------------------------------------------------------------------

TOKEN = re.compile(r"""\s+|#[^\n]*|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([{};])|([^\s{};"'#][^\s{};"']*)""")


@dataclass
class Directive:
    name: str
    args: list[str]
    block: list["Directive"] | None = None
    parents: list["Directive"] = field(default_factory=list, repr=False)


def parse(text: str) -> list[Directive]:
    """nginx's configuration as a tree of directives (comments dropped, quotes taken off)."""
    top: list[Directive] = []
    stack: list[tuple[list[Directive], list[Directive]]] = [(top, [])]
    words: list[str] = []
    position = 0
    while position < len(text):
        match = TOKEN.match(text, position)
        assert match, f"cannot read the configuration at {text[position : position + 40]!r}"
        position = match.end()
        quoted = match[1] if match[1] is not None else match[2]
        if quoted is not None or match[4] is not None:
            words.append(quoted if quoted is not None else match[4])
        elif match[3] in (";", "{"):
            siblings, parents = stack[-1]
            directive = Directive(words[0], words[1:], [] if match[3] == "{" else None, parents)
            siblings.append(directive)
            words = []
            if directive.block is not None:
                stack.append((directive.block, [*parents, directive]))
        elif match[3] == "}":
            stack.pop()
    assert len(stack) == 1 and not words, "unbalanced braces or an unfinished directive"
    return top


def walk(directives: list[Directive]):
    for directive in directives:
        yield directive
        if directive.block:
            yield from walk(directive.block)


def every(name: str, directives: list[Directive] | None = None) -> list[Directive]:
    return [each for each in walk(directives if directives is not None else SITE_TREE) if each.name == name]


def one(name: str, directives: list[Directive]) -> Directive:
    found = [each for each in directives if each.name == name]
    assert len(found) == 1, f"{name}: {len(found)} directives where one is expected"
    return found[0]


def size(text: str) -> int:
    """nginx's size syntax (20m, 512k, 1048576) in bytes."""
    match = re.fullmatch(r"(\d+)([kKmMgG]?)", text)
    assert match, text
    return int(match[1]) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match[2].lower()]


SITE_TREE = parse(SITE.read_text())
SNIPPET_TREE = parse(SNIPPET.read_text())
SERVERS = [each for each in SITE_TREE if each.name == "server"]
HTTPS = next(server for server in SERVERS if any("ssl" in listen.args for listen in every("listen", server.block)))
HTTP = next(server for server in SERVERS if server is not HTTPS)


def locations(server: Directive) -> list[Directive]:
    return [each for each in server.block if each.name == "location"]


def location(server: Directive, *args: str) -> Directive:
    found = [each for each in locations(server) if each.args == list(args)]
    assert len(found) == 1, f"location {' '.join(args)}: {len(found)} in the site"
    return found[0]


def limited_locations(zone: str) -> list[Directive]:
    return [
        place
        for place in locations(HTTPS)
        if any(limit.args[0] == f"zone={zone}" for limit in every("limit_req", place.block))
    ]


def regex_of(place: Directive) -> re.Pattern:
    assert place.args[0] == "~", place.args
    return re.compile(place.args[1])  # the site's regular expressions use only what PCRE and Python share


# -- what the site says, against the settings it must follow ---------------------------------------------------------


def test_import_location_is_the_import_page_and_takes_a_whole_file():
    path = reverse("admin:centres_centre_import")
    limit = size(one("client_max_body_size", location(HTTPS, "=", path).block).args[0])
    # The file in a multipart form: boundaries, part headers and the CSRF token (a few hundred bytes) must fit, and
    # a file a little over IMPORT_MAX_MB gets the app's message rather than nginx's 413; much more is not asked for.
    assert shipped.IMPORT_MAX_BYTES + 64 * 1024 <= limit <= shipped.IMPORT_MAX_BYTES + 2 * 1024**2
    everywhere = size(one("client_max_body_size", HTTPS.block).args[0])
    assert everywhere < shipped.IMPORT_MAX_BYTES  # the other forms take far less


def test_access_log_format_has_no_query_address_or_browser():
    formats = every("log_format")
    assert [each.args[0] for each in formats] == ["directory_private"]
    variables = set(re.findall(r"\$(\w+)", "".join(formats[0].args[1:])))
    assert "directory_logged_uri" in variables and "request_id" in variables and "status" in variables
    (logged,) = [each for each in SITE_TREE if each.name == "map" and each.args == ["$uri", "$directory_logged_uri"]]
    assert [[entry.name, *entry.args] for entry in logged.block] == [
        ["~^(?<directory_before_query>[^?]*)\\?", "$directory_before_query"],
        ["default", "$uri"],
    ]
    forbidden = {
        "request",
        "request_uri",
        "args",
        "query_string",
        "is_args",
        "remote_addr",
        "binary_remote_addr",
        "realip_remote_addr",
        "http_x_forwarded_for",
        "proxy_add_x_forwarded_for",
        "http_referer",
        "http_user_agent",
        "http_cookie",
        "request_body",
    }
    assert not variables & forbidden
    assert not [name for name in variables if name.startswith(("arg_", "cookie_", "http_", "sent_http_"))]
    # Every access log of the site is written in that format, or is off (/healthz).
    for log in every("access_log"):
        assert log.args == ["off"] or log.args[1:] == ["directory_private"], log.args


def test_only_the_sitemap_is_compressed():
    # Debian's nginx.conf turns gzip on for every site: each server turns it off, and the sitemap's location on.
    assert all(one("gzip", server.block).args == ["off"] for server in SERVERS)
    compressed = [each for each in every("gzip") if each.args == ["on"]]
    assert [each.parents[-1].args for each in compressed] == [["~", "^/sitemap(?:-[a-z]+)?\\.xml$"]]


def test_the_page_shown_while_the_app_cannot_answer_is_a_plain_file():
    # nginx serves templates/500.html as it is: it must stay a page without template syntax, with quick exit.
    page = (ROOT / "templates" / "500.html").read_text()
    assert "{%" not in page and "{{" not in page
    assert 'href="/exit/"' in page and 'href="tel:112"' in page  # one tap to call, on a phone
    fallback = location(HTTPS, "=", "/directory-error.html")
    assert one("alias", fallback.block).args == [f"{PROJECT_ROOT_ON_SERVER}/templates/500.html"]
    assert one("error_page", HTTPS.block).args == ["429", "502", "503", "504", "/directory-error.html"]
    (leave,) = [each for each in HTTPS.block if each.name == "location" and each.args == ["@quick_exit"]]
    assert one("return", leave.block).args == ["302", shipped.QUICK_EXIT_URL]  # the default, as the app's


def test_error_logs_leave_out_every_request():
    # nginx ends every request's and connection's error line with the client's address and the request line, query
    # string included, at every level but emerg (at crit: TLS handshakes nginx does not recognise, a full disk).
    logs = every("error_log")
    assert {id(log.parents[-1]) for log in logs} == {id(HTTP), id(HTTPS)}  # each server has its own
    assert all(log.args[1:] == ["emerg"] for log in logs), [log.args for log in logs]
    assert all(one("limit_req_log_level", server.block).args == ["info"] for server in SERVERS)


def test_rate_limits_are_looser_than_the_apps():
    zones = {}
    for zone in every("limit_req_zone"):
        name, _memory = next(arg for arg in zone.args if arg.startswith("zone=")).removeprefix("zone=").split(":")
        rate = re.fullmatch(r"rate=(\d+)r/([sm])", next(arg for arg in zone.args if arg.startswith("rate=")))
        zones[name] = int(rate[1]) / {"s": 1, "m": 60}[rate[2]]  # requests a second
    assert one("limit_req_status", HTTPS.block).args == ["429"]
    for zone, kind in {"directory_search": "search", "directory_export": "export", "directory_api": "api"}.items():
        count, _slash, period = shipped.RATE_LIMITS[kind].partition("/")
        seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period]
        places = limited_locations(zone)
        assert places, f"no location uses {zone}"
        for place in places:
            limit = one("limit_req", place.block)
            assert "nodelay" in limit.args
            burst = int(next(arg for arg in limit.args if arg.startswith("burst=")).removeprefix("burst="))
            # The app counts fixed periods, so around the turn of one it lets up to twice its count through; nginx
            # lets through its burst (and one) at once, and its rate after: never less than the app in any span.
            assert burst + 1 >= 2 * int(count), (zone, burst, shipped.RATE_LIMITS[kind])
            assert zones[zone] >= int(count) / seconds, (zone, zones[zone], shipped.RATE_LIMITS[kind])


def test_limited_locations_cover_every_language_search_and_export():
    languages = {code for code, _name in shipped.LANGUAGES}
    (search,) = limited_locations("directory_search")
    (export,) = limited_locations("directory_export")
    (api,) = limited_locations("directory_api")
    for place in (search, export):
        (alternatives,) = re.findall(r"\^/\(\?:([a-z|]+)\)/", place.args[1])
        assert set(alternatives.split("|")) == languages
    exports = [each.name for each in centres_urls.urlpatterns if "export" in each.name or "hsds" in each.name]
    assert len(exports) >= 9  # centres (2), at risk (3), what if (3), the HSDS package
    for language in sorted(languages):
        with translation.override(language):
            for name in exports:
                path = reverse(f"centres:{name}")
                assert regex_of(export).search(path), path
                assert not regex_of(search).search(path), path
            for name in ("home", "centre_list"):
                assert regex_of(search).search(reverse(f"centres:{name}"))
            for path in (reverse("centres:centre_detail", args=["some-centre"]), reverse("centres:at_risk")):
                assert not regex_of(search).search(path) and not regex_of(export).search(path), path
    assert api.args == ["/api/"] and reverse("api:services").startswith("/api/")


def test_static_files_are_collectstatics_and_content_named_ones_kept_a_year():
    static = location(HTTPS, f"/{shipped.STATIC_URL.strip('/')}/")
    assert one("alias", static.block).args == [f"{PROJECT_ROOT_ON_SERVER}/{Path(shipped.STATIC_ROOT).name}/"]
    assert Path(shipped.STATIC_ROOT) == ROOT / Path(shipped.STATIC_ROOT).name
    backend = shipped.STORAGES["staticfiles"]["BACKEND"]
    assert backend == "whitenoise.storage.CompressedManifestStaticFilesStorage"  # content-named, with .gz beside
    (cache_map,) = [each for each in every("map") if each.args == ["$uri", "$directory_static_cache_control"]]
    content_named, other = ([entry.name, *entry.args] for entry in cache_map.block)
    assert other == ["default", "public, max-age=60"]
    assert content_named[1] == "public, max-age=31536000, immutable"
    pattern = re.compile(content_named[0].removeprefix("~"))
    hashed = ManifestStaticFilesStorage(location=tempfile.gettempdir()).hashed_name(
        "css/site.css", ContentFile(b"body{}")
    )
    assert pattern.search(f"/static/{hashed}") and not pattern.search("/static/css/site.css")
    assert not pattern.search("/static/vendor/bootstrap.min.js")


def test_the_app_is_told_the_request_id_scheme_and_client_and_hsts_is_left_to_it():
    headers = {each.args[0]: each.args[1] for each in every("proxy_set_header", SNIPPET_TREE)}
    assert headers == {
        "Host": "$host",
        "X-Forwarded-For": "$proxy_add_x_forwarded_for",  # the last entry, as TRUSTED_PROXY_COUNT=1 reads it
        "X-Forwarded-Proto": "$scheme",
        "X-Request-ID": "$request_id",
    }
    # Both servers include the snippet, and no location sets headers of its own (which would drop the snippet's).
    assert [one("include", server.block).args for server in SERVERS] == [["snippets/directory-proxy.conf"]] * 2
    assert not every("proxy_set_header")
    assert not [each for each in every("add_header") if each.args[0].lower() == "strict-transport-security"]
    assert {tuple(each.args) for each in every("proxy_pass")} == {("http://directory_app",)}


def test_plain_http_redirects_all_but_healthz():
    assert one("return", location(HTTP, "/").block).args == ["301", "https://$server_name$request_uri"]
    health = location(HTTP, "=", "/healthz").block
    assert one("proxy_pass", health).args == ["http://directory_app"]
    assert one("access_log", health).args == ["off"]


# -- nginx itself ---------------------------------------------------------------------------------------------------


@needs_nginx
def test_nginx_accepts_the_site():
    done = subprocess.run([DEPLOY / "check-nginx"], env=NGINX_ENV, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "test is successful" in done.stderr


@needs_nginx
def test_the_check_fails_on_a_broken_site(tmp_path):
    copy = tmp_path / "deploy"
    shutil.copytree(DEPLOY, copy)
    site = copy / "nginx" / "directory.conf"
    site.write_text(site.read_text().replace("limit_req_status 429;", "limit_req_status 429"))
    done = subprocess.run([copy / "check-nginx"], env=NGINX_ENV, capture_output=True, text=True, timeout=30)
    assert done.returncode != 0 and "emerg" in done.stderr, done.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class StandIn(BaseHTTPRequestHandler):
    """The app, for nginx to talk to: answers 200 to everything and keeps what it was sent."""

    seen: list[tuple[str, str, dict, int]] = []

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        remaining = length
        while remaining:
            remaining -= len(self.rfile.read(min(remaining, 1024 * 1024)))
        StandIn.seen.append((self.command, self.path, dict(self.headers), length))
        body, kind = b"app", "text/html; charset=utf-8"
        if self.path == "/healthz":
            body, kind = json.dumps({"status": "ok"}).encode(), "application/json"
        elif self.path.startswith(("/sitemap", "/en/long-page/")):  # long enough for nginx to compress
            body, kind = b"<x>" + b"centre " * 400 + b"</x>", "application/xml" if "sitemap" in self.path else kind
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = answer

    def log_message(self, *args):
        pass


@dataclass
class Running:
    prefix: Path
    http_port: int
    https_port: int
    app: ThreadingHTTPServer

    def request(self, path, *, method="GET", scheme="https", headers=None, body=None, connection=None):
        if connection is None:
            connection = self.connect(scheme)
        connection.request(method, path, body=body, headers={"Host": "directory.example.org", **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()

    def connect(self, scheme="https"):
        if scheme == "http":
            return http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=10)
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return http.client.HTTPSConnection("127.0.0.1", self.https_port, timeout=10, context=context)

    def log(self, name: str) -> str:
        path = self.prefix / "logs" / name
        return path.read_text() if path.exists() else ""


@pytest.fixture
def running_nginx():
    # Under /tmp itself, not pytest's private folder: run as root, nginx's workers are `nobody` and must reach it.
    prefix = Path(tempfile.mkdtemp(prefix="test-deploy-"))
    static = prefix / "app" / "staticfiles" / "css"
    static.mkdir(parents=True)
    for name in ("site.0123456789ab.css", "site.css"):
        (static / name).write_text("body { color: black }\n")
    templates = prefix / "app" / "templates"
    templates.mkdir()
    shutil.copy(ROOT / "templates" / "500.html", templates / "500.html")
    for folder in (prefix / "app", prefix / "app" / "staticfiles", static, templates):
        folder.chmod(0o755)
    (templates / "500.html").chmod(0o644)
    app = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    StandIn.seen = []
    running = Running(prefix, free_port(), free_port(), app)
    environment = {
        **NGINX_ENV,
        "HTTP_PORT": str(running.http_port),
        "HTTPS_PORT": str(running.https_port),
        "APP": f"127.0.0.1:{app.server_address[1]}",
        "APP_ROOT": str(prefix / "app"),
    }
    built = subprocess.run([DEPLOY / "check-nginx", prefix], env=environment, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    server = subprocess.Popen(
        [NGINX, "-p", prefix, "-c", "conf/nginx.conf", "-e", "stderr", "-g", "daemon off;"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", running.https_port), timeout=0.2).close()
                socket.create_connection(("127.0.0.1", running.http_port), timeout=0.2).close()
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                time.sleep(0.05)
        yield running
    finally:
        server.terminate()
        server.wait(timeout=10)
        app.shutdown()
        app.server_close()
        shutil.rmtree(prefix, ignore_errors=True)


def multipart(file_size: int) -> tuple[bytes, str]:
    boundary = "----directory-test-boundary"
    body = b"".join(
        [
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'.encode(),
            b"x" * 64 + b"\r\n",
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="centres.xlsx"\r\n'.encode(),
            b"Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n",
            b"\0" * file_size,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    return body, f"multipart/form-data; boundary={boundary}"


def announced(running: Running, path: str, length: int) -> int:
    """The status nginx answers to a POST announcing `length` bytes, before any of them is sent."""
    connection = running.connect()
    connection.putrequest("POST", path, skip_host=True)
    connection.putheader("Host", "directory.example.org")
    connection.putheader("Content-Length", str(length))
    connection.endheaders()
    status = connection.getresponse().status
    connection.close()
    return status


@needs_nginx
def test_nginx_in_front_of_the_app(running_nginx):
    run = running_nginx

    # Plain HTTP: everything goes to HTTPS, query and all, but /healthz reaches the app as it is.
    status, headers, _ = run.request("/ru/centres/?q=secret-over-http", scheme="http")
    assert (status, headers["Location"]) == (301, "https://directory.example.org/ru/centres/?q=secret-over-http")
    status, _headers, body = run.request("/healthz", scheme="http")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    assert StandIn.seen[-1][2]["X-Forwarded-Proto"] == "http"

    # HTTPS: the app is told the scheme, the client (after whatever the client claimed) and nginx's request id.
    sent = {"X-Request-ID": "made-up-by-the-client", "X-Forwarded-For": "203.0.113.9"}
    status, _headers, body = run.request("/ru/centres/?q=secret-search", headers=sent)
    assert (status, body) == (200, b"app")
    _method, path, told, _length = StandIn.seen[-1]
    assert path == "/ru/centres/?q=secret-search"
    assert told["X-Forwarded-Proto"] == "https" and told["Host"] == "directory.example.org"
    assert told["X-Forwarded-For"] == "203.0.113.9, 127.0.0.1"
    request_id = told["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)

    # Static files, from the folder, content-named ones kept a year, with the app's headers for files.
    status, headers, body = run.request("/static/css/site.0123456789ab.css?q=secret-static")
    assert (status, body) == (200, b"body { color: black }\n")
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Content-Type"] == "text/css"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert run.request("/static/css/site.css")[1]["Cache-Control"] == "public, max-age=60"
    assert len(StandIn.seen) == 2  # neither reached the app

    # Compression (Debian's nginx.conf turns it on for every site): the sitemap only, never a page.
    status, headers, _ = run.request("/en/long-page/", headers={"Accept-Encoding": "gzip"})
    assert status == 200 and "Content-Encoding" not in headers
    status, headers, _ = run.request("/sitemap-centres.xml?p=1", headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"

    # A "?" sent as %3F is a query all the same: left out of the log.
    assert run.request("/ru/centres/%3Fq%3Dsecret-encoded/")[0] == 200

    # Bodies: a whole import file (IMPORT_MAX_MB in a multipart form) passes, more does not, nor a big form elsewhere.
    import_path = reverse("admin:centres_centre_import")
    body, content_type = multipart(shipped.IMPORT_MAX_BYTES)
    assert run.request(import_path, method="POST", body=body, headers={"Content-Type": content_type})[0] == 200
    assert StandIn.seen[-1][3] == len(body)
    assert announced(run, import_path, shipped.IMPORT_MAX_BYTES + 2 * 1024**2) == 413
    assert announced(run, "/ru/centres/some-centre/correction/", 2 * 1024**2) == 413

    # Searches: the app's whole count and more at once, then nginx's 429; a plain list or a page alone never counts.
    connection = run.connect()
    searches = [run.request(f"/en/centres/?q=n{n}", connection=connection)[0] for n in range(130)]
    assert searches[:120] == [200] * 120 and 429 in searches, searches
    plain = [run.request(path, connection=connection)[0] for path in ["/en/centres/?page=2", "/en/centres/?q="] * 20]
    assert set(plain) == {200}
    exports = [run.request("/kk/open-data/hsds.zip", connection=connection)[0] for _ in range(25)]
    assert exports[:20] == [200] * 20 and 429 in exports, exports

    # The app down: nginx's own 502 (an error nginx logs, at `error`, with the client and the request line).
    run.app.shutdown()
    run.app.server_close()
    status, headers, body = run.request("/en/centres/?q=secret-while-down")
    assert status == 502 and body == (ROOT / "templates" / "500.html").read_bytes()  # the hotlines, quick exit
    assert headers["Content-Type"] == "text/html" and headers["Cache-Control"] == "no-store"
    status, headers, _ = run.request("/exit/")
    assert (status, headers["Location"]) == (302, shipped.QUICK_EXIT_URL)  # quick exit leaves all the same
    assert headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert run.request("/healthz", scheme="http")[0] == 502
    with socket.create_connection(("127.0.0.1", run.https_port)) as plain_to_tls:
        plain_to_tls.sendall(b"GET /?q=secret-plain-to-tls HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b" 400 " in plain_to_tls.recv(200)

    time.sleep(0.1)  # the last lines are written as each request ends
    access = run.log("directory-access.log").splitlines()
    assert len(access) >= 190
    line = re.compile(r"\S+ (GET|POST) /\S* \d{3} \d+ \d+\.\d{3} [0-9a-f]{32} \S+ \S+")
    assert all(line.fullmatch(each) for each in access), [each for each in access if not line.fullmatch(each)]
    assert any(" GET /ru/centres/ 200 3 " in each and request_id in each for each in access)
    assert sum(" 429 " in each for each in access) >= 2 and sum(" 413 " in each for each in access) == 2
    assert not [each for each in access if "/healthz" in each]
    everything = "\n".join(run.log(name) for name in ("directory-access.log", "directory-error.log", "error.log"))
    for leak in ("secret", "?", "q=", "127.0.0.1", "203.0.113.9", "client:", "made-up-by-the-client"):
        assert leak not in everything, leak
    assert run.log("access.log") == ""  # the http-level (Debian's combined) log: nothing reaches it


# -- systemd ---------------------------------------------------------------------------------------------------------


def unit(name: str) -> dict[str, dict[str, str]]:
    sections: dict[str, dict[str, str]] = {}
    current = None
    for raw in (UNITS / name).read_text().splitlines():
        text = raw.strip()
        if not text or text.startswith(("#", ";")):
            continue
        if text.startswith("["):
            current = sections.setdefault(text.strip("[]"), {})
        else:
            key, _equals, value = text.partition("=")
            current[key] = value
    return sections


SERVICES = ("directory.service", "directory-backup.service", "directory-judge.service")


def on_this_machine(command: str, working_directory: str) -> list[str]:
    """A unit's command, with the server's project folder as this checkout."""
    return [part.replace(working_directory, str(ROOT)) for part in command.split()]


def test_the_services_run_the_project_with_its_environment():
    working = {unit(name)["Service"]["WorkingDirectory"] for name in SERVICES}
    assert working == {PROJECT_ROOT_ON_SERVER}
    assert {unit(name)["Service"]["EnvironmentFile"] for name in SERVICES} == {"/etc/directory/environment"}
    assert {unit(name)["Service"]["User"] for name in SERVICES} == {"directory"}

    web = unit("directory.service")["Service"]
    command = on_this_machine(web["ExecStart"], PROJECT_ROOT_ON_SERVER)
    assert command == [str(ROOT / ".venv/bin/gunicorn"), "-c", "gunicorn.conf.py", "directory.wsgi"]
    assert (ROOT / "gunicorn.conf.py").is_file() and (ROOT / "directory" / "wsgi.py").is_file()
    assert web["ProtectSystem"] == "strict" and web["NoNewPrivileges"] == "yes" and web["PrivateTmp"] == "yes"
    assert web["Restart"] == "on-failure" and "ReadWritePaths" not in web  # the app writes nowhere but /tmp

    backup = unit("directory-backup.service")["Service"]
    python, script, folder = on_this_machine(backup["ExecStart"], PROJECT_ROOT_ON_SERVER)
    assert python == str(ROOT / ".venv/bin/python") and os.access(script, os.X_OK)
    assert backup["ReadWritePaths"] == folder

    judge = unit("directory-judge.service")["Service"]
    python, manage, command_name = on_this_machine(judge["ExecStart"], PROJECT_ROOT_ON_SERVER)
    assert (ROOT / manage).is_file() and (ROOT / "centres/management/commands" / f"{command_name}.py").is_file()


def test_gunicorn_waits_for_the_longest_request_and_systemd_waits_for_gunicorn():
    spec = importlib.util.spec_from_file_location("shipped_gunicorn_conf", ROOT / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    # The open-data package at 100,000 centres builds for about a minute before its first byte (README).
    assert conf.timeout >= 90 and conf.graceful_timeout == conf.timeout
    stop = unit("directory.service")["Service"]["TimeoutStopSec"]
    assert int(stop.removesuffix("s")) > conf.graceful_timeout


def test_judging_runs_just_after_midnight_where_the_directory_is():
    when = unit("directory-judge.timer")["Timer"]["OnCalendar"]
    day, clock, zone = when.split()
    assert day == "*-*-*" and clock.startswith("00:") and zone == shipped.TIME_ZONE
    _hour, minute, _second = clock.split(":")
    assert int(minute) <= 15
    assert unit("directory-backup.timer")["Timer"]["OnCalendar"].endswith(f" {shipped.TIME_ZONE}")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze (Debian's systemd)")
def test_the_units_parse(tmp_path):
    # systemd-analyze looks for each command: the copies name this checkout instead of /srv/directory.
    for path in UNITS.iterdir():
        (tmp_path / path.name).write_text(path.read_text().replace(PROJECT_ROOT_ON_SERVER, str(ROOT)))
    units = sorted(str(path) for path in tmp_path.iterdir())
    assert len(units) == 5
    done = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=30)
    # It says "…, ignoring" of a setting it cannot read, and still exits 0: any word from it is a failure.
    assert done.returncode == 0 and done.stdout + done.stderr == "", done.stdout + done.stderr


# -- the environment file ------------------------------------------------------------------------------------------


def test_environment_example_names_only_settings_that_exist():
    read = set()
    for source in (
        ROOT / "directory" / "settings.py",
        ROOT / "gunicorn.conf.py",
        ROOT / "directory/gunicorn_logging.py",
    ):
        read |= set(re.findall(r"""(?:env(?:\.\w+)?|environ\.get)\(\s*["']([A-Z_]+)["']""", source.read_text()))
    assert {"SECRET_KEY", "DATABASE_URL", "BIND"} <= read  # the search above finds what it must
    values = {}
    for raw in (DEPLOY / "environment.example").read_text().splitlines():
        match = re.fullmatch(r"#?([A-Z][A-Z_]+)=(.*)", raw)
        if match:
            values[match[1]] = (match[2], raw.startswith("#"))
    assert set(values) <= read, set(values) - read
    set_here = {name: value for name, (value, commented) in values.items() if not commented}
    assert {
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "DATABASE_URL",
        "REDIS_URL",
        "BEHIND_PROXY",
        "TRUSTED_PROXY_COUNT",
        "LOG_FORMAT",
    } <= set(set_here)
    assert set_here["BEHIND_PROXY"] == "true" and set_here["TRUSTED_PROXY_COUNT"] == "1"
    assert set_here["LOG_FORMAT"] == "json"
    assert set_here["DATABASE_URL"].startswith("postgres://")
    assert all(" #" not in value for value in set_here.values())  # systemd would take it as part of the value


# -- the nightly backup ---------------------------------------------------------------------------------------------


def nightly_backup():
    loader = importlib.machinery.SourceFileLoader("nightly_backup", str(DEPLOY / "nightly-backup"))
    spec = importlib.util.spec_from_loader("nightly_backup", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_pruning_keeps_thirty_days_and_the_first_of_each_month_for_a_year(tmp_path):
    first, today = datetime.date(2025, 9, 1), datetime.date(2026, 12, 2)
    days = [first + datetime.timedelta(days=n) for n in range((today - first).days + 1)]
    days.remove(datetime.date(2026, 3, 1))  # a night without a backup: March's first is the 2nd
    paths = [tmp_path / f"directory-{day}.backup" for day in days]
    paths += [tmp_path / "directory-2026-13-01.backup", tmp_path / "notes.txt", tmp_path / "other-2020-01-01.backup"]
    kept = set(paths) - set(nightly_backup().to_prune(paths, today))
    kept_days = sorted(path.name for path in kept if path.name.startswith("directory-2"))
    monthly = [f"directory-2026-{month:02}-01.backup" for month in (1, 2, 4, 5, 6, 7, 8, 9, 10, 11)]
    daily = [f"directory-{datetime.date(2026, 11, 3) + datetime.timedelta(days=n)}.backup" for n in range(30)]
    assert kept_days == sorted(["directory-2026-03-02.backup", *monthly, *daily, "directory-2026-13-01.backup"])
    assert {"notes.txt", "other-2020-01-01.backup"} <= {path.name for path in kept}


def test_nightly_backup_writes_a_new_dated_file_and_prunes(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    today = datetime.datetime.now(ZoneInfo(shipped.TIME_ZONE)).date()
    (folder / f"directory-{today}.backup").write_text("made earlier today")
    (folder / "directory-2001-01-01.backup").write_text("old")
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "SECRET_KEY": "test-only"}
    done = subprocess.run(
        [sys.executable, DEPLOY / "nightly-backup", folder], env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    names = sorted(path.name for path in folder.iterdir())
    # A second name today (the first was taken), and the old one pruned, with no partial file left.
    assert re.fullmatch(rf"directory-{today}-\d{{6}}\.backup", names[0]) and names[1] == f"directory-{today}.backup"
    assert len(names) == 2
    assert (folder / f"directory-{today}.backup").read_text() == "made earlier today"
    new = folder / names[0]
    assert new.read_bytes().startswith(b"SQLite format 3")
    assert stat.S_IMODE(new.stat().st_mode) == 0o600
    assert "removed directory-2001-01-01.backup" in done.stdout


def test_nightly_backup_refuses_a_missing_folder(tmp_path):
    done = subprocess.run(
        [sys.executable, DEPLOY / "nightly-backup", tmp_path / "none"], capture_output=True, text=True
    )
    assert done.returncode == 2 and "is not a folder" in done.stderr
