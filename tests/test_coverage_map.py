"""The coverage map: the TopoJSON decoder and the committed outlines, regions' centres, circles sized by the gap,
dots only for towns of centres at a public address, a constant number of queries, and the page drawing it."""

import io
import json
import math
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from centres.advocacy import coverage_map as mapping_page
from centres.advocacy.coverage import coverage_table
from centres.advocacy.coverage_map import MAX_RADIUS, coverage_map, reference_gaps, region_centres
from centres.advocacy.mapping import MAP, Projection
from centres.management.commands.build_map import decode_arcs, outlines, polygons_of, ring_points, svg_path
from centres.models import Place, Population, Region
from tests.conftest import make_centre, make_user, sign_in

AS_OF = "2025-12-01"

# Two arcs around the unit square (once quantized: scale 1 and 0.5, shifted by (0, -1)): the first goes along the
# bottom and up the right side, the second back along the top and down the left side. Arc 2 is arc 1 drawn the
# other way, so the ring [0, ~2] walks it backwards and must give the same square.
SQUARE = {
    "type": "Topology",
    "transform": {"scale": [1, 0.5], "translate": [0, -1]},
    "arcs": [
        [[0, 0], [1, 0], [0, 2]],  # (0, -1) (1, -1) (1, 0)
        [[1, 2], [-1, 0], [0, -2]],  # (1, 0) (0, 0) (0, -1)
        [[0, 0], [0, 2], [1, 0]],  # (0, -1) (0, 0) (1, 0): arc 1 reversed
        [[0, 0], [1, 0], [0, 1], [-1, 0]],  # a second square, for the MultiPolygon
    ],
    "objects": {
        "countries": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "id": "398", "arcs": [[0, 1]]},
                {"type": "Polygon", "id": "417", "arcs": [[0, ~2]]},
                {"type": "MultiPolygon", "id": "860", "arcs": [[[0, 1]], [[3]]]},
                {"type": "Polygon", "id": "762", "arcs": [[0, 1]]},
                {"type": "Polygon", "arcs": [[0, 1]]},  # no id, like some of world-atlas's
            ],
        }
    },
}
SQUARE_RING = [(0.0, -1.0), (1.0, -1.0), (1.0, 0.0), (0.0, 0.0), (0.0, -1.0)]
# At the equator the projection is a plain scaling: 10 units a degree, y from the north edge (1°N).
EQUATOR = Projection(west=0, east=10, south=-1, north=1, width=100)


# -- the outlines ----------------------------------------------------------------------------------------------------


def test_the_decoder_undoes_the_delta_encoding_and_the_quantization():
    arcs = decode_arcs(SQUARE)
    assert arcs[0] == [(0.0, -1.0), (1.0, -1.0), (1.0, 0.0)]
    assert arcs[1] == [(1.0, 0.0), (0.0, 0.0), (0.0, -1.0)]
    assert ring_points(arcs, [0, 1]) == SQUARE_RING  # the shared point of two arcs is kept once


def test_a_negative_arc_index_walks_the_arc_backwards():
    arcs = decode_arcs(SQUARE)
    assert ring_points(arcs, [0, ~2]) == SQUARE_RING
    assert polygons_of({"type": "Polygon", "arcs": [[0, ~2]]}, arcs) == [[SQUARE_RING]]


def test_an_unquantized_topology_is_read_as_it_is():
    assert decode_arcs({"arcs": [[[60.5, 40.25], [61, 41]]]}) == [[(60.5, 40.25), (61.0, 41.0)]]


def test_the_path_is_projected_rounded_and_closed():
    polygons = polygons_of(SQUARE["objects"]["countries"]["geometries"][2], decode_arcs(SQUARE))
    assert len(polygons) == 2
    # (lon, lat) -> (10 lon, 10 (1 - lat)); the closing point is the Z.
    assert svg_path(polygons, EQUATOR) == "M0 20 10 20 10 10 0 10ZM0 20 10 20 10 15 0 15Z"
    assert EQUATOR.point(0.123, 0.987) == (1.2, 0.1)


def test_points_that_round_to_the_same_spot_are_dropped_and_an_islet_disappears():
    ring = [(0.0, 0.0), (0.001, 0.001), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]
    islet = [(5.0, 0.0), (5.001, 0.0), (5.0, 0.001), (5.0, 0.0)]
    assert svg_path([[ring], [islet]], EQUATOR) == "M0 10 10 10 10 0Z"


def test_the_four_countries_are_kept_and_a_missing_one_refused():
    paths = outlines(SQUARE, EQUATOR)
    assert list(paths) == ["KZ", "KG", "UZ", "TJ"]
    assert paths["KZ"] == paths["KG"] == paths["TJ"]
    without = json.loads(json.dumps(SQUARE))
    without["objects"]["countries"]["geometries"].pop(0)
    with pytest.raises(ValueError, match="KZ"):
        outlines(without, EQUATOR)


