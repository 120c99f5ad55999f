"""`make load`: the public pages under load (DESIGN.md section 8), on 127.0.0.1 only, for a bounded time.

Fills a SQLite file — or, with `--postgres URL` (default: `DATABASE_URL` when it names PostgreSQL), a database of
its own on that server, dropped afterwards — with synthetic centres (as `make bench` does), serves it with gunicorn
on a free loopback port, and lets `--clients` simulated visitors request a mix of public pages back to back for
`--seconds`. `REDIS_URL`, when set, is passed on. Prints the requests per second, the error count and the latency
percentiles, the searches apart; gunicorn is stopped at the end whatever happens.

    python bench/load.py [--size 100000] [--clients 16] [--seconds 30] [--workers N] [--postgres URL]

`--two-instances` checks what several app nodes behind a proxy depend on, in under a minute: two gunicorn instances
(A and B, `--workers` 2 each) on two loopback ports share one PostgreSQL database of its own (`DATABASE_URL` or
`--postgres`, required) and one Redis (`REDIS_URL`, required: a database number no running site uses) over a
directory of `--size` 1,000 centres. Two editors log in as a browser does (password, then the code their
authenticator app would show, computed with django-otp), one through each instance, and it checks, printing each
result: a public page is served by both; a login made through A is logged in on B; an edit through A's change form
is on B's pages at once (the centre page, cached on B before the edit, and a search for the new name); and
`--pairs` times, two edits of one centre posted at the same moment through A and B from the same version save
exactly one, refuse the other with the admin's changed-meanwhile message, and leave the saved one's value in the
database. Exits 1 if any check fails; gunicorn is stopped and the database dropped whatever happens.

    python bench/load.py --two-instances [--size 1000] [--pairs 10] [--workers 2] [--postgres URL]

`--overhead` measures a request's fixed cost: this site's plainest pages (from the anonymous page cache) against a
bare Django project (`bench/bare.py`) on the same gunicorn, one server at a time, `--clients` for `--seconds` each.

    python bench/load.py --overhead [--clients 16] [--seconds 30] [--workers 2]
"""

import argparse
import contextlib
import html
import http.client
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlencode, urljoin, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# What survivors and referrers ask for, roughly in proportion: lists and searches, a few centre pages.
PATHS = [
    "/ru/",
    "/ru/centres/",
    "/ru/centres/?page=3",
    "/ru/centres/?q=" + quote("алматы"),
    "/kk/centres/?q=" + quote("шымкент"),
    "/ru/centres/?q=zzrarezz",
    "/ru/centres/?service=shelter&with_children=on&open_24_7=on",
    "/ru/centres/?near=" + quote("Шымкент"),
    "/en/centres/?near=Almaty&radius_km=50",
    "/ru/centres/?lat=42.87&lon=74.59",
    "/ru/countries/kz/",
    "/ru/safety/",
]


SEARCH_PARAMETERS = ("q", "near", "lat", "service")


