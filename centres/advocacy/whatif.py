"""What a proposed minimum would cost: the centres, beds and places free that a hypothetical minimum premises area,
minimum area per bed or lost licence status would put below the line in one country, against today's rules.

Nothing is saved: the proposal replaces the country's minimums in a copy of its rules, and the very conditions of
the at-risk list (`eligibility.rule_q`) pick the centres, so with the proposal equal to today's rules the numbers are
the at-risk list's. Counts are conditional aggregates, a constant number of queries whatever the directory's size.
"""

import copy
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centres.advocacy.charts import shown
from centres.eligibility import BY_CODE, OPEN, SHELTER, rule_q
from centres.models import Centre, CountryRules, Region
from centres.vocabularies import AddressVisibility, Country, LicenceStatus, OperatorKind

AREA = "compliance__premises_area_m2"
# The curve: centres and beds below each minimum from 0 to 120 m².
CURVE_MINIMUMS = tuple(range(0, 121, 10))
MAX_AREA = Decimal("10000")


def _area_field(label) -> forms.DecimalField:
    """An optional area in m², 0 to 10,000, to one decimal."""
    return forms.DecimalField(label=label, required=False, min_value=Decimal("0"), max_value=MAX_AREA, decimal_places=1)


class WhatIfForm(forms.Form):
    country = forms.ChoiceField(label=gettext_lazy("Country"), choices=Country.choices, initial=Country.KZ)
    min_area = _area_field(gettext_lazy("Minimum premises area, m²"))
    min_per_bed = _area_field(gettext_lazy("Minimum area per bed, m²"))
    lost = forms.MultipleChoiceField(
        label=gettext_lazy("Licence statuses that would count as lost"),
        required=False,
        choices=LicenceStatus.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self):
        cleaned = super().clean()
        asked = [cleaned.get("min_area"), cleaned.get("min_per_bed"), cleaned.get("lost") or None]
        if not self.errors and all(value is None for value in asked):
            raise forms.ValidationError(_("Give a minimum area, a minimum per bed, or a licence status."))
        return cleaned


@dataclass(frozen=True)
class Proposal:
    country: str
    min_area: Decimal | None
    min_per_bed: Decimal | None
    lost: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The same text for the same proposal however it was typed (80, 80.0; statuses in any order)."""
        minimums = [
            f"{value.normalize():f}" if value is not None else "" for value in (self.min_area, self.min_per_bed)
        ]
        return "|".join([self.country, *minimums, ",".join(sorted(set(self.lost)))])


@dataclass
class Numbers:
    """Centres, beds, places free and CSO-run centres below the line, today and under the proposal."""

    label: str
    centres_now: int = 0
    centres: int = 0
    beds_now: int = 0
    beds: int = 0
    free: int = 0
    cso: int = 0


@dataclass
class WhatIf:
    proposal: Proposal
    total: Numbers
    by_region: list[Numbers] = field(default_factory=list)
    by_kind: list[Numbers] = field(default_factory=list)
    curve: list[tuple[int, int, int]] = field(default_factory=list)  # (minimum, centres below, their beds)


def proposed_rules(rules: dict[str, CountryRules], proposal: Proposal) -> dict[str, CountryRules]:
    """Today's rules with the proposal's minimums for its country, in memory only."""
    changed = copy.copy(rules[proposal.country])
    changed.min_premises_area_m2 = proposal.min_area
    changed.min_area_per_bed_m2 = proposal.min_per_bed
    changed.thresholds_are_demo = False  # the advocate's own figures
    # What an export of the proposal quotes as its basis: the proposal itself, then today's basis.
    hypothetical = _("Hypothetical minimums entered on the what-if page, not the law.")
    changed.legal_basis = f"{hypothetical} {changed.legal_basis}".strip()
    return {**rules, proposal.country: changed}


def below_q(rules: dict[str, CountryRules], country: str, on: datetime.date, lost: tuple[str, ...] = ()) -> Q:
    """Centres of `country` that the premises rules put below the minimum, or whose licence status is in `lost`."""
    one = {country: rules[country]}
    below = rule_q(BY_CODE["premises_too_small"], one, on) | rule_q(BY_CODE["area_per_bed_too_small"], one, on)
    if lost:
        below |= Q(country=country, compliance__licence_status__in=lost) & OPEN
    return below


def below_proposed_q(rules: dict[str, CountryRules], proposal: Proposal, on: datetime.date) -> Q:
    return below_q(proposed_rules(rules, proposal), proposal.country, on, proposal.lost)


def centres_below(rules: dict[str, CountryRules], proposal: Proposal, on: datetime.date) -> QuerySet:
    """The centres the proposal would put below, in the at-risk list's base (judged centres), by name."""
    return Centre.objects.judged().filter(below_proposed_q(rules, proposal, on)).order_by("name", "id")


