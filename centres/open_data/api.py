"""The open-data API: our public records as Open Referral HSDS 3.1 JSON, read-only, at /api/ for every language.

Plain Django views, no REST framework: every answer is one of HSDS's own shapes (a service, an organization, a
taxonomy, a term, the paginated envelope of the HSDS OpenAPI document), built by `hsds.py` — the one place that
knows HSDS, which the tabular package reads too — and validated by the tests against the official schemas we ship.
The API publishes exactly what `hsds.py` puts in an object, which is what a public page shows: never a draft, a
closed or an archived centre; for a centre whose address is hidden or city-only, no street, no point and no figure
of places free.

What every answer shares (`api_view`):

- JSON, in the language LocaleMiddleware negotiated from Accept-Language (the path has no language prefix), said
  in `Content-Language`, with `Vary: Accept-Language`; errors are JSON too ({"error", "parameter", "status"}).
- Counted against the client's "api" rate limit (settings.RATE_LIMITS), OPTIONS apart: 429 with Retry-After.
- Conditional GET: an `ETag` that is the hash of the answer itself; If-None-Match with it answers 304. No
  `Last-Modified`: a date of the data would tell anyone watching when an edit nobody may see was saved (a hidden
  shelter's places free at night), and a date of the answer cannot be known without the history of each figure.
- CORS open for reading: `Access-Control-Allow-Origin: *`, a preflight OPTIONS answered 204, other methods 405.
- No cookie: the views never touch the session or the user (PublicPrivacyMiddleware clears any cookie of an
  anonymous response, and sets `Cache-Control: no-store` on every one, this API's too).
"""

import copy
import datetime
import hashlib
import math
import re
import uuid
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from centres.caching import current_key, kept
from centres.filters import CodesFilter, PublicSearch
from centres.limits import limited, period_seconds
from centres.models import Centre, Operator
from centres.nearest import Nearest, Origin
from centres.open_data import hsds, schemas
from centres.paging import ByName
from centres.selectors import search_queryset
from centres.vocabularies import Audience, Country, OperatorKind, Service

PER_PAGE = 50  # a page of services: fully nested, about 2 kB each
MAX_PER_PAGE = 100  # a larger per_page is read as this
MAX_PAGE = 10**9  # a page number beyond is an error, not a page (past the last page is an empty page)
EXACT = 10**9  # "up to" this many is an exact count: more than any directory holds
ALLOWED = "GET, HEAD, OPTIONS"
EXPOSED = "ETag, Retry-After, Content-Language"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
SCHEMA_LICENCE_URL = "https://creativecommons.org/licenses/by-sa/4.0/"
OFFICIAL_SCHEMAS = "https://raw.githubusercontent.com/openreferral/specification/"

# -- what every answer shares --------------------------------------------------------------------------------------


class Problem(Exception):
    """An answer other than 200, as JSON: 400 names the parameter at fault."""

    def __init__(self, status: int, message: str, parameter: str | None = None):
        super().__init__(message)
        self.status, self.message, self.parameter = status, message, parameter


def bad(parameter: str, message: str, **values) -> Problem:
    """A 400 naming `parameter`; `message` names it as %(parameter)s."""
    return Problem(400, message % {"parameter": parameter, **values}, parameter)


def not_found() -> Problem:
    return Problem(404, _("Not found: nothing public has this address."))


