"""The shared small world of the tests, and plain helpers to vary it."""

import datetime
import importlib
import io
import os
import threading
import time
import zipfile
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django import forms
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.core.cache import cache, caches
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import settings as hypothesis_settings

from centres import languages
from centres.caching import DATA_VERSION_KEY
from centres.exports import centre_rows, iter_csv
from centres.geo import load_places
from centres.models import Centre, CentrePhone, Compliance, Counter, CountryRules, Hotline, Operator, Place, Region
from centres.roles import sync_groups
from centres.second_factor import must_verify

# Property tests: `make test` tries a few examples of each, `make test-deep` (HYPOTHESIS_PROFILE=deep) the full count.
hypothesis_settings.register_profile("quick", max_examples=30)
hypothesis_settings.register_profile("deep", max_examples=150)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))


@pytest.fixture(autouse=True, scope="session")
def fast_password_hasher():
    """Passwords hashed with MD5 in tests: production's PBKDF2 spends about a third of a second, by design, on every
    password set or checked. Set once for the whole process, so the browser tests' live server, a thread of it,
    hashes the same way."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True, scope="session")
def rate_limits_out_of_the_way():
    """Tests make many requests a minute from one address; the tests of the limits set their own."""
    limits = {kind: "100000/m" for kind in ("search", "export", "login", "correction", "api")}
    with override_settings(RATE_LIMITS=limits):
        yield


@pytest.fixture
def almaty(db) -> Place:
    region, _ = Region.objects.get_or_create(
        code="KZ-75",
        defaults={
            "country": "KZ",
            "name_en": "Almaty",
            "name_ru": "Алматы",
            "name_kk": "Алматы",
            "search_names": ";almaty;алматы;",
        },
    )
    place, _ = Place.objects.get_or_create(
        geonameid=1526384,
        defaults={
            "country": "KZ",
            "region": region,
            "name_en": "Almaty",
            "name_ru": "Алматы",
            "name_kk": "Алматы",
            "alternate_names": "Alma-Ata;Алма-Ата",
            "population": 1977011,
            "latitude": Decimal("43.252490"),
            "longitude": Decimal("76.911500"),
            "search_names": ";almaty;алматы;alma-ata;алма-ата;",
        },
    )
    return place


@pytest.fixture(autouse=True)
def main_language():
    """Each test starts in the site's main language, whatever page the one before it requested: a translated text's
    unsuffixed name (`centre.hours`) reads and writes the active language's column (centres/languages.py)."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rules, hotlines and anonymous pages are cached across requests; each test starts from its own database, so
    from empty caches too (a test's saves are rolled back before their on_commit could drop anything)."""
    in_memory = [caches[alias] for alias in settings.CACHES if alias != "counters"]  # counters: in the test's database
    for each in in_memory:
        each.clear()
    yield
    for each in in_memory:
        each.clear()


def make_operator(**overrides) -> Operator:
    values = {"name": "Общественный фонд «Шанырак»", "kind": "cso"}
    values.update(overrides)
    return Operator.objects.create(**values)


def make_centre(*, phones=(), compliance=None, **overrides) -> Centre:
    """A centre with sensible defaults; `phones` are (label, number, answers_24_7) triples."""
    values = {
        "name": "Кризисный центр «Жан»",
        "country": "KZ",
        "services": ["shelter", "psychological"],
        "audiences": ["women", "children"],
        "languages": ["kk", "ru"],
        "last_verified_on": datetime.date(2026, 10, 1),
        "published": True,
    }
    values.update(overrides)
    for text in Centre.TRANSLATED:  # a test's `hours=` means the main text, whatever language is active
        if text in values:
            values[languages.main(text)] = values.pop(text)
    centre = Centre.objects.create(**values)
    for position, (label, number, answers_24_7) in enumerate(phones):
        CentrePhone.objects.create(
            centre=centre, label=label, number=number, answers_24_7=answers_24_7, position=position
        )
    Compliance.objects.create(centre=centre, **(compliance or {}))
    return centre


@pytest.fixture
def thresholds(db) -> CountryRules:
    """Kazakhstan with a minimum premises area of 60 m² (the law's figure is not public; tests pick one)."""
    rules = CountryRules.objects.get(country="KZ")
    rules.min_premises_area_m2 = Decimal("60")
    rules.save()
    return rules


def make_user(username: str, group: str | None = None, **flags) -> User:
    user = User.objects.create_user(username=username, password="a long test password 1", **flags)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def sign_in(client, user: User) -> None:
    """Log `user` in, with the second factor done when the login needs one (as after entering a code)."""
    client.force_login(user)
    if must_verify(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        device = device or TOTPDevice.objects.create(user=user, name="test app", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def current_code(device: TOTPDevice) -> str:
    """The code the authenticator app shows now for `device`."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{code:0{device.digits}d}"


@pytest.fixture
def editor(db) -> User:
    return make_user("editor", "editor", is_staff=True)


@pytest.fixture
def advocate(db) -> User:
    return make_user("advocate", "advocate")


@pytest.fixture
def editor_client(client, editor):
    """An editor's browser, in English so that tests can read messages (the default language is Russian)."""
    sign_in(client, editor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def csv_of(centres) -> str:
    """The CSV file of every column that `export_centres` writes for these centres."""
    return "".join(iter_csv(centre_rows(centres)))


# -- the editor area's change form, as a browser submits it ------------------------------------------------------


def change_url(centre: Centre) -> str:
    return reverse("admin:centres_centre_change", args=[centre.pk])


def form_data(client, url: str) -> dict:
    """The change form's data exactly as the browser would submit it, unchanged."""
    form = client.get(url).context["adminform"].form
    response = client.get(url)
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        value = value() if callable(value) else value
        if value is None and isinstance(field, forms.MultipleChoiceField):
            value = []  # a browser submits nothing for unticked boxes
        if isinstance(field, forms.MultiValueField):  # date and time in two boxes, name_0 and name_1
            for index, part in enumerate(field.widget.decompress(value)):
                data[f"{name}_{index}"] = "" if part is None else part
            continue
        data[name] = "" if value is None else value
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        prefix = formset.formset.prefix
        for key in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{prefix}-{key}"] = management.initial.get(key, management[key].value())
        for sub in formset.formset.forms:
            for name, field in sub.fields.items():
                value = sub.initial.get(name, field.initial)
                if hasattr(value, "pk"):
                    value = value.pk
                data[f"{sub.prefix}-{name}"] = "" if value is None else value
    return {key: _encode(value) for key, value in data.items()}


def errors(response) -> list:
    """The form and inline errors of a re-rendered admin form, for assertion messages."""
    found = [response.context["adminform"].form.errors]
    found += [formset.formset.errors for formset in response.context["inline_admin_formsets"]]
    return found + [str(m) for m in response.context.get("messages", [])]


def _encode(value):
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, list):
        return value
    if hasattr(value, "pk"):
        return value.pk
    return value


def with_member(data: bytes, name: str, content: bytes) -> bytes:
    """An XLSX (or any ZIP) file with one more member."""
    stream = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(stream, "w") as target:
        for member in source.infolist():
            target.writestr(member, source.read(member.filename))
        target.writestr(name, content)
    return stream.getvalue()


def admin_urls(obj_by_model: dict) -> list[tuple[str, str]]:
    """(kind, url) of every page of every model in the editor area: list, add, and for one record (the one given
    for its model, else the first) change, history and delete."""
    urls = []
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(("list", reverse("admin:{}_{}_changelist".format(*info))))
        urls.append(("add", reverse("admin:{}_{}_add".format(*info))))
        obj = obj_by_model.get(model) or model._default_manager.first()
        if obj is not None:
            for view in ("change", "history", "delete"):
                urls.append((view, reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[obj.pk])))
    return urls


# -- queries per page ----------------------------------------------------------------------------------------------


def count_queries(client, url: str, params: dict | None = None, *, kept: str = "rules") -> int:
    """The queries of one request for `url`, after a first one. `kept` says what the caches still hold: "rules"
    (the country rules and hotlines, but no page or number computed under the old data version: the request does
    its own work, as the first one after any edit), "everything" (what the first request kept, as for the rest of
    the minute) or "nothing" (the first request after a restart)."""
    client.get(url, params)
    if kept == "rules":
        cache.delete(DATA_VERSION_KEY)
    elif kept == "nothing":
        for each in caches.all():
            each.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(page_queries(captured))


def page_queries(captured: CaptureQueriesContext) -> list[dict]:
    """The queries of a page itself: without the rate limit's counter (two statements on a limited page, in the
    database only when there is no Redis; tests/test_limits.py measures them)."""
    return [query for query in captured.captured_queries if Counter._meta.db_table not in query["sql"]]


class InFlight:
    """Requests the browser tests' live server is still answering. TransactionTestCase empties every table after
    a test; on SQLite's shared in-memory database a request still reading a table then makes that fail ("database
    table is locked"), and the next test starts with the last one's rows. So the tables are emptied only once the
    server is idle."""

    def __init__(self):
        self.count, self.started, self.lock = 0, 0, threading.Condition()

    def wrap(self, application):
        def tracked(environ, start_response):
            with self.lock:
                self.count += 1
                self.started += 1
            result = None
            try:
                result = application(environ, start_response)
                yield from result
            finally:
                if hasattr(result, "close"):
                    result.close()  # Django's end of request (yield from closes only generators)
                with self.lock:
                    self.count -= 1
                    self.lock.notify_all()

        return tracked

    def wait_until_idle(self, seconds: float = 10, settle: float = 0.2) -> None:
        """Until no request is being answered and none has started for `settle` seconds: a request the browser
        sent before its context closed may still wait in the server's queue, uncounted, when the count is 0."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                self.lock.wait_for(lambda: self.count == 0, timeout=max(deadline - time.monotonic(), 0))
                started = self.started
            time.sleep(settle)
            with self.lock:
                if self.count == 0 and self.started == started:
                    return


LIVE_SERVER_REQUESTS = InFlight()


@pytest.fixture
def migration_data(transactional_db) -> Iterator[None]:
    """The gazetteer, the groups and the hotlines that migrations load, loaded again: the live server needs committed
    data, and TransactionTestCase flushes every table after each test. (serialized_rollback cannot restore them here:
    while Playwright's sync API runs, Django hands this thread a fresh connection object, without the contents
    serialized on the one that created the test database.) The loaders are idempotent."""
    load_places(Place, Region)
    sync_groups(django_apps)
    importlib.import_module("centres.migrations.0003_rules_and_hotlines").load(django_apps, None)
    for english, names in importlib.import_module("centres.migrations.0024_texts_per_language").KNOWN_RUN_BY.items():
        Hotline.objects.filter(run_by_en__isnull=True, run_by_ru=english).update(
            **{languages.column("run_by", code): name for code, name in names.items()}
        )
    cache.clear()  # hotlines and country rules are cached: an earlier test may have cached them from an empty table
    yield
    LIVE_SERVER_REQUESTS.wait_until_idle()  # before the tables are emptied
