"""Survivor safety and privacy on the public site (DESIGN.md section 6): what no public response may say or do."""

import datetime
import logging
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.datastructures import CaseInsensitiveMapping
from django.utils.translation import gettext

from centres import filters, selectors
from centres.errors import PrivateExceptionReporter
from centres.geo import distance_km
from centres.models import Centre, CountryRules, Place
from centres.public import views
from centres.public.presentation import admission_facts, centre_view
from tests.conftest import make_centre, make_operator, make_user, sign_in

pytestmark = pytest.mark.django_db

ALMATY, KONAEV, TALGAR = 1526384, 1519948, 1516964
LANGUAGES = [code for code, _name in settings.LANGUAGES]

# Distinctive enough that finding any of them in a page can only mean a leak.
HIDDEN_ADDRESS, CITY_ONLY_ADDRESS = "ул. Секретная 7", "пр. Потайной 13"
HIDDEN_POINT = (Decimal("43.301234"), Decimal("77.045678"))
CITY_ONLY_POINT = (Decimal("43.187654"), Decimal("76.812345"))


@pytest.fixture
def almaty_place(db) -> Place:
    return Place.objects.get(pk=ALMATY)


def make_secret_centres(city: Place) -> tuple:
    """A hidden and a city-only shelter in `city`, each with an address and a point that must never be public."""
    fresh = timezone.now() - datetime.timedelta(days=1)
    hidden = make_centre(
        name="Убежище «Тайна»",
        city=city,
        operator=make_operator(),
        address=HIDDEN_ADDRESS,
        address_visibility="hidden",
        latitude=HIDDEN_POINT[0],
        longitude=HIDDEN_POINT[1],
        beds_free=4,
        beds_free_updated_at=fresh,
        phones=[("Дежурный", "+7 727 000 0001", True)],
    )
    city_only = make_centre(
        name="Дом «Ласточка»",
        city=city,
        address=CITY_ONLY_ADDRESS,
        address_visibility="city",
        latitude=CITY_ONLY_POINT[0],
        longitude=CITY_ONLY_POINT[1],
        beds_free=6,
        beds_free_updated_at=fresh,
    )
    return hidden, city_only


@pytest.fixture
def secret_centres(almaty_place):
    """A hidden and a city-only shelter in Almaty, each with an address and a point that must never be public."""
    return make_secret_centres(almaty_place)


def coordinate_spellings(value: Decimal) -> set[str]:
    """A coordinate as a page might print it: to 3-6 decimals, with a point or a comma."""
    spellings = set()
    for places in (3, 4, 5, 6):
        text = f"{value:.{places}f}"
        spellings |= {text, text.replace(".", ","), text[: text.index(".") + places + 1]}
    return spellings


SECRETS = {HIDDEN_ADDRESS, CITY_ONLY_ADDRESS, "Секретная", "Потайной"}
for _point in (HIDDEN_POINT, CITY_ONLY_POINT):
    for _value in _point:
        SECRETS |= coordinate_spellings(_value)


# --- the sweep: every public page, requested once for the whole module -----------------------------------------

# Each page in every language, in that order; `{hidden}` and `{city_only}` stand for the secret centres' slugs.
PUBLIC_PATHS = [
    "/{lang}/",
    "/{lang}/centres/",
    "/{lang}/centres/?q=алматы",
    "/{lang}/centres/?q=Almaty&beds_free=on",
    "/{lang}/centres/?near=Алматы",
    "/{lang}/centres/?near=Almaty&radius_km=50",
    "/{lang}/centres/?lat=43.30&lon=77.05",
    f"/{{lang}}/centres/?near_place={KONAEV}",
    "/{lang}/centres/?near=Аксу",
    "/{lang}/centres/?near=Алмааты",
    "/{lang}/centres/{hidden}/",
    "/{lang}/centres/{city_only}/",
    "/{lang}/centres/{hidden}/correction/",
    "/{lang}/centres/{hidden}/correction/thanks/",
    "/{lang}/countries/kz/",
    "/{lang}/safety/",
    "/{lang}/centres/no-such-centre/",
    "/{lang}/no-such-page/",
]
PUBLIC_PAGES = [path.replace("{lang}", lang) for lang in LANGUAGES for path in PUBLIC_PATHS]
# And the answers that are not a page in a language: the root's and quick exit's redirects, a 404 outside every
# language, a country code in capitals (redirected).
OTHER_RESPONSES = ["/", "/exit/", "/no-such-page/", "/ru/countries/KZ/", "/robots.txt", "/sitemap.xml"]
OTHER_RESPONSES += ["/sitemap-pages.xml", "/sitemap-centres.xml"]