def _json(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _problem(problem: Problem) -> JsonResponse:
    found = {"error": problem.message}
    if problem.parameter:
        found["parameter"] = problem.parameter
    found["status"] = problem.status
    return _json(found, status=problem.status)


def api_view(view: Callable[..., dict | HttpResponse]) -> Callable[..., HttpResponse]:
    """A read-only JSON view of the API: limits, methods, conditional GET, CORS and the language, around `view`,
    which returns the object to answer (or a response) or raises `Problem`."""

    # Nothing here changes anything, so there is nothing to forge: exempt, a POST gets its 405 in JSON instead of
    # the CSRF failure page.
    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, **kwargs) -> HttpResponse:
        if request.method == "OPTIONS":
            return _shared_headers(_preflight())
        if limited(request, "api"):
            seconds = period_seconds("api")
            response = _problem(
                Problem(429, _("Too many requests: try again in %(seconds)d seconds.") % {"seconds": seconds})
            )
            response["Retry-After"] = str(seconds)
            return _shared_headers(response)
        if request.method not in ("GET", "HEAD"):
            response = _problem(Problem(405, _("Only GET, HEAD and OPTIONS are answered here.")))
            response["Allow"] = ALLOWED
            return _shared_headers(response)
        try:
            answer = view(request, **kwargs)
        except Problem as problem:
            return _shared_headers(_problem(problem))
        response = answer if isinstance(answer, HttpResponse) else _json(answer)
        if response.status_code == 200 and not response.streaming:
            # The answer's own hash: it changes exactly when the answer does (also when a figure of places free
            # grows too old to be shown, with no edit), and tells nothing of any edit that changes no answer — a
            # tag or a date taken from the data version would show anyone watching when a hidden shelter's places
            # free or notes were saved.
            etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
            response = get_conditional_response(request, etag=etag, response=response)
            response["ETag"] = etag
        return _shared_headers(response)

    return wrapped


def _preflight() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Allow"] = ALLOWED
    response["Access-Control-Allow-Methods"] = ALLOWED
    response["Access-Control-Allow-Headers"] = "If-None-Match, Accept-Language"
    response["Access-Control-Max-Age"] = "86400"
    return response


def _shared_headers(response: HttpResponse) -> HttpResponse:
    """CORS open for reading, and the language. (`Cross-Origin-Resource-Policy: cross-origin` comes from
    BrowserPolicyMiddleware, for the API's addresses alone.)"""
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = EXPOSED
    if "Content-Language" not in response:
        response["Content-Language"] = get_language() or settings.LANGUAGE_CODE
    patch_vary_headers(response, ("Accept-Language",))
    return response


# -- the parameters ----------------------------------------------------------------------------------------------


def _given(params: QueryDict, name: str) -> str:
    return params.get(name, "").strip()


def _whole_number(params: QueryDict, name: str) -> int | None:
    """A whole number 1 or more (10**12 for any larger one), or None when not given or when it is none."""
    text = _given(params, name)
    digits = text.lstrip("0")
    if not (text.isascii() and text.isdigit()) or not digits:
        return None
    return int(digits) if len(digits) <= 12 else 10**12  # int() refuses thousands of digits


def paging(params: QueryDict) -> tuple[int, int]:
    """`page` (1 by default; a whole number from 1 to MAX_PAGE) and `per_page` (PER_PAGE by default, a whole
    number from 1, read as MAX_PER_PAGE above it); anything else is a 400 naming the parameter."""
    page = _whole_number(params, "page") if _given(params, "page") else 1
    if page is None or page > MAX_PAGE:
        raise bad("page", _("%(parameter)s must be a whole number from 1 to %(largest)d."), largest=MAX_PAGE)
    per_page = _whole_number(params, "per_page") if _given(params, "per_page") else PER_PAGE
    if per_page is None:
        raise bad("per_page", _("%(parameter)s must be a whole number, 1 or more."))
    return page, min(per_page, MAX_PER_PAGE)


def envelope(total: int, page: int, per_page: int, contents: list) -> dict:
    """The HSDS page (`#/components/schemas/Page`). `size` is the number of objects on this page, `empty` says
    this page holds none; a page past the last is empty, with `page_number` as asked; an empty list has no pages."""
    pages = math.ceil(total / per_page)
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": not contents,
        "contents": contents,
    }


