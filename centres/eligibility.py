"""Eligibility under the country rules (DESIGN.md section 4): risk flags and data gaps, always as of today.

Each flag and gap is written once, as a condition in a tiny vocabulary (`Is`, `In`, `Before`, `Below`, …) that
compiles both to a database filter (`Q`) and to a Python test on one centre. The list pages filter in the database;
the centre page explains one centre; a property test over generated centres and dates proves the two agree.
Nothing is stored: a rule change or the passing of a date shows on the next page load.
"""

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Case, DecimalField, ExpressionWrapper, F, IntegerField, Q, QuerySet, Value, When
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from centres.models import Centre, CountryRules
from centres.vocabularies import LicenceStatus, Service, Status, Tenure

HIGH, MEDIUM = "high", "medium"
AREA_FIELD = DecimalField(max_digits=14, decimal_places=2)
SEVERITY_RANK = {HIGH: 2, MEDIUM: 1}

# -- the condition vocabulary --------------------------------------------------------------------------------------


class Condition:
    def q(self) -> Q:
        raise NotImplementedError

    def test(self, centre: Centre) -> bool:
        raise NotImplementedError

    def __and__(self, other: "Condition") -> "Condition":
        return All(self, other)

    def __or__(self, other: "Condition") -> "Condition":
        return AnyOf(self, other)


def value_at(centre: Centre, path: str) -> Any:
    """Follow a Django lookup path ("compliance__licence_status") on one centre; a missing relation gives None."""
    obj: Any = centre
    for part in path.split("__"):
        try:
            obj = getattr(obj, part)
        except ObjectDoesNotExist:  # a centre without a compliance row
            return None
        if obj is None:
            return None
    return obj


@dataclass(frozen=True)
class Is(Condition):
    path: str
    value: Any

    def q(self) -> Q:
        return Q(**{self.path: self.value})

    def test(self, centre: Centre) -> bool:
        return value_at(centre, self.path) == self.value


@dataclass(frozen=True)
class In(Condition):
    path: str
    values: tuple

    def q(self) -> Q:
        return Q(**{f"{self.path}__in": self.values})

    def test(self, centre: Centre) -> bool:
        return value_at(centre, self.path) in self.values


@dataclass(frozen=True)
class Empty(Condition):
    path: str

    def q(self) -> Q:
        return Q(**{f"{self.path}__isnull": True})

    def test(self, centre: Centre) -> bool:
        return value_at(centre, self.path) is None


@dataclass(frozen=True)
class Before(Condition):
    """A date (not empty) strictly before `day`."""

    path: str
    day: datetime.date

    def q(self) -> Q:
        return Q(**{f"{self.path}__lt": self.day})

    def test(self, centre: Centre) -> bool:
        value = value_at(centre, self.path)
        return value is not None and value < self.day


@dataclass(frozen=True)
class Between(Condition):
    """A date (not empty) from `first` to `last`, both included."""

    path: str
    first: datetime.date
    last: datetime.date

    def q(self) -> Q:
        return Q(**{f"{self.path}__gte": self.first, f"{self.path}__lte": self.last})

    def test(self, centre: Centre) -> bool:
        value = value_at(centre, self.path)
        return value is not None and self.first <= value <= self.last


@dataclass(frozen=True)
class Below(Condition):
    """A number (not empty) strictly below `limit`, or below `limit` × the number at `per` when given."""

    path: str
    limit: Decimal
    per: str | None = None

    def q(self) -> Q:
        bound = ExpressionWrapper(F(self.per) * Value(self.limit), output_field=AREA_FIELD) if self.per else self.limit
        return Q(**{f"{self.path}__lt": bound})

    def test(self, centre: Centre) -> bool:
        value = value_at(centre, self.path)
        if value is None:
            return False
        if self.per:
            per = value_at(centre, self.per)
            return per is not None and Decimal(value) < Decimal(per) * self.limit
        return Decimal(value) < self.limit


@dataclass(frozen=True)
class Above(Condition):
    """A number (not empty) strictly above `limit`."""

    path: str
    limit: int

    def q(self) -> Q:
        return Q(**{f"{self.path}__gt": self.limit})

    def test(self, centre: Centre) -> bool:
        value = value_at(centre, self.path)
        return value is not None and value > self.limit


@dataclass(frozen=True)
class HasCode(Condition):
    path: str
    code: str

    def q(self) -> Q:
        return Q(**{f"{self.path}__contains": f";{self.code};"})

    def test(self, centre: Centre) -> bool:
        return self.code in (value_at(centre, self.path) or [])


