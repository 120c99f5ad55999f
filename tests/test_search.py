"""The public search (DESIGN.md section 5): every filter, text in any script and case, near me, pages, queries."""

import csv
import datetime
import io
import random
import re
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from centres.geo import distance_km
from centres.models import CountryRules, Place
from centres.nearest import Nearest, Origin, nearest_first
from centres.selectors import country_centres, public_centres
from tests.conftest import count_queries, make_centre, make_operator, page_queries, sign_in

pytestmark = pytest.mark.django_db

ALMATY, KONAEV, SHYMKENT, KARAGANDA, OSKEMEN = 1526384, 1519948, 1518980, 609655, 1520316
OSH, BISHKEK = 1527534, 1528675
AKSU_PAVLODAR, AKSU_TURKISTAN, AKSU_AKMOLA = 1524298, 1525462, 1526271
LIST = "/en/centres/"


def place(geonameid: int) -> Place:
    return Place.objects.get(pk=geonameid)


def centre(name: str, *, city: int | None = ALMATY, operator: dict | None = None, **overrides):
    """A centre in a gazetteer city (given by GeoNames id), optionally run by an operator made from `operator`."""
    if city is not None:
        overrides["city"] = place(city)
        overrides.setdefault("country", overrides["city"].country)
    if operator is not None:
        overrides["operator"] = make_operator(**operator)
    return make_centre(name=name, **overrides)


def found(response) -> list[str]:
    assert response.status_code == 200
    return [view.name for view in response.context["centres"]]


def distances(response) -> list[tuple[str, int]]:
    return [(view.name, view.distance_km) for view in response.context["centres"]]


def days_ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


# --- each filter alone ------------------------------------------------------------------------------------------

FILTERS = {
    "country": ({"country": "KG"}, [{"city": OSH}], [{"city": ALMATY}]),
    "region": ({"region": "KZ-35"}, [{"city": KARAGANDA}], [{"city": ALMATY}, {"city": OSKEMEN}]),
    "city": ({"city": ALMATY}, [{"city": ALMATY}], [{"city": KONAEV}, {"city": SHYMKENT}]),
    "operator_kind": (
        {"operator_kind": "state"},
        [{"operator": {"name": "Акимат", "kind": "state"}}],
        [{"operator": {"name": "Фонд", "kind": "cso"}}, {}],
    ),
    "service, all must match": (
        {"service": ["shelter", "legal"]},
        [{"services": ["shelter", "legal", "medical"]}, {"services": ["legal", "shelter"]}],
        [{"services": ["shelter"]}, {"services": ["legal"]}, {"services": []}],
    ),
    "audience, all must match": (
        {"audience": ["women", "children"]},
        [{"audiences": ["women", "children", "older"]}],
        [{"audiences": ["women"]}, {"audiences": ["children", "men"]}],
    ),
    "language, any may match": (
        {"language": ["ky", "uz"]},
        [{"languages": ["ky"]}, {"languages": ["ru", "uz"]}],
        [{"languages": ["kk", "ru"]}, {"languages": []}],
    ),
    "open_24_7": ({"open_24_7": "on"}, [{"open_24_7": True}], [{"open_24_7": False}, {"open_24_7": None}]),
    "free": ({"free": "on"}, [{"free": True}], [{"free": False}, {"free": None}]),
    "accessible": ({"accessible": "true"}, [{"accessible": True}], [{"accessible": False}, {"accessible": None}]),
    "with_children": (
        {"with_children": "on"},
        [{"accepts_children": True}],
        [{"accepts_children": False}, {"accepts_children": None}],
    ),
    "boys_age": (
        {"boys_age": "13"},
        [
            {"accepts_children": True, "boys_max_age": 13},
            {"accepts_children": True, "boys_max_age": 16},
            {"accepts_children": True, "boys_max_age": None},  # no known limit: stays in, the page says call
        ],
        [
            {"accepts_children": True, "boys_max_age": 12},
            {"accepts_children": False},
            {"accepts_children": None},
        ],
    ),
    "pregnant": (
        {"pregnant": "on"},
        [{"accepts_pregnant": True}],
        [{"accepts_pregnant": False}, {"accepts_pregnant": None}],
    ),
    "no_documents": (
        {"no_documents": "on"},
        [{"documents_needed": "none"}],
        [{"documents_needed": "id"}, {"documents_needed": "id_and_registration"}, {"documents_needed": ""}],
    ),
    "non_citizens": (
        {"non_citizens": "on"},
        [{"accepts_non_citizens": True}],
        [{"accepts_non_citizens": False}, {"accepts_non_citizens": None}],
    ),
    "beds_free, fresh figures only, hidden shelters whatever their figure": (
        {"beds_free": "on"},
        [
            {"beds_free": 2, "beds_free_updated_at": days_ago(1), "address_visibility": "public"},
            {"beds_free": 1, "beds_free_updated_at": days_ago(6.9), "address_visibility": "public"},
            # Filtering these by their figure would tell anyone which hidden shelter has room tonight.
            {"beds_free": 0, "beds_free_updated_at": days_ago(1), "address_visibility": "hidden"},
            {"beds_free": None, "address_visibility": "city"},
        ],
        [
            # older than the allowed 7 days
            {"beds_free": 2, "beds_free_updated_at": days_ago(8), "address_visibility": "public"},
            {"beds_free": 0, "beds_free_updated_at": days_ago(1), "address_visibility": "public"},
            {"beds_free": None, "beds_free_updated_at": days_ago(1), "address_visibility": "public"},
            # hidden, but no shelter: no places to ask about
            {"beds_free": 2, "address_visibility": "hidden", "services": ["legal"]},
        ],
    ),
}