def site_env(url: str) -> dict:
    """The environment of gunicorn and of the preparing child: production settings on plain loopback HTTP."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "directory.settings",
        "DATABASE_URL": url,
        "SECRET_KEY": "load-test-only",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        # One client makes every request here: the limits would answer 429 (their counting still runs).
        "RATE_LIMIT_SEARCH": "1000000/m",
        "RATE_LIMIT_EXPORT": "1000000/m",
        "RATE_LIMIT_LOGIN": "1000000/m",
    }


def collect_static(env: dict) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True, timeout=120
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def in_child(flag: str, size: int, env: dict, given: str | None = None, timeout: float | None = None) -> str:
    """This script run again with `flag` (a Django process of its own, on `env`'s database); its standard output.
    `given` goes to its standard input (never on the command line, where other users could read it)."""
    child = subprocess.run(
        [sys.executable, __file__, flag, str(size)],
        input=given,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    if child.returncode:
        sys.exit(child.stderr)
    return child.stdout


def prepare(size: int, env: dict) -> list[str]:
    """Migrate and fill the database in a child process; returns a few centre pages to request as well."""
    return [f"/ru/centres/{slug}/" for slug in in_child("--prepare", size, env).split()]


def fill(size: int) -> None:
    """In the child: the same synthetic directory as `make bench`, then a few public centres' slugs."""
    import django

    django.setup()
    from django.core.management import call_command

    from bench.run import fill as fill_centres
    from centres.models import Centre

    call_command("migrate", verbosity=0)
    fill_centres(size)
    print("\n".join(Centre.objects.public().order_by("pk").values_list("slug", flat=True)[:10]))


def start_gunicorn(port: int, workers: int | None, env: dict, log, app: str = "directory.wsgi") -> subprocess.Popen:
    """gunicorn on 127.0.0.1:`port` (gunicorn.conf.py's logging, and its number of processes unless `workers` is
    given), in a process group of its own to stop whole."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            app,
            "--bind",
            f"127.0.0.1:{port}",
            *(["--workers", str(workers)] if workers else []),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=log,
        stderr=log,
    )


def stop_gunicorn(server: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)


def wait_until_up(port: int, deadline: float, path: str = "/ru/safety/") -> None:
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not answer in time")


def visitor(port: int, paths: list[str], until: float, seed: int, results: list, errors: list) -> None:
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while time.monotonic() < until:
        path = rng.choice(paths)
        start = time.perf_counter()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException) as error:
            ok = False
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            path = f"{path} ({error.__class__.__name__})"
        elapsed = (time.perf_counter() - start) * 1000
        if ok:
            results.append((elapsed, path))
        else:
            errors.append(path)
    connection.close()


# --two-instances ------------------------------------------------------------------------------------------------

EDITORS = ("load-editor-a", "load-editor-b")
TIMEOUT = 15  # seconds, for any one request
WHOLE_RUN = 150  # seconds: a hung step ends the run (gunicorn stopped, the database dropped) instead of waiting
# The admin's words, in English (the editors' browsers ask for it): after a save, and a refused stale save
# (centres.admin.changed_meanwhile_message).
SAVED = "was changed successfully"
CHANGED_MEANWHILE = "while you were editing it"


class CheckFailed(Exception):
    pass


class TooLong(Exception):
    """The whole run's time is up (not an OSError, so that no check takes it for its own failure)."""


def fill_pair(size: int) -> None:
    """In the child: the directory, two editors with an authenticator app each (passwords and keys read from
    standard input), a fresh data version; prints one public centre as JSON."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.cache import cache
    from django.core.management import call_command
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bench.run import fill as fill_centres
    from centres.caching import DATA_VERSION_KEY
    from centres.models import Centre
    from centres.roles import EDITOR

    editors = json.load(sys.stdin)
    call_command("migrate", verbosity=0)
    fill_centres(size)
    for username, (password, key) in editors.items():
        user = get_user_model().objects.create_user(username, password=password, is_staff=True)
        user.groups.add(Group.objects.get(name=EDITOR))
        TOTPDevice.objects.create(user=user, name="load check", key=key, confirmed=True)
    # Bulk filling sends no signal; a Redis database used before may still hold pages of an earlier run's
    # directory under the old data version.
    cache.delete(DATA_VERSION_KEY)
    centre = Centre.objects.public().order_by("pk").first()
    print(json.dumps({"pk": str(centre.pk), "slug": centre.slug, "name": centre.name}))


def current_code(key: str) -> str:
    """The code an authenticator app with this key shows now."""
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(key)):06d}"


class Form:
    """A form as a browser without JavaScript would submit it: its successful controls, in document order."""

    def __init__(self, attrs: dict):
        self.id = attrs.get("id") or ""
        self.action = attrs.get("action") or ""
        self.enctype = attrs.get("enctype") or "application/x-www-form-urlencoded"
        self.fields: list[list[str]] = []
        self.buttons: list[tuple[str, str]] = []

    def get(self, name: str) -> str | None:
        return next((value for key, value in self.fields if key == name), None)

    def set(self, name: str, value: str) -> None:
        for field in self.fields:
            if field[0] == name:
                field[1] = value
                return
        raise CheckFailed(f"the form has no field {name!r}")

    def encode(self, button: str | None) -> tuple[bytes, str]:
        # Browsers send line breaks as CRLF, and the button pressed among the fields.
        fields = [(name, value.replace("\r\n", "\n").replace("\n", "\r\n")) for name, value in self.fields]
        fields += [pressed for pressed in self.buttons if pressed[0] == button]
        if self.enctype != "multipart/form-data":
            return urlencode(fields).encode(), "application/x-www-form-urlencoded"
        boundary = "----LoadCheck" + secrets.token_hex(12)
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in fields
        ]
        return "".join([*parts, f"--{boundary}--\r\n"]).encode(), f"multipart/form-data; boundary={boundary}"


class FormParser(HTMLParser):
    """Every form of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: dict | None = None
        self.option: dict | None = None
        self.textarea: list | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        found = dict(attrs)
        name, disabled = found.get("name"), "disabled" in found
        if tag == "form":
            self.form = Form(found)
            self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag == "input" and name and not disabled:
            kind = (found.get("type") or "text").lower()
            if kind == "submit":
                self.form.buttons.append((name, found.get("value") or ""))
            elif kind in {"checkbox", "radio"}:
                if "checked" in found:
                    self.form.fields.append([name, "on" if found.get("value") is None else found["value"]])
            elif kind not in {"file", "image", "reset", "button"}:
                self.form.fields.append([name, found.get("value") or ""])
        elif tag == "button" and name and not disabled and (found.get("type") or "submit").lower() == "submit":
            self.form.buttons.append((name, found.get("value") or ""))
        elif tag == "select":
            self.select = {"name": name, "disabled": disabled, "multiple": "multiple" in found, "options": []}
        elif tag == "option" and self.select is not None:
            self.option = {"value": found.get("value"), "text": "", "selected": "selected" in found, "off": disabled}
            self.select["options"].append(self.option)
        elif tag == "textarea":
            self.textarea = [name, "", disabled]

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea[1] += data
        elif self.option is not None:
            self.option["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "option":
            self.option = None
        elif tag == "select" and self.select is not None:
            select, self.select, self.option = self.select, None, None
            options = select["options"]
            chosen = [option for option in options if option["selected"]]
            if not chosen and not select["multiple"]:
                chosen = [option for option in options if not option["off"]][:1]
            if self.form is not None and select["name"] and not select["disabled"]:
                for option in chosen:
                    value = option["value"] if option["value"] is not None else " ".join(option["text"].split())
                    self.form.fields.append([select["name"], value])
        elif tag == "textarea" and self.textarea is not None:
            (name, text, disabled), self.textarea = self.textarea, None
            text = text[1:] if text.startswith("\n") else text  # the line break after the tag is not content
            if self.form is not None and name and not disabled:
                self.form.fields.append([name, text])


class Page:
    def __init__(self, status: int, path: str, text: str, history: list[tuple[int, str, str | None]]):
        self.status, self.path, self.text, self.history = status, path, text, history

    def form(self, *, id: str | None = None, field: str | None = None) -> Form:
        parser = FormParser()
        parser.feed(self.text)
        for form in parser.forms:
            if (id is None or form.id == id) and (field is None or form.get(field) is not None):
                return form
        raise CheckFailed(f"no form {id or field!r} on {self.path} ({self.status})")


class Browser:
    """One person's browser at one instance: keeps its cookies, follows redirects, and posts a form with the
    Origin and Referer a browser sends (Django's CSRF check compares the Origin with the host)."""

    def __init__(self, port: int, cookies: dict | None = None):
        self.port = port
        self.origin = f"http://127.0.0.1:{port}"
        self.cookies = dict(cookies or {})
        self.url = "/"

    def get(self, path: str) -> Page:
        return self.fetch("GET", path)

    def submit(self, form: Form, button: str | None = None) -> Page:
        body, content_type = form.encode(button)
        return self.fetch("POST", urljoin(self.url, form.action), body, content_type)

    def fetch(self, method: str, path: str, body: bytes | None = None, content_type: str = "") -> Page:
        history = []
        while True:
            headers = {"Accept": "text/html", "Accept-Language": "en"}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
            if body is not None:
                headers.update({"Content-Type": content_type, "Origin": self.origin, "Referer": self.origin + self.url})
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                text = response.read().decode("utf-8", "replace")
            finally:
                connection.close()
            self._keep(response.headers.get_all("Set-Cookie") or [])
            location = response.getheader("Location")
            history.append((response.status, path, location))
            if response.status not in {301, 302, 303, 307, 308} or not location or len(history) > 5:
                self.url = path
                return Page(response.status, path, text, history)
            target = urlsplit(urljoin(self.origin + path, location))
            if target.netloc != f"127.0.0.1:{self.port}":
                raise CheckFailed(f"{path} redirected away from the instance, to {location}")
            path = urlunsplit(("", "", target.path, target.query, ""))
            if response.status not in {307, 308}:
                method, body = "GET", None

    def _keep(self, set_cookies: list[str]) -> None:
        # Secure (__Host-) cookies are kept over plain HTTP, as browsers keep them for a loopback address.
        for header in set_cookies:
            pair, *attributes = header.split(";")
            name, _equals, value = pair.strip().partition("=")
            if any(attribute.strip().lower() == "max-age=0" for attribute in attributes):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value


def log_in(port: int, username: str, password: str, key: str) -> Browser:
    """An editor logs in at one instance as in a browser: the login form, then the second factor's code."""
    browser = Browser(port)
    form = browser.get("/en/login/?next=/admin/").form(field="username")
    form.set("username", username)
    form.set("password", password)
    form = browser.submit(form).form(field="code")
    form.set("code", current_code(key))
    page = browser.submit(form)
    if (page.status, page.path) != (200, "/admin/"):
        raise CheckFailed(f"{username} not logged in at :{port}: {page.status} {page.path}")
    return browser


def outcome(page: Page | BaseException, change: str) -> str:
    """What the admin answered to a change form posted at `change`: saved, or refused (and how), as the editor's
    browser ends up showing it."""
    if isinstance(page, BaseException):
        return f"error {page!r}"
    status, _path, location = page.history[0]
    if status == 302 and page.path == "/admin/centres/centre/" and SAVED in page.text:
        return "saved"
    if CHANGED_MEANWHILE in page.text and status == 200:
        return "refused by the form's version check"
    if CHANGED_MEANWHILE in page.text and status == 302 and page.path == change:
        return "refused by the conditional update"
    return f"unexpected: {status} {location or ''} then {page.status} {page.path}"


def read_centre(db, pk: str) -> tuple[str, int, int]:
    """The centre's name and version in the database, and how many history records it has."""
    name, version = db.execute("SELECT name, version FROM centres_centre WHERE id = %s::uuid", (pk,)).fetchone()
    (records,) = db.execute("SELECT count(*) FROM centres_historicalcentre WHERE id = %s::uuid", (pk,)).fetchone()
    return name, version, records


def check_public_pages(ports: dict, centre: dict) -> str:
    for label, port in ports.items():
        for path in ("/ru/", f"/ru/centres/{centre['slug']}/"):
            page = Browser(port).get(path)
            if page.status != 200 or (path != "/ru/" and html.escape(centre["name"]) not in page.text):
                raise CheckFailed(f"{label} answered {path} with {page.status}")
    return "the home and a centre page: 200 from A and from B, the same centre on both"


def check_logins(ports: dict, editors: dict, browsers: dict) -> str:
    for (label, port), (username, (password, key)) in zip(ports.items(), editors.items(), strict=True):
        browsers[label] = log_in(port, username, password, key)
    page = Browser(ports["B"], browsers["A"].cookies).get("/admin/")
    if (page.status, page.path) != (200, "/admin/"):
        raise CheckFailed(f"A's login on B: {page.status} {page.path}")
    return f"{EDITORS[0]} through A, {EDITORS[1]} through B (password, then TOTP code); A's login works on B"


def logged_in(browsers: dict) -> None:
    if len(browsers) < 2:
        raise CheckFailed("not run: the editors are not logged in")


def check_edit_shows_on_other(ports: dict, browsers: dict, centre: dict, db) -> str:
    logged_in(browsers)
    visitor, page_path = Browser(ports["B"]), f"/ru/centres/{centre['slug']}/"
    old = html.escape(centre["name"])  # as the page writes it
    if old not in visitor.get(page_path).text:
        raise CheckFailed("B's centre page does not show the centre")
    # Proof that B now serves the page from the cache: a change made behind Django's back (no signal, so no new
    # data version) does not show. Without it the check below would prove nothing.
    behind = f"Changed behind Django {secrets.token_hex(3)}"
    db.execute("UPDATE centres_centre SET name = %s WHERE id = %s::uuid", (behind, centre["pk"]))
    page = visitor.get(page_path)
    if behind in page.text or old not in page.text:
        raise CheckFailed("B's anonymous centre page is not served from the page cache, so invalidation is untested")
    token = secrets.token_hex(4)
    new = f"Edited through A {token}"
    change = f"/admin/centres/centre/{centre['pk']}/change/"
    form = browsers["A"].get(change).form(id="centre_form")
    form.set("name", new)
    saved = outcome(browsers["A"].submit(form, "_save"), change)
    if saved != "saved":
        raise CheckFailed(f"the edit through A: {saved}")
    page = visitor.get(page_path)
    if new not in page.text or behind in page.text:
        raise CheckFailed(f"B's centre page still shows the old name after the edit through A ({page.status})")
    found = visitor.get(f"/ru/centres/?q={token}")
    if found.status != 200 or new not in found.text:
        raise CheckFailed(f"B's search for the new name does not find it ({found.status})")
    centre["name"] = new
    return "B's centre page (cached there before) shows the new name at once, and B's search finds it"


def post_at_once(browsers: dict, forms: dict) -> dict[str, Page | BaseException]:
    """Each browser presses Save on its form at the same moment (each thread waits until all are ready)."""
    ready = threading.Barrier(len(forms), timeout=TIMEOUT)
    answers: dict[str, Page | BaseException] = dict.fromkeys(forms, TimeoutError("no answer"))

    def post(label: str) -> None:
        try:
            ready.wait()
            answers[label] = browsers[label].submit(forms[label], "_save")
        except Exception as error:
            answers[label] = error

    threads = [threading.Thread(target=post, args=(label,), daemon=True) for label in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(3 * TIMEOUT)
    return answers


def check_concurrent_edits(browsers: dict, centre: dict, db, pairs: int) -> str:
    logged_in(browsers)
    change = f"/admin/centres/centre/{centre['pk']}/change/"
    saved_by = {"A": 0, "B": 0}
    refusals: dict[str, int] = {}
    problems = []
    for n in range(pairs):
        forms = {label: browser.get(change).form(id="centre_form") for label, browser in browsers.items()}
        seen = {form.get("seen_version") for form in forms.values()}
        _name, version, records = read_centre(db, centre["pk"])
        if seen != {str(version)}:
            raise CheckFailed(f"pair {n}: the forms show versions {seen}, the database {version}")
        token = secrets.token_hex(3)
        names = {label: f"Pair {n} through {label} {token}" for label in forms}
        for label, form in forms.items():
            form.set("name", names[label])
        answers = post_at_once(browsers, forms)
        kinds = {label: outcome(answers[label], change) for label in forms}
        name, after, records_after = read_centre(db, centre["pk"])
        saved = [label for label, kind in kinds.items() if kind == "saved"]
        refused = [kind for kind in kinds.values() if kind.startswith("refused")]
        if (
            len(saved) == 1
            and len(refused) == 1
            and name == names[saved[0]]
            and (after, records_after)
            == (
                version + 1,
                records + 1,
            )
        ):
            saved_by[saved[0]] += 1
            refusals[refused[0]] = refusals.get(refused[0], 0) + 1
        else:
            problems.append(
                f"pair {n} from version {version}: A {kinds['A']}; B {kinds['B']}; the database holds {name!r} at "
                f"version {after}, {records_after - records} new history records"
            )
    if problems:
        raise CheckFailed("; ".join(problems))
    how = ", ".join(f"{count} {kind}" for kind, count in sorted(refusals.items()))
    return f"{pairs} pairs: one saved each time (A {saved_by['A']}, B {saved_by['B']}), the other {how}; none lost"


@contextlib.contextmanager
def own_database(server: str) -> Iterator[str]:
    """A database of this run's own on the server (so two runs, or `make bench`, never share one), dropped after."""
    import psycopg

    name = f"load_pair_{os.getpid()}"
    with psycopg.connect(server, autocommit=True, connect_timeout=10) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    try:
        yield urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server, autocommit=True, connect_timeout=10) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def server_of(url: str) -> str:
    """Host, port and database of a URL, never its password."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or ''}{parts.path}"


def reachable(postgres: str | None, redis_url: str) -> None:
    """Both servers answer, or the run stops with a message saying what to set."""
    if not postgres:
        sys.exit(
            "--two-instances needs PostgreSQL: set DATABASE_URL=postgres://USER@HOST:PORT/DB or pass --postgres URL "
            "(a server where this run may create and drop a database of its own)"
        )
    if not redis_url:
        sys.exit("--two-instances needs Redis: set REDIS_URL, e.g. redis://127.0.0.1:6379/9 (a database no site uses)")
    import psycopg
    import redis

    try:
        psycopg.connect(postgres, connect_timeout=10).close()
    except psycopg.Error as error:
        sys.exit(f"PostgreSQL at {server_of(postgres)} does not answer: {error}")
    try:
        redis.Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5).ping()
    except (redis.RedisError, ValueError) as error:
        sys.exit(f"Redis at {server_of(redis_url)} does not answer: {error}")


def too_long(signum, frame) -> None:
    raise TooLong(f"the two-instance check took longer than {WHOLE_RUN} s; stopped")


def prepare_pair(size: int, env: dict, editors: dict) -> dict:
    """Migrate, fill and add the editors in a child process; returns the centre to edit."""
    out = in_child("--prepare-pair", size, env, given=json.dumps(editors), timeout=WHOLE_RUN)
    return json.loads(out.splitlines()[-1])


def run_checks(ports: dict, editors: dict, centre: dict, url: str, pairs: int) -> list[str]:
    """Each check in turn, its result printed; returns the titles of those that failed."""
    import psycopg

    browsers: dict[str, Browser] = {}
    failed = []
    with psycopg.connect(url, autocommit=True, connect_timeout=10) as db:
        checks = [
            ("1. a public page is served by both", lambda: check_public_pages(ports, centre)),
            ("1b. a login made through A holds on B", lambda: check_logins(ports, editors, browsers)),
            (
                "2. an edit through A is on B's pages at once",
                lambda: check_edit_shows_on_other(ports, browsers, centre, db),
            ),
            (
                "3. concurrent edits through A and B: one saved, one refused",
                lambda: check_concurrent_edits(browsers, centre, db, pairs),
            ),
        ]
        for title, check in checks:
            began = time.monotonic()
            try:
                result = "ok   " + check()
            except (CheckFailed, OSError, http.client.HTTPException, psycopg.Error) as error:
                failed.append(title)
                result = f"FAIL {error}"
            print(f"{result[:5]}{title}: {result[5:]} ({time.monotonic() - began:.1f} s)", flush=True)
    return failed


def two_instances(options: argparse.Namespace) -> None:
    """Two gunicorn instances on one PostgreSQL and one Redis: prints each check's result, exits 1 if one fails."""
    redis_url = os.environ.get("REDIS_URL", "")
    reachable(options.postgres, redis_url)
    size, workers = options.size or 1000, options.workers or 2
    editors = {name: (secrets.token_urlsafe(18), secrets.token_hex(20)) for name in EDITORS}
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))  # stop and clean up as after Ctrl-C
    signal.signal(signal.SIGALRM, too_long)
    start = time.monotonic()
    failed, finished = [], False
    with tempfile.TemporaryDirectory() as folder, own_database(options.postgres) as url:
        env = site_env(url)
        servers: list[subprocess.Popen] = []
        logs = {label: Path(folder) / f"gunicorn-{label}.log" for label in ("A", "B")}
        signal.alarm(WHOLE_RUN)
        try:
            centre = prepare_pair(size, env, editors)
            collect_static(env)
            ports = {"A": free_port()}
            ports["B"] = next(port for port in iter(free_port, None) if port != ports["A"])
            print(
                f"# PostgreSQL and Redis ({server_of(redis_url)}) shared by two instances, A on "
                f"127.0.0.1:{ports['A']} and B on :{ports['B']}, {workers} workers each; {size} centres",
                file=sys.stderr,
            )
            for label, port in ports.items():
                with logs[label].open("wb") as log:  # the child keeps its own copy of the file
                    servers.append(start_gunicorn(port, workers, env, log))
            for port in ports.values():
                wait_until_up(port, time.monotonic() + 60)
            failed = run_checks(ports, editors, centre, url, options.pairs)
            finished = True
        except TooLong as error:
            failed.append(str(error))
            print(f"FAIL {error}", flush=True)
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the clean-up has timeouts of its own
            for server in servers:
                stop_gunicorn(server)
            if failed or not finished:
                for label, log in logs.items():
                    if log.exists() and log.stat().st_size:
                        lines = log.read_text(errors="replace").splitlines()[-20:]
                        print(f"# gunicorn {label}, last lines:", *lines, sep="\n", file=sys.stderr)
    summary = "all checks passed" if not failed else f"{len(failed)} failed"
    print(f"# {summary}, in {time.monotonic() - start:.0f} s", file=sys.stderr)
    sys.exit(1 if failed else 0)