@dataclass
class Page:
    """One response of the sweep, kept as plain values once the request and its data are gone."""

    url: str
    status_code: int
    headers: Mapping[str, str]  # case-insensitive, as `response.headers`
    cookies: dict[str, str]
    html: str

    def __getitem__(self, header: str) -> str:
        return self.headers[header]

    @cached_property
    def scan(self) -> "PageScan":
        return scan_html(self.html)


@dataclass
class Sweep:
    pages: dict[str, Page]  # by entry of PUBLIC_PAGES or OTHER_RESPONSES
    client_cookies: dict[str, str]  # what the visitor's browser kept after all of them
    rows_before: dict[str, int]  # of each table of the centres app, before the sweep made its centres


@pytest.fixture(scope="module")
def sweep(django_db_setup, django_db_blocker) -> Sweep:
    """Every page of the sweep, requested once by one anonymous visitor while the secret centres exist.

    The centres are created in a transaction that is rolled back before any test runs, and the caches (which then
    hold pages and a data version of them) are emptied before and after, so no other test sees any of it. The test
    database exists because this module's tests are marked `django_db` (pytest-django sets up only the databases
    that the selected tests' marks ask for).
    """
    pages = {}
    with django_db_blocker.unblock(), translation.override(translation.get_language()):
        rows_before = centres_rows()
        clear_caches()
        try:
            with transaction.atomic():
                hidden, city_only = make_secret_centres(Place.objects.get(pk=ALMATY))
                client = Client()
                for entry in [*PUBLIC_PAGES, *OTHER_RESPONSES]:
                    url = entry.format(hidden=hidden.slug, city_only=city_only.slug)
                    response = client.get(url)
                    pages[entry] = Page(
                        url=url,
                        status_code=response.status_code,
                        headers=CaseInsensitiveMapping(dict(response.headers.items())),
                        cookies={name: morsel.OutputString() for name, morsel in response.cookies.items()},
                        html=response.content.decode(),
                    )
                client_cookies = {name: morsel.OutputString() for name, morsel in client.cookies.items()}
                transaction.set_rollback(True)
        finally:
            clear_caches()
    return Sweep(pages, client_cookies, rows_before)


def centres_rows() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_app_config("centres").get_models()}


def clear_caches() -> None:
    for each in caches.all():
        each.clear()


def test_the_sweep_leaves_the_database_as_it_found_it(sweep):
    assert centres_rows() == sweep.rows_before
    assert not Centre.objects.filter(address__in=[HIDDEN_ADDRESS, CITY_ONLY_ADDRESS]).exists()


@pytest.mark.parametrize("entry", [*PUBLIC_PAGES, "/no-such-page/"])
def test_hidden_and_city_only_addresses_and_points_never_reach_a_public_page(sweep, entry):
    response = sweep.pages[entry]
    url = response.url
    assert response.status_code in (200, 404), url
    html = response.html
    for secret in SECRETS:
        assert secret not in html, (url, secret)