@pytest.mark.parametrize("case", FILTERS.values(), ids=FILTERS.keys())
def test_each_filter_alone_keeps_exactly_the_matching_centres(client, case):
    params, matching, other = case
    for n, overrides in enumerate(matching):
        centre(f"Match {n}", **overrides)
    for n, overrides in enumerate(other):
        centre(f"Other {n}", **overrides)
    assert sorted(found(client.get(LIST, params))) == [f"Match {n}" for n in range(len(matching))]
    assert len(found(client.get(LIST))) == len(matching) + len(other)


def test_an_unticked_box_never_means_must_be_false(client):
    centre("Open", open_24_7=True)
    centre("Closed at night", open_24_7=False)
    centre("Not known", open_24_7=None)
    assert len(found(client.get(LIST, {"open_24_7": "false"}))) == 3
    assert len(found(client.get(LIST, {"open_24_7": ""}))) == 3


def test_places_free_counts_only_within_each_countrys_allowed_age(client):
    CountryRules.objects.create(country="KG", beds_free_max_age_days=2)
    public = {"address_visibility": "public", "beds_free": 3}
    centre("Almaty, 3 days old", beds_free_updated_at=days_ago(3), **public)  # Kazakhstan allows 7 days
    centre("Osh, 3 days old", city=OSH, beds_free_updated_at=days_ago(3), **public)
    centre("Osh, 1 day old", city=OSH, beds_free_updated_at=days_ago(1), **public)
    assert sorted(found(client.get(LIST, {"beds_free": "on"}))) == ["Almaty, 3 days old", "Osh, 1 day old"]


# --- combinations -----------------------------------------------------------------------------------------------


def test_a_mother_with_sons_of_9_and_13_near_shymkent_finds_the_centres_that_take_them_nearest_first(client):
    centre("Shymkent, boys to 14", city=SHYMKENT, accepts_children=True, boys_max_age=14)
    centre("Shymkent, boys to 10", city=SHYMKENT, accepts_children=True, boys_max_age=10)
    centre("Shymkent, women only", city=SHYMKENT, accepts_children=False)
    centre("Almaty, no age limit", city=ALMATY, accepts_children=True)
    centre("Osh, boys to 16", city=OSH, accepts_children=True, boys_max_age=16)
    response = client.get(LIST, {"near": "Шымкент", "with_children": "on", "boys_age": "13"})
    # Osh is nearer than Almaty, but across a border: near a named town means in its country.
    assert found(response) == ["Shymkent, boys to 14", "Almaty, no age limit"]
    assert response.context["centres"][0].distance_km == 0


def test_filters_combine_with_and(client):
    both = {"services": ["shelter", "legal"], "languages": ["kk"], "open_24_7": True, "free": True}
    centre("All of it", operator={"name": "Акимат", "kind": "state"}, **both)
    centre("In Osh", city=OSH, operator={"name": "Акимат", "kind": "state"}, **both)
    centre("Not free", operator={"name": "Акимат", "kind": "state"}, **{**both, "free": False})
    centre("Run by a fund", operator={"name": "Фонд", "kind": "cso"}, **both)
    centre("No legal help", operator={"name": "Акимат", "kind": "state"}, **{**both, "services": ["shelter"]})
    params = {
        "country": "KZ",
        "operator_kind": "state",
        "service": ["shelter", "legal"],
        "language": ["kk", "uz"],
        "open_24_7": "on",
        "free": "on",
    }
    assert found(client.get(LIST, params)) == ["All of it"]
    assert found(client.get(LIST, {**params, "q": "акимат алматы"})) == ["All of it"]
    assert found(client.get(LIST, {**params, "q": "фонд"})) == []


def test_a_search_with_no_result_says_so_and_points_to_a_hotline(client):
    centre("Women only", accepts_children=False)
    response = client.get(LIST, {"with_children": "on"})
    assert found(response) == []
    html = response.content.decode()
    assert "0 centres found" in html
    assert "No centre matches all of these filters" in html


# --- which centres are public -----------------------------------------------------------------------------------