def _uuid(text: str) -> str | None:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def _since(params: QueryDict, name: str) -> datetime.datetime | None:
    """An ISO 8601 date or date and time, or None when not given; without an offset, in the directory's time zone.
    An offset's "+" sent unencoded arrives as a space, and is read as the "+" it was.

    Rounded up to a whole second: `last_modified` shows `public_changed_at` to the second, cut, so it is on or after the
    moment asked exactly when `public_changed_at` is on or after that moment rounded up."""
    text = _given(params, name)
    if not text:
        return None
    spellings = [text]
    unencoded = re.fullmatch(r"(.+[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)", text)
    if unencoded:
        spellings.append(f"{unencoded[1]}+{unencoded[2]}")
    for spelling in spellings:
        try:
            moment = datetime.datetime.fromisoformat(spelling)
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            if moment.microsecond:
                moment = moment.replace(microsecond=0) + datetime.timedelta(seconds=1)
            moment.astimezone(datetime.UTC)  # a year 1 or 9999 with an offset may not be a moment the database holds
        except (ValueError, OverflowError):
            continue
        return moment
    raise bad(
        name,
        _("%(parameter)s must be an ISO 8601 date or date and time, such as 2025-01-31 or 2025-01-31T18:00:00+05:00."),
    )


def _public_search(params: QueryDict, term: hsds.Term | None) -> PublicSearch:
    """The public search of what the API's parameters ask that it knows: `search` as its text, `country`,
    `proximity` as a browser's position (rounded as it rounds one), and a term of help offered, audience or
    operator kind as its own filter. Every other parameter of the request stays out of it."""
    query = QueryDict(mutable=True)
    if search := _given(params, "search"):
        query["q"] = search
    if country := _given(params, "country"):
        if country.upper() not in Country.values:
            raise bad(
                "country",
                _("%(parameter)s must be one of the directory's countries: %(codes)s."),
                codes=", ".join(Country.values),
            )
        query["country"] = country.upper()
    if proximity := _given(params, "proximity"):
        parts = proximity.split(",")
        if len(parts) != 2:
            raise _bad_proximity()
        query["lat"], query["lon"] = parts
    if term is not None and term.group in ("service", "audience", "operator_kind"):
        query[term.group] = term.code
    found = PublicSearch(query, queryset=hsds.services())
    if not found.is_valid():
        field, messages = next(iter(found.form.errors.items()))
        parameter = {"q": "search", "lat": "proximity", "lon": "proximity"}.get(field, field)
        if field in ("service", "audience", "operator_kind"):
            parameter = "taxonomy_term_id"
        raise Problem(400, " ".join(messages), parameter)
    if proximity and found.origin is None:  # a coordinate the search could not read, or out of range
        raise _bad_proximity()
    return found


def _bad_proximity() -> Problem:
    return bad(
        "proximity",
        _("%(parameter)s must be a latitude and a longitude in degrees, separated by a comma, such as 43.25,76.95."),
    )


def _term(params: QueryDict) -> hsds.Term | None:
    text = _given(params, "taxonomy_term_id")
    if not text:
        return None
    term = hsds.term_by_id(_uuid(text) or text)
    if term is None:
        raise bad(
            "taxonomy_term_id", _("%(parameter)s is not a term of the directory's taxonomy (see /api/taxonomy_terms).")
        )
    return term


def _recorded(name: str) -> Q:
    """The centres where an admission fact is recorded: the ones whose service has its attribute."""
    field = Centre._meta.get_field(name)
    return Q(**{f"{name}__isnull": False}) if field.null else ~Q(**{name: ""})


def _with_term(queryset: QuerySet, term: hsds.Term) -> QuerySet:
    """The centres with a term the public search has no filter for: a parent (any of its children) or an
    admission fact (recorded)."""
    if term.group == "admission":
        return queryset.filter(_recorded(term.code))
    if term.group:  # a help offered, audience or operator kind: the public search's own filter
        return queryset
    if term.code == "service":
        return CodesFilter(field_name="services", require_all=False).filter(queryset, Service.values)
    if term.code == "audience":
        return CodesFilter(field_name="audiences", require_all=False).filter(queryset, Audience.values)
    if term.code == "operator_kind":
        return queryset.filter(operator__kind__in=OperatorKind.values)
    any_fact = Q()
    for name in hsds.ADMISSION:
        any_fact |= _recorded(name)
    return queryset.filter(any_fact)