def test_the_centres_are_listed_but_a_search_for_their_address_finds_nothing(client, secret_centres):
    response = client.get("/en/centres/", {"q": "алматы"})
    assert {view.name for view in response.context["centres"]} == {"Убежище «Тайна»", "Дом «Ласточка»"}
    html = client.get(f"/en/centres/{secret_centres[0].slug}/").content.decode()
    assert "Address given by phone." in html
    html = client.get(f"/en/centres/{secret_centres[1].slug}/").content.decode()
    assert "Exact address given by phone." in html
    assert "Almaty" in html
    for word in ("Секретная", "Потайной", "7"):
        assert not client.get("/en/centres/", {"q": word}).context["centres"]


@pytest.mark.parametrize(
    "params",
    [
        {"lat": "43.35", "lon": "77.10"},  # north-east, a few km from the hidden shelter
        {"lat": "43.10", "lon": "76.70"},  # south-west, near the city-only one
        {"lat": "43.60", "lon": "76.50"},  # north-west
        {"near": "Конаев"},
        {"near": "Талгар"},
    ],
)
def test_distances_to_hidden_and_city_only_centres_are_from_the_city_centre(client, secret_centres, params):
    """Were distances measured to the real points, three of them would give the shelter's position away."""
    city = Place.objects.get(pk=ALMATY)
    response = client.get("/en/centres/", params)
    origin = response.context["result"].origin
    shown = {view.name: view.distance_km for view in response.context["centres"]}
    html = response.content.decode()
    for centre, point in zip(secret_centres, (HIDDEN_POINT, CITY_ONLY_POINT), strict=True):
        to_city = round(distance_km(origin.latitude, origin.longitude, city.latitude, city.longitude))
        to_point = round(distance_km(origin.latitude, origin.longitude, *point))
        assert to_city != to_point  # else this query point would prove nothing
        assert shown[centre.name] == to_city
        assert f"{to_point} km away" not in html
        assert f"{to_city} km away" in html


def test_the_point_a_page_may_use_is_the_city_centre(secret_centres, almaty_place):
    for centre in secret_centres:
        centre.refresh_from_db()
        assert (centre.public_latitude, centre.public_longitude) == (almaty_place.latitude, almaty_place.longitude)


PRIVATE_COLUMNS = ('"latitude"', '"longitude"', '"internal_notes"', '"search_words"', '"source"')


@pytest.mark.parametrize(
    "url",
    ["/en/centres/", "/en/centres/?q=almaty", "/en/centres/?near=Almaty", "/en/countries/kz/", "/en/centres/{slug}/"],
)
def test_public_pages_never_read_a_centres_exact_point_or_internal_notes(secret_centres, url):
    """What a page does not read it cannot leak: the cards' query names the columns they show, and no others."""
    client = Client()
    sign_in(client, make_user("advocate-reader", "advocate"))  # logged in: the page is made afresh
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url.format(slug=secret_centres[0].slug))
    assert response.status_code == 200
    reads = [query["sql"] for query in queries if 'FROM "centres_centre"' in query["sql"] and "SELECT" in query["sql"]]
    shown = [sql for sql in reads if '"centres_centre"."slug"' in sql]
    assert shown, reads  # else this test would prove nothing
    for sql in shown:
        for column in PRIVATE_COLUMNS:
            assert f'"centres_centre".{column}' not in sql, (url, column)


def test_a_card_and_a_centre_page_read_nothing_after_their_query(secret_centres):
    """Every column `centre_view` and `admission_facts` use is read with the centre (`CARD_COLUMNS`): a column
    left out would cost a query per card, and fail here."""
    rules = CountryRules.for_countries()
    cards = list(Centre.objects.filter(pk__in=[centre.pk for centre in secret_centres]).for_cards())
    with CaptureQueriesContext(connection) as queries:
        for centre in cards:
            centre_view(centre, rules, trusted=True)
            centre_view(centre, rules, trusted=False)
            admission_facts(centre)
    assert not queries.captured_queries
    assert len(cards) == 2