def test_only_active_and_temporarily_closed_centres_are_listed_the_latter_marked(client):
    centre("Open centre")
    paused = centre("Paused centre", status="temporarily_closed", closure_reason="Repairs")
    closed = centre("Closed centre", status="closed", closure_reason="Funding ended")
    archived = centre("Archived centre", archived=True)
    response = client.get(LIST)
    assert found(response) == ["Open centre", "Paused centre"]
    cards = response.content.decode().split('class="centre-card')[1:]
    assert "Temporarily closed" not in cards[0]
    assert "Temporarily closed" in cards[1]
    assert client.get(f"/en/centres/{paused.slug}/").status_code == 200
    assert "Temporarily closed" in client.get(f"/en/centres/{paused.slug}/").content.decode()
    for hidden in (closed, archived):
        assert client.get(f"/en/centres/{hidden.slug}/").status_code == 404
        assert found(client.get(LIST, {"q": hidden.name})) == []


@pytest.mark.parametrize(
    "params", [{}, {"q": "centre"}, {"near": "Алматы"}, {"lat": "43.25", "lon": "76.91"}, {"near": "Шымкент"}]
)
def test_temporarily_closed_centres_come_after_every_open_one_and_never_as_the_nearest(client, params):
    """The paused centre is the nearest to Almaty and first by name, yet listed last, in the list and its export."""
    centre("A paused centre", status="temporarily_closed", closure_reason="Repairs")
    for n, city in enumerate([SHYMKENT, KARAGANDA, ALMATY, OSH]):
        centre(f"Centre {n}", city=city)
    names = found(client.get(LIST, params))
    assert names[-1] == "A paused centre"
    assert len(names) > 1
    exported = client.get("/en/centres/export.csv", params).getvalue().decode().removeprefix("\ufeff")
    exported_names = [row["name"] for row in csv.DictReader(io.StringIO(exported, newline=""))]
    assert exported_names[-1] == "A paused centre"
    assert [name for name in exported_names if name in names] == names


def test_a_page_that_holds_open_and_paused_centres_reads_both_in_order(client):
    open_names = [centre(f"Open {n:02}").name for n in range(25)]
    paused = [centre(f"Paused {n}", status="temporarily_closed").name for n in range(3)]
    assert found(client.get(LIST, {"q": "open"})) == open_names[:20]
    second = client.get(LIST, {"page": 2, "near": "Алматы"})
    assert found(second) == [*open_names[20:], *paused]
    assert "28 centres found" in second.content.decode()
    with CaptureQueriesContext(connection) as straddling:
        client.get(LIST, {"page": 2, "near": "Алматы"})
    with CaptureQueriesContext(connection) as first_page:
        client.get(LIST, {"page": 1, "near": "Алматы"})
    # The pages' own queries: the rate limit's counter sometimes culls old rows too (one add in 100, at random).
    assert len(page_queries(straddling)) <= len(page_queries(first_page)) + 2  # the second part's rows and phones


def test_a_card_says_who_is_admitted_whether_it_is_open_at_night_and_has_a_call_button(client):
    centre(
        "Open house",
        open_24_7=True,
        accepts_children=True,
        boys_max_age=12,
        accepts_pregnant=True,
        documents_needed="none",
        accepts_non_citizens=True,
        phones=[("Hotline", "+7 727 111 2233", True), ("", "+7 701 000 0001", False)],
    )
    centre("Unknown house", hours="Mo-Fr 9-18", documents_needed="id")
    centre("Unsaid house", open_24_7=None)
    cards = dict(zip(["Open house", "Unknown house", "Unsaid house"], cards_of(client.get(LIST)), strict=True))
    assert "Open 24/7" not in cards["Unsaid house"] and "around the clock" not in cards["Unsaid house"]
    card = cards["Open house"]
    for fact in (
        "Open 24/7",
        "Mothers with children (boys up to 12 years)",
        "Pregnant women",
        "No documents needed",
        "Non-citizens",
    ):
        assert fact in card
    assert '<a class="btn btn-success call-button" href="tel:+7 727 111 2233">' in card
    assert card.index("Open 24/7") < card.index("Pregnant women") < card.index("call-button")
    unknown = cards["Unknown house"]
    assert "Mo-Fr 9-18" in unknown  # the hours note when not known to be open around the clock
    for fact in ("Open 24/7", "Mothers with children", "Pregnant women", "No documents needed", "Non-citizens"):
        assert fact not in unknown  # nothing promised that is not recorded
    assert "call-button" not in unknown


@pytest.mark.parametrize("language", ["ru", "kk", "ky", "tg"])
def test_town_names_on_a_cyrillic_page_are_never_in_latin_letters(client, language):
    """A Cyrillic page shows a town by its name in the page's language (Tajik «Чимкент»), else the Russian one."""
    shymkent = place(SHYMKENT)
    centre("Центр «Мейірім»", city=SHYMKENT, region=shymkent.region)
    response = client.get(f"/{language}/centres/", {"near": "Шымкент"})
    card = cards_of(response)[0]
    count = response.content.decode().split('class="result-count"')[1].split("</p>")[0]
    for latin in (shymkent.name_en, shymkent.region.name_en):
        assert latin not in card and latin not in count, (language, latin)
    own = getattr(shymkent, f"name_{language}", "") or shymkent.name_ru
    assert own in card, (language, own)


