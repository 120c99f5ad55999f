"""The at-risk list's query string, read once: the public search's filters, and severity, flags and gaps."""

import datetime
from functools import cached_property

import django_filters
from django.db.models import F, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from centres import judging, widgets
from centres.eligibility import FLAGS, GAPS, HIGH, MEDIUM, SEVERITY_RANK, any_q
from centres.filters import CentreFilter, PagedForm, PageField
from centres.models import Centre, CountryRules


class AtRiskForm(PagedForm):
    """The at-risk list's form: each of its two lists has its own page."""

    gap_page = PageField()

    unrendered = frozenset({"page", "gap_page"})

    @property
    def query_without_gap_page(self) -> str:
        return self.query_without("gap_page")

    @property
    def query_without_pages(self) -> str:
        return self.query_without("page", "gap_page")


class AtRiskFilter(CentreFilter):
    """The at-risk list's query string. Two lists answer it: the centres at risk, narrowed by `severity` and
    `flag`, and the centres with data gaps, narrowed by `gap`; the shared filters narrow both."""

    severity = django_filters.ChoiceFilter(
        label=_("Risk"),
        choices=[(HIGH, _("High")), (MEDIUM, _("Medium"))],
        method="filter_severity",
        empty_label=_("Any"),
        widget=widgets.Select,
    )
    flag = django_filters.MultipleChoiceFilter(
        label=_("Risk flags (any of)"),
        choices=[(rule.code, rule.label) for rule in FLAGS],
        method="filter_flags",
        widget=widgets.CheckboxList,
    )
    gap = django_filters.MultipleChoiceFilter(
        label=_("Data gaps (any of)"),
        choices=[(rule.code, rule.label) for rule in GAPS],
        method="filter_gaps",
        widget=widgets.CheckboxList,
    )

    RISKS_ONLY = frozenset({"severity", "flag"})
    GAPS_ONLY = frozenset({"gap"})

    class Meta:
        form = AtRiskForm

    def __init__(self, data: QueryDict, *, rules: dict[str, CountryRules], on: datetime.date):
        self.rules, self.on = rules, on
        super().__init__(data, queryset=Centre.objects.judged())

    @cached_property
    def stored_risks(self) -> bool:
        """Whether the risks stored for `on` may be read (asked once per list)."""
        return judging.stored_for(self.on)

    def risks(self, rank: int | None = None) -> QuerySet:
        """Every matching centre at risk (or only those of `rank`), high first, then medium, each by name;
        `risk_rank` the stored risk when it is today's (read through its index: judging.py), else judged in the
        query. A tier asks for its rank alone, so that the index is read from that rank, in name order."""
        if self.stored_risks:
            stored = {"judged_risk": rank} if rank else {"judged_risk__gt": 0}
            at_risk = self.queryset.filter(**stored).annotate(risk_rank=F("judged_risk"))
        else:
            at_risk = self.queryset.at_risk(self.rules, self.on)
            at_risk = at_risk.filter(risk_rank=rank) if rank else at_risk
        return self.filter_queryset(at_risk, leave_out=self.GAPS_ONLY).order_by("-risk_rank", "name", "pk")

    def gaps(self) -> QuerySet:
        """Every matching centre with a data gap, by name."""
        # The gaps chosen narrow the list to themselves; none chosen, every gap counts.
        gapped = self.queryset if self.cleaned.get("gap") else self.queryset.filter(any_q(GAPS, self.rules, self.on))
        return self.filter_queryset(gapped, leave_out=self.RISKS_ONLY).order_by("name", "pk")

    def risk_ranks(self) -> tuple[int, ...]:
        """The tiers the at-risk list is read in: high then medium, or the one severity chosen."""
        severity = self.cleaned.get("severity")
        return (SEVERITY_RANK[severity],) if severity else (SEVERITY_RANK[HIGH], SEVERITY_RANK[MEDIUM])

    def filter_severity(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(risk_rank=SEVERITY_RANK[value])

    def filter_flags(self, qs: QuerySet, name: str, value: list[str]) -> QuerySet:
        return qs.filter(any_q([rule for rule in FLAGS if rule.code in value], self.rules, self.on))

    def filter_gaps(self, qs: QuerySet, name: str, value: list[str]) -> QuerySet:
        return qs.filter(any_q([rule for rule in GAPS if rule.code in value], self.rules, self.on))
