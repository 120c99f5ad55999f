"""The coverage map: the four countries' outlines (committed, centres/data/outlines.json), each region's gap as a
circle at its centre, and the towns with a centre at a public address as dots — everything the template
(templates/advocacy/coverage_map.html) draws, computed here, in SVG units of the one projection (mapping.MAP).

A region has no coordinates of its own: its centre is the mean of its gazetteer towns' positions weighted by their
population (the plain mean when none has a population), so a circle sits where the region's people live. A
circle's *area* is proportional to the gap, so twice the places missing reads as twice the ink. Only the towns of
centres whose address is public are dotted, at the town's position, never a centre's own: a hidden or city-only
centre adds nothing to the map, so a dot tells nothing about it.
"""

import functools
import json
import math
from dataclasses import dataclass, replace
from pathlib import Path

from django.db.models import Avg, Count, F, FloatField, Sum
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from centres.advocacy.charts import shown
from centres.advocacy.coverage import CountryCoverage, Line
from centres.advocacy.mapping import MAP
from centres.models import Centre, Place
from centres.vocabularies import AddressVisibility, Country

OUTLINES_FILE = Path(__file__).resolve().parents[1] / "data" / "outlines.json"

MAX_RADIUS = 40.0  # the largest gap's circle, in SVG units (the map is 1,000 wide)
NUMBER_SIZE = 18  # the gap written in a circle
FONT_SIZE = 20  # the map's text; at the narrowest (560 px) it reads at 11 px
LINE = 30  # the legend's line height
# Where each country's name is written (longitude, latitude), chosen by eye clear of the circles.
COUNTRY_LABELS = {"KZ": (62.0, 48.0), "KG": (74.6, 41.4), "UZ": (62.0, 41.6), "TJ": (74.0, 38.4)}
# Light fills, different enough to tell neighbours apart, pale enough for the circles and dots on them.
COUNTRY_FILLS = {"KZ": "#eef1f4", "KG": "#f6efe2", "UZ": "#e8f2ea", "TJ": "#efeaf5"}


@dataclass(frozen=True)
class Outline:
    code: str
    d: str
    name: str
    fill: str
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Circle:
    x: float
    y: float
    r: float
    title: str
    number: str  # the gap written in the circle when there is room for it, else ""
    number_y: float


@dataclass(frozen=True)
class Mark:
    """A point on the map with its title: a town's dot, or a region where the standard is met."""

    x: float
    y: float
    title: str


@dataclass(frozen=True)
class LegendCircle:
    x: float
    y: float
    r: float
    label: str
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Legend:
    """Under the map: a title line, the reference circles on one baseline, then the marker and the dot."""

    title_y: float
    circles: list[LegendCircle]
    met_y: float
    town_y: float
    bottom: float

    @classmethod
    def for_largest(cls, largest: int) -> "Legend":
        title_y = round(MAP.height + 10 + LINE - 6, 1)
        references = reference_gaps(largest)
        baseline = title_y + 12 + (2 * radius(references[0], largest) if references else 0)
        circles, x = [], 10.0
        for value in references:
            r, label = radius(value, largest), shown(value)
            circles.append(
                LegendCircle(
                    round(x + r, 1),
                    round(baseline - r, 1),
                    r,
                    label,
                    round(x + 2 * r + 8, 1),
                    round(baseline - r + 7, 1),
                )
            )
            x += 2 * r + 8 + _text_width(label) + 30
        met_y = round(baseline + LINE, 1)
        return cls(title_y, circles, met_y, round(met_y + LINE, 1), round(met_y + LINE + 14, 1))


@dataclass(frozen=True)
class CoverageMap:
    view_box: str
    width: float
    height: float
    map_height: float
    outlines: list[Outline]
    circles: list[Circle]
    met: list[Mark]
    towns: list[Mark]
    legend: Legend
    unplaced: list[str]  # regions with a gap but no town in the gazetteer to place them

    @property
    def diamond(self) -> str:
        """The "standard met" marker's points around (0, 0); the template translates it."""
        return "0,-7 7,0 0,7 -7,0"


@functools.cache
def outlines() -> dict:
    """The committed outlines file (manage.py build_map), read once per process."""
    return json.loads(OUTLINES_FILE.read_text(encoding="utf-8"))


def region_centres() -> dict[str, tuple[float, float]]:
    """Region code -> (longitude, latitude) of its towns' population-weighted mean, in one aggregate query."""
    latitude, longitude = Cast("latitude", FloatField()), Cast("longitude", FloatField())
    rows = (
        Place.objects.filter(region__isnull=False)
        .order_by()
        .values("region")
        .annotate(
            weight=Sum("population"),
            weighted_latitude=Sum(latitude * F("population"), output_field=FloatField()),
            weighted_longitude=Sum(longitude * F("population"), output_field=FloatField()),
            mean_latitude=Avg(latitude),
            mean_longitude=Avg(longitude),
        )
    )
    centres = {}
    for row in rows:
        if row["weight"]:
            centres[row["region"]] = (
                row["weighted_longitude"] / row["weight"],
                row["weighted_latitude"] / row["weight"],
            )
        else:
            centres[row["region"]] = (float(row["mean_longitude"]), float(row["mean_latitude"]))
    return centres