def cards_of(response) -> list[str]:
    return response.content.decode().split('class="centre-card')[1:]


# --- text in any script and case --------------------------------------------------------------------------------


@pytest.fixture
def named_centres(db):
    centre("Кризисный центр «Жан»", city=ALMATY, operator={"name": "Общественный фонд «Шанырак»"})
    centre("Қамқорлық үйі", city=KARAGANDA, operator={"name": "Өмір жолы", "kind": "state"})
    centre("Дом «Ёлочка»", city=OSKEMEN, operator={"name": "Luch Foundation"})


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # city, by any of its names, in any case and script
        ("алматы", "Кризисный центр «Жан»"),
        ("АЛМАТЫ", "Кризисный центр «Жан»"),
        ("Almaty", "Кризисный центр «Жан»"),
        ("almaty", "Кризисный центр «Жан»"),
        ("Алма-Ата", "Кризисный центр «Жан»"),
        ("алма ата", "Кризисный центр «Жан»"),
        ("Қарағанды", "Қамқорлық үйі"),
        ("ҚАРАҒАНДЫ", "Қамқорлық үйі"),
        ("Караганда", "Қамқорлық үйі"),
        ("KARAGANDY", "Қамқорлық үйі"),
        ("Өскемен", "Дом «Ёлочка»"),
        ("өскемен", "Дом «Ёлочка»"),
        ("ӨСКЕМЕН", "Дом «Ёлочка»"),
        ("Усть-Каменогорск", "Дом «Ёлочка»"),
        ("oskemen", "Дом «Ёлочка»"),
        # region
        ("Карагандинская область", "Қамқорлық үйі"),
        ("Қарағанды облысы", "Қамқорлық үйі"),
        ("karaganda region", "Қамқорлық үйі"),
        ("Шығыс Қазақстан", "Дом «Ёлочка»"),
        ("восточно-казахстанская", "Дом «Ёлочка»"),
        # centre
        ("жан", "Кризисный центр «Жан»"),
        ("КРИЗИСНЫЙ", "Кризисный центр «Жан»"),
        ("қамқорлық", "Қамқорлық үйі"),
        ("ҚАМҚОРЛЫҚ ҮЙІ", "Қамқорлық үйі"),
        ("елочка", "Дом «Ёлочка»"),
        ("ЁЛОЧКА", "Дом «Ёлочка»"),
        # operator
        ("шанырак", "Кризисный центр «Жан»"),
        ("ШАНЫРАК", "Кризисный центр «Жан»"),
        ("өмір", "Қамқорлық үйі"),
        ("ӨМІР ЖОЛЫ", "Қамқорлық үйі"),
        ("LUCH", "Дом «Ёлочка»"),
        # several words: all must appear, in any of the names
        ("жан алматы", "Кризисный центр «Жан»"),
        ("  центр   Алматы ", "Кризисный центр «Жан»"),
    ],
)
def test_search_finds_centres_by_centre_operator_city_and_region_name_in_any_script_and_case(
    client, named_centres, query, expected
):
    assert found(client.get(LIST, {"q": query})) == [expected]


@pytest.mark.parametrize("query", ["жан караганда", "Алматинская", "Бишкек", "%", "_", "ул."])
def test_search_finds_nothing_when_a_word_matches_no_name(client, named_centres, query):
    assert found(client.get(LIST, {"q": query})) == []


# --- near me ----------------------------------------------------------------------------------------------------


def test_nearest_first_pages_read_from_squares_equal_a_sort_of_every_centre():
    # Points from a few hundred metres to a thousand kilometres away, some sharing a point (equal distances): every
    # window of the list read square by square must be the window of the list sorted whole.
    rng = random.Random(4)
    origin = Origin(43.25, 76.91)
    for n in range(70):
        scale = rng.choice([0.005, 0.05, 0.5, 5])
        latitude, longitude = (
            (43.25, 76.95) if n % 9 == 0 else (43.25 + rng.uniform(-1, 1) * scale, 76.91 + rng.uniform(-1, 1) * scale)
        )
        make_centre(
            name=f"Centre {n % 23}",
            address_visibility="public",
            latitude=Decimal(f"{latitude:.6f}"),
            longitude=Decimal(f"{longitude:.6f}"),
        )
    ordered = nearest_first(public_centres(), origin, None)
    expected = [row.pk for row in ordered]
    assert len(expected) == 70
    for size in (1, 5, 20):
        for start in range(0, 75, size):
            window = slice(start, start + size)
            assert [row.pk for row in Nearest(ordered, origin)[window]] == expected[window], window
    assert Nearest(ordered, origin).capped_count(1000) == 70
    radius = nearest_first(public_centres(), origin, Decimal(30))
    within = [row.pk for row in radius]
    assert 0 < len(within) < 70
    assert [row.pk for row in Nearest(radius, origin)[0:20]] == within[:20]


