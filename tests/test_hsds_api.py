"""The open-data API (centres/open_data/api.py): HSDS 3.1 JSON that validates against the official schemas, says no
more than a public page, pages and filters as documented, and behaves as an open, read-only, cookieless API."""

import datetime
import json
import re
import uuid
from decimal import Decimal
from urllib.parse import urljoin

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.http import http_date
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from centres.models import Centre, Place
from centres.open_data import hsds
from centres.vocabularies import Service
from tests.conftest import count_queries, make_centre, make_operator, page_queries
from tests.hsds_validation import assert_valid

pytestmark = pytest.mark.django_db

ALMATY, BISHKEK = 1526384, 1528675
SERVER = "http://testserver"
OPENAPI = f"{SERVER}/api/openapi.json"
SCHEMAS = f"{SERVER}/api/schemas/"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# Distinctive enough that finding any of them in an answer can only mean a leak.
HIDDEN_ADDRESS, CITY_ONLY_ADDRESS = "ул. Скрытая 19", "пр. Неприметный 23"
HIDDEN_POINT = (Decimal("43.301234"), Decimal("77.045678"))
CITY_ONLY_POINT = (Decimal("43.187654"), Decimal("76.812345"))
HIDDEN_BEDS, CITY_ONLY_BEDS = 8713, 6529


def place(geonameid: int) -> Place:
    return Place.objects.get(pk=geonameid)


def get(client, path: str, params: dict | None = None, **headers):
    return client.get(path, params or {}, **headers)


def ok(client, path: str, params: dict | None = None, **headers) -> dict:
    response = get(client, path, params, **headers)
    assert response.status_code == 200, (path, params, response.content[:500])
    assert response["Content-Type"] == "application/json"
    return response.json()


def unrecorded() -> str:
    """The name of the organization of centres without a recorded operator, in the active language (Russian)."""
    return translation.gettext("Operator not recorded")


def names(client, params: dict | None = None) -> list[str]:
    return [item["name"] for item in ok(client, "/api/services", params)["contents"]]


def all_refs(found) -> list[str]:
    if isinstance(found, list):
        return [ref for item in found for ref in all_refs(item)]
    if not isinstance(found, dict):
        return []
    refs = [found["$ref"]] if isinstance(found.get("$ref"), str) else []
    return refs + [ref for value in found.values() for ref in all_refs(value)]


def pointer(document: dict, ref: str):
    """What a local `#/a/b~1c` reference points at (KeyError when nothing)."""
    found = document
    for part in ref.removeprefix("#/").split("/"):
        found = found[part.replace("~1", "/").replace("~0", "~")]
    return found


class Served:
    """The served OpenAPI document and the schemas it points at, read through the test client (never from disk,
    never over the network): validators of answers by the document's own response schemas."""

    def __init__(self, client):
        self.client = client
        self.fetched: dict[str, dict] = {}
        self.document = ok(client, "/api/openapi.json")
        document = Resource.from_contents(self.document, default_specification=DRAFT202012)
        self.registry = Registry(retrieve=self.retrieve).with_resource(OPENAPI, document)

    def retrieve(self, uri: str) -> Resource:
        assert uri.startswith(SCHEMAS), f"a $ref outside our schemas: {uri}"
        if uri not in self.fetched:
            self.fetched[uri] = ok(self.client, uri.removeprefix(SERVER))
        return Resource.from_contents(self.fetched[uri], default_specification=DRAFT202012)

    def validator(self, ref: str) -> Draft202012Validator:
        return Draft202012Validator({"$ref": ref}, registry=self.registry, format_checker=FormatChecker())

    def answer(self, path: str) -> Draft202012Validator:
        escaped = path.replace("~", "~0").replace("/", "~1")
        return self.validator(f"{OPENAPI}#/paths/{escaped}/get/responses/200/content/application~1json/schema")

    def assert_valid(self, path: str, answer: dict) -> None:
        problems = [f"{list(e.absolute_path)}: {e.message}" for e in self.answer(path).iter_errors(answer)]
        assert not problems, "\n".join(problems[:20])
        if "contents" in answer:
            page = self.validator(f"{OPENAPI}#/components/schemas/Page")
            assert not list(page.iter_errors(answer))


@pytest.fixture
def served(client) -> Served:
    return Served(client)


# -- a small world -------------------------------------------------------------------------------------------------


def make_secret_centres(city: Place, operator=None) -> tuple[Centre, Centre]:
    """A hidden and a city-only shelter, each with an address, a point and a fresh figure that must never be
    public."""
    fresh = timezone.now() - datetime.timedelta(days=1)
    hidden = make_centre(
        name="Убежище «Тайна»",
        city=city,
        operator=operator,
        address=HIDDEN_ADDRESS,
        address_visibility="hidden",
        latitude=HIDDEN_POINT[0],
        longitude=HIDDEN_POINT[1],
        beds=HIDDEN_BEDS + 10,
        beds_free=HIDDEN_BEDS,
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
        beds=CITY_ONLY_BEDS + 10,
        beds_free=CITY_ONLY_BEDS,
        beds_free_updated_at=fresh,
    )
    return hidden, city_only


def coordinate_spellings(value: Decimal) -> set[str]:
    spellings = set()
    for places in (3, 4, 5, 6):
        text = f"{value:.{places}f}"
        spellings |= {text, text.replace(".", ",")}
    return spellings


SECRETS = {HIDDEN_ADDRESS, CITY_ONLY_ADDRESS, "Скрытая", "Неприметный", str(HIDDEN_BEDS), str(CITY_ONLY_BEDS)}
for _point in (HIDDEN_POINT, CITY_ONLY_POINT):
    for _value in _point:
        SECRETS |= coordinate_spellings(_value)