def _counts(now: Q, proposed: Q) -> dict:
    return {
        "w_centres_now": Count("pk", filter=now),
        "w_centres": Count("pk", filter=proposed),
        "w_beds_now": Sum("beds", filter=now),
        "w_beds": Sum("beds", filter=proposed),
        # A hidden shelter's free places say someone could be sent there tonight: never shown, even summed.
        "w_free": Sum("beds_free", filter=proposed & Q(address_visibility=AddressVisibility.PUBLIC)),
        "w_cso": Count("pk", filter=proposed & Q(operator__kind=OperatorKind.CSO)),
    }


def _numbers(label: str, row: dict) -> Numbers:
    # The aggregates are named apart from the fields ("beds" is both): `w_` for "what if".
    keys = ("w_centres_now", "w_centres", "w_beds_now", "w_beds", "w_free", "w_cso")
    return Numbers(label, *(row[key] or 0 for key in keys))


def what_if(rules: dict[str, CountryRules], proposal: Proposal, on: datetime.date) -> WhatIf:
    """The proposal's cost in its country, today against proposed, in five queries."""
    now, proposed = below_q(rules, proposal.country, on), below_proposed_q(rules, proposal, on)
    either = Centre.objects.judged().filter(now | proposed).order_by()
    counts = _counts(now, proposed)
    total = _numbers(str(Country(proposal.country).label), either.aggregate(**counts))
    regions = list(either.values("region_id").annotate(**counts))
    names = Region.objects.in_bulk([row["region_id"] for row in regions if row["region_id"]])
    by_region = _most_first(regions, lambda code: _region_label(names.get(code)), "region_id")
    kinds = dict(OperatorKind.choices)
    by_kind = _most_first(
        either.values("operator__kind").annotate(**counts),
        lambda kind: str(kinds.get(kind, _("Operator not recorded"))),
        "operator__kind",
    )
    return WhatIf(proposal, total, by_region, by_kind, curve(proposal.country))


def _most_first(rows, label_of, key: str) -> list[Numbers]:
    """Grouped rows as Numbers labelled by `label_of(row[key])`, the most centres below first, then by label."""
    numbers = [_numbers(label_of(row[key]), row) for row in rows]
    return sorted(numbers, key=lambda found: (-found.centres, found.label))


def _region_label(region: Region | None) -> str:
    return region.display_name() if region is not None else _("Region not recorded")


def curve(country: str) -> list[tuple[int, int, int]]:
    """For each minimum of `CURVE_MINIMUMS`, the open shelters of `country` whose premises are smaller, and their
    beds: where the cliff is. One query."""
    shelters = Centre.objects.judged().filter(SHELTER.q(), country=country, **{f"{AREA}__isnull": False}).order_by()
    counts = {}
    for minimum in CURVE_MINIMUMS:
        smaller = Q(**{f"{AREA}__lt": minimum})
        counts[f"c{minimum}"] = Count("pk", filter=smaller)
        counts[f"b{minimum}"] = Sum("beds", filter=smaller)
    found = shelters.aggregate(**counts)
    return [(minimum, found[f"c{minimum}"] or 0, found[f"b{minimum}"] or 0) for minimum in CURVE_MINIMUMS]


def proposal_of(form: WhatIfForm) -> Proposal | None:
    """The proposal a valid form asks about, or None."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    return Proposal(data["country"], data["min_area"], data["min_per_bed"], tuple(data["lost"]))


# The curve's drawing: a line of the centres below each minimum, its points labelled with their counts.
CURVE_WIDTH, CURVE_HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 240, 40, 16, 24, 36


@dataclass
class CurvePoint:
    minimum: int
    centres: int
    beds: int
    x: float = 0
    y: float = 0
    label_y: float = 0  # its count, above it
    centres_text: str = ""  # the count as the page's language writes it


@dataclass
class CurveChart:
    """The curve as SVG coordinates (`points` for a polyline, each point for its label and tick); its numbers are
    in the table under it."""

    points: list[CurvePoint]
    width: int = CURVE_WIDTH
    height: int = CURVE_HEIGHT
    baseline: float = CURVE_HEIGHT - BOTTOM
    tick_y: int = CURVE_HEIGHT - 18  # the minimums under the axis
    title_y: int = CURVE_HEIGHT - 6
    left: int = LEFT
    right: int = CURVE_WIDTH - RIGHT
    polyline: str = ""

    def __post_init__(self) -> None:
        largest = max((point.centres for point in self.points), default=0) or 1
        span = max(len(self.points) - 1, 1)
        for index, point in enumerate(self.points):
            point.x = round(LEFT + index * (CURVE_WIDTH - LEFT - RIGHT) / span, 1)
            point.y = round(self.baseline - point.centres * (self.baseline - TOP) / largest, 1)
            point.label_y = round(point.y - 7, 1)
            point.centres_text = shown(point.centres)
        self.polyline = " ".join(f"{point.x},{point.y}" for point in self.points)


def curve_chart(points: list[tuple[int, int, int]]) -> CurveChart:
    return CurveChart([CurvePoint(*point) for point in points])