class All(Condition):
    def __init__(self, *parts: Condition):
        self.parts = parts

    def q(self) -> Q:
        combined = Q()
        for part in self.parts:
            combined &= part.q()
        return combined

    def test(self, centre: Centre) -> bool:
        return all(part.test(centre) for part in self.parts)


class AnyOf(Condition):
    def __init__(self, *parts: Condition):
        self.parts = parts

    def q(self) -> Q:
        combined = Q(pk__in=[])  # matches nothing: the neutral start of an OR
        for part in self.parts:
            combined |= part.q()
        return combined

    def test(self, centre: Centre) -> bool:
        return any(part.test(centre) for part in self.parts)


NEVER = AnyOf()


# -- the flags and gaps ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One flag or gap found on one centre, with the sentence that explains it."""

    code: str
    kind: str  # "flag" or "gap"
    severity: str | None
    reason: str


@dataclass(frozen=True)
class Rule:
    code: str
    kind: str
    label: Any
    # (rules, today) -> [(severity, condition)]: most flags have one severity; lease and funding ends have two.
    conditions: Callable[[CountryRules, datetime.date], list[tuple[str | None, Condition]]]
    reason: Callable[[Centre, CountryRules, datetime.date], str]


STATUS = "compliance__licence_status"
EXPIRES = "compliance__licence_expires_on"
AREA = "compliance__premises_area_m2"
LEASE_ENDS = "compliance__lease_ends_on"
FUNDING_ENDS = "compliance__funding_ends_on"
SHELTER = HasCode("services", Service.SHELTER)
LOST_STATUSES = (LicenceStatus.REFUSED, LicenceStatus.SUSPENDED, LicenceStatus.REVOKED, LicenceStatus.EXPIRED)


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _ends(path: str, window: int, today: datetime.date) -> list[tuple[str | None, Condition]]:
    """Already ended (high), or ending within the window (medium)."""
    return [(HIGH, Before(path, today)), (MEDIUM, Between(path, today, today + _days(window)))]


def date_text(value: datetime.date | None) -> str:
    """A date in a reason, as the page's language writes it ("1 декабря 2026 г.", "1 желтоқсан 2026 ж.",
    "Dec. 1, 2026"): a sentence to quote, not a cell to sort (the exports' date columns stay ISO)."""
    return date_format(value, "DATE_FORMAT") if value else "—"


def one_full_stop(sentence: str) -> str:
    """A sentence whose date ended it with its own abbreviation's stop ("… 1 декабря 2026 г..") with one stop."""
    return DOUBLED_STOP.sub(".", sentence)


DOUBLED_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")


def area_text(value: Any) -> str:
    """An area in a reason to one decimal at most, with the page language's decimal mark ("4,2" in Russian)."""
    if value is None:
        return "—"
    value = Decimal(value).quantize(Decimal("0.1"))
    if value == value.to_integral_value():
        return number_format(int(value), use_l10n=True)
    return number_format(value, decimal_pos=1, use_l10n=True)


def basis_text(rules: CountryRules) -> str:
    """What the judgement of a country's centres rests on, to quote beside its reasons: the rules' legal basis and
    its source, and whether the minimum areas are the demo data's."""
    parts = [rules.legal_basis.strip() or str(_("No legal basis recorded."))]
    if rules.source_url:
        parts.append(f"({rules.source_url})")
    if rules.thresholds_are_demo:
        parts.append(str(_("Minimum areas: demo value — not the law.")))
    return " ".join(parts)


def _demo_noted(reason: str, rules: CountryRules) -> str:
    """A reason that quotes a minimum area, saying so when the minimum is the demo data's and not the law's."""
    if not rules.thresholds_are_demo:
        return str(reason)
    return f"{reason} {_('The minimum is a demo value, not the law.')}"


def _reason_lease(centre: Centre, rules: CountryRules, today: datetime.date) -> str:
    end = value_at(centre, LEASE_ENDS)
    if end < today:
        return str(_("The lease of the premises ended on %(date)s.") % {"date": date_text(end)})
    days = rules.lease_warning_days
    return ngettext(
        "The lease of the premises ends on %(date)s, within %(days)d day.",
        "The lease of the premises ends on %(date)s, within %(days)d days.",
        days,
    ) % {"date": date_text(end), "days": days}


def _reason_funding(centre: Centre, rules: CountryRules, today: datetime.date) -> str:
    end = value_at(centre, FUNDING_ENDS)
    if end < today:
        return str(_("Funding ended on %(date)s.") % {"date": date_text(end)})
    days = rules.funding_warning_days
    return ngettext(
        "Funding ends on %(date)s, within %(days)d day.", "Funding ends on %(date)s, within %(days)d days.", days
    ) % {"date": date_text(end), "days": days}