# --- cookies ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", [*PUBLIC_PAGES, *OTHER_RESPONSES])
def test_no_public_response_sets_a_cookie_for_an_anonymous_visitor(sweep, entry):
    response = sweep.pages[entry]
    url = response.url
    assert not response.cookies, url
    assert "Set-Cookie" not in response.headers, url


def test_an_anonymous_visitor_ends_the_sweep_with_no_cookie(sweep):
    assert not sweep.client_cookies


def test_a_session_cookie_left_over_from_a_login_gets_no_answer_for_an_anonymous_visitor(client):
    client.cookies[settings.SESSION_COOKIE_NAME] = "stale-session-key"
    client.cookies[settings.CSRF_COOKIE_NAME] = "stale-csrf-token"
    for url in ("/ru/", "/ru/centres/?q=x", "/ru/no-such-page/", "/exit/"):
        assert "Set-Cookie" not in client.get(url).headers, url


# --- headers and HTML of every public page ----------------------------------------------------------------------


class PageScan(HTMLParser):
    """What a page's markup refers to and lets a keyboard reach, in document order."""

    FOCUSABLE_INPUTS = {"input", "select", "textarea", "button", "summary", "iframe"}
    TEXT_INPUTS = {"text", "search", "number", "email", "tel", "url", ""}

    def __init__(self):
        super().__init__()
        self.in_body = False
        self.focusable: list[tuple[str, dict]] = []
        self.scripts: list[dict] = []
        self.styled: list[str] = []
        self.style_elements = 0
        self.references: list[str] = []
        self.text_inputs: list[dict] = []
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "body":
            self.in_body = True
        if "style" in attributes:
            self.styled.append(tag)
        if tag == "style":
            self.style_elements += 1
        if tag == "script":
            self.scripts.append(attributes)
        if tag == "form":
            self.forms.append(attributes)
        for name in ("src", "href", "action", "formaction", "srcset", "poster", "data", "background"):
            if name in attributes:
                self.references.append(attributes[name])
        if tag == "input" and attributes.get("type", "") in self.TEXT_INPUTS:
            self.text_inputs.append(attributes)
        if self.in_body and self._focusable(tag, attributes):
            self.focusable.append((tag, attributes))

    def _focusable(self, tag: str, attributes: dict) -> bool:
        if attributes.get("tabindex") == "-1" or "disabled" in attributes:
            return False
        if tag == "a":
            return "href" in attributes
        if tag == "input":
            return attributes.get("type") != "hidden"
        return tag in self.FOCUSABLE_INPUTS or "tabindex" in attributes


def scan(response) -> PageScan:
    return scan_html(response.content.decode())


def scan_html(html: str) -> PageScan:
    page = PageScan()
    page.feed(html)
    return page


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def html_page(sweep: Sweep, entry: str) -> tuple[str, Page]:
    """The url and response of a public page of the sweep, which must be HTML."""
    response = sweep.pages[entry]
    assert response["Content-Type"].startswith("text/html"), response.url
    return response.url, response


@pytest.mark.parametrize("entry", PUBLIC_PAGES)
def test_every_public_page_is_sent_with_no_store_no_referrer_and_a_strict_csp(sweep, entry):
    url, response = html_page(sweep, entry)
    assert response["Cache-Control"] == "no-store", url
    assert response["Referrer-Policy"] == "no-referrer", url
    assert "unsafe-inline" not in response["Content-Security-Policy"], url
    assert "unsafe-eval" not in response["Content-Security-Policy"], url
    directives = csp_directives(response)
    assert directives["script-src"] == ["'self'"], url
    assert directives["style-src"] == ["'self'"], url
    assert directives["default-src"] == ["'self'"], url
    assert directives["frame-ancestors"] == ["'none'"], url


@pytest.mark.parametrize("url", ["/exit/", "/"])
def test_quick_exit_and_the_root_redirect_have_the_same_headers(sweep, url):
    response = sweep.pages[url]
    assert response["Cache-Control"] == "no-store", url
    assert response["Referrer-Policy"] == "no-referrer", url


