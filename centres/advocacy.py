"""The advocacy area (DESIGN.md sections 4 and 5): who is at risk of losing eligibility and why, for advocates and
editors. Data gaps are listed apart: they say what we do not know, not what a centre did wrong."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import wraps

import django_filters
from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from centres.eligibility import FLAGS, GAPS, HIGH, MEDIUM, Finding, any_q, at_risk, findings, risk_of
from centres.exports import ADVOCATE_COLUMNS, centre_rows, export_response, record_export
from centres.filters import CentreFilter
from centres.models import Centre, CountryRules, ExportLog, today
from centres.selectors import PAGE_SIZE, CappedPaginator, Tiers

ADVOCACY_GROUPS = {"advocate", "editor"}


def may_see_advocacy(user) -> bool:
    """Advocates, editors and superusers. Asked twice per page (the view's guard and the navigation), so the
    answer is kept on the request's user object."""
    if not hasattr(user, "_may_see_advocacy"):
        groups = user.groups.filter(name__in=ADVOCACY_GROUPS)
        user._may_see_advocacy = user.is_active and (user.is_superuser or groups.exists())
    return user._may_see_advocacy


def advocacy_required(view):
    """Anonymous visitors go to the login page; logged-in people outside the two groups are refused."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_see_advocacy(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


class AtRiskFilter(CentreFilter):
    severity = django_filters.ChoiceFilter(
        label=_("Risk"), choices=[(HIGH, _("High")), (MEDIUM, _("Medium"))], method="ignore", empty_label=_("Any")
    )
    flag = django_filters.MultipleChoiceFilter(
        label=_("Risk flags (any of)"),
        choices=[(rule.code, rule.label) for rule in FLAGS],
        method="ignore",
        widget=forms.CheckboxSelectMultiple,
    )
    gap = django_filters.MultipleChoiceFilter(
        label=_("Data gaps (any of)"),
        choices=[(rule.code, rule.label) for rule in GAPS],
        method="ignore",
        widget=forms.CheckboxSelectMultiple,
    )


@dataclass
class RiskRow:
    centre: Centre
    risk: str
    flags: list[Finding]
    gaps: list[Finding]
    area: Decimal | None
    area_per_bed: Decimal | None


@dataclass
class AtRiskResult:
    filterset: AtRiskFilter
    risks: Page | None
    gaps: Page | None
    rows: list[RiskRow]
    gap_rows: list[RiskRow]


def judged_centres() -> QuerySet:
    """Centres that can be judged: not closed, not archived."""
    return (
        Centre.objects.exclude(status="closed")
        .filter(archived=False)
        .select_related("operator", "city__region", "region", "compliance")
    )


def at_risk_querysets(
    params: QueryDict, rules: dict[str, CountryRules], on: datetime.date
) -> tuple[AtRiskFilter, QuerySet | None, QuerySet | None]:
    """The filter set, and every matching at-risk centre and every matching centre with a data gap, each in the
    list's order (None when the filters are not valid). The page shows them a page at a time; exports whole."""
    filterset = AtRiskFilter(params, queryset=judged_centres())
    if not filterset.is_valid():
        return filterset, None, None
    data = filterset.form.cleaned_data
    matching = filterset.qs

    risky = at_risk(matching, rules, on)
    if data.get("severity"):
        risky = risky.filter(risk_rank=2 if data["severity"] == HIGH else 1)
    if data.get("flag"):
        risky = risky.filter(any_q([rule for rule in FLAGS if rule.code in data["flag"]], rules, on))
    risky = risky.order_by("-risk_rank", "name", "pk")

    chosen_gaps = [rule for rule in GAPS if rule.code in data.get("gap", [])] or list(GAPS)
    gapped = matching.filter(any_q(chosen_gaps, rules, on)).order_by("name", "pk")
    return filterset, risky, gapped


def at_risk_search(params: QueryDict, on: datetime.date | None = None) -> AtRiskResult:
    """The at-risk list and the data-gap list, with the public filters plus severity, flag and gap."""
    on = on or today()
    rules = CountryRules.for_countries()
    filterset, risky, gapped = at_risk_querysets(params, rules, on)
    if risky is None or gapped is None:
        return AtRiskResult(filterset, None, None, [], [])

    # High first, then medium, each by name: two queries that read the name index and stop at the page, instead
    # of computing the risk of every matching centre and sorting them all (~260 ms at 100,000 centres).
    severity = filterset.form.cleaned_data.get("severity")
    ranks = {HIGH: (2,), MEDIUM: (1,)}.get(severity, (2, 1))
    by_tier = Tiers(*(risky.filter(risk_rank=rank).order_by("name", "pk") for rank in ranks))
    risks = CappedPaginator(by_tier, PAGE_SIZE).get_page(params.get("page"))
    gaps = CappedPaginator(gapped, PAGE_SIZE).get_page(params.get("gap_page"))
    return AtRiskResult(
        filterset=filterset,
        risks=risks,
        gaps=gaps,
        rows=[risk_row(centre, rules, on) for centre in risks.object_list],
        gap_rows=[risk_row(centre, rules, on) for centre in gaps.object_list],
    )


def risk_row(centre: Centre, rules: dict[str, CountryRules], on: datetime.date) -> RiskRow:
    found = findings(centre, rules, on)
    compliance = getattr(centre, "compliance", None)
    area = compliance.premises_area_m2 if compliance else None
    per_bed = (area / centre.beds).quantize(Decimal("0.1")) if area is not None and centre.beds else None
    return RiskRow(
        centre=centre,
        risk=risk_of(found),
        flags=[finding for finding in found if finding.kind == "flag"],
        gaps=[finding for finding in found if finding.kind == "gap"],
        area=area,
        area_per_bed=per_bed,
    )


@require_safe
@advocacy_required
def at_risk_list(request: HttpRequest) -> HttpResponse:
    result = at_risk_search(request.GET)
    query = request.GET.copy()
    for key in ("page", "gap_page"):
        query.pop(key, None)
    context = {"result": result, "query_without_page": query.urlencode(), "fields": list(result.filterset.form)}
    return render(request, "advocacy/at_risk.html", context)


@require_safe
@advocacy_required
def at_risk_export(request: HttpRequest, format: str) -> HttpResponse:
    """The at-risk list as shown (same filters, same order, every page) with reasons, as CSV, XLSX or JSON."""
    on, rules = today(), CountryRules.for_countries()
    _filterset, risky, _gapped = at_risk_querysets(request.GET, rules, on)
    if risky is None:
        return HttpResponseBadRequest(
            gettext("These filters could not be applied. Open the list, correct them, and download it again."),
            content_type="text/plain; charset=utf-8",
        )
    record_export(request.user, ExportLog.Kind.AT_RISK, format, request.GET)
    rows = centre_rows(risky, ADVOCATE_COLUMNS, web=True, rules=rules, on=on)
    return export_response(rows, ADVOCATE_COLUMNS, format, "centres-at-risk")