def leaks(text: str) -> set[str]:
    """The secrets in an answer's text, ids aside (a UUID's hex may hold any four digits)."""
    text = UUID.sub("", text)
    return {secret for secret in SECRETS if secret in text}


@pytest.fixture
def world(db, almaty):
    """Public centres in two countries, run by a civil-society organisation, a state body and nobody recorded; a
    hidden and a city-only shelter; a draft, a closed and an archived centre."""
    almaty_city, bishkek = place(ALMATY), place(BISHKEK)
    cso = make_operator(name="Фонд «Шанырак»", kind="cso")
    state = make_operator(name="Акимат города", kind="state")
    hidden, city_only = make_secret_centres(almaty_city, operator=cso)
    centres = {
        "zhan": make_centre(
            name="Кризисный центр «Жан»",
            city=almaty_city,
            operator=cso,
            address="пр. Абая 1",
            address_visibility="public",
            latitude=Decimal("43.240000"),
            longitude=Decimal("76.900000"),
            services=["psychological", "legal"],
            audiences=["women"],
            accepts_pregnant=True,
            beds_free=2,
            beds_free_updated_at=timezone.now() - datetime.timedelta(hours=3),
            opening_hours="Mo-Fr 09:00-18:00",
            phones=[("Приёмная", "+7 727 111 2233", False), ("", "150", True)],
        ),
        "nadezhda": make_centre(
            name="Приют «Надежда»",
            city=almaty_city,
            operator=state,
            address="ул. Жибек Жолы 50",
            address_visibility="public",
            latitude=Decimal("43.260000"),
            longitude=Decimal("76.950000"),
            services=["shelter", "medical"],
            audiences=["women", "children"],
            documents_needed="none",
            status="temporarily_closed",
        ),
        "sezim": make_centre(
            name="Центр «Сезим»",
            country="KG",
            city=bishkek,
            address="ул. Киевская 3",
            address_visibility="public",
            services=["hotline", "legal"],
            audiences=["men"],
            open_24_7=True,
        ),
        "hidden": hidden,
        "city_only": city_only,
    }
    make_centre(name="Черновик «Приют»", published=False, city=almaty_city, operator=state)
    make_centre(name="Закрытый приют", status="closed", closure_reason="Закрыт", city=almaty_city)
    make_centre(name="Архивный приют", archived=True, city=almaty_city)
    return centres


PUBLIC_NAMES = ["Дом «Ласточка»", "Кризисный центр «Жан»", "Приют «Надежда»", "Убежище «Тайна»", "Центр «Сезим»"]


# -- every answer validates ---------------------------------------------------------------------------------------


def test_the_services_and_everything_nested_in_them_validate(client, world, served):
    answer = ok(client, "/api/services")
    served.assert_valid("/services", answer)
    assert [item["name"] for item in answer["contents"]] == PUBLIC_NAMES  # by name
    # The served schemas do catch what breaks them.
    broken = {**answer, "size": "five", "contents": [{**answer["contents"][0], "status": "open", "id": "x"}]}
    assert len(list(served.answer("/services").iter_errors(broken))) == 3
    for item in answer["contents"]:
        assert_valid("service", item)
        assert_valid("organization", item["organization"])
        for nested, schema in [
            ("phones", "phone"),
            ("schedules", "schedule"),
            ("languages", "language"),
            ("service_at_locations", "service_at_location"),
            ("capacities", "service_capacity"),
            ("attributes", "attribute"),
        ]:
            for obj in item[nested]:
                assert_valid(schema, obj)
        location = item["service_at_locations"][0]["location"]
        assert_valid("location", location)
        for address in location["addresses"]:
            assert_valid("address", address)
        detail = ok(client, f"/api/services/{item['id']}")
        served.assert_valid("/services/{id}", detail)
        assert detail == item
    zhan = ok(client, f"/api/services/{world['zhan'].pk}")
    assert zhan["capacities"][0]["available"] == 2  # a fresh figure at a public address shows
    assert [phone["number"] for phone in zhan["phones"]] == ["+7 727 111 2233", "150"]
    assert zhan["organization"]["name"] == "Фонд «Шанырак»"
    assert ok(client, f"/api/services/{world['nadezhda'].pk}")["status"] == "temporarily closed"


def test_the_organizations_validate_and_include_the_unrecorded_one(client, world, served):
    answer = ok(client, "/api/organizations")
    served.assert_valid("/organizations", answer)
    assert [item["name"] for item in answer["contents"]] == ["Акимат города", "Фонд «Шанырак»", unrecorded()]
    assert answer["total_items"] == 3
    for item in answer["contents"]:
        assert_valid("organization", item)
        detail = ok(client, f"/api/organizations/{item['id']}")
        served.assert_valid("/organizations/{id}", detail)
        assert detail == item
    assert "Казахстан, Кыргызстан" in answer["contents"][2]["description"]


def test_an_organization_without_public_centres_is_not_there(client, world):
    only_drafts = make_operator(name="Только черновики")
    make_centre(name="Ещё черновик", published=False, operator=only_drafts)
    assert get(client, f"/api/organizations/{hsds.organization_id(only_drafts.pk)}").status_code == 404
    assert "Только черновики" not in get(client, "/api/organizations").content.decode()
    Centre.objects.filter(operator__isnull=True).update(operator=only_drafts, published=False)
    answer = ok(client, "/api/organizations")
    assert unrecorded() not in [item["name"] for item in answer["contents"]]
    assert get(client, f"/api/organizations/{hsds.organization_id(None)}").status_code == 404