def test_the_command_writes_the_outlines_with_the_projection(tmp_path):
    source, output = tmp_path / "countries.json", tmp_path / "outlines.json"
    source.write_text(json.dumps(SQUARE))
    call_command("build_map", str(source), output=output, stdout=io.StringIO())
    written = json.loads(output.read_text())
    assert written["projection"] == MAP.as_dict()
    assert set(written["countries"]) == {"KZ", "KG", "UZ", "TJ"}


def test_the_committed_outlines_have_the_four_countries_drawn_with_todays_projection():
    committed = mapping_page.OUTLINES_FILE
    data = json.loads(committed.read_text(encoding="utf-8"))
    assert committed.stat().st_size < 150_000
    assert data["projection"] == MAP.as_dict()  # else the towns and circles would miss the outlines: rebuild it
    assert data["viewBox"] == f"0 0 {MAP.width:g} {MAP.height:g}"
    assert list(data["countries"]) == ["KZ", "KG", "UZ", "TJ"]
    boxes = {}
    for code, d in data["countries"].items():
        assert re.fullmatch(r"(M[0-9. ]+Z)+", d), code
        numbers = [float(n) for n in re.findall(r"[0-9.]+", d)]
        xs, ys = numbers[0::2], numbers[1::2]
        assert len(xs) == len(ys) > 100, code
        assert min(xs) >= 0 and max(xs) <= MAP.width and min(ys) >= 0 and max(ys) <= MAP.height, code
        boxes[code] = (min(xs), min(ys), max(xs), max(ys))
    # Kazakhstan spans the map from west to east, Tajikistan is the southernmost, and Almaty (76.9°E, 43.3°N)
    # lands inside Kazakhstan's box, near its south-east corner.
    assert boxes["KZ"][0] < 20 and boxes["KZ"][2] > 960
    assert boxes["TJ"][3] == max(box[3] for box in boxes.values())
    x, y = MAP.point(76.9115, 43.25249)
    assert boxes["KZ"][0] < x < boxes["KZ"][2] and boxes["KZ"][1] < y < boxes["KZ"][3] and x > 700 and y > 350


# -- the map ---------------------------------------------------------------------------------------------------------


def population(region: str | None, inhabitants: int, country: str = "KZ") -> Population:
    return Population.objects.create(
        country=country, region_id=region, population=inhabitants, as_of=AS_OF, source_publisher="Bureau"
    )


def shelter(region: str, beds: int, **overrides):
    return make_centre(name=f"Shelter {region} {beds}", region_id=region, beds=beds, services=["shelter"], **overrides)


def place(geonameid: int, region: Region, latitude: str, longitude: str, inhabitants: int, name: str) -> Place:
    return Place.objects.create(
        geonameid=geonameid,
        country=region.country,
        region=region,
        name_en=name,
        name_ru=name,
        population=inhabitants,
        latitude=Decimal(latitude),
        longitude=Decimal(longitude),
    )


@pytest.fixture
def gaps(db):
    """Only the test's figures: Almaty city 2,345,012 (235 places needed), Astana 1,000,000 (100), Shymkent
    10,000 (1) and a region with no town in the gazetteer."""
    Population.objects.all().delete()
    population("KZ-75", 2_345_012)
    population("KZ-71", 1_000_000)
    population("KZ-79", 10_000)
    empty = Region.objects.create(code="KZ-98", country="KZ", name_en="Nowhere", name_ru="Нигде")
    population(empty.code, 50_000)


@pytest.fixture(autouse=True)
def english():
    """The map's own texts in their source language (the catalogues may translate them any day), names in
    English."""
    with translation.override("en"):
        yield


def drawn():
    return coverage_map(coverage_table())


def titled(marks, name: str):
    return [mark for mark in marks if mark.title.startswith(f"{name}:")]


@pytest.mark.django_db
def test_a_regions_centre_is_its_towns_mean_weighted_by_population():
    region = Region.objects.create(code="KZ-97", country="KZ", name_en="Test", name_ru="Тест")
    place(90_000_001, region, "40", "60", 3000, "Big")
    place(90_000_002, region, "44", "64", 1000, "Small")
    unknown = Region.objects.create(code="KZ-96", country="KZ", name_en="Villages", name_ru="Сёла")
    place(90_000_003, unknown, "40", "60", 0, "One")
    place(90_000_004, unknown, "42", "70", 0, "Two")
    centres = region_centres()
    assert centres["KZ-97"] == pytest.approx((61.0, 41.0))
    assert centres["KZ-96"] == pytest.approx((65.0, 41.0))  # no population known: the plain mean
    assert "KZ-98" not in centres  # no towns


@pytest.mark.django_db
def test_a_circles_area_is_proportional_to_the_gap(gaps):
    shelter("KZ-71", 20)  # Astana misses 80
    found = drawn()
    almaty, astana = titled(found.circles, "Almaty")[0], titled(found.circles, "Astana")[0]
    assert almaty.r == MAX_RADIUS  # the largest gap, 235
    assert almaty.r**2 / 235 == pytest.approx(astana.r**2 / 80, rel=0.01)
    assert (almaty.x, almaty.y) == MAP.point(*region_centres()["KZ-75"])
    assert almaty.title == "Almaty: 235 places missing (0 of the 235 needed)"
    assert [circle.r for circle in found.circles] == sorted((circle.r for circle in found.circles), reverse=True)