def _another_taxonomy(params: QueryDict) -> bool:
    """Whether `taxonomy_id` names a taxonomy other than ours: then nothing matches (ours: everything)."""
    given = _given(params, "taxonomy_id")
    return bool(given) and (_uuid(given) or given) != hsds.taxonomy()["id"]


def _organization_ids() -> dict[str, int]:
    """Each organization's id and its operator's pk, for the operators of public centres: few, computed once per
    data version."""
    return kept(
        current_key("api:organization-ids"),
        lambda: {hsds.organization_id(pk): pk for pk in hsds.organizations().values_list("pk", flat=True)},
    )


def matching_services(params: QueryDict) -> tuple[QuerySet, Origin | None]:
    """The public centres the parameters ask for, every filter AND-combined, by name (nearest first with
    `proximity`), and the point of `proximity`."""
    term = _term(params)
    found = _public_search(params, term)
    queryset = search_queryset(search=found)
    if queryset is None:  # not reached: the search is valid and names no place to choose
        raise Problem(400, _("These parameters cannot be read together."))
    if term is not None:
        queryset = _with_term(queryset, term)
    if _another_taxonomy(params):
        queryset = queryset.none()
    if organization := _given(params, "organization_id"):
        identifier = _uuid(organization)
        if identifier is None:
            raise bad("organization_id", _("%(parameter)s must be a UUID."))
        if identifier == hsds.organization_id(None):
            queryset = queryset.filter(operator__isnull=True)
        elif (pk := _organization_ids().get(identifier)) is not None:
            queryset = queryset.filter(operator_id=pk)
        else:
            queryset = queryset.none()
    if (since := _since(params, "modified_after")) is not None:
        queryset = queryset.filter(public_changed_at__gte=since)
    if found.origin is None:
        return queryset.order_by("name", "pk"), None
    return queryset.order_by("distance_rank", "name", "pk"), found.origin


# -- the views -----------------------------------------------------------------------------------------------------


def _absolute(request: HttpRequest, name: str, *args) -> str:
    return request.build_absolute_uri(reverse(name, args=args))


@api_view
def root(request: HttpRequest) -> dict:
    return {
        "version": hsds.VERSION,
        "profile": _absolute(request, "centres:open_data"),
        "openapi_url": _absolute(request, "api:openapi"),
    }


@api_view
def services(request: HttpRequest) -> dict:
    """A page of fully nested services. Queries: the count and the page (or, nearest first, the probe that
    counts and finds the square holding the page, and the page), the page's phones and its operators' countries;
    the country rules come from the cache."""
    page, per_page = paging(request.GET)
    queryset, origin = matching_services(request.GET)
    start = (page - 1) * per_page
    if origin is None:
        total = _count(request.GET, queryset)
        rows = ByName(queryset, read=hsds.with_phones(hsds.services()))
    else:
        rows = Nearest(hsds.with_phones(queryset), origin, wanted=min(page * per_page, EXACT))
        total = rows.capped_count(EXACT)
    centres = rows[start : start + per_page] if start < total else []
    return envelope(total, page, per_page, _services_of(centres))


def _services_of(centres: list[Centre]) -> list[dict]:
    """The services of a page of centres, with every operator's countries kept per data version: asked for the
    page's operators alone, the database reads every centre they run (a fifth of the directory for a page of
    fifty at 100,000 centres)."""
    if not centres:
        return []
    countries = kept(current_key("api:operator-countries"), hsds.every_operators_countries)
    return hsds.page_of_services(centres, countries=countries)


# Parameters that say where someone is or what she looks for: a count asked with them is never kept.
NEVER_KEPT = ("search", "proximity")