def _reason_lost(centre: Centre, rules: CountryRules, today: datetime.date) -> str:
    status = value_at(centre, STATUS)
    if status == LicenceStatus.LICENSED:
        return str(_("The licence expired on %(date)s.") % {"date": date_text(value_at(centre, EXPIRES))})
    return str(_("Licence status: %(status)s.") % {"status": LicenceStatus(status).label})


def _area_per_bed(centre: Centre) -> str:
    area, beds = value_at(centre, AREA), centre.beds
    return area_text(Decimal(area) / beds) if area is not None and beds else "—"


RULES: tuple[Rule, ...] = (
    Rule(
        "licence_missing",
        "flag",
        _("No licence"),
        lambda rules, today: [
            (
                HIGH,
                Is(STATUS, LicenceStatus.NOT_APPLIED)
                if rules.licensing_effective_from and today >= rules.licensing_effective_from
                else NEVER,
            )
        ],
        lambda centre, rules, today: str(
            _("No licence applied for, though licensing has been compulsory since %(date)s.")
            % {"date": date_text(rules.licensing_effective_from)}
        ),
    ),
    Rule(
        "licence_lost",
        "flag",
        _("Licence lost"),
        lambda rules, today: [
            (HIGH, In(STATUS, LOST_STATUSES) | (Is(STATUS, LicenceStatus.LICENSED) & Before(EXPIRES, today)))
        ],
        _reason_lost,
    ),
    Rule(
        "licence_pending",
        "flag",
        _("Licence pending"),
        lambda rules, today: [(MEDIUM, Is(STATUS, LicenceStatus.APPLIED))],
        lambda centre, rules, today: str(
            _("Licence applied for on %(date)s; no decision yet.")
            % {"date": date_text(value_at(centre, "compliance__licence_applied_on"))}
        ),
    ),
    Rule(
        "licence_expiring",
        "flag",
        _("Licence expires soon"),
        lambda rules, today: [
            (
                MEDIUM,
                Is(STATUS, LicenceStatus.LICENSED) & Between(EXPIRES, today, today + _days(rules.licence_warning_days)),
            )
        ],
        lambda centre, rules, today: (
            ngettext(
                "The licence expires on %(date)s, within %(days)d day.",
                "The licence expires on %(date)s, within %(days)d days.",
                rules.licence_warning_days,
            )
            % {"date": date_text(value_at(centre, EXPIRES)), "days": rules.licence_warning_days}
        ),
    ),
    Rule(
        "premises_too_small",
        "flag",
        _("Premises too small"),
        lambda rules, today: [
            (
                HIGH,
                SHELTER & Below(AREA, rules.min_premises_area_m2) if rules.min_premises_area_m2 is not None else NEVER,
            )
        ],
        lambda centre, rules, today: _demo_noted(
            _("Premises %(area)s m² is below the minimum of %(minimum)s m².")
            % {"area": area_text(value_at(centre, AREA)), "minimum": area_text(rules.min_premises_area_m2)},
            rules,
        ),
    ),
    Rule(
        "area_per_bed_too_small",
        "flag",
        _("Too little area per bed"),
        lambda rules, today: [
            (
                HIGH,
                SHELTER & Above("beds", 0) & Below(AREA, rules.min_area_per_bed_m2, per="beds")
                if rules.min_area_per_bed_m2 is not None
                else NEVER,
            )
        ],
        lambda centre, rules, today: _demo_noted(
            ngettext(
                "%(per_bed)s m² per bed (%(area)s m² for %(beds)d bed) is below the minimum of %(minimum)s m² per bed.",
                "%(per_bed)s m² per bed (%(area)s m² for %(beds)d beds) "
                "is below the minimum of %(minimum)s m² per bed.",
                centre.beds or 0,
            )
            % {
                "per_bed": _area_per_bed(centre),
                "area": area_text(value_at(centre, AREA)),
                "beds": centre.beds or 0,
                "minimum": area_text(rules.min_area_per_bed_m2),
            },
            rules,
        ),
    ),
    Rule(
        "lease_ending",
        "flag",
        _("Lease ends soon"),
        lambda rules, today: [
            (severity, Is("compliance__premises_tenure", Tenure.LEASED) & condition)
            for severity, condition in _ends(LEASE_ENDS, rules.lease_warning_days, today)
        ],
        _reason_lease,
    ),
    Rule(
        "funding_ending",
        "flag",
        _("Funding ends soon"),
        lambda rules, today: _ends(FUNDING_ENDS, rules.funding_warning_days, today),
        _reason_funding,
    ),
    Rule(
        "licence_unknown",
        "gap",
        _("Licence status not recorded"),
        lambda rules, today: [(None, Empty("compliance__id") | Is(STATUS, LicenceStatus.UNKNOWN))],
        lambda centre, rules, today: str(_("Licence status not recorded — check with the centre.")),
    ),
    Rule(
        "premises_unknown",
        "gap",
        _("Premises area not recorded"),
        lambda rules, today: [
            (None, SHELTER & Empty(AREA) if rules.min_premises_area_m2 is not None else NEVER),
        ],
        lambda centre, rules, today: str(_("Premises area not recorded — needed to check the minimum area.")),
    ),
    Rule(
        "not_verified",
        "gap",
        _("Not verified recently"),
        lambda rules, today: [
            (
                None,
                Empty("last_verified_on") | Before("last_verified_on", today - _days(rules.verification_max_age_days)),
            )
        ],
        lambda centre, rules, today: (
            ngettext(
                "Last verified on %(date)s, more than %(days)d day ago.",
                "Last verified on %(date)s, more than %(days)d days ago.",
                rules.verification_max_age_days,
            )
            % {"date": date_text(centre.last_verified_on), "days": rules.verification_max_age_days}
            if centre.last_verified_on
            else str(_("Never verified — call the centre to check its details."))
        ),
    ),
)
FLAGS = tuple(rule for rule in RULES if rule.kind == "flag")
GAPS = tuple(rule for rule in RULES if rule.kind == "gap")
BY_CODE = {rule.code: rule for rule in RULES}
# A centre's risk in words, as the at-risk list says it.
RISK_LABELS = {HIGH: _("High"), MEDIUM: _("Medium"), "none": _("No risk flag")}
# Gaps judged in every country, with or without rules of its own; everything else needs a country's rules.
EVERY_COUNTRY = {"not_verified"}


