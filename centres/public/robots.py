"""`/robots.txt`: crawlers may read the public pages, and are asked to keep out of everything else.

What is open is named here (`OPEN`, the pages the sitemap lists and the plain list); every other route of the
directory is disallowed in every language, reversed from the URL conf, so a new language, a moved address or a new
route is covered without editing this file (a new public page stays out of search engines until it is named here).

Query strings on the list and on a centre's page are disallowed too: searches and filters are endless combinations,
each a query on the database (and rate limited), and a search engine's copy of a result list helps nobody; the
list's pages (`?page=N`) only lead to centres the sitemap lists anyway, and `?print` is the same page again.
robots.txt asks well-behaved crawlers only: the editor and advocacy areas are protected by their logins, not by it.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from centres import urls as centres_urls

# The directory's routes crawlers may read: the pages the sitemap lists, and the list itself without a query.
OPEN = {"home", "centre_list", "centre_detail", "country", "safety", "open_data"}
# Routes outside the language prefixes that are not for crawlers: the editor area, the open-data API (read by
# programs, and its data is in the HSDS package), and quick exit.
CLOSED_ELSEWHERE = ("admin:index", "api:root", "quick_exit")
# Routes whose query strings are not for crawlers (searches, the list's pages, a printed referral sheet).
NO_QUERIES = ("centre_list", "centre_detail")

# Stands for any value of a route's parameter (a slug, a country code) and is then written as robots.txt's `*`.
_ANY = "ROBOTS-ANY"


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in disallowed()), ""]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def disallowed() -> list[str]:
    """The paths crawlers are asked to keep out of, each language's together, none covered by one before it
    (robots.txt rules match by prefix: `/ru/at-risk/` covers its exports, what-if and dossiers)."""
    paths = [reverse(name) for name in CLOSED_ELSEWHERE]
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for route in centres_urls.urlpatterns:
                if route.name not in OPEN:
                    paths.append(_path(route))
            paths += [_path(_route(name)) + "?" for name in NO_QUERIES]
    kept: list[str] = []
    for path in paths:
        if not any(path.startswith(shorter) for shorter in kept):
            kept = [longer for longer in kept if not longer.startswith(path)] + [path]
    return kept


def _route(name: str) -> URLPattern:
    return next(route for route in centres_urls.urlpatterns if route.name == name)


def _path(route: URLPattern) -> str:
    """The route's path in the active language, any parameter written as `*`."""
    arguments = {parameter: _ANY for parameter in route.pattern.converters}
    return reverse(f"{centres_urls.app_name}:{route.name}", kwargs=arguments).replace(_ANY, "*")
