"""The advocates' dashboard's charts (DESIGN.md section 5): the directory in numbers.

Each chart is drawn here as plain SVG, with its numbers in a table folded under it: the table is the source of
truth, the chart only helps the eye, and neither needs JavaScript. Counts come from grouped and conditional aggregate
queries, a constant number whatever the number of centres; risks, flags and gaps use the very conditions of the
at-risk list, so the two always agree.

Two drawings: bars (`Bars`), each labelled above its bar so a long label has the drawing's whole width and the
drawing can be narrow enough to read on a phone; and the changes over time (`Months`), one column a month stacked by
kind of change. Every number written in a drawing or a table is in the page language's format ("1 234" in Russian,
"1,234" in English); coordinates are plain numbers, written with localisation off.
"""

import datetime
import math
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import formats
from django.utils.translation import gettext as _

from centres.eligibility import FLAGS, GAPS, HIGH, MEDIUM, SHELTER, any_q, area_text, rule_q
from centres.models import Centre, CountryRules
from centres.selectors import CHANGE_KINDS, CHANGES_SINCE, Change, changes_since
from centres.vocabularies import Country, LicenceStatus, OperatorKind

BLUE, RED, AMBER, PURPLE = "#0b5ed7", "#b02a37", "#8a6d00", "#6f42c1"
CHANGES_SHOWN = 200
# Both drawings are this wide: at 360 px the page's column is about 330 px, so their 13-unit text is about 11 px.
WIDTH = 400


def shown(value) -> str:
    """A cell or a label's number as the page's language writes it, grouped ("1 234"); any other value as text."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return str(value)
    return formats.number_format(value, use_l10n=True, force_grouping=True)


# -- bars -----------------------------------------------------------------------------------------------------------

# Each row: its label, then under it its bar scaled to the largest value, then the value after the bar.
ROW_HEIGHT, BAR_TOP, BAR_HEIGHT, LABEL_CHARS = 42, 19, 15, 48
BAR_SPACE = WIDTH - 72  # room after the longest bar for a value of seven figures


@dataclass
class Bar:
    label: str
    value: int
    colour: str = BLUE
    y: int = 0
    label_y: int = 0
    text_y: int = 0
    width: int = 0
    value_x: int = 0
    value_text: str = ""


@dataclass
class Bars:
    bars: list[Bar]
    template = "advocacy/chart_bars.html"
    width: int = WIDTH
    height: int = field(init=False)
    bar_height: int = BAR_HEIGHT

    def __post_init__(self) -> None:
        largest = max((bar.value for bar in self.bars), default=0) or 1
        for index, bar in enumerate(self.bars):
            if len(bar.label) > LABEL_CHARS:
                bar.label = bar.label[: LABEL_CHARS - 1] + "…"
            bar.y = 2 + index * ROW_HEIGHT
            bar.label_y = bar.y + 13
            bar.text_y = bar.y + BAR_TOP + BAR_HEIGHT - 3
            bar.width = max(round(bar.value * BAR_SPACE / largest), 2 if bar.value else 0)
            bar.value_x = bar.width + 6
            bar.value_text = shown(bar.value)
            bar.y += BAR_TOP
        self.height = 4 + len(self.bars) * ROW_HEIGHT


# -- changes over time ----------------------------------------------------------------------------------------------

MONTHS_LEFT, MONTHS_RIGHT, LEGEND_ROW, PLOT_HEIGHT = 40, 16, 18, 150
KIND_COLOURS = {"suspended": AMBER, "closed": RED, "licence_lost": PURPLE, "funding_ended": BLUE}


@dataclass
class Segment:
    """One kind of change in one month's column."""

    y: float
    height: float
    colour: str
    title: str


@dataclass
class MonthColumn:
    x: float
    tick_x: float
    segments: list[Segment]
    month: str = ""  # its abbreviation under the axis, every few months
    year: str = ""  # and its year, under January and the first month


@dataclass
class Tick:
    y: float
    label: str


@dataclass
class LegendEntry:
    y: float
    colour: str
    label: str