def test_the_taxonomy_and_its_terms_validate(client, world, served):
    answer = ok(client, "/api/taxonomies")
    served.assert_valid("/taxonomies", answer)
    assert answer["total_items"] == 1
    (ours,) = answer["contents"]
    assert_valid("taxonomy", ours)
    assert ok(client, f"/api/taxonomies/{ours['id']}") == ours
    served.assert_valid("/taxonomies/{id}", ours)
    assert get(client, f"/api/taxonomies/{uuid.uuid4()}").status_code == 404

    terms = ok(client, "/api/taxonomy_terms", {"per_page": 100})
    served.assert_valid("/taxonomy_terms", terms)
    assert terms["total_items"] == len(hsds.terms()) == len(terms["contents"])
    for term in terms["contents"]:
        assert_valid("taxonomy_term", term)
        assert term["taxonomy_id"] == ours["id"]
        assert ok(client, f"/api/taxonomy_terms/{term['id']}") == term
    served.assert_valid("/taxonomy_terms/{id}", terms["contents"][0])
    service_parent = hsds.Term("", "service").id
    children = ok(client, "/api/taxonomy_terms", {"parent_id": service_parent})["contents"]
    assert [term["code"] for term in children] == [f"service:{code}" for code in Service.values]
    assert ok(client, "/api/taxonomy_terms", {"taxonomy_id": ours["id"].upper()})["total_items"] == len(hsds.terms())
    assert ok(client, "/api/taxonomy_terms", {"taxonomy_id": str(uuid.uuid4())})["total_items"] == 0
    assert get(client, f"/api/taxonomy_terms/{uuid.uuid4()}").status_code == 404


def test_the_root_says_where_the_profile_and_the_document_are(client, served):
    answer = ok(client, "/api/")
    served.assert_valid("/", answer)
    assert answer == {
        "version": "3.1",
        "profile": f"{SERVER}/ru/open-data/",
        "openapi_url": OPENAPI,
    }
    assert ok(client, "/api/", HTTP_ACCEPT_LANGUAGE="en")["profile"] == f"{SERVER}/en/open-data/"


# -- the OpenAPI document ------------------------------------------------------------------------------------------

SERVED_PATHS = {
    "/",
    "/services",
    "/services/{id}",
    "/organizations",
    "/organizations/{id}",
    "/taxonomies",
    "/taxonomies/{id}",
    "/taxonomy_terms",
    "/taxonomy_terms/{id}",
}


def test_the_openapi_document_is_ours_and_well_formed(client, served):
    document = served.document
    assert document["openapi"].startswith("3.1.")
    info = document["info"]
    assert info["title"] and info["version"] and "REQUIRED" not in json.dumps(info)
    assert info["license"] == {"name": "CC BY 4.0 (the data)", "url": "https://creativecommons.org/licenses/by/4.0/"}
    assert info["contact"]["url"] == f"{SERVER}/ru/open-data/"
    assert "Never published" in info["description"] and info["x-privacy"]
    assert document["servers"] == [{"url": f"{SERVER}/api", "description": "This directory's API."}]
    assert set(document["paths"]) == SERVED_PATHS
    operation_ids = []
    for path, item in document["paths"].items():
        assert set(item) <= {"get", "parameters"} and "get" in item, path
        operation = item["get"]
        assert "200" in operation["responses"] and "429" in operation["responses"]
        operation_ids.append(operation["operationId"])
        for parameter in [*item.get("parameters", []), *operation.get("parameters", [])]:
            found = pointer(document, parameter["$ref"]) if "$ref" in parameter else parameter
            assert {"name", "in", "schema"} <= set(found), (path, found)
            if found["in"] == "path":
                assert "{" + found["name"] + "}" in path
    assert len(operation_ids) == len(set(operation_ids))

    services = [pointer(document, p["$ref"]) for p in document["paths"]["/services"]["get"]["parameters"]]
    assert {p["name"] for p in services} == {
        "search",
        "page",
        "per_page",
        "taxonomy_term_id",
        "taxonomy_id",
        "organization_id",
        "modified_after",
        "country",
        "proximity",
    }
    by_name = {p["name"]: p for p in services}
    assert by_name["country"]["schema"]["enum"] == ["KZ", "KG", "UZ", "TJ"] and by_name["country"]["x-extension"]
    proximity = by_name["proximity"]["description"]
    assert "two decimals" in proximity and "nearest first" in proximity and by_name["proximity"]["x-extension"]
    assert "100" in by_name["per_page"]["description"]
    assert document["paths"]["/services"]["get"]["x-privacy"]


def test_every_ref_of_the_document_resolves_here(client, served):
    document = served.document
    assert "raw.githubusercontent.com" not in json.dumps(document)
    pending = [(OPENAPI, ref) for ref in all_refs(document)]
    seen: set[str] = set()
    while pending:
        base, ref = pending.pop()
        if ref.startswith("#/"):
            pointer(document if base == OPENAPI else served.fetched[base], ref)
            continue
        target = urljoin(base, ref).split("#")[0]
        assert target.startswith(SCHEMAS), ref
        if target in seen:
            continue
        seen.add(target)
        served.retrieve(target)
        pending.extend((target, inner) for inner in all_refs(served.fetched[target]))
    assert {f"{SCHEMAS}{name}.json" for name in ("service", "organization", "taxonomy", "taxonomy_term")} <= seen
    assert f"{SCHEMAS}phone.json" in seen  # nested, through service.json


