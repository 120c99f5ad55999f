"""Public pages (DESIGN.md sections 5 and 6) and the login for people who are not staff."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from centres.access import may_see_private_figures
from centres.caching import anonymous_page
from centres.columns import PUBLIC_COLUMNS
from centres.downloads import download, filters_refused, record_export
from centres.exports import centre_rows, to_file
from centres.filters import public_search
from centres.limits import is_post, is_search, rate_limited
from centres.models import CountryRules, ExportLog, Hotline, today
from centres.public import countries
from centres.public.cards import card, places_free
from centres.public.presentation import admission_facts, centre_view
from centres.selectors import country_centres, public_centre, search_centres, search_queryset
from centres.staff import staff_home
from centres.vocabularies import Country


def public_page(request: HttpRequest, template: str, context: dict, *, country: str | None = None) -> HttpResponse:
    """Render a public page with the hotline bar: the country's numbers in a country context, else each
    country's main number."""
    by_country = Hotline.by_country()
    if country:
        bar = by_country.get(country, [])[:2]
    else:
        bar = [by_country[code][0] for code in countries.in_page_order(by_country) if by_country[code]]
    return render(request, template, {"hotline_bar": bar, "bar_country": country, **context})


@require_safe
@anonymous_page
def home(request: HttpRequest) -> HttpResponse:
    rules = CountryRules.for_countries()
    on = today()
    by_country = Hotline.by_country()
    hotlines = [
        {
            "country": Country(code).label,
            "code": code,
            "main": [(hotline, hotline.is_stale(rules[code], on)) for hotline in numbers if hotline.is_main],
            "others": [hotline for hotline in numbers if not hotline.is_main],
        }
        for code, numbers in ((code, by_country[code]) for code in countries.in_page_order(by_country))
        if numbers
    ]
    listed = [(code, Country(code).label) for code in countries.in_page_order(Country.values)]
    return public_page(request, "centres/home.html", {"hotlines": hotlines, "countries": listed})


@require_safe
@anonymous_page
@rate_limited("search", applies=is_search)
def centre_list(request: HttpRequest) -> HttpResponse:
    search = public_search(request.GET)
    rounded = search.form.rounded_query()
    if rounded is not None:
        # A position sent with more precision than ours (a script of its own, a shared link) is rounded before it
        # goes anywhere: into the address bar, the history, the language and page links.
        return HttpResponseRedirect(f"{request.path}?{rounded.urlencode()}")
    result = search_centres(search=search)
    rules = CountryRules.for_countries()
    trusted = may_see_private_figures(request.user)
    centres = [
        centre_view(centre, rules, trusted=trusted, origin=result.origin)
        for centre in (result.page.object_list if result.page else [])
    ]
    context = {"result": result, "centres": centres, "cards": [card(view) for view in centres], "form": search.form}
    # The hotlines of the country searched in, or of the town she is near: help reachable from where she is.
    place = result.origin.place if result.origin else None
    country = search.chosen_country or (place.country if place else None)
    return public_page(request, "centres/centre_list.html", context, country=country)


@require_safe
@anonymous_page
def centre_detail(request: HttpRequest, slug: str) -> HttpResponse:
    centre = public_centre(slug)
    view = centre_view(centre, CountryRules.for_countries(), trusted=may_see_private_figures(request.user))
    context = {
        "view": view,
        "admission": admission_facts(centre),
        # The printed page is a referral sheet: it says when and where from (the address without any query).
        "printed_on": today(),
        "page_address": request.build_absolute_uri(request.path),
        "print_asked": "print" in request.GET,
        "places_free": places_free(view.places_free) if view.places_free else "",
    }
    return public_page(request, "centres/centre_detail.html", context, country=centre.country)


@require_safe
@anonymous_page
def country_detail(request: HttpRequest, code: str) -> HttpResponse:
    if code != code.lower():
        return HttpResponsePermanentRedirect(reverse("centres:country", args=[code.lower()]))
    country = countries.get_or_404(code)
    rules = CountryRules.for_countries()
    trusted = may_see_private_figures(request.user)
    centres = [centre_view(centre, rules, trusted=trusted) for centre in country_centres(country.code)]
    hotlines = [
        (hotline, hotline.is_stale(rules[country.code], today())) for hotline in Hotline.by_country()[country.code]
    ]
    context = {"country": country, "centres": centres, "cards": [card(view) for view in centres], "hotlines": hotlines}
    return public_page(request, "centres/country_detail.html", context, country=country.code)


@require_safe
@anonymous_page
def safety(request: HttpRequest) -> HttpResponse:
    return public_page(request, "centres/safety.html", {})


@never_cache
def quick_exit(request: HttpRequest) -> HttpResponse:
    """Leave at once: ask the browser to forget this site's data, then go somewhere neutral."""
    response = HttpResponseRedirect(settings.QUICK_EXIT_URL)
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


class LoginView(auth_views.LoginView):
    """Login for people who are not staff: advocates and centre staff (editors may use /admin/ too). Centre staff
    land on their places-free page."""

    redirect_authenticated_user = True

    @method_decorator(rate_limited("login", applies=is_post))
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    def get_default_redirect_url(self) -> str:
        return staff_home(self.request.user) or super().get_default_redirect_url()


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 with the hotline bar: someone who lands on a dead link still sees where to call."""
    response = public_page(request, "404.html", {})
    response.status_code = 404
    return response


@require_safe
@rate_limited("export")
def centre_export(request: HttpRequest, format: str) -> HttpResponse:
    """The public search as shown (same filters, same order, every page) as CSV or JSON, for anyone: public columns
    only, and nothing a public page would not show. Anonymous visitors' downloads leave no record."""
    search = public_search(request.GET)
    queryset = search_queryset(search=search)
    if queryset is None:
        return filters_refused()
    record_export(request.user, ExportLog.Kind.PUBLIC, format, search.form.logged_filters())
    rows = centre_rows(queryset, PUBLIC_COLUMNS, web=True)
    return download(to_file(rows, PUBLIC_COLUMNS, format, "centres"))