@pytest.mark.parametrize("entry", PUBLIC_PAGES)
def test_every_public_page_has_only_our_own_scripts_and_no_inline_style(sweep, entry):
    url, response = html_page(sweep, entry)
    page = response.scan
    assert page.scripts, url
    for script in page.scripts:
        assert script.get("src", "").startswith("/static/"), url
    assert page.styled == [], url
    assert page.style_elements == 0, url


@pytest.mark.parametrize("entry", PUBLIC_PAGES)
def test_no_public_page_refers_the_browser_to_another_site(sweep, entry):
    url, response = html_page(sweep, entry)
    for reference in response.scan.references:
        if reference.startswith(("tel:", "mailto:")):
            continue
        assert re.match(r"^(/(?!/)|\?|#)", reference), (url, reference)
    assert "://" not in re.sub(r">[^<]*<", "><", response.html), url  # in markup, not in text


def test_a_centre_website_is_shown_as_text_not_as_a_link(client, almaty_place):
    centre = make_centre(name="With a website", city=almaty_place, website="https://example.org/shelter")
    response = client.get(f"/en/centres/{centre.slug}/")
    assert "example.org/shelter" in response.content.decode()
    assert not [ref for ref in scan(response).references if "example.org" in ref]


@pytest.mark.parametrize("entry", PUBLIC_PAGES)
def test_search_fields_have_autocomplete_off(sweep, entry):
    url, response = html_page(sweep, entry)
    page = response.scan
    for field in page.text_inputs:
        assert field.get("autocomplete") == "off", (url, field)
    for form in page.forms:
        if form.get("method", "get").lower() == "get":
            assert form.get("autocomplete") == "off", (url, form)


def test_the_home_page_has_the_search_fields(sweep):
    home = sweep.pages["/ru/"].scan
    assert {field["name"] for field in home.text_inputs} >= {"q", "near"}


@pytest.mark.parametrize("entry", PUBLIC_PAGES)
def test_quick_exit_is_the_first_thing_a_keyboard_reaches_on_every_public_page(sweep, entry):
    url, response = html_page(sweep, entry)
    tag, attributes = response.scan.focusable[0]
    assert (tag, attributes["href"]) == ("a", "/exit/"), url


def test_quick_exit_forgets_the_site_and_goes_somewhere_neutral(client):
    response = client.get("/exit/")
    assert response.status_code == 302
    assert response["Location"] == settings.QUICK_EXIT_URL
    cleared = {part.strip() for part in response["Clear-Site-Data"].split(",")}
    assert cleared >= {'"cache"', '"cookies"', '"storage"'}
    assert not response.cookies


@override_settings(QUICK_EXIT_URL="http://127.0.0.1:9/weather")
def test_quick_exit_goes_where_the_settings_say(client):
    assert client.get("/exit/")["Location"] == "http://127.0.0.1:9/weather"


# --- logs and error reports -------------------------------------------------------------------------------------


@pytest.fixture
def request_log(caplog):
    logger = logging.getLogger("centres.requests")
    logger.addHandler(caplog.handler)  # the logger does not propagate to the root, where caplog listens
    caplog.set_level(logging.DEBUG)
    yield caplog
    logger.removeHandler(caplog.handler)


# What a visitor typed. Spelled out of pieces so that no source line a traceback shows contains them.
TYPED = ("-".join(["secret", "place"]), "".join(["тай", "на"]), "%D1%82%D0%B0%D0%B9")
# A position sent already rounded, and as Python writes the floats it is then held in; spelled out of pieces too.
ROUNDED_POSITION = {"lat": "43." + "30", "lon": "77." + "00"}
AS_HELD = ("43." + "3", "77." + "0")


def typed_search():
    return RequestFactory().get(
        "/ru/centres/",
        {"near": TYPED[0], "q": TYPED[1]},
        HTTP_REFERER=f"https://example.org/?near={TYPED[0]}",
    )