@pytest.fixture
def spread_centres(db):
    # One centre with a public address of its own, the others placed at their city's centre.
    centre(
        "Almaty centre",
        city=ALMATY,
        address="пр. Абая 1",
        address_visibility="public",
        latitude=Decimal("43.238900"),
        longitude=Decimal("76.889700"),
    )
    centre("Konaev centre", city=KONAEV, address_visibility="city")
    centre("Shymkent centre", city=SHYMKENT)
    centre("Osh centre", city=OSH)
    centre("Karaganda centre", city=KARAGANDA)
    centre("Bishkek centre", city=BISHKEK)


def assert_nearest_first_with_true_kilometres(response, origin: tuple[float, float]):
    views = response.context["centres"]
    shown = [view.distance_km for view in views]
    assert shown == sorted(shown)
    html = response.content.decode()
    for view in views:
        assert view.distance_km == round(distance_km(*origin, *view.public_point))
        assert f"{view.distance_km} km away" in html


@pytest.mark.parametrize("name", ["Алматы", "алматы", "АЛМАТЫ", "Almaty", "almaty", "Алма-Ата", "г. Алматы"])
def test_near_a_city_named_in_any_script_lists_the_nearest_first_with_kilometres(client, spread_centres, name):
    response = client.get(LIST, {"near": name})
    assert found(response) == ["Almaty centre", "Konaev centre", "Shymkent centre", "Karaganda centre"]
    almaty = place(ALMATY)
    assert response.context["result"].origin.place == almaty
    assert_nearest_first_with_true_kilometres(response, (float(almaty.latitude), float(almaty.longitude)))
    assert "nearest to Almaty first, in Kazakhstan" in response.content.decode()


@pytest.mark.parametrize("name", ["Ош", "ош", "Osh", "OSH"])
def test_near_osh_lists_osh_first(client, spread_centres, name):
    response = client.get(LIST, {"near": name})
    assert found(response) == ["Osh centre", "Bishkek centre"]
    assert response.context["centres"][0].distance_km == 0
    osh = place(OSH)
    assert_nearest_first_with_true_kilometres(response, (float(osh.latitude), float(osh.longitude)))


@pytest.mark.parametrize(("alias", "geonameid"), [("Чимкент", SHYMKENT), ("Фрунзе", BISHKEK), ("Нур-Султан", 1526273)])
def test_near_an_old_name_or_alias_resolves_to_the_city(client, spread_centres, alias, geonameid):
    response = client.get(LIST, {"near": alias})
    assert response.context["result"].origin.place.pk == geonameid
    assert found(response)


def test_near_a_browser_position_is_rounded_to_two_decimals_on_the_server(client, spread_centres):
    response = client.get(LIST, {"lat": "43.256789123", "lon": "76.912345678"}, follow=True)
    assert response.redirect_chain == [(f"{LIST}?lat=43.26&lon=76.91", 302)]  # the precise point goes nowhere
    assert "43.2567" not in response.content.decode()
    origin = response.context["result"].origin
    assert (origin.latitude, origin.longitude, origin.place) == (43.26, 76.91, None)
    assert found(response)[0] == "Almaty centre"
    assert_nearest_first_with_true_kilometres(response, (43.26, 76.91))
    assert "nearest to your location first" in response.content.decode()


@pytest.mark.parametrize(("lat", "lon"), [("abc", "76.9"), ("43.2", ""), ("95", "76.9"), ("43.2", "190"), ("nan", "1")])
def test_a_position_that_is_not_one_is_ignored(client, spread_centres, lat, lon):
    response = client.get(LIST, {"lat": lat, "lon": lon})
    assert response.context["result"].origin is None
    assert found(response) == sorted(found(response))  # by name, as without a position


@pytest.mark.parametrize(
    ("radius", "expected"),
    [
        ("5", ["Almaty centre"]),
        ("69", ["Almaty centre"]),  # Konaev's centre is 69.3 km from Almaty's
        ("70", ["Almaty centre", "Konaev centre"]),
        ("100", ["Almaty centre", "Konaev centre"]),
        ("2000", None),
    ],
)
def test_radius_limits_the_results_to_centres_within_it(client, spread_centres, radius, expected):
    response = client.get(LIST, {"near": "Алматы", "radius_km": radius})
    if expected is None:  # Karaganda is about 1,000 km away: every centre in Kazakhstan is within 2,000
        expected = ["Almaty centre", "Konaev centre", "Shymkent centre", "Karaganda centre"]
    assert found(response) == expected
    assert all(view.distance_km <= float(radius) for view in response.context["centres"])


@pytest.mark.parametrize("radius", ["0", "-5"])
def test_a_radius_that_is_not_a_distance_limits_nothing(client, spread_centres, radius):
    response = client.get(LIST, {"near": "Алматы", "radius_km": radius})
    assert found(response) == ["Almaty centre", "Konaev centre", "Shymkent centre", "Karaganda centre"]