def load(options: argparse.Namespace) -> None:
    """The public pages under load (the first mode)."""
    from bench.run import database

    with tempfile.TemporaryDirectory() as folder, database(options.postgres, folder, options.size) as url:
        redis = "set" if os.environ.get("REDIS_URL") else "unset"
        print(f"# {'PostgreSQL' if options.postgres else 'SQLite'}, REDIS_URL {redis}", file=sys.stderr)
        processes = options.workers or f"gunicorn.conf.py's {(os.cpu_count() or 1) + 1}"
        print(f"# gunicorn workers: {processes}", file=sys.stderr)
        env = site_env(url)
        start = time.monotonic()
        paths = PATHS + prepare(options.size, env)
        print(f"# filled {options.size} centres in {time.monotonic() - start:.0f} s", file=sys.stderr)
        collect_static(env)
        port = free_port()
        server = start_gunicorn(port, options.workers, env, subprocess.DEVNULL)
        try:
            wait_until_up(port, time.monotonic() + 60)
            for path in paths:  # warm each worker's caches a little, as a running site is
                visitor(port, [path], time.monotonic() + 0.2, 0, [], [])
            results: list[tuple[float, str]] = []
            errors: list[str] = []
            until = time.monotonic() + options.seconds
            threads = [
                threading.Thread(target=visitor, args=(port, paths, until, n, results, errors))
                for n in range(options.clients)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(options.seconds + 30)
        finally:
            stop_gunicorn(server)

    times = [elapsed for elapsed, _path in results]
    quantiles = statistics.quantiles(times, n=100) if len(times) > 1 else [0.0] * 99
    print(
        f"| {options.size:,} centres | {options.clients} clients | {options.seconds} s | "
        f"{len(times) / options.seconds:.0f} req/s | errors {len(errors)} | "
        f"p50 {quantiles[49]:.0f} ms | p95 {quantiles[94]:.0f} ms | p99 {quantiles[98]:.0f} ms |"
    )
    # Pages without a search are served from the anonymous page cache once warm; searches never are.
    searches = [elapsed for elapsed, path in results if any(f"{name}=" in path for name in SEARCH_PARAMETERS)]
    if len(searches) > 1:
        cut = statistics.quantiles(searches, n=100)
        print(
            f"| searches only | {len(searches) / options.seconds:.0f} req/s | "
            f"p50 {cut[49]:.0f} ms | p95 {cut[94]:.0f} ms | p99 {cut[98]:.0f} ms |"
        )
    by_path: dict[str, list[float]] = {}
    for elapsed, path in results:
        by_path.setdefault(path, []).append(elapsed)
    for path, path_times in sorted(by_path.items(), key=lambda item: -statistics.median(item[1])):
        print(f"#   median {statistics.median(path_times):4.0f} ms  max {max(path_times):4.0f} ms  {path}")
    if errors:
        print("errors:", sorted(set(errors))[:10])
        sys.exit(1)


# --overhead -----------------------------------------------------------------------------------------------------

# Our pages that a request's fixed cost caps: a template alone, and the home (both from the anonymous page cache).
OVERHEAD_PAGES = [("bare Django project (bench/bare.py)", "/", "bench.bare:application")] + [
    (f"this site {path}", path, "directory.wsgi") for path in ("/ru/safety/", "/ru/")
]


def throughput(port: int, path: str, clients: int, seconds: int) -> tuple[float, int]:
    """Requests a second that `clients` visitors asking for `path` back to back get, and the errors."""
    visitor(port, [path], time.monotonic() + 1, 0, [], [])  # warm up
    results: list = []
    errors: list = []
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=visitor, args=(port, [path], until, n, results, errors)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 30)
    return len(results) / seconds, len(errors)