@dataclass
class Months:
    """Columns of changes a month, stacked by kind, over a y axis of nice round numbers; a legend above."""

    months: list[datetime.date]
    counts: Counter  # (year, month, kind) → changes
    template = "advocacy/chart_months.html"
    width: int = WIDTH
    left: int = MONTHS_LEFT
    right: int = WIDTH - MONTHS_RIGHT
    legend: list[LegendEntry] = field(init=False)
    top: float = field(init=False)
    baseline: float = field(init=False)
    height: float = field(init=False)
    ticks: list[Tick] = field(init=False)
    columns: list[MonthColumn] = field(init=False)
    bar_width: float = field(init=False)
    month_y: float = field(init=False)
    year_y: float = field(init=False)
    empty: bool = field(init=False)
    middle_x: float = field(init=False)
    middle_y: float = field(init=False)

    def __post_init__(self) -> None:
        self.legend = [
            LegendEntry(4 + index * LEGEND_ROW, KIND_COLOURS[kind], str(label))
            for index, (kind, label) in enumerate(CHANGE_KINDS.items())
        ]
        self.top = 8 + len(self.legend) * LEGEND_ROW + 8
        self.baseline = self.top + PLOT_HEIGHT
        self.month_y, self.year_y = self.baseline + 15, self.baseline + 30
        self.height = self.baseline + 36
        totals = [sum(self.counts[day.year, day.month, kind] for kind in CHANGE_KINDS) for day in self.months]
        self.empty = not any(totals)
        self.middle_x, self.middle_y = (self.left + self.right) / 2, self.top + PLOT_HEIGHT / 2
        scale_top = nice_ceiling(max(totals, default=0))
        steps = [0, scale_top // 2, scale_top] if scale_top % 2 == 0 else [0, scale_top]
        self.ticks = [Tick(round(self.baseline - step * PLOT_HEIGHT / scale_top, 1), shown(step)) for step in steps]
        slot = (self.right - self.left) / max(len(self.months), 1)
        self.bar_width = round(slot * 0.7, 1)
        every = 3 if len(self.months) <= 36 else 6 if len(self.months) <= 72 else 12
        self.columns = []
        for index, day in enumerate(self.months):
            x = self.left + index * slot + (slot - self.bar_width) / 2
            column = MonthColumn(round(x, 1), round(x + self.bar_width / 2, 1), [])
            if (day.month - 1) % every == 0 or index == 0:
                column.month = formats.date_format(day, "M")
                if day.month == 1 or index == 0:
                    column.year = str(day.year)
            y = self.baseline
            for kind, label in CHANGE_KINDS.items():
                count = self.counts[day.year, day.month, kind]
                if count:
                    height = count * PLOT_HEIGHT / scale_top
                    y -= height
                    title = f"{formats.date_format(day, 'YEAR_MONTH_FORMAT')}: {label} — {shown(count)}"
                    column.segments.append(Segment(round(y, 1), round(height, 1), KIND_COLOURS[kind], title))
            self.columns.append(column)


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50… at least `value` (at least 1): the top of an axis."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


@dataclass
class Chart:
    """One chart and its table. `rows` are lists whose first cell is the row's header."""

    slug: str
    title: str
    columns: list[str]
    rows: list[list]
    drawing: Bars | Months
    note: str = ""

    @property
    def shown_rows(self) -> list[list[str]]:
        return [[shown(cell) for cell in row] for row in self.rows]


def _total(counts: Counter, keys) -> int:
    return sum(counts[key] for key in keys)


def by_country_and_kind() -> Chart:
    """Open centres (neither closed nor archived) by country and operator kind."""
    rows = Centre.objects.judged().values("country", "operator__kind").annotate(n=Count("pk")).order_by()
    counts = Counter({(row["country"], row["operator__kind"]): row["n"] for row in rows})
    kinds = [(kind.value, kind.label) for kind in OperatorKind] + [(None, _("No operator recorded"))]
    table, bars = [], []
    for country in Country:
        values = [counts[country.value, kind] for kind, _label in kinds]
        table.append([country.label, *values, sum(values)])
        if sum(values):
            bars += [Bar(f"{country.label} · {label}", counts[country.value, kind]) for kind, label in kinds]
    table.append([_("All countries"), *[_total(counts, [(c, kind) for c in Country.values]) for kind, _l in kinds]])
    table[-1].append(sum(table[-1][1:]))
    return Chart(
        "operators",
        _("Centres by country and operator"),
        [_("Country"), *[label for _kind, label in kinds], _("Total")],
        table,
        Bars(bars),
        _("Open centres: neither closed nor archived."),
    )


def kazakh_licences() -> Chart:
    """Open Kazakh centres by licence status; a centre with no compliance record counts as unknown."""
    rows = (
        Centre.objects.judged()
        .filter(country=Country.KZ)
        .values("compliance__licence_status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = Counter()
    for row in rows:
        counts[row["compliance__licence_status"] or LicenceStatus.UNKNOWN] += row["n"]
    table = [[status.label, counts[status.value]] for status in LicenceStatus]
    return Chart(
        "licences",
        _("Kazakh centres by licence status"),
        [_("Licence status"), _("Centres")],
        table,
        Bars([Bar(str(label), value) for label, value in table]),
        _("Open centres in Kazakhstan; a centre with no licensing record counts as unknown."),
    )


def eligibility_counts(rules: dict[str, CountryRules], on: datetime.date) -> dict[str, int]:
    """Centres at risk (all, high), and centres with each flag and each gap: one query, the at-risk list's conditions.

    A centre is high when any high condition holds, else medium when any medium one does (the list's own order), so
    medium is counted as "at risk" minus "high".
    """
    high = any_q(FLAGS, rules, on, HIGH)
    medium = any_q(FLAGS, rules, on, MEDIUM)
    counts = {"high": Count("pk", filter=high), "at_risk": Count("pk", filter=high | medium)}
    counts |= {rule.code: Count("pk", filter=rule_q(rule, rules, on)) for rule in (*FLAGS, *GAPS)}
    found = Centre.objects.judged().aggregate(**counts)
    found[MEDIUM] = found["at_risk"] - found["high"]
    return found


def risk_charts(counts: dict[str, int]) -> list[Chart]:
    by_risk = [[_("High"), counts[HIGH]], [_("Medium"), counts[MEDIUM]]]
    by_flag = [[str(rule.label), counts[rule.code]] for rule in FLAGS]
    by_gap = [[str(rule.label), counts[rule.code]] for rule in GAPS]
    return [
        Chart(
            "risk",
            _("Centres at risk, by risk"),
            [_("Risk"), _("Centres")],
            by_risk,
            Bars([Bar(by_risk[0][0], counts[HIGH], RED), Bar(by_risk[1][0], counts[MEDIUM], AMBER)]),
            _("Each centre counted once, at its most severe flag: %(count)s at risk in all.")
            % {"count": shown(counts["at_risk"])},
        ),
        Chart(
            "flags",
            _("Centres at risk, by flag"),
            [_("Risk flag"), _("Centres")],
            by_flag,
            Bars([Bar(label, value, RED) for label, value in by_flag]),
            _("A centre with several flags is counted under each."),
        ),
        Chart(
            "gaps",
            _("Data gaps, by kind"),
            [_("Data gap"), _("Centres")],
            by_gap,
            Bars([Bar(label, value) for label, value in by_gap]),
            _("Not accusations: what the directory does not know yet."),
        ),
    ]


def shelter_premises(rules: dict[str, CountryRules]) -> Chart:
    """Open shelters' premises area against each country's minimum: below, at or above, not recorded. One query."""
    area = "compliance__premises_area_m2"
    counts = {}
    for country in Country.values:
        here = Q(country=country)
        minimum = rules[country].min_premises_area_m2
        counts[f"{country}_all"] = Count("pk", filter=here)
        counts[f"{country}_unknown"] = Count("pk", filter=here & Q(**{f"{area}__isnull": True}))
        if minimum is not None:
            counts[f"{country}_below"] = Count("pk", filter=here & Q(**{f"{area}__lt": minimum}))
            counts[f"{country}_above"] = Count("pk", filter=here & Q(**{f"{area}__gte": minimum}))
    found = Centre.objects.judged().filter(SHELTER.q()).aggregate(**counts)
    table, bars = [], []
    for country in Country:
        minimum = rules[country.value].min_premises_area_m2
        if not found[f"{country.value}_all"] and minimum is None:
            continue
        below, above = found.get(f"{country.value}_below"), found.get(f"{country.value}_above")
        unknown = found[f"{country.value}_unknown"]
        shown_minimum = _("%(area)s m²") % {"area": area_text(minimum)} if minimum is not None else _("not set")
        table.append(
            [
                country.label,
                shown_minimum,
                found[f"{country.value}_all"],
                "—" if below is None else below,
                "—" if above is None else above,
                unknown,
            ]
        )
        names = {"country": country.label, "minimum": shown_minimum}
        if minimum is not None:
            bars.append(Bar(_("%(country)s · below %(minimum)s") % names, below, RED))
            bars.append(Bar(_("%(country)s · at or above") % names, above))
        bars.append(Bar(_("%(country)s · area not recorded") % names, unknown, AMBER))
    return Chart(
        "premises",
        _("Shelters' premises area against the minimum"),
        [_("Country"), _("Minimum area"), _("Shelters"), _("Below the minimum"), _("At or above"), _("Not recorded")],
        table,
        Bars(bars),
        _("Open centres offering shelter. The minimum is each country's rule; “not set” means no premises flag."),
    )


def changes_by_month(changes: list[Change], since: datetime.date, on: datetime.date) -> Chart:
    """The changes a month since `since`, as columns over time; the table lists only the months with a change."""
    counts = Counter((change.day.year, change.day.month, change.kind) for change in changes)
    months, year, month = [], since.year, since.month
    while (year, month) <= (on.year, on.month):
        months.append(datetime.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    table = []
    for day in months:
        values = [counts[day.year, day.month, kind] for kind in CHANGE_KINDS]
        if any(values):
            table.append([formats.date_format(day, "YEAR_MONTH_FORMAT"), *values, sum(values)])
    return Chart(
        "changes-by-month",
        _("Changes since %(date)s, by month") % {"date": formats.date_format(since, "DATE_FORMAT")},
        [_("Month"), *[str(label) for label in CHANGE_KINDS.values()], _("Total")],
        table,
        Months(months, counts),
        _(
            "Suspensions, closures, licences lost or refused and funding ended, from the directory's history. "
            "The table lists the months with at least one change."
        ),
    )


def dashboard_context(on: datetime.date) -> dict:
    rules = CountryRules.for_countries()
    changes = changes_since(CHANGES_SINCE, on)
    charts = [
        by_country_and_kind(),
        kazakh_licences(),
        *risk_charts(eligibility_counts(rules, on)),
        shelter_premises(rules),
        changes_by_month(changes, CHANGES_SINCE, on),
    ]
    return {
        "charts": charts,
        "changes": changes[:CHANGES_SHOWN],
        "changes_count": len(changes),
        "since": CHANGES_SINCE,
        "on": on,
    }