def test_requests_are_logged_by_path_only(client, secret_centres, request_log):
    client.get("/ru/centres/", {"q": "тайна", "near": "secret-place", "lat": "43.30", "lon": "77.05"})
    client.get("/ru/centres/no-such-centre/", {"near": "secret-place"})
    messages = [record.getMessage() for record in request_log.records]
    logged_requests = [record for record in request_log.records if record.name == "centres.requests"]
    requests = [(record.method, record.path, record.status) for record in logged_requests]
    assert ("GET", "/ru/centres/", 200) in requests
    assert ("GET", "/ru/centres/no-such-centre/", 404) in requests
    logged = "\n".join([*messages, request_log.text])
    for secret in ("secret-place", "тайна", "%D1%82", "43.30", "?"):
        assert secret not in logged


def failing_search_report(monkeypatch) -> PrivateExceptionReporter:
    """The error report of a search that fails while resolving the place a visitor typed."""

    def broken(name, country=None):
        raise RuntimeError(f"the gazetteer has no {name}")

    monkeypatch.setattr(filters, "resolve_place", broken)
    request = typed_search()
    try:
        views.centre_list(request)
    except RuntimeError:
        return PrivateExceptionReporter(request, *sys.exc_info())
    raise AssertionError("the search did not fail")


def test_error_reports_leave_out_what_the_visitor_searched_for(monkeypatch):
    reporter = failing_search_report(monkeypatch)
    text, html = reporter.get_traceback_text(), reporter.get_traceback_html()
    for report in (text, html):
        assert "/ru/centres/" in report
        assert "RuntimeError" in report
        for secret in (*TYPED, "example.org"):
            assert secret not in report