def overhead(options: argparse.Namespace) -> None:
    """A request's fixed cost: this site's plainest pages against a bare Django project on the same gunicorn, one
    server at a time, over a SQLite file with no centres."""
    with tempfile.TemporaryDirectory() as folder:
        env = site_env(f"sqlite:///{folder}/db.sqlite3")
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=300)
        collect_static(env)
        workers = options.workers or 2
        print(f"# {workers} gunicorn workers, {options.clients} clients, {options.seconds} s a page", file=sys.stderr)
        rates = []
        for label, path, app in OVERHEAD_PAGES:
            port = free_port()
            server = start_gunicorn(port, workers, env, subprocess.DEVNULL, app=app)
            try:
                wait_until_up(port, time.monotonic() + 60, path)
                rate, errors = throughput(port, path, options.clients, options.seconds)
            finally:
                stop_gunicorn(server)
            rates.append(rate)
            print(f"| {label} | {rate:.0f} req/s | {rate / rates[0]:.2f}× the bare project | errors {errors} |")
            if errors:
                sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--size", type=int, help="centres in the directory (default 100,000; 1,000 with --two-instances)"
    )
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument(
        "--workers",
        type=int,
        help="gunicorn workers of each instance (default: gunicorn.conf.py's, the cores + 1; 2 with --two-instances)",
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get("DATABASE_URL") if os.environ.get("DATABASE_URL", "").startswith("postgres") else None,
        help="serve from a database made on this PostgreSQL server (default: DATABASE_URL when it names PostgreSQL)",
    )
    parser.add_argument(
        "--two-instances",
        action="store_true",
        help="check two gunicorn instances sharing PostgreSQL and Redis: edits shown at once, concurrent edits refused",
    )
    parser.add_argument("--pairs", type=int, default=10, help="concurrent edit pairs with --two-instances")
    parser.add_argument(
        "--overhead",
        action="store_true",
        help="this site's plainest pages against a bare Django project on the same gunicorn (a request's fixed cost)",
    )
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--prepare-pair", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.prepare:
        fill(options.prepare)
    elif options.prepare_pair:
        fill_pair(options.prepare_pair)
    elif options.two_instances:
        two_instances(options)
    elif options.overhead:
        overhead(options)
    else:
        options.size = options.size or 100_000
        load(options)


if __name__ == "__main__":
    main()