def public_address_towns() -> list[Place]:
    """The towns of public centres whose address is public, each with `centres`, how many, most first: two queries
    (the centres counted by town in one pass, then those towns). A town whose only centres are hidden or city-only
    is not among them."""
    shown_centres = Centre.objects.public().filter(address_visibility=AddressVisibility.PUBLIC, city__isnull=False)
    counts = dict(shown_centres.order_by().values_list("city").annotate(n=Count("pk")))
    towns = list(Place.objects.filter(pk__in=list(counts)))
    for town in towns:
        town.centres = counts[town.pk]
    return sorted(towns, key=lambda town: (-town.centres, town.name_en))


def radius(gap: int, largest: int) -> float:
    """A circle whose area is to the largest circle's as the gap is to the largest gap."""
    return round(MAX_RADIUS * math.sqrt(gap / largest), 1)


def reference_gaps(largest: int) -> list[int]:
    """Two or three round numbers (1, 2, 5 times a power of ten) for the legend: the largest not above the
    largest gap, then about a quarter and a twentieth of it."""
    if largest < 1:
        return []
    steps = [step * 10**power for power in range(len(str(largest)) + 1) for step in (1, 2, 5)]
    top = max(step for step in steps if step <= largest)
    values = [top]
    for share in (4, 20):
        smaller = [step for step in steps if step <= top / share]
        if smaller and smaller[-1] not in values:
            values.append(smaller[-1])
    return values


def _text_width(text: str, size: float = FONT_SIZE) -> float:
    """A generous guess at a text's width in SVG units (the server cannot measure the browser's font)."""
    return len(text) * size * 0.62


def _box(x: float, y: float, width: float, height: float) -> tuple[float, float, float, float]:
    """The box of that size centred on (x, y)."""
    return (x - width / 2, y - height / 2, x + width / 2, y + height / 2)


def _overlap(one: tuple[float, float, float, float], other: tuple[float, float, float, float]) -> bool:
    return one[0] < other[2] and other[0] < one[2] and one[1] < other[3] and other[1] < one[3]


def coverage_map(table: list[CountryCoverage]) -> CoverageMap:
    """What the map draws for the coverage table `coverage_table()` returned (three queries)."""
    regions = [
        (line, line.population.region_id)
        for country in table
        for line in country.regions
        if line.gap is not None and line.population is not None and line.population.region_id
    ]
    largest = max((line.gap for line, _code in regions), default=0)
    towns = town_marks()
    outlines_drawn = [
        Outline(code, d, str(Country(code).label), COUNTRY_FILLS[code], *MAP.point(*COUNTRY_LABELS[code]))
        for code, d in outlines()["countries"].items()
    ]
    placed, met, unplaced = region_marks(regions, largest)
    # Country names and dots are drawn over the circles: a number in a circle must not hide under them.
    taken = [_box(each.label_x, each.label_y - 7, _text_width(each.name), FONT_SIZE) for each in outlines_drawn]
    taken += [_box(town.x, town.y, 10, 10) for town in towns]
    legend = Legend.for_largest(largest)
    return CoverageMap(
        view_box=f"0 0 {MAP.width:g} {legend.bottom:g}",
        width=MAP.width,
        height=legend.bottom,
        map_height=MAP.height,
        outlines=outlines_drawn,
        circles=numbered(placed, taken),
        met=met,
        towns=towns,
        legend=legend,
        unplaced=unplaced,
    )


def town_marks() -> list[Mark]:
    marks = []
    for town in public_address_towns():
        title = ngettext(
            "%(town)s: %(count)s centre at a public address",
            "%(town)s: %(count)s centres at a public address",
            town.centres,
        ) % {"town": town.display_name(), "count": shown(town.centres)}
        marks.append(Mark(*MAP.point(town.longitude, town.latitude), title))
    return marks


def region_marks(regions: list[tuple[Line, str]], largest: int) -> tuple[list[Circle], list[Mark], list[str]]:
    """A circle for each region with a gap, biggest first (the small ones drawn last, on top), a marker for each
    that meets the standard, and the names of those with no town to stand on."""
    centres = region_centres()
    circles, met, unplaced = [], [], []
    for line, code in regions:
        if code not in centres:
            unplaced.append(line.name)
            continue
        x, y = MAP.point(*centres[code])
        numbers = {"region": line.name, "gap": shown(line.gap), "places": shown(line.places)}
        numbers["needed"] = shown(line.needed)
        if line.gap == 0:
            met.append(
                Mark(x, y, _("%(region)s: the standard is met (%(places)s places, %(needed)s needed)") % numbers)
            )
            continue
        title = ngettext(
            "%(region)s: %(gap)s place missing (%(places)s of the %(needed)s needed)",
            "%(region)s: %(gap)s places missing (%(places)s of the %(needed)s needed)",
            line.gap,
        )
        circles.append(Circle(x, y, radius(line.gap, largest), title % numbers, numbers["gap"], 0))
    circles.sort(key=lambda circle: -circle.r)
    return circles, met, unplaced


def numbered(circles: list[Circle], taken: list[tuple[float, float, float, float]]) -> list[Circle]:
    """The circles, each showing its gap in it when the number fits and would overprint nothing in `taken` nor
    another circle's number (the biggest circles choose first); the others' numbers are in their titles and the
    tables."""
    taken, result = list(taken), []
    for circle in circles:
        box = _box(circle.x, circle.y, _text_width(circle.number, NUMBER_SIZE), NUMBER_SIZE)
        fits = circle.r >= NUMBER_SIZE and box[2] - box[0] <= 2 * circle.r - 4
        shown = fits and not any(_overlap(box, other) for other in taken)
        if shown:
            taken.append(box)
        number_y = round(circle.y + NUMBER_SIZE * 0.35, 1)
        result.append(replace(circle, number=circle.number if shown else "", number_y=number_y))
    return result