def _count(params: QueryDict, queryset: QuerySet) -> int:
    """The exact number of matching centres, kept per data version for a list without a search or a position
    (the whole list, a country, a term): counting 100,000 centres is most of the time of a page."""
    if any(_given(params, name) for name in NEVER_KEPT):
        return queryset.order_by().count()
    asked = sorted(
        (name, value) for name, values in params.lists() if name not in ("page", "per_page") for value in values
    )
    return kept(current_key("api:count", repr(asked)), lambda: queryset.order_by().count())


@api_view
def service(request: HttpRequest, identifier: str) -> dict:
    pk = _uuid(identifier)
    centres = list(hsds.with_phones(hsds.services()).filter(pk=pk)) if pk else []
    if not centres:
        raise not_found()
    return _services_of(centres)[0]


@api_view
def organizations(request: HttpRequest) -> dict:
    """A page of the operators of public centres, by name, then the organization of centres whose operator is not
    recorded when there is one. Without nested services: `/api/services?organization_id=` lists them."""
    page, per_page = paging(request.GET)
    operators = hsds.organizations().only("name", "kind")
    count = operators.count()
    unrecorded = hsds.has_unrecorded()
    start, stop = (page - 1) * per_page, page * per_page
    listed = list(operators[start : min(stop, count)]) if start < count else []
    with_unrecorded = unrecorded and start <= count < stop
    countries = hsds.operator_countries([operator.pk for operator in listed] + ([None] if with_unrecorded else []))
    contents = [hsds.organization(operator, countries[operator.pk]) for operator in listed]
    if with_unrecorded:
        contents.append(hsds.organization(None, countries[None]))
    return envelope(count + unrecorded, page, per_page, contents)


@api_view
def organization(request: HttpRequest, identifier: str) -> dict:
    wanted = _uuid(identifier)
    if wanted is not None and wanted == hsds.organization_id(None):
        if not hsds.has_unrecorded():
            raise not_found()
        return hsds.organization(None, hsds.operator_countries([None])[None])
    pk = _organization_ids().get(wanted) if wanted else None
    operator = Operator.objects.only("name", "kind").filter(pk=pk).first() if pk is not None else None
    if operator is None:
        raise not_found()
    return hsds.organization(operator, hsds.operator_countries([pk])[pk])


@api_view
def taxonomies(request: HttpRequest) -> dict:
    page, per_page = paging(request.GET)
    found = [hsds.taxonomy()]
    return envelope(len(found), page, per_page, found[(page - 1) * per_page : page * per_page])


@api_view
def taxonomy(request: HttpRequest, identifier: str) -> dict:
    found = hsds.taxonomy()
    if _uuid(identifier) != found["id"]:
        raise not_found()
    return found


@api_view
def taxonomy_terms(request: HttpRequest) -> dict:
    """Our terms, each parent before its children. `taxonomy_id`: ours gives every term, another none;
    `parent_id`: the children of that parent (none for any other id)."""
    page, per_page = paging(request.GET)
    found = hsds.terms()
    if _another_taxonomy(request.GET):
        found = []
    if parent := _given(request.GET, "parent_id"):
        parent = _uuid(parent) or parent
        found = [term for term in found if term.group and hsds.Term("", term.group).id == parent]
    page_terms = found[(page - 1) * per_page : page * per_page]
    return envelope(len(found), page, per_page, [hsds.taxonomy_term(term) for term in page_terms])


@api_view
def taxonomy_term(request: HttpRequest, identifier: str) -> dict:
    term = hsds.term_by_id(_uuid(identifier) or identifier)
    if term is None:
        raise not_found()
    return hsds.taxonomy_term(term)


@api_view
def schema(request: HttpRequest, name: str) -> HttpResponse:
    """One of the official HSDS 3.1 schemas we ship, which the OpenAPI document's `$ref`s point at."""
    if name not in schemas.schema_names():
        raise not_found()
    response = _json(schemas.schema(name))
    response["Content-Language"] = "en"
    response["Link"] = f'<{SCHEMA_LICENCE_URL}>; rel="license"'
    return response