@pytest.mark.parametrize(
    ("name", "geonameids", "texts"),
    [
        (
            "Аксу",
            [AKSU_PAVLODAR, AKSU_TURKISTAN, AKSU_AKMOLA],
            ["Aksu, Pavlodar Region (Kazakhstan)", "Aksu, Turkistan Region (Kazakhstan)", "Akmola Region"],
        ),
        ("Алга", [610658, 1528856], ["Aktobe Region (Kazakhstan)", "Batken Region (Kyrgyzstan)"]),
    ],
)
def test_an_ambiguous_place_asks_which_region_with_links_that_choose_it(
    client, spread_centres, name, geonameids, texts
):
    response = client.get(LIST, {"near": name, "with_children": "on"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"There are several places called “{name}”" in html
    for text in texts:
        assert text in html
    links = re.findall(r'href="(\?[^"]*near_place=(\d+))"', html)
    assert [int(geonameid) for _link, geonameid in links] == geonameids
    link = links[0][0].replace("&amp;", "&")
    assert "with_children=on" in link  # the other filters are kept
    chosen = client.get(LIST + link)
    assert chosen.context["result"].origin.place.pk == geonameids[0]
    assert "There are several places" not in chosen.content.decode()


def test_a_country_narrows_an_ambiguous_place(client, spread_centres):
    response = client.get(LIST, {"near": "Алга", "country": "KG"})
    assert response.context["result"].origin.place.pk == 1528856
    assert found(response) == ["Osh centre", "Bishkek centre"]


def test_near_a_named_town_lists_its_own_countrys_centres_but_a_position_lists_every_country(client, spread_centres):
    assert "Osh centre" not in found(client.get(LIST, {"near": "Алматы"}))
    assert found(client.get(LIST, {"near": "Бишкек"})) == ["Bishkek centre", "Osh centre"]
    by_position = found(client.get(LIST, {"lat": "42.87", "lon": "74.59"}))  # in Bishkek
    assert by_position[:2] == ["Bishkek centre", "Almaty centre"]
    assert len(by_position) == 6


def test_an_unknown_place_gets_a_helpful_message_and_suggestions_never_an_error(client, spread_centres):
    response = client.get(LIST, {"near": "Алмааты"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "We do not know a town or city called “Алмааты”" in html
    assert "Did you mean:" in html
    assert f"near_place={ALMATY}" in html
    chosen = client.get(LIST, {"near": "Алмааты", "near_place": ALMATY})
    assert found(chosen)[0] == "Almaty centre"


@pytest.mark.parametrize("name", ["zzqqxx", "г.", "<script>alert(1)</script>", "x" * 500])
def test_a_name_we_cannot_place_at_all_still_answers_with_advice(client, spread_centres, name):
    response = client.get(LIST, {"near": name})
    assert response.status_code == 200
    html = response.content.decode()
    assert "You can also search without a place, or choose a country." in html
    assert "<script>alert" not in html


def test_a_place_id_that_does_not_exist_is_ignored(client, spread_centres):
    response = client.get(LIST, {"near_place": "999999999"})
    assert response.status_code == 200
    assert response.context["result"].origin is None


@pytest.mark.parametrize(
    "params",
    [
        {"near_place": "²"},  # a digit to str.isdigit(), not to int()
        {"near_place": "9" * 30},
        {"city": "9" * 30},
        {"city": "1.5"},
        {"q": "а " * 1500},  # more words than SQLite nests conditions
        {"q": "x" * 20000},
        {"near": "x\x00"},
        {"q": "\x00"},
        {"lat": "sNaN", "lon": "1"},
        {"lat": "1e999999", "lon": "1"},
        {"radius_km": "1e999", "near": "Алматы"},
        {"boys_age": "1e999"},
        {"region": "x" * 5000},
        {"page": "9" * 5000},
        {"page": "9" * 5000, "near": "Алматы"},
        {"page": "99999", "lat": "43.25", "lon": "76.91"},
        {"q": "%", "page": "2", "near": "Алматы"},
    ],
)
def test_hand_made_parameters_never_cause_an_error_page(client, spread_centres, params):
    assert client.get(LIST, params).status_code == 200


# --- pages ------------------------------------------------------------------------------------------------------


def test_results_come_in_pages_with_a_count_and_the_filters_kept_in_the_page_links(client):
    for n in range(25):
        centre(f"Centre {n:02}", accepts_children=True)
    centre("Women only", accepts_children=False)
    first = client.get(LIST, {"country": "KZ", "with_children": "on"})
    html = first.content.decode()
    assert "25 centres found" in html
    assert "Page 1 of 2" in html
    assert found(first) == [f"Centre {n:02}" for n in range(20)]
    next_link = re.search(r'href="(\?[^"]*)">Next<', html).group(1).replace("&amp;", "&")
    assert next_link == "?country=KZ&with_children=on&page=2"
    second = client.get(LIST + next_link)
    assert found(second) == [f"Centre {n:02}" for n in range(20, 25)]
    previous = re.search(r'href="(\?[^"]*)">Previous<', second.content.decode()).group(1).replace("&amp;", "&")
    assert previous == "?country=KZ&with_children=on&page=1"


@pytest.mark.parametrize(("page", "first_name"), [("99", "Centre 20"), ("abc", "Centre 00"), ("-1", "Centre 20")])
def test_a_page_number_out_of_range_shows_a_page_rather_than_an_error(client, page, first_name):
    for n in range(21):
        centre(f"Centre {n:02}")
    assert found(client.get(LIST, {"page": page}))[0] == first_name


def test_invalid_filter_values_ask_to_check_the_fields_instead_of_failing(client):
    centre("A centre")
    response = client.get(LIST, {"country": "XX", "service": "nonsense"})
    assert response.status_code == 200
    assert "Please check the highlighted fields." in response.content.decode()


# --- queries per page -------------------------------------------------------------------------------------------


def many_centres(count: int) -> list:
    cities = [ALMATY, SHYMKENT, OSH, KARAGANDA, KONAEV]
    return [
        centre(
            f"Centre {n:02}",
            city=cities[n % len(cities)],
            operator={"name": f"Fund {n}", "kind": "cso"} if n % 2 else None,
            phones=[("Hotline", f"+7 700 000 00{n:02}", True), ("", "150", False)],
            accepts_children=True,
            beds_free=1,
            beds_free_updated_at=days_ago(1),
        )
        for n in range(count)
    ]


LIST_PAGES = [
    {},
    {"q": "centre"},
    {"country": "KZ", "with_children": "on", "beds_free": "on", "service": ["shelter"], "language": ["kk", "ru"]},
    {"near": "Алматы"},
    {"near": "Алматы", "radius_km": "800", "open_24_7": ""},
    {"near_place": str(SHYMKENT)},
    {"lat": "43.25", "lon": "76.91"},
    {"near": "Аксу"},
]


@pytest.mark.parametrize("params", LIST_PAGES)
def test_the_public_list_makes_at_most_6_queries_whatever_the_number_of_results(client, params):
    """A count for the open centres and one for those temporarily closed; a page read, its phones."""
    many_centres(3)
    few = count_queries(client, LIST, params)
    many_centres(30)
    many = count_queries(client, LIST, params)
    assert few == many <= 6
    # With rules and hotlines not yet cached (the first request of a minute), two more.
    assert count_queries(client, LIST, params, kept="nothing") <= many + 2


def test_the_public_detail_makes_at_most_6_queries_whatever_the_number_of_centres_or_phones(client):
    small = many_centres(3)[0]
    few = count_queries(client, f"/en/centres/{small.slug}/")
    many_centres(30)
    big = centre("Many phones", phones=[("", f"+7 700 100 00{n:02}", False) for n in range(12)])
    assert (
        count_queries(client, f"/en/centres/{small.slug}/")
        == count_queries(client, f"/en/centres/{big.slug}/")
        == few
        <= 6
    )
    assert count_queries(client, f"/en/centres/{big.slug}/", kept="nothing") <= 6


def test_the_country_page_makes_as_many_queries_for_3_or_30_centres(client):
    many_centres(3)
    few = count_queries(client, "/en/countries/kz/")
    many_centres(30)
    assert count_queries(client, "/en/countries/kz/") == few <= 5


def test_the_country_page_lists_centres_by_town_then_name_and_those_without_a_town_last(client):
    centre("B in Shymkent", city=SHYMKENT)
    centre("A in Shymkent", city=SHYMKENT)
    centre("Z in Almaty", city=ALMATY)
    centre("Nowhere in particular", city=None, country="KZ")
    centre("Osh centre", city=OSH)
    centre("Closed in Almaty", city=ALMATY, status="closed", closure_reason="Funding ended")
    expected = ["Z in Almaty", "A in Shymkent", "B in Shymkent", "Nowhere in particular"]
    assert [c.name for c in country_centres("KZ")] == expected
    assert [c.name for c in country_centres("KZ", limit=2)] == expected[:2]
    assert [c.name for c in country_centres("KZ", limit=3)] == expected[:3]
    assert found(client.get("/en/countries/kz/")) == expected


def test_the_filters_show_what_was_chosen_and_say_what_was_wrong(client):
    html = client.get(LIST, {"service": ["shelter", "legal"], "language": "kk", "audience": "nope"}).content.decode()
    boxes = re.findall(r'<input type="checkbox" name="(service|language|audience)" value="(\w+)"([^>]*)>', html)
    assert {(name, value) for name, value, rest in boxes if " checked" in rest} == {
        ("service", "shelter"),
        ("service", "legal"),
        ("language", "kk"),
    }
    for name, _value, rest in boxes:  # each box has its own label, and only the wrong list is marked invalid
        box_id = re.search(r' id="(\w+)"', rest).group(1)
        assert f'<label class="form-check-label" for="{box_id}">' in html
        assert ('aria-invalid="true"' in rest) == (name == "audience")
    assert "nope is not one of the available choices" in html


def test_pages_without_a_search_are_kept_for_anonymous_visitors_until_the_next_edit(
    client, django_capture_on_commit_callbacks, django_user_model
):
    kept = centre("Kept centre", phones=[("Hotline", "+7 700 000 0001", True)])
    for url in ["/en/centres/", "/en/centres/?page=1", f"/en/centres/{kept.slug}/", "/en/countries/kz/", "/en/"]:
        first = client.get(url).content
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).content == first
        assert len(captured) == 0, url
    # A search is never kept: it says where someone is or what she needs.
    for params in [{"q": "kept"}, {"near": "Алматы"}, {"lat": "43.25", "lon": "76.91"}, {"page": "1", "q": "x"}]:
        client.get(LIST, params)
        with CaptureQueriesContext(connection) as captured:
            client.get(LIST, params)
        assert len(captured) > 0, params
    # Kept apart from the login lockout's counters and the rules, in a cache of their own.
    caches["pages"].clear()
    with CaptureQueriesContext(connection) as captured:
        client.get("/en/centres/")
    assert len(captured) > 0
    # A page number past the last shows the last page: not kept again under that address.
    client.get(LIST, {"page": "999"})
    with CaptureQueriesContext(connection) as captured:
        client.get(LIST, {"page": "999"})
    assert len(captured) > 0
    # Nor a page seen by someone logged in.
    sign_in(client, django_user_model.objects.create_user("someone"))
    client.get(f"/en/centres/{kept.slug}/")
    with CaptureQueriesContext(connection) as captured:
        client.get(f"/en/centres/{kept.slug}/")
    assert len(captured) > 0
    client.logout()
    # An edit of a phone number shows on the next page load.
    with django_capture_on_commit_callbacks(execute=True):
        phone = kept.phones.get()
        phone.number = "+7 700 000 0002"
        phone.save()
    page = client.get(f"/en/centres/{kept.slug}/").content.decode()
    assert "+7 700 000 0002" in page and "+7 700 000 0001" not in page
    assert "+7 700 000 0002" in client.get("/en/centres/").content.decode()


def test_a_long_search_answers_and_reads_its_first_ten_words(client):
    centre("a b c d e f g h i j k l")
    # Beyond ten words the rest are not read: SQLite refuses too deep a condition ("expression tree is too large").
    assert found(client.get(LIST, {"q": "a b c d e f g h i j k zz"})) == ["a b c d e f g h i j k l"]
    assert found(client.get(LIST, {"q": " ".join(f"w{n}-x{n}" for n in range(40))})) == []
    assert client.get(LIST, {"q": "a b c d e f g h i j", "near": "Алматы", "service": "shelter"}).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"q": "%", "near": "Алматы"},
        {"q": "-", "lat": "43.25", "lon": "76.91"},
        {"q": "«»", "near": "Almaty", "radius_km": "50"},
        {"q": "%"},
    ],
)
def test_a_search_of_punctuation_alone_finds_nothing_near_a_place_too(client, params):
    centre("Almaty centre", city=ALMATY)
    assert found(client.get(LIST, params)) == []


