"""Shelter coverage against the European standard: shelter places per country and region, per 10,000 inhabitants,
the places the standard asks for, and the gap.

Which places count: the beds of *active* shelters only — centres offering `shelter` that are published, not
archived and of status `active`. A draft, an archived record, a closed centre and a temporarily closed one (it
takes nobody in tonight) count for nothing. A shelter without a bed count is counted as a shelter with no places,
and the number of such shelters is shown beside the places, so a low figure can be read as "not recorded" too.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from centres.eligibility import SHELTER
from centres.models import Centre, Population, Region
from centres.vocabularies import Country, Status

# The standard: at least one place per this many inhabitants.
INHABITANTS_PER_PLACE = 10_000
STANDARD = _(
    "At least one specialist shelter place (for a woman and her children) per 10,000 inhabitants in every region."
)
STANDARD_SOURCE = _(
    "Council of Europe, Explanatory Report to the Istanbul Convention, para. 135, as quoted by the European "
    "Institute for Gender Equality (EIGE)"
)


def places_per_10000(places: int, population: int | None) -> Decimal | None:
    """Places per 10,000 inhabitants to two decimals; None when the population is not known."""
    if not population:
        return None
    ratio = Decimal(places) * INHABITANTS_PER_PLACE / Decimal(population)
    return ratio.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def places_needed(population: int | None) -> int | None:
    """The places the standard asks for: one per 10,000 inhabitants begun (a region of 10,001 needs two)."""
    if not population:
        return None
    return -(-population // INHABITANTS_PER_PLACE)  # integer ceiling: exact at any size


def places_missing(places: int, needed: int | None) -> int | None:
    """How many places short of the standard; 0 when it is met, None when the population is not known."""
    if needed is None:
        return None
    return max(needed - places, 0)


@dataclass(frozen=True)
class Line:
    """One row of the coverage table: a country's total or one of its regions."""

    name: str
    places: int = 0
    shelters: int = 0
    shelters_without_beds: int = 0
    population: Population | None = None
    is_country: bool = False
    per_10000: Decimal | None = field(init=False)
    needed: int | None = field(init=False)
    gap: int | None = field(init=False)

    def __post_init__(self) -> None:
        inhabitants = self.population.population if self.population else None
        needed = places_needed(inhabitants)
        object.__setattr__(self, "per_10000", places_per_10000(self.places, inhabitants))
        object.__setattr__(self, "needed", needed)
        object.__setattr__(self, "gap", places_missing(self.places, needed))


@dataclass(frozen=True)
class CountryCoverage:
    code: str
    total: Line
    regions: list[Line]

    @property
    def lines(self) -> list[Line]:
        """The country's total, then its regions: the rows of its table."""
        return [self.total, *self.regions]


def counted_shelters():
    """The centres whose beds count as shelter places (see the module's docstring)."""
    return Centre.objects.public().filter(SHELTER.q(), status=Status.ACTIVE)


def shelter_places() -> dict[tuple[str, str | None], tuple[int, int, int]]:
    """(places, shelters, shelters without a bed count) per (country, region code), in one aggregate query; a
    shelter without a region is under (country, None)."""
    rows = (
        counted_shelters()
        .order_by()
        .values("country", "region")
        .annotate(places=Sum("beds"), shelters=Count("pk"), without_beds=Count("pk", filter=Q(beds__isnull=True)))
    )
    return {(row["country"], row["region"]): (row["places"] or 0, row["shelters"], row["without_beds"]) for row in rows}


def coverage_table() -> list[CountryCoverage]:
    """Every country, its total first, then each of its regions by name in the active language (three queries,
    however many regions and centres there are)."""
    counts = shelter_places()
    populations = {(p.country, p.region_id): p for p in Population.objects.all()}
    regions: dict[str, list[Region]] = {code: [] for code in Country.values}
    for region in Region.objects.all():
        regions.setdefault(region.country, []).append(region)
    table = []
    for code in Country.values:
        lines = [
            Line(str(region), *counts.get((code, region.code), (0, 0, 0)), populations.get((code, region.code)))
            for region in sorted(regions[code], key=lambda region: str(region))
        ]
        if (code, None) in counts:
            lines.append(Line(str(_("Region not recorded")), *counts[(code, None)]))
        total = [0, 0, 0]
        for (country, _region), values in counts.items():
            if country == code:
                total = [a + b for a, b in zip(total, values, strict=True)]
        table.append(
            CountryCoverage(
                code=code,
                total=Line(str(Country(code).label), *total, populations.get((code, None)), is_country=True),
                regions=lines,
            )
        )
    return table