def test_every_documented_path_answers(client, world, served):
    ids = {
        "{id}": None,
        "/services/{id}": str(world["zhan"].pk),
        "/organizations/{id}": hsds.organization_id(world["zhan"].operator_id),
        "/taxonomies/{id}": hsds.taxonomy()["id"],
        "/taxonomy_terms/{id}": hsds.Term("service", "shelter").id,
    }
    for path in served.document["paths"]:
        url = served.document["servers"][0]["url"] + path.replace("{id}", ids.get(path) or "")
        answer = ok(client, url.removeprefix(SERVER))
        served.assert_valid(path, answer)


def test_a_schema_we_do_not_ship_is_a_404_in_json(client):
    for name in ("nothing", "openapi", "datapackage", "..%2Fsettings"):
        response = get(client, f"/api/schemas/{name}.json")
        assert response.status_code == 404 and response.json() == {"error": response.json()["error"], "status": 404}
    assert ok(client, "/api/schemas/service.json")["properties"]["id"]["format"] == "uuid"


# -- pages ---------------------------------------------------------------------------------------------------------


def envelope(answer: dict) -> dict:
    return {key: value for key, value in answer.items() if key != "contents"}


def test_an_empty_directory_is_one_empty_page(client, served, db):
    answer = ok(client, "/api/services")
    served.assert_valid("/services", answer)
    assert answer == {
        "total_items": 0,
        "total_pages": 0,
        "page_number": 1,
        "size": 0,
        "first_page": True,
        "last_page": True,
        "empty": True,
        "contents": [],
    }
    assert ok(client, "/api/organizations")["total_items"] == 0


def test_pages_at_their_edges(client, world, served):
    assert envelope(ok(client, "/api/services")) == {
        "total_items": 5,
        "total_pages": 1,
        "page_number": 1,
        "size": 5,
        "first_page": True,
        "last_page": True,
        "empty": False,
    }
    exactly = ok(client, "/api/services", {"per_page": 5})
    assert (exactly["total_pages"], exactly["size"], exactly["last_page"]) == (1, 5, True)
    first = ok(client, "/api/services", {"per_page": 2})
    assert envelope(first) == {
        "total_items": 5,
        "total_pages": 3,
        "page_number": 1,
        "size": 2,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }
    pages = [ok(client, "/api/services", {"per_page": 2, "page": n}) for n in (1, 2, 3)]
    assert [item["name"] for page in pages for item in page["contents"]] == PUBLIC_NAMES
    last = pages[2]
    assert (last["size"], last["first_page"], last["last_page"], last["page_number"]) == (1, False, True, 3)
    past = ok(client, "/api/services", {"per_page": 2, "page": 7})
    served.assert_valid("/services", past)
    assert envelope(past) == {
        "total_items": 5,
        "total_pages": 3,
        "page_number": 7,
        "size": 0,
        "first_page": False,
        "last_page": True,
        "empty": True,
    }
    assert ok(client, "/api/services", {"page": "0001"})["page_number"] == 1
    terms = ok(client, "/api/taxonomy_terms", {"per_page": 3, "page": 2})
    assert terms["size"] == 3 and terms["page_number"] == 2
    organizations = [ok(client, "/api/organizations", {"per_page": 2, "page": n}) for n in (1, 2, 3)]
    assert [len(page["contents"]) for page in organizations] == [2, 1, 0]
    assert organizations[1]["contents"][0]["name"] == unrecorded()