@override_settings(ALLOWED_HOSTS=["directory.example", "www.directory.example"])
def test_a_centre_page_kept_for_one_host_is_not_served_for_another(client):
    """The printed sheet names the page's address: a copy kept for one of the site's names never names it on
    another."""
    page = centre("Centre").slug
    first = client.get(f"/en/centres/{page}/", HTTP_HOST="directory.example").content.decode()
    second = client.get(f"/en/centres/{page}/", HTTP_HOST="www.directory.example").content.decode()
    assert f"http://directory.example/en/centres/{page}/" in first
    assert f"http://www.directory.example/en/centres/{page}/" in second


@pytest.mark.parametrize(
    "params, summary",
    [
        ({"q": "жан", "near": "Алматы"}, ["near Almaty", "«жан»"]),
        ({"near": "Алматы", "radius_km": "-5"}, ["near Almaty"]),  # ignored by the search: not said
        ({"near": "Алматы", "radius_km": "1e50"}, ["near Almaty", "within 2000 km"]),  # as far as it reaches
        ({"boys_age": "0"}, ["Age of the oldest boy: 0"]),  # a baby boy is an answer
        ({"service": ["shelter", "shelter"]}, ["Shelter"]),
        (
            {"lat": "43.25", "lon": "76.91", "with_children": "on"},
            ["near your location", "Takes mothers with children"],
        ),
        ({}, []),
    ],
)
def test_the_summary_says_what_the_search_applies(client, params, summary):
    response = client.get(LIST, params)
    assert response.context["form"].summary() == summary


@pytest.mark.parametrize("language", ["ru", "kk", "ky"])
def test_a_city_that_is_a_region_of_its_own_is_named_once(client, language):
    """Bishkek is a town and a region; on a Kazakh page the region has a Kazakh name (Бішкек) and the town none."""
    bishkek = Place.objects.named("Бишкек").get(country="KG")
    centre("Центр", city=bishkek.pk, region=bishkek.region)
    card = cards_of(client.get(f"/{language}/centres/"))[0]
    assert "Бішкек" not in card and "Бишкек, " not in card