@api_view
def openapi(request: HttpRequest) -> HttpResponse:
    response = _json(openapi_document(request))
    response["Content-Language"] = "en"
    return response


@api_view
def nothing_here(request: HttpRequest, rest: str = "") -> dict:
    """Any other address under /api/: a 404 in JSON, not the public site's page."""
    raise not_found()


# -- the OpenAPI document ----------------------------------------------------------------------------------------

# The paths we serve, each with the parameters its GET reads (None: none).
SERVED = {
    "/": None,
    "/services": [
        "search",
        "page",
        "per_page",
        "taxonomy_term_id",
        "taxonomy_id",
        "organization_id",
        "modified_after",
        "country",
        "proximity",
    ],
    "/services/{id}": None,
    "/organizations": ["page", "per_page"],
    "/organizations/{id}": None,
    "/taxonomies": ["page", "per_page"],
    "/taxonomies/{id}": None,
    "/taxonomy_terms": ["page", "per_page", "taxonomy_id", "parent_id"],
    "/taxonomy_terms/{id}": None,
}
EXTENSION = "Not part of HSDS 3.1: this directory's own."
PRIVACY = (
    "Only public centres: never a draft, a closed or an archived one. A centre whose address is hidden or shown as "
    "its city only has a location with its city and region and a description saying so: no street, no latitude or "
    "longitude (not even its town's) and no capacities. Places free only for a centre at a public address, and only "
    "while the figure is as fresh as its country allows. Never the number of beds, compliance, licences, funding, "
    "internal notes, the source of a record or an operator's registration number."
)


def _parameters() -> dict:
    """Our parameters: the official ones that we read, saying how we read them, and our extensions."""

    def query(name: str, description: str, schema: dict, **extra) -> dict:
        return {"name": name, "in": "query", "required": False, "description": description, "schema": schema, **extra}

    text = {"type": "string"}
    return {
        "search": query(
            "search",
            "Full text search, as the directory's public search: every word must begin a word of the centre's name, "
            "its operator's, or its town's or region's names (any letters, Cyrillic or Latin; case and "
            "diacritics aside).",
            text,
        ),
        "page": query(
            "page",
            "Page number, from 1 (the default). A page past the last one is answered, empty. Anything but a whole "
            "number from 1 is an error (400).",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
        ),
        "per_page": query(
            "per_page",
            f"Objects per page: {PER_PAGE} by default; more than {MAX_PER_PAGE} is read as {MAX_PER_PAGE}.",
            {"type": "integer", "minimum": 1, "default": PER_PAGE},
        ),
        "taxonomy_term_id": query(
            "taxonomy_term_id",
            "The id of one of our terms (/taxonomy_terms). A help-offered or audience term: the services that have "
            "it; an operator_kind term: the services whose operator is of that kind; an admission term: the "
            "services where that fact is recorded (the attribute's value says what it is); a parent term: the "
            "services with any of its children. Any other id is an error (400).",
            text,
        ),
        "taxonomy_id": query("taxonomy_id", "Our taxonomy's id matches everything; any other, nothing.", text),
        "organization_id": query(
            "organization_id",
            "An organization's id (/organizations): the services it runs. The id of the organization 'Operator not "
            "recorded': the services whose operator is not recorded. An unknown id matches none; a value that is "
            "not a UUID is an error (400).",
            {"type": "string", "format": "uuid"},
        ),
        "modified_after": query(
            "modified_after",
            "Services whose last_modified is on or after this moment, compared as last_modified shows it (to the "
            "second): an ISO 8601 date (2025-01-31) or date and time (2025-01-31T18:00:00+05:00, its + encoded as "
            "%2B), in the directory's time zone when no offset is given. Anything else is an error (400).",
            text,
        ),
        "country": query(
            "country",
            "The services of one country, by its ISO 3166-1 code: KZ, KG, UZ or TJ. Anything else is an error (400).",
            {"type": "string", "enum": list(Country.values)},
            **{"x-extension": EXTENSION},
        ),
        "proximity": query(
            "proximity",
            "A point as 'latitude,longitude' in decimal degrees, e.g. 43.25,76.95: the services nearest first, by "
            "each centre's public point (its own when its address is public, else its town's centre), leaving "
            "out centres without one. The point is rounded to two decimals (about a kilometre) before use, as the "
            "public search rounds a browser's position. (HSDS's own proximity, metres from a postcode's centroid, "
            "is not supported.) Anything else, or out of range, is an error (400).",
            {"type": "string", "pattern": r"^\s*-?[0-9.]+\s*,\s*-?[0-9.]+\s*$"},
            **{"x-extension": EXTENSION, "x-privacy": "Rounded before use; never logged or kept."},
        ),
        "parent_id": query("parent_id", "The children of the term with this id (none for any other id).", text),
    }