def test_error_reports_leave_out_a_position_sent_already_rounded(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the square could not be found")

    monkeypatch.setattr(selectors, "Nearest", broken)
    request = RequestFactory().get("/ru/centres/", ROUNDED_POSITION)
    try:
        views.centre_list(request)
    except RuntimeError:
        reporter = PrivateExceptionReporter(request, *sys.exc_info())
    else:
        raise AssertionError("the search did not fail")
    for report in (reporter.get_traceback_text(), reporter.get_traceback_html()):
        assert "RuntimeError" in report
        for secret in AS_HELD:
            assert secret not in report


@override_settings(DEBUG=True)
def test_the_debug_page_of_a_public_view_leaves_out_get_parameters_too(client, monkeypatch):
    monkeypatch.setattr(filters, "resolve_place", lambda name, country=None: 1 / 0)
    client.raise_request_exception = False
    response = client.get("/ru/centres/", {"near": TYPED[0], "q": TYPED[1], "with_children": "on"})
    assert response.status_code == 500
    html = response.content.decode()
    assert "division by zero" in html  # what went wrong is still reported
    for secret in TYPED:
        assert secret not in html


# --- places free and verification -------------------------------------------------------------------------------


def places_free_text(response) -> str:
    match = re.search(r"Places free</dt>\s*<dd[^>]*>(.*?)</dd>", response.content.decode(), re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else ""


def test_a_stale_places_free_figure_says_call_to_check_and_does_not_count(
    client, almaty_place, django_capture_on_commit_callbacks
):
    stale = make_centre(
        name="Stale figure",
        city=almaty_place,
        address_visibility="public",
        address="пр. Абая 1",
        beds_free=5,
        beds_free_updated_at=timezone.now() - datetime.timedelta(days=8),
    )
    assert places_free_text(client.get(f"/en/centres/{stale.slug}/")) == "call to check"
    with translation.override("ru"):
        assert gettext("call to check") in client.get(f"/ru/centres/{stale.slug}/").content.decode()
    assert not client.get("/en/centres/", {"beds_free": "on"}).context["centres"]
    stale.beds_free_updated_at = timezone.now() - datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):  # as the commit of the editor's save would
        stale.save()
    assert places_free_text(client.get(f"/en/centres/{stale.slug}/")).startswith("5 ")
    assert client.get("/en/centres/", {"beds_free": "on"}).context["centres"]


def test_exact_places_free_of_hidden_and_city_only_shelters_only_for_logged_in_users(client, secret_centres):
    for centre in secret_centres:
        response = client.get(f"/en/centres/{centre.slug}/")
        assert places_free_text(response) == "call to ask"
        with translation.override("kk"):
            assert gettext("call to ask") in client.get(f"/kk/centres/{centre.slug}/").content.decode()
    sign_in(client, make_user("advocate", "advocate"))
    assert places_free_text(client.get(f"/en/centres/{secret_centres[0].slug}/")).startswith("4 ")
    assert places_free_text(client.get(f"/en/centres/{secret_centres[1].slug}/")).startswith("6 ")


@pytest.mark.parametrize(("verified_days_ago", "stale"), [(30, False), (365, False), (366, True), (None, True)])
def test_a_centre_verified_too_long_ago_may_be_out_of_date(client, almaty_place, verified_days_ago, stale):
    verified = None if verified_days_ago is None else timezone.localdate() - datetime.timedelta(verified_days_ago)
    centre = make_centre(name="Checked", city=almaty_place, last_verified_on=verified)
    for url in (f"/en/centres/{centre.slug}/", "/en/centres/", "/en/countries/kz/"):
        # Only the centre's part of the page: hotlines carry their own verification.
        html = client.get(url).content.decode().split('id="centres-heading"')[-1].split("<main")[-1]
        assert ("may be out of date — call to check" in html) is stale, url
    with translation.override("ru"):
        phrase = gettext("may be out of date — call to check")
    assert (phrase in client.get(f"/ru/centres/{centre.slug}/").content.decode()) is stale


def test_a_hotline_never_verified_says_it_may_be_out_of_date(client):
    assert "may be out of date — call to check" in client.get("/en/countries/kz/").content.decode()


@pytest.mark.parametrize("entry", PUBLIC_PAGES)
def test_every_public_page_shows_a_hotline(sweep, entry):
    url, response = html_page(sweep, entry)
    assert 'href="tel:' in response.html.split("<main")[0], url


# --- languages --------------------------------------------------------------------------------------------------


def language_links(response) -> dict[str, str]:
    return {
        code: href.replace("&amp;", "&")
        for href, code in re.findall(
            r'<a href="([^"]*)" lang="([a-z]{2})" hreflang="[a-z]{2}"', response.content.decode()
        )
    }


@pytest.mark.parametrize(
    "path",
    [
        "/kk/",
        "/kk/centres/?q=%D0%B0%D0%BB%D0%BC%D0%B0%D1%82%D1%8B&with_children=on",
        "/kk/countries/kz/",
        "/kk/safety/",
    ],
)
def test_a_page_links_to_itself_in_every_other_language(client, path):
    links = language_links(client.get(path))
    assert set(links) == set(LANGUAGES) - {"kk"}
    for code, href in links.items():
        assert href == path.replace("/kk/", f"/{code}/", 1)
        assert client.get(href).status_code == 200


def test_a_centre_page_links_to_itself_in_every_other_language(client, almaty_place):
    centre = make_centre(name="Жан", city=almaty_place)
    links = language_links(client.get(f"/kk/centres/{centre.slug}/"))
    assert links == {code: f"/{code}/centres/{centre.slug}/" for code in LANGUAGES if code != "kk"}


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [("kk", "/kk/"), ("en-GB,en;q=0.9", "/en/"), ("ky-KG", "/ky/"), ("de-DE,fr;q=0.5", "/ru/"), (None, "/ru/")],
)
def test_the_root_redirects_to_the_visitors_language_else_russian(client, accept_language, expected):
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    response = client.get("/", **headers)
    assert response.status_code == 302
    assert response["Location"] == expected
    assert not response.cookies