@pytest.mark.django_db
def test_a_region_meeting_the_standard_gets_a_marker_not_a_circle(gaps):
    shelter("KZ-79", 3)
    found = drawn()
    assert not titled(found.circles, "Shymkent")
    assert titled(found.met, "Shymkent")[0].title == "Shymkent: the standard is met (3 places, 1 needed)"


@pytest.mark.django_db
def test_no_circle_where_the_population_is_not_recorded(gaps):
    shelter("KZ-19", 5)  # Almaty Region: no population record in this test
    line = next(line for country in coverage_table() for line in country.regions if line.name == "Almaty Region")
    assert line.gap is None
    found = drawn()
    assert not titled(found.circles, line.name) and not titled(found.met, line.name)
    assert found.unplaced == ["Nowhere"]  # a gap, but no town to put it on


def test_the_legend_shows_round_sizes_below_the_largest_gap():
    assert reference_gaps(235) == [200, 50, 10]
    assert reference_gaps(2346) == [2000, 500, 100]
    assert reference_gaps(7) == [5, 1]
    assert reference_gaps(1) == [1]
    assert reference_gaps(0) == []
    largest = 235
    radii = [MAX_RADIUS * math.sqrt(value / largest) for value in reference_gaps(largest)]
    assert radii == sorted(radii, reverse=True)


@pytest.mark.django_db
def test_dots_only_for_towns_of_centres_at_a_public_address(gaps, almaty):
    astana = Place.objects.get(region_id="KZ-71", name_ru="Астана")
    shymkent = Place.objects.get(region_id="KZ-79", name_ru="Шымкент")
    karaganda = Place.objects.get(name_ru="Караганда")
    make_centre(name="Hidden", city=astana, address_visibility="hidden")
    make_centre(name="City only", city=shymkent, address_visibility="city")
    make_centre(name="A draft", city=karaganda, address_visibility="public", published=False)
    make_centre(
        name="Public", city=almaty, address_visibility="public", latitude=Decimal("43.3"), longitude=Decimal("77.0")
    )
    make_centre(name="Hidden too", city=almaty, address_visibility="hidden")
    make_centre(name="Public too", city=almaty, address_visibility="public")
    towns = drawn().towns
    assert [town.title for town in towns] == ["Almaty: 2 centres at a public address"]
    assert (towns[0].x, towns[0].y) == MAP.point(almaty.longitude, almaty.latitude)  # the town's, not a centre's
    make_centre(name="Now public", city=astana, address_visibility="public")
    assert [town.title for town in drawn().towns] == [
        "Almaty: 2 centres at a public address",
        "Astana: 1 centre at a public address",
    ]


@pytest.mark.django_db
def test_the_map_costs_the_same_queries_however_many_regions_and_centres(gaps, almaty):
    def queries() -> int:
        table = coverage_table()
        with CaptureQueriesContext(connection) as captured:
            coverage_map(table)
        return len(captured)

    shelter("KZ-75", 10, city=almaty, address_visibility="public")
    few = queries()
    for code in ["KZ-35", "KZ-19", "KZ-31"]:
        population(code, 1_500_000)
    for town in Place.objects.filter(country="KZ").exclude(region_id="KZ-75")[:6]:
        shelter(town.region_id, 5, city=town, address_visibility="public")
    assert len(drawn().towns) == 7
    assert queries() == few == 3  # region centres; public-address centres counted by town; those towns


# -- the page --------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_draws_the_map_above_the_tables(client, gaps, almaty):
    Population.objects.filter(region_id="KZ-75").update(population=23_450_120)  # 2,346 places needed
    shelter("KZ-75", 12, city=almaty, address_visibility="public")
    sign_in(client, make_user("someone", "advocate"))
    response = client.get("/ru/coverage/")
    assert response.status_code == 200
    page = response.content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert page.index("<svg") < page.index("<table")
    assert 'role="img"' in svg and 'aria-label="' in svg and 'width="100%"' in svg
    assert f'viewBox="0 0 1000 {drawn().height:g}"' in svg
    assert svg.count("<path d=") == 4 and "Natural Earth" in page
    # Numbers in the page's language: grouped with a no-break space in Russian.
    assert re.search("<title>Алматы: [^<]*2\xa0334[^<]*12[^<]*2\xa0346[^<]*</title>", svg)  # the circle
    assert svg.count("<title>Алматы: ") == 2  # and the town's dot
    assert ">2\xa0000</text>" in svg  # the legend's largest size, grouped as Russian groups it
    # Coordinates are never written with a decimal comma, and nothing is fetched from elsewhere.
    attributes = re.findall(r' (?:cx|cy|r|x|y|x1|x2|y1|y2|d|viewBox|transform)="([^"]*)"', svg)
    assert attributes and not [value for value in attributes if re.search(r"\d,\d", value)]
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in page[page.index("<figure") : page.index("</figure>", page.index("<svg"))]