def _error_responses(path: str, parameters: list | None) -> dict:
    found = {"304": {"description": "Not modified: the ETag of If-None-Match is still current."}}
    if parameters:
        found["400"] = {"$ref": "#/components/responses/BadParameter"}
    if path.endswith("{id}"):
        found["404"] = {"$ref": "#/components/responses/NotFound"}
    found["429"] = {"$ref": "#/components/responses/TooManyRequests"}
    return found


def _error_schema() -> dict:
    return {
        "type": "object",
        "required": ["error", "status"],
        "properties": {
            "error": {"type": "string", "description": "What went wrong, in the language asked for."},
            "parameter": {"type": "string", "description": "The query parameter at fault (400 only)."},
            "status": {"type": "integer", "description": "The HTTP status."},
        },
    }


def _error_response(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _page_schema(official: dict) -> dict:
    """The official page, saying what `empty` means here (`envelope`)."""
    page = copy.deepcopy(official)
    page["properties"]["empty"]["description"] = (
        "True when this page holds no entity: the list is empty, or the page is past the last one."
    )
    return page


def openapi_document(request: HttpRequest) -> dict:
    """The official HSDS 3.1 OpenAPI document, made ours: our `info` and server, only the paths and parameters
    we serve (GET only), and its `$ref`s to the schemas pointed at our copies (/api/schemas/)."""
    official = copy.deepcopy(schemas.official_openapi())
    base = _absolute(request, "api:root").rstrip("/")
    profile = _absolute(request, "centres:open_data")
    paths = {}
    for path, parameters in SERVED.items():
        item = official["paths"][path]
        operation = item["get"]
        if parameters is None:
            operation.pop("parameters", None)
        else:
            operation["parameters"] = [{"$ref": f"#/components/parameters/{name}"} for name in parameters]
        operation["responses"].update(_error_responses(path, parameters))
        paths[path] = {**({"parameters": item["parameters"]} if "parameters" in item else {}), "get": operation}
    services_get = paths["/services"]["get"]
    services_get["summary"] = "Paginated list of fully nested services."
    services_get["description"] = (
        "The public centres as fully nested services, by name (nearest first with proximity); filters combine "
        "(AND). The total is exact: every public centre can be paged through."
    )
    services_get["responses"]["200"]["description"] = "A page of fully nested services."
    services_get["x-privacy"] = PRIVACY
    paths["/services/{id}"]["get"]["x-privacy"] = PRIVACY
    paths["/organizations/{id}"]["get"]["responses"]["200"]["description"] = (
        "An organization: its name, a description of its kind and countries, and its kind as an attribute; its "
        "services are found with /services?organization_id=."
    )
    # The official document has these two operation ids the wrong way round.
    paths["/taxonomy_terms"]["get"]["operationId"] = "getPaginatedListOfTaxonomyTerms"
    paths["/taxonomy_terms"]["get"]["description"] = "Paginated listing of taxonomy terms."
    paths["/taxonomy_terms/{id}"]["get"]["operationId"] = "getTaxonomyTermById"
    paths["/organizations"]["get"]["description"] = (
        "Paginated list of the operators of public centres, by name, then the organization of the centres whose "
        "operator is not recorded. Without nested services: /services?organization_id= lists them."
    )
    paths["/organizations/{id}"]["get"]["description"] = "An organization, without nested services."
    rate = settings.RATE_LIMITS["api"]
    document = {
        "openapi": official["openapi"],
        "info": {
            "title": "Crisis Centre Directory: open data API (HSDS 3.1)",
            "version": f"{hsds.VERSION}.0",
            "summary": "Crisis centres, shelters and help points for survivors of domestic violence in Central Asia.",
            "description": (
                "The public records of the Crisis Centre Directory — crisis centres, shelters and help points for "
                "survivors of domestic violence in Kazakhstan, Kyrgyzstan, Uzbekistan and Tajikistan — as Open "
                f"Referral HSDS {hsds.VERSION} objects: exactly what the directory's public pages show, and nothing "
                "more.\n\n"
                "Published: each public centre as a fully nested service (its organization, location, phones, "
                "schedules, languages, accessibility, places free when shown, and attributes of our taxonomy), the "
                "operators of public centres as organizations, and our taxonomy.\n\n"
                "Never published: a draft, a closed or an archived centre; the street, the point or the places free "
                "of a centre whose address is hidden or shown as its city only (its location has its city and region "
                "alone, not even its town's point); a figure of places free older than its country allows; the "
                "number of beds, compliance, licences, funding, internal notes, the source of a record, an "
                "operator's registration number or website.\n\n"
                "Answers are JSON in the language asked for with Accept-Language (ru, kk, ky, uz, tg or en; Russian "
                "when none is asked for). Each carries an ETag, the hash of the answer: ask again with If-None-Match "
                "for a 304. Errors are JSON with the parameter at fault. CORS is open for reading. "
                f"Requests are limited per client ({rate}): over it, 429 with Retry-After.\n\n"
                "The data is licensed CC BY 4.0: credit the Crisis Centre Directory. This document and the schemas "
                f"under {base}/schemas/ are adapted from Open Referral's HSDS {hsds.VERSION} (CC BY-SA 4.0)."
            ),
            "contact": {"name": "Crisis Centre Directory: open data", "url": profile},
            "license": {"name": "CC BY 4.0 (the data)", "url": LICENCE_URL},
            "x-privacy": PRIVACY,
            "x-document-licence": {
                "name": "CC BY-SA 4.0 (this document and the schemas, adapted from Open Referral's HSDS 3.1)",
                "url": SCHEMA_LICENCE_URL,
            },
        },
        "jsonSchemaDialect": official["jsonSchemaDialect"],
        "servers": [{"url": base, "description": "This directory's API."}],
        "paths": paths,
        "components": {
            "schemas": {"Page": _page_schema(official["components"]["schemas"]["Page"]), "Error": _error_schema()},
            "parameters": _parameters(),
            "responses": {
                "BadParameter": _error_response("A parameter cannot be read; `parameter` names it."),
                "NotFound": _error_response("Nothing public has this id."),
                "TooManyRequests": {
                    **_error_response("Over the client's rate limit."),
                    "headers": {
                        "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}},
                    },
                },
            },
        },
    }
    return _local_refs(document, request)


def _local_refs(found, request: HttpRequest):
    """`found` with every `$ref` to an official schema online pointed at our copy: `compiled/service_list.json`
    (the list's items, which ours nest fully) at service.json, any other at the file of its name."""
    if isinstance(found, list):
        return [_local_refs(item, request) for item in found]
    if not isinstance(found, dict):
        return found
    changed = {key: _local_refs(value, request) for key, value in found.items()}
    target = changed.get("$ref")
    if isinstance(target, str) and target.startswith(OFFICIAL_SCHEMAS):
        name = target.rsplit("/", 1)[-1].removesuffix(".json").removesuffix("_list")
        changed["$ref"] = _absolute(request, "api:schema", name)
    return changed