def judged(rules: CountryRules) -> tuple[Rule, ...]:
    """The flags and gaps that apply in a country: all when it has rules of its own, else verification alone."""
    return RULES if rules.pk else tuple(rule for rule in RULES if rule.code in EVERY_COUNTRY)


OPEN = ~Q(status=Status.CLOSED) & Q(archived=False)


def rule_q(rule: Rule, all_rules: dict[str, CountryRules], today: datetime.date, severity: str | None = None) -> Q:
    """Centres, of any country, on which `rule` holds today (optionally only at `severity`)."""
    combined = Q(pk__in=[])
    for country, rules in all_rules.items():
        if rule not in judged(rules):
            continue
        for level, condition in rule.conditions(rules, today):
            if severity is None or level == severity:
                combined |= Q(country=country) & condition.q()
    return combined & OPEN


def any_q(rules_list: Iterable[Rule], all_rules: dict[str, CountryRules], today: datetime.date, severity=None) -> Q:
    combined = Q(pk__in=[])
    for rule in rules_list:
        combined |= rule_q(rule, all_rules, today, severity)
    return combined


def at_risk(queryset: QuerySet, all_rules: dict[str, CountryRules], today: datetime.date) -> QuerySet:
    """Centres with at least one risk flag, each annotated with `risk_rank` (2 high, 1 medium)."""
    high = any_q(FLAGS, all_rules, today, HIGH)
    medium = any_q(FLAGS, all_rules, today, MEDIUM)
    rank = Case(When(high, then=Value(2)), When(medium, then=Value(1)), default=Value(0), output_field=IntegerField())
    return queryset.filter(high | medium).annotate(risk_rank=rank)


def findings(centre: Centre, all_rules: dict[str, CountryRules], today: datetime.date) -> list[Finding]:
    """Every flag and gap of one centre, with its sentence; closed and archived centres have none."""
    if centre.status == Status.CLOSED or centre.archived:
        return []
    rules = all_rules.get(centre.country) or CountryRules(country=centre.country)
    found = []
    for rule in judged(rules):
        for severity, condition in rule.conditions(rules, today):
            if condition.test(centre):
                found.append(Finding(rule.code, rule.kind, severity, one_full_stop(rule.reason(centre, rules, today))))
                break
    return found


def risk_of(found: list[Finding]) -> str:
    """`high`, `medium` or `none`: the most severe risk flag."""
    severities = [finding.severity for finding in found if finding.kind == "flag"]
    if HIGH in severities:
        return HIGH
    return MEDIUM if MEDIUM in severities else "none"