def test_per_page_is_capped_at_a_hundred(client, db):
    Centre.objects.bulk_create(
        Centre(name=f"Центр {n:03}", slug=f"centre-{n:03}", country="KZ", published=True) for n in range(101)
    )
    answer = ok(client, "/api/services", {"per_page": 1000})
    assert (answer["size"], answer["total_pages"], answer["total_items"]) == (100, 2, 101)
    assert [item["name"] for item in ok(client, "/api/services", {"per_page": 1000, "page": 2})["contents"]] == [
        "Центр 100"
    ]
    assert ok(client, "/api/services")["size"] == 50  # the default
    assert ok(client, "/api/services", {"per_page": "9" * 40})["size"] == 100


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"page": "0"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "1.5"}, "page"),
        ({"page": "²"}, "page"),
        ({"page": "9" * 40}, "page"),
        ({"per_page": "0"}, "per_page"),
        ({"per_page": "ten"}, "per_page"),
        ({"country": "RU"}, "country"),
        ({"taxonomy_term_id": "shelter"}, "taxonomy_term_id"),
        ({"taxonomy_term_id": str(uuid.uuid4())}, "taxonomy_term_id"),
        ({"organization_id": "not-a-uuid"}, "organization_id"),
        ({"modified_after": "yesterday"}, "modified_after"),
        ({"modified_after": "2026-13-01"}, "modified_after"),
        ({"modified_after": "0001-01-01T00:00:00+05:00"}, "modified_after"),
        ({"proximity": "43.25"}, "proximity"),
        ({"proximity": "abc,def"}, "proximity"),
        ({"proximity": "91,76.9"}, "proximity"),
        ({"proximity": "43.2,181"}, "proximity"),
        ({"proximity": "nan,1"}, "proximity"),
        ({"proximity": "1,2,3"}, "proximity"),
        ({"search": "a\x00b"}, "search"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(client, world, params, parameter):
    response = get(client, "/api/services", params)
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    answer = response.json()
    assert answer["parameter"] == parameter and answer["status"] == 400
    assert set(answer) == {"error", "parameter", "status"} and answer["error"]
    assert not response.cookies and response["Access-Control-Allow-Origin"] == "*"


def test_the_lists_page_the_same_way(client, world):
    for path in ("/api/organizations", "/api/taxonomies", "/api/taxonomy_terms"):
        response = get(client, path, {"page": "0"})
        assert response.status_code == 400 and response.json()["parameter"] == "page"


def test_unknown_parameters_are_ignored(client, world):
    assert names(client, {"format": "ndjson", "minimal": "true", "q": "Жан", "service": "legal"}) == PUBLIC_NAMES


def test_the_error_words_are_in_the_language_asked_for(client, world):
    english = get(client, "/api/services", {"page": "x"}, HTTP_ACCEPT_LANGUAGE="en").json()["error"]
    assert english.startswith("page must be")
    with translation.override("ru"):
        expected = translation.gettext("%(parameter)s must be a whole number from 1 to %(largest)d.")
    russian = get(client, "/api/services", {"page": "x"}, HTTP_ACCEPT_LANGUAGE="ru").json()["error"]
    assert russian == expected % {"parameter": "page", "largest": 10**9}


# -- filters -------------------------------------------------------------------------------------------------------


def test_search_is_the_public_search(client, world):
    assert names(client, {"search": "приют"}) == ["Приют «Надежда»"]  # not the draft, the closed or archived one
    assert names(client, {"search": "ПРИЮТ"}) == ["Приют «Надежда»"]
    assert names(client, {"search": "шанырак"}) == ["Кризисный центр «Жан»", "Убежище «Тайна»"]  # the operator
    assert names(client, {"search": "бишкек"}) == ["Центр «Сезим»"]  # the town
    assert names(client, {"search": "%"}) == []


def test_country(client, world):
    assert names(client, {"country": "KG"}) == ["Центр «Сезим»"]
    assert names(client, {"country": "kz"}) == [name for name in PUBLIC_NAMES if name != "Центр «Сезим»"]
    assert names(client, {"country": "TJ"}) == []


def test_taxonomy_terms_of_each_kind(client, world):
    def term(group: str, code: str) -> str:
        return hsds.Term(group, code).id

    assert names(client, {"taxonomy_term_id": term("service", "legal")}) == ["Кризисный центр «Жан»", "Центр «Сезим»"]
    assert names(client, {"taxonomy_term_id": term("service", "shelter")}) == [
        "Дом «Ласточка»",
        "Приют «Надежда»",
        "Убежище «Тайна»",
    ]
    assert names(client, {"taxonomy_term_id": term("audience", "men")}) == ["Центр «Сезим»"]
    assert names(client, {"taxonomy_term_id": term("operator_kind", "state")}) == ["Приют «Надежда»"]
    assert names(client, {"taxonomy_term_id": term("operator_kind", "cso")}) == [
        "Кризисный центр «Жан»",
        "Убежище «Тайна»",
    ]
    assert names(client, {"taxonomy_term_id": term("", "operator_kind")}) == [
        "Кризисный центр «Жан»",
        "Приют «Надежда»",
        "Убежище «Тайна»",
    ]
    assert names(client, {"taxonomy_term_id": term("", "service")}) == PUBLIC_NAMES
    assert names(client, {"taxonomy_term_id": term("", "audience")}) == PUBLIC_NAMES
    assert names(client, {"taxonomy_term_id": term("admission", "accepts_pregnant")}) == ["Кризисный центр «Жан»"]
    assert names(client, {"taxonomy_term_id": term("admission", "documents_needed")}) == ["Приют «Надежда»"]
    assert names(client, {"taxonomy_term_id": term("", "admission")}) == ["Кризисный центр «Жан»", "Приют «Надежда»"]
    # What the filter finds is what the attributes say.
    for item in ok(client, "/api/services", {"taxonomy_term_id": term("audience", "men")})["contents"]:
        assert term("audience", "men") in {attribute["taxonomy_term_id"] for attribute in item["attributes"]}


def test_taxonomy_id(client, world):
    assert names(client, {"taxonomy_id": hsds.taxonomy()["id"]}) == PUBLIC_NAMES
    assert names(client, {"taxonomy_id": str(uuid.uuid4())}) == []
    assert names(client, {"taxonomy_id": "someone-elses"}) == []


def test_organization_id(client, world):
    cso = hsds.organization_id(world["zhan"].operator_id)
    assert names(client, {"organization_id": cso}) == ["Кризисный центр «Жан»", "Убежище «Тайна»"]
    assert names(client, {"organization_id": cso.upper()}) == ["Кризисный центр «Жан»", "Убежище «Тайна»"]
    assert names(client, {"organization_id": hsds.organization_id(None)}) == ["Дом «Ласточка»", "Центр «Сезим»"]
    assert names(client, {"organization_id": str(uuid.uuid4())}) == []
    for item in ok(client, "/api/services", {"organization_id": cso})["contents"]:
        assert item["organization_id"] == cso


def test_modified_after(client, db):
    with time_machine.travel(datetime.datetime(2026, 1, 10, 7, 0, 0, 400000, tzinfo=datetime.UTC), tick=False):
        make_centre(name="Old")
    with time_machine.travel(datetime.datetime(2026, 3, 1, 4, 30, 15, 700000, tzinfo=datetime.UTC), tick=False):
        make_centre(name="New")
    new = next(item for item in ok(client, "/api/services")["contents"] if item["name"] == "New")
    shown = new["last_modified"]  # to the second, in the directory's time zone
    assert datetime.datetime.fromisoformat(shown) == datetime.datetime(2026, 3, 1, 4, 30, 15, tzinfo=datetime.UTC)
    assert names(client, {"modified_after": "2026-02-01"}) == ["New"]
    assert names(client, {"modified_after": "2026-01-01"}) == ["New", "Old"]
    assert names(client, {"modified_after": "2026-03-02"}) == []
    assert names(client, {"modified_after": shown}) == ["New"]  # on or after, as last_modified shows it
    assert names(client, {"modified_after": "2026-03-01T04:30:15Z"}) == ["New"]
    assert names(client, {"modified_after": "2026-03-01T04:30:15.5Z"}) == []  # after what last_modified shows
    assert names(client, {"modified_after": "2026-03-01T04:30:16+00:00"}) == []
    offset = shown[-6:]
    unencoded = shown[:-6] + " " + offset.removeprefix("+")  # a "+" sent unencoded arrives as a space
    assert offset.startswith("+") and names(client, {"modified_after": unencoded}) == ["New"]


def test_proximity_orders_nearest_first_from_the_rounded_point(client, world):
    near_zhan = names(client, {"proximity": "43.24,76.90"})
    assert near_zhan == [
        "Кризисный центр «Жан»",
        "Дом «Ласточка»",  # at Almaty's centre, 1.5 km away, as the hidden shelter
        "Убежище «Тайна»",
        "Приют «Надежда»",
        "Центр «Сезим»",
    ]
    near_nadezhda = names(client, {"proximity": "43.26,76.95"})
    assert near_nadezhda[0] == "Приют «Надежда»"
    assert names(client, {"proximity": "42.87,74.59"})[0] == "Центр «Сезим»"
    precise = ok(client, "/api/services", {"proximity": "43.25678,76.91234"})
    rounded = ok(client, "/api/services", {"proximity": "43.26,76.91"})
    assert precise == rounded
    assert ok(client, "/api/services", {"proximity": " 43.26 , 76.91 "}) == rounded
    assert precise["total_items"] == 5


def test_proximity_places_a_hidden_shelter_at_its_town_only(client, world):
    # Asked from the hidden shelter's own point, it is no nearer than its town's centre: it ranks with the city-only
    # one, at Almaty's centre, behind a public centre a little way from its point.
    make_centre(
        name="Ближний центр",
        city=place(ALMATY),
        address="ул. Рядом 2",
        address_visibility="public",
        latitude=Decimal("43.290000"),
        longitude=Decimal("77.030000"),
    )
    found = names(client, {"proximity": f"{HIDDEN_POINT[0]},{HIDDEN_POINT[1]}"})
    assert found[0] == "Ближний центр"
    assert found.index("Убежище «Тайна»") == found.index("Дом «Ласточка»") + 1  # the same distance: by name


def test_filters_combine(client, world):
    cso = hsds.organization_id(world["zhan"].operator_id)
    shelter = hsds.Term("service", "shelter").id
    assert names(client, {"search": "убежище", "country": "KZ", "organization_id": cso}) == ["Убежище «Тайна»"]
    assert names(client, {"search": "убежище", "country": "KG"}) == []
    assert names(client, {"taxonomy_term_id": shelter, "organization_id": hsds.organization_id(None)}) == [
        "Дом «Ласточка»"
    ]
    assert names(client, {"taxonomy_term_id": shelter, "proximity": "43.26,76.95", "country": "KZ"})[0] == (
        "Приют «Надежда»"
    )
    assert names(client, {"country": "KZ", "modified_after": "2000-01-01", "search": "жан"}) == [
        "Кризисный центр «Жан»"
    ]
    both = {"search": "центр", "taxonomy_term_id": hsds.Term("service", "legal").id, "country": "KG"}
    assert names(client, both) == ["Центр «Сезим»"]


# -- what is never published ---------------------------------------------------------------------------------------


def test_hidden_and_city_only_shelters_say_where_no_more_than_their_page(client, world):
    answers = [get(client, "/api/services"), get(client, "/api/services", {"proximity": "43.30,77.05"})]
    answers += [get(client, f"/api/services/{world[key].pk}") for key in ("hidden", "city_only")]
    answers += [get(client, "/api/services", {"search": "убежище"}), get(client, "/api/organizations")]
    for response in answers:
        assert response.status_code == 200
        assert not leaks(response.content.decode())
    listed = {item["name"]: item for item in answers[0].json()["contents"]}
    for key, description in (("hidden", "Address given by phone."), ("city_only", "Only the city is published.")):
        detail = answers[2 if key == "hidden" else 3].json()
        for item in (listed[world[key].name], detail):
            location = item["service_at_locations"][0]["location"]
            assert "latitude" not in location and "longitude" not in location
            assert location["description"] == translation.gettext(description)
            assert location["addresses"][0]["address_1"] == ""
            assert location["addresses"][0]["city"] == "Алматы"
            assert item["capacities"] == []
    public = listed["Кризисный центр «Жан»"]["service_at_locations"][0]["location"]
    assert (public["latitude"], public["longitude"]) == (43.24, 76.9)
    assert public["addresses"][0]["address_1"] == "пр. Абая 1"


def test_drafts_closed_and_archived_centres_are_nowhere(client, world):
    hidden_ones = Centre.objects.exclude(pk__in=[centre.pk for centre in world.values()])
    assert hidden_ones.count() == 3
    text = get(client, "/api/services", {"per_page": 100}).content.decode()
    text += get(client, "/api/services", {"search": "приют"}).content.decode()
    for centre in hidden_ones:
        assert centre.name not in text and str(centre.pk) not in text
        response = get(client, f"/api/services/{centre.pk}")
        assert response.status_code == 404
        assert response.json() == {"error": response.json()["error"], "status": 404}


@pytest.mark.parametrize("identifier", ["not-a-uuid", str(uuid.uuid4()), "1", "%00"])
def test_an_unknown_service_is_a_404_in_json(client, world, identifier):
    response = get(client, f"/api/services/{identifier}")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["status"] == 404 and response.json()["error"]
    assert get(client, f"/api/organizations/{identifier}").status_code == 404
    assert get(client, f"/api/taxonomy_terms/{identifier}").status_code == 404


@pytest.mark.parametrize("path", ["/api/nothing", "/api/services/", "/api/services/x/y", "/api/openapi.yaml"])
def test_any_other_address_under_the_api_is_a_404_in_json(client, path):
    response = get(client, path)
    assert response.status_code == 404 and response.json()["status"] == 404


# -- HTTP: caching, CORS, methods, cookies, limits, language -------------------------------------------------------


def test_a_matching_etag_is_a_304_until_an_edit(client, world, django_capture_on_commit_callbacks):
    first = get(client, "/api/services")
    etag = first["ETag"]
    assert etag.startswith('"') and "Last-Modified" not in first
    again = get(client, "/api/services", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and again["Access-Control-Allow-Origin"] == "*"
    assert get(client, "/api/services", {"page": 1}, HTTP_IF_NONE_MATCH=etag).status_code == 304  # the same answer
    assert get(client, "/api/services", {"per_page": 1}, HTTP_IF_NONE_MATCH=etag).status_code == 200  # another
    english = get(client, "/api/services", HTTP_IF_NONE_MATCH=etag, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200 and english["ETag"] != etag  # another language
    with django_capture_on_commit_callbacks(execute=True):
        world["zhan"].name = "Кризисный центр «Жан-2»"
        world["zhan"].save()
    after = get(client, "/api/services", HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200 and after["ETag"] != etag
    assert "Кризисный центр «Жан-2»" in [item["name"] for item in after.json()["contents"]]
    assert get(client, "/api/services", HTTP_IF_NONE_MATCH=after["ETag"]).status_code == 304


def test_an_edit_nobody_may_see_changes_no_tag(client, world, django_capture_on_commit_callbacks):
    """A hidden shelter's new figure of places free, or a note, changes no answer: its tag stays, and nothing in
    the answer's headers tells that an edit happened (no date of the data is sent)."""
    first = get(client, "/api/services")
    detail = get(client, f"/api/services/{world['hidden'].pk}")
    with django_capture_on_commit_callbacks(execute=True):
        hidden = Centre.objects.get(pk=world["hidden"].pk)
        hidden.beds_free = 1
        hidden.internal_notes = "ночная смена"
        hidden.save()
    assert get(client, "/api/services", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    again = get(client, f"/api/services/{world['hidden'].pk}", HTTP_IF_NONE_MATCH=detail["ETag"])
    assert again.status_code == 304 and "Last-Modified" not in again
    assert get(client, "/api/services", HTTP_IF_MODIFIED_SINCE=http_date(0)).status_code == 200


def test_a_figure_growing_old_changes_the_answer_and_its_etag(client, db):
    start = datetime.datetime(2026, 10, 5, 5, 0, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        make_centre(
            name="Центр",
            address="ул. Абая 2",
            address_visibility="public",
            beds_free=3,
            beds_free_updated_at=start - datetime.timedelta(days=7) + datetime.timedelta(hours=1),
        )
        before = get(client, "/api/services")
        assert before.json()["contents"][0]["capacities"][0]["available"] == 3
        clock.shift(datetime.timedelta(hours=2))  # the same day, the same data version: the figure is too old now
        after = get(client, "/api/services", HTTP_IF_NONE_MATCH=before["ETag"])
        assert after.status_code == 200 and after.json()["contents"][0]["capacities"] == []


def test_cors_is_open_for_reading(client, world):
    for response in (get(client, "/api/services"), get(client, "/api/nothing"), get(client, "/api/services?page=x")):
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response["Access-Control-Expose-Headers"] == "ETag, Retry-After, Content-Language"
    preflight = client.options(
        "/api/services", HTTP_ORIGIN="https://example.org", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert preflight.status_code == 204 and preflight.content == b""
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert preflight["Access-Control-Allow-Headers"] == "If-None-Match, Accept-Language"


def test_only_reading_is_answered(client, world):
    for method in (client.post, client.put, client.patch, client.delete):
        response = method("/api/services", data="{}", content_type="application/json")
        assert response.status_code == 405 and response["Allow"] == "GET, HEAD, OPTIONS"
        assert response.json()["status"] == 405 and not response.cookies
    head = client.head("/api/services")
    assert head.status_code == 200 and head["ETag"] and head.content == b""


def test_no_answer_sets_a_cookie(client, world, settings):
    responses = [
        get(client, "/api/"),
        get(client, "/api/openapi.json"),
        get(client, "/api/schemas/service.json"),
        get(client, "/api/services"),
        get(client, f"/api/services/{world['zhan'].pk}"),
        get(client, "/api/organizations"),
        get(client, "/api/taxonomy_terms"),
        get(client, "/api/services", {"page": "x"}),
        get(client, "/api/services/nothing"),
        get(client, "/api/nothing"),
        client.post("/api/services"),
        client.options("/api/services"),
        client.head("/api/services"),
    ]
    responses.append(get(client, "/api/services", HTTP_IF_NONE_MATCH=responses[3]["ETag"]))
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": "1/m"}
    responses += [get(client, "/api/services", REMOTE_ADDR="198.51.100.9") for _ in range(2)]
    assert {response.status_code for response in responses} == {200, 204, 304, 400, 404, 405, 429}
    for response in responses:
        assert not response.cookies and "Set-Cookie" not in response.headers, response.status_code
        assert response["Cache-Control"] == "no-store"
    assert not client.cookies


def test_over_the_limit_is_a_429_in_json(client, world, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": "3/m"}
    codes = [get(client, path).status_code for path in ("/api/services", "/api/organizations", "/api/nothing")]
    assert codes == [200, 200, 404]
    assert client.options("/api/services").status_code == 204  # a preflight is not counted
    response = get(client, "/api/services")
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert response.json()["status"] == 429 and response.json()["error"]
    assert response["Access-Control-Allow-Origin"] == "*" and not response.cookies
    assert get(client, "/api/services", REMOTE_ADDR="198.51.100.7").status_code == 200  # another client


def test_the_api_answers_in_the_negotiated_language(client, world):
    default = get(client, "/api/taxonomy_terms", {"per_page": 100})
    assert default["Content-Language"] == "ru" and "Accept-Language" in default["Vary"]
    kazakh = get(client, "/api/taxonomy_terms", {"per_page": 100}, HTTP_ACCEPT_LANGUAGE="kk")
    assert kazakh["Content-Language"] == "kk" and "Accept-Language" in kazakh["Vary"]
    shelter = next(term for term in kazakh.json()["contents"] if term["code"] == "service:shelter")
    with translation.override("kk"):
        assert shelter["name"] == str(Service.SHELTER.label) and shelter["language"] == "kk"
    english = ok(client, f"/api/services/{world['hidden'].pk}", HTTP_ACCEPT_LANGUAGE="en")
    assert english["service_at_locations"][0]["location"]["addresses"][0]["city"] == "Almaty"
    assert get(client, "/api/openapi.json", HTTP_ACCEPT_LANGUAGE="kk")["Content-Language"] == "en"


# -- queries -------------------------------------------------------------------------------------------------------


@pytest.fixture
def many(db, almaty):
    """Twelve public centres, each with its operator, its town and two phones."""
    for n in range(12):
        make_centre(
            name=f"Центр {n:02}",
            city=place(ALMATY if n % 2 else BISHKEK),
            country="KZ" if n % 2 else "KG",
            operator=make_operator(name=f"Оператор {n}", kind="cso" if n % 3 else "state"),
            address_visibility="public",
            address=f"ул. {n}",
            beds_free=n,
            beds_free_updated_at=timezone.now(),
            accepts_pregnant=bool(n % 2),  # recorded, either way
            phones=[("Один", f"+7 700 000 00{n:02}", True), ("Два", f"+7 701 000 00{n:02}", False)],
        )


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"proximity": "43.25,76.91"},
        {"search": "центр", "country": "KZ"},
        {"taxonomy_term_id": hsds.Term("", "admission").id, "modified_after": "2000-01-01"},
        {"taxonomy_term_id": hsds.Term("operator_kind", "cso").id},
    ],
)
def test_the_queries_do_not_grow_with_the_page(client, many, params):
    small = count_queries(client, "/api/services", {**params, "per_page": 5})
    large = count_queries(client, "/api/services", {**params, "per_page": 50})
    assert small == large
    assert ok(client, "/api/services", {**params, "per_page": 50})["size"] > 5


def test_the_plain_list_costs_its_count_its_page_its_phones_and_its_operators_countries(client, many):
    """Four queries on the first request of a data version; then the count and every operator's countries are
    kept, and the page and its phones are all it reads."""
    from centres.caching import new_data_version

    new_data_version()
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/services").status_code == 200
    assert len(page_queries(captured)) == 4, [query["sql"][:120] for query in page_queries(captured)]
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/services").status_code == 200
    assert len(page_queries(captured)) == 2, [query["sql"][:120] for query in page_queries(captured)]
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/services", {"search": "центр"}).status_code == 200
    searched = [query["sql"] for query in page_queries(captured)]
    assert any("COUNT" in sql.upper() for sql in searched)  # a search's count is never kept
    # The organizations' map of ids is computed once per data version.
    organization = {"organization_id": hsds.organization_id(Centre.objects.first().operator_id)}
    client.get("/api/services", organization)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/services", organization).status_code == 200
    assert len(page_queries(captured)) == 2


def test_only_the_api_may_be_read_by_other_sites(client, db):
    assert client.get("/api/services")["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert client.get("/api/nothing-here")["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert client.get("/en/")["Cross-Origin-Resource-Policy"] == "same-origin"
    assert client.get("/en/open-data/")["Cross-Origin-Resource-Policy"] == "same-origin"


def test_a_hidden_shelters_new_figure_is_no_modification(client, db):
    """Its places free are never published, so a new figure must not show as a change either: `modified_after`
    would otherwise tell anyone watching that someone at the hidden shelter was at work."""
    with time_machine.travel(datetime.datetime(2026, 3, 1, 4, 0, tzinfo=datetime.UTC), tick=False):
        shelter = make_centre(name="Тайный приют", address_visibility="hidden", address="ул. Тайная, 5", beds=9)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 23, 0, tzinfo=datetime.UTC), tick=False):
        shelter.beds_free = 4
        shelter.internal_notes = "ночная смена"
        shelter.save()
        assert names(client, {"modified_after": "2026-03-02"}) == []
        [found] = ok(client, "/api/services")["contents"]
    assert datetime.datetime.fromisoformat(found["last_modified"]) == datetime.datetime(
        2026, 3, 1, 4, 0, tzinfo=datetime.UTC
    )
