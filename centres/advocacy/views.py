"""The advocacy area's pages: the at-risk list with its exports, what a proposed minimum would cost, the dashboard,
and shelter coverage."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from centres.access import EXPORT_AT_RISK, VIEW_AT_RISK, permission_required
from centres.advocacy.charts import dashboard_context
from centres.advocacy.coverage import STANDARD, STANDARD_SOURCE, coverage_table
from centres.advocacy.coverage_map import coverage_map
from centres.advocacy.dossier import dossier
from centres.advocacy.filters import AtRiskFilter
from centres.advocacy.presentation import at_risk_view
from centres.advocacy.whatif import WhatIfForm, centres_below, curve_chart, proposal_of, proposed_rules, what_if
from centres.caching import current_key, kept
from centres.columns import ADVOCATE_COLUMNS
from centres.downloads import download, filters_refused, record_export
from centres.exports import centre_rows, to_file
from centres.limits import rate_limited
from centres.models import Centre, CountryRules, ExportLog, today
from centres.selectors import at_risk_centres, at_risk_pages


@require_safe
@permission_required(VIEW_AT_RISK)
def at_risk_list(request: HttpRequest) -> HttpResponse:
    on, rules = today(), CountryRules.for_countries()
    filters = AtRiskFilter(request.GET, rules=rules, on=on)
    result = at_risk_view(at_risk_pages(filters=filters), rules, on)
    # The rules the list is judged against, beside it, with their legal basis: what an advocate quotes.
    used = [country_rules for country_rules in rules.values() if country_rules.pk and _says_something(country_rules)]
    return render(request, "advocacy/at_risk.html", {"result": result, "form": filters.form, "rules": used})


def _says_something(rules: CountryRules) -> bool:
    return bool(
        rules.licensing_effective_from
        or rules.min_premises_area_m2 is not None
        or rules.min_area_per_bed_m2 is not None
        or rules.legal_basis
    )


@require_safe
@permission_required(EXPORT_AT_RISK)
@rate_limited("export")
def at_risk_export(request: HttpRequest, format: str) -> HttpResponse:
    """The at-risk list as shown (same filters, same order, every page) with reasons, as CSV, XLSX or JSON."""
    on, rules = today(), CountryRules.for_countries()
    filters = AtRiskFilter(request.GET, rules=rules, on=on)
    risky = at_risk_centres(filters=filters)
    if risky is None:
        return filters_refused()
    record_export(request.user, ExportLog.Kind.AT_RISK, format, filters.form.logged_filters())
    rows = centre_rows(risky, ADVOCATE_COLUMNS, web=True, rules=rules, on=on)
    return download(to_file(rows, ADVOCATE_COLUMNS, format, "centres-at-risk", for_reading=True))


@require_safe
@permission_required(VIEW_AT_RISK)
def dashboard(request: HttpRequest) -> HttpResponse:
    # Counting every centre costs a scan of the table (0.4 s at 100,000 centres). The numbers are kept for a
    # minute under a key that changes with the day, the language and every save of a counted record, so an edit
    # or a rule change still shows on the next page load.
    on = today()
    context = kept(current_key("dashboard"), lambda: dashboard_context(on))
    return render(request, "advocacy/dashboard.html", context)


@require_safe
@permission_required(VIEW_AT_RISK)
def coverage(request: HttpRequest) -> HttpResponse:
    """Shelter places per country and region against the European standard (centres/advocacy/coverage.py)."""
    # Like the dashboard's numbers, kept for a minute per data version (a population edit makes a new one too).
    context = kept(current_key("coverage"), _coverage_context)
    return render(request, "advocacy/coverage.html", context)


def _coverage_context() -> dict:
    countries = coverage_table()
    # The map is kept drawn: its few hundred marks cost more to render than the rest of the page.
    drawn_map = render_to_string("advocacy/coverage_map.html", {"coverage_map": coverage_map(countries)})
    return {
        "countries": countries,
        "drawn_map": drawn_map,
        "standard": STANDARD,
        "standard_source": STANDARD_SOURCE,
    }


@require_safe
@permission_required(VIEW_AT_RISK)
def what_if_page(request: HttpRequest) -> HttpResponse:
    """A hypothetical minimum (area, area per bed, lost licence statuses) against today's rules; nothing is saved."""
    on, rules = today(), CountryRules.for_countries()
    form = WhatIfForm(request.GET or None)
    proposal = proposal_of(form) if request.GET else None
    # Every open shelter of the country is counted, so the figures of one proposal are kept for a minute per data
    # version (a rule change makes a new one), as the dashboard's are.
    # The rules are read again inside: read before the key, a rule saved in between would be kept under the new
    # data version.
    result = (
        kept(current_key("what-if", proposal.key), lambda: what_if(CountryRules.for_countries(), proposal, on))
        if proposal
        else None
    )
    current = rules[proposal.country] if proposal else None
    context = {
        "form": form,
        "result": result,
        "chart": curve_chart(result.curve) if result else None,
        "current": current,
        "query": request.GET.urlencode(),
    }
    return render(request, "advocacy/what_if.html", context)


@require_safe
@permission_required(EXPORT_AT_RISK)
@rate_limited("export")
def what_if_export(request: HttpRequest, format: str) -> HttpResponse:
    """The centres the proposal would put below, as the at-risk list's exports, judged under the proposal."""
    on, rules = today(), CountryRules.for_countries()
    form = WhatIfForm(request.GET)
    proposal = proposal_of(form)
    if proposal is None:
        return filters_refused()
    record_export(request.user, ExportLog.Kind.AT_RISK, format, {key: request.GET.getlist(key) for key in form.fields})
    rows = centre_rows(
        centres_below(rules, proposal, on), ADVOCATE_COLUMNS, web=True, rules=proposed_rules(rules, proposal), on=on
    )
    return download(to_file(rows, ADVOCATE_COLUMNS, format, "centres-what-if", for_reading=True))


@require_safe
@permission_required(VIEW_AT_RISK)
def centre_dossier(request: HttpRequest, slug: str) -> HttpResponse:
    """One judged centre's dossier, to print on one or two pages (centres/advocacy/dossier.py)."""
    centre = get_object_or_404(Centre.objects.judged(), slug=slug)
    context = {
        "dossier": dossier(centre, CountryRules.for_countries(), today()),
        "printed_on": today(),
        "page_address": request.build_absolute_uri(request.path),
        "print_asked": "print" in request.GET,
    }
    return render(request, "advocacy/dossier.html", context)
