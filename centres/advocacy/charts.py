"""The advocates' dashboard's charts (DESIGN.md section 5): the directory in numbers.

Each chart is drawn here as a plain SVG bar chart, with its numbers in a table beside it: the table is the source of
truth, the chart only helps the eye, and neither needs JavaScript. Counts come from grouped and conditional aggregate
queries, a constant number whatever the number of centres; risks, flags and gaps use the very conditions of the
at-risk list, so the two always agree.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import formats
from django.utils.translation import gettext as _

from centres.eligibility import FLAGS, GAPS, HIGH, MEDIUM, SHELTER, any_q, rule_q
from centres.models import Centre, CountryRules
from centres.selectors import CHANGE_KINDS, CHANGES_SINCE, Change, changes_since
from centres.vocabularies import Country, LicenceStatus, OperatorKind

# The drawing: labels right-aligned in a column, then bars scaled to the largest value, then each value.
WIDTH, LABEL_END, BAR_X, BAR_SPACE, ROW_HEIGHT, BAR_HEIGHT = 640, 244, 252, 330, 26, 18
LABEL_CHARS = 30
BLUE, RED, AMBER = "#0b5ed7", "#b02a37", "#8a6d00"
CHANGES_SHOWN = 200


@dataclass
class Bar:
    label: str
    value: int
    colour: str = BLUE
    y: int = 0
    text_y: int = 0
    width: int = 0
    value_x: int = 0


@dataclass
class Chart:
    """One chart and its table. `rows` are lists whose first cell is the row's header."""

    slug: str
    title: str
    columns: list[str]
    rows: list[list]
    bars: list[Bar]
    note: str = ""
    width: int = WIDTH
    height: int = field(init=False)
    label_end: int = LABEL_END
    bar_x: int = BAR_X
    bar_height: int = BAR_HEIGHT

    def __post_init__(self) -> None:
        largest = max((bar.value for bar in self.bars), default=0) or 1
        for index, bar in enumerate(self.bars):
            if len(bar.label) > LABEL_CHARS:
                bar.label = bar.label[: LABEL_CHARS - 1] + "…"
            bar.y = 4 + index * ROW_HEIGHT
            bar.text_y = bar.y + BAR_HEIGHT - 5
            bar.width = max(round(bar.value * BAR_SPACE / largest), 2 if bar.value else 0)
            bar.value_x = BAR_X + bar.width + 6
        self.height = 8 + len(self.bars) * ROW_HEIGHT


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
        bars,
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
        [Bar(str(label), value) for label, value in table],
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
            [Bar(by_risk[0][0], counts[HIGH], RED), Bar(by_risk[1][0], counts[MEDIUM], AMBER)],
            _("Each centre counted once, at its most severe flag: %(count)d at risk in all.")
            % {"count": counts["at_risk"]},
        ),
        Chart(
            "flags",
            _("Centres at risk, by flag"),
            [_("Risk flag"), _("Centres")],
            by_flag,
            [Bar(label, value, RED) for label, value in by_flag],
            _("A centre with several flags is counted under each."),
        ),
        Chart(
            "gaps",
            _("Data gaps, by kind"),
            [_("Data gap"), _("Centres")],
            by_gap,
            [Bar(label, value) for label, value in by_gap],
            _("Not accusations: what the directory does not know yet."),
        ),
    ]


def _area(value: Decimal) -> str:
    return f"{value.normalize():f}"


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
        shown_minimum = _("%(area)s m²") % {"area": _area(minimum)} if minimum is not None else _("not set")
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
        bars,
        _("Open centres offering shelter. The minimum is each country's rule; “not set” means no premises flag."),
    )


def changes_by_month(changes: list[Change], since: datetime.date, on: datetime.date) -> Chart:
    counts = Counter((change.day.year, change.day.month, change.kind) for change in changes)
    months, year, month = [], since.year, since.month
    while (year, month) <= (on.year, on.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    table, bars = [], []
    for year, month in months:
        label = formats.date_format(datetime.date(year, month, 1), "YEAR_MONTH_FORMAT")
        values = [counts[year, month, kind] for kind in CHANGE_KINDS]
        table.append([label, *values, sum(values)])
        bars.append(Bar(label, sum(values)))
    return Chart(
        "changes-by-month",
        _("Changes since %(date)s, by month") % {"date": since.isoformat()},
        [_("Month"), *[str(label) for label in CHANGE_KINDS.values()], _("Total")],
        table,
        bars,
        _("Suspensions, closures, licences lost or refused and funding ended, from the directory's history."),
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
