"""`/sitemap.xml`: the public pages for search engines, each in every language with its `hreflang` alternates.

An index (`/sitemap.xml`) points at two sections: `/sitemap-pages.xml` (home, staying safe online, open data, each
country's page) and `/sitemap-centres.xml?p=N` (the page of every centre the public may see: exactly
`public_centres()`, never a draft, closed or archived record). A location and its last change are all a sitemap
says: no name, address or point, so nothing a public page hides can reach it.

At 100,000 centres there are 600,000 centre addresses, past the 50,000 one sitemap file may hold, and Django's
`Sitemap` would read every centre to page them (`Sitemap._items` builds the whole list of them in every language).
Here a page reads its own centres only, two columns of them, by slug.
"""

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Count, F, Max, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from centres.caching import current_key, kept
from centres.public import countries
from centres.selectors import public_centres
from centres.vocabularies import Country

# Centres on one page of the centres' section, each in every language with the others as alternates: 250 centres
# are 1,500 addresses and 1.1 MB, well inside the 50,000 addresses and 50 MB a sitemap file may hold, and a page is
# rendered in about 0.12 s at 100,000 centres on SQLite and on PostgreSQL (twice that for 500: the time is Django's
# template, a page's one query takes 2-4 ms). 100,000 centres, 90,000 of them public, make 360 pages.
CENTRES_PER_PAGE = 250


class CentrePages(Sequence):
    """Every public centre in every language, as the (row, language) pairs Django's `Sitemap._items` makes with
    `i18n`, read a page at a time from the slug it starts at.

    Where the pages start, and how many centres there are, is one query for the data version (centres/caching.py);
    a page is then an index range of its own rows (2-4 ms), where LIMIT/OFFSET would sort every public centre for
    each page (150 ms at 100,000 centres on PostgreSQL). The rows are always read: a centre unpublished is gone from
    the next page served, whatever is kept."""

    def __init__(self, rows: QuerySet, languages: list[str], per_page: int):
        self.rows, self.languages, self.per_page = rows, languages, per_page

    @cached_property
    def _pages(self) -> dict[str, Any]:
        return kept(current_key("sitemap-centres", str(self.per_page)), self._first_of_each_page)

    def _first_of_each_page(self) -> dict[str, Any]:
        first = (
            self.rows.order_by()
            .annotate(position=Window(RowNumber(), order_by="slug"), total=Window(Count("*")))
            .annotate(step=(F("position") - 1) % self.per_page)
            .filter(step=0)
            .order_by("slug")
            .values_list("slug", "total")
        )
        found = list(first)
        return {"total": found[0][1] if found else 0, "starts": [slug for slug, _total in found]}

    def count(self) -> int:
        return self._pages["total"] * len(self.languages)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, slice) or index.step not in (None, 1) or index.start is None or index.stop is None:
            raise TypeError("CentrePages is read by slices with a start and a stop")
        each = len(self.languages)
        first, last = index.start // each, -(-index.stop // each)
        page, within = divmod(first, self.per_page)
        starts = self._pages["starts"]
        if within == 0 and page < len(starts):
            rows = self.rows.filter(slug__gte=starts[page])[: last - first]
        else:  # not a page's slice (the paginator asks for nothing else)
            rows = self.rows[first:last]
        pairs = [(row, language) for row in rows for language in self.languages]
        return pairs[index.start - first * each : index.stop - first * each]


class InternationalSitemap(Sitemap):
    """Pages in every language of settings.LANGUAGES, each with the others as `hreflang` alternates and an
    `x-default`: the address without a language, which redirects to the visitor's."""

    i18n = True
    alternates = True
    x_default = True


class PageSitemap(InternationalSitemap):
    """The public pages that are not a centre's: home, staying safe online, open data, and each country's page."""

    def items(self) -> list[tuple[str, tuple[str, ...]]]:
        pages = [("centres:home", ()), ("centres:safety", ()), ("centres:open_data", ())]
        return pages + [("centres:country", (code.lower(),)) for code in Country.values if code in countries.FACTS]

    def location(self, item: tuple[str, tuple[str, ...]]) -> str:
        name, args = item
        return reverse(name, args=args)


class CentreSitemap(InternationalSitemap):
    """Every public centre's page, by slug, with `lastmod` the time its public fields last changed
    (`Centre.public_changed_at`, which a hidden address or its places free never move)."""

    @property
    def limit(self) -> int:  # addresses a page, each centre's in every language
        return CENTRES_PER_PAGE * len(self._languages())

    def items(self) -> QuerySet:
        # `public_centres()` as it is, without what a card reads: two columns, no joins, no phones.
        return (
            public_centres()
            .select_related(None)
            .prefetch_related(None)
            .order_by("slug")
            .values_list("slug", "public_changed_at", named=True)
        )

    def _items(self) -> CentrePages:
        return CentrePages(self.items(), self._languages(), CENTRES_PER_PAGE)

    def _location(self, item: tuple[Any, str], force_lang_code: str | None = None) -> str:
        # Django's activates the language of every address to reverse it, and that (not the reversing) would be
        # most of a page's time; `centre_path` is given the language instead.
        row, language = item
        return centre_path(row.slug, force_lang_code or language)

    def lastmod(self, item: Any):
        return item.public_changed_at

    def get_latest_lastmod(self):
        # The index's date for the section: one aggregate, where Django's would read every centre.
        return self.items().order_by().aggregate(latest=Max("public_changed_at"))["latest"]


def centre_path(slug: str, language: str) -> str:
    """`reverse("centres:centre_detail", args=[slug])` in `language`, with the route reversed once per language
    (and script prefix): a page of the sitemap names about 10,000 centre addresses, each address and its
    alternates."""
    key = (language, get_script_prefix())
    template = _CENTRE_PATHS.get(key)
    if template is None:
        with translation.override(language):
            template = _CENTRE_PATHS[key] = reverse("centres:centre_detail", args=[_SLUG])
    # A slug is letters, digits, hyphens and underscores (validate_slug, on import too): written as it is.
    return template.replace(_SLUG, slug, 1)


_SLUG = "SLUG-PLACEHOLDER"  # stands for the slug in the reversed path (the first of it there is the slug's place)
_CENTRE_PATHS: dict[tuple[str, str], str] = {}

SECTIONS = {"pages": PageSitemap, "centres": CentreSitemap}


# Each the same document whatever language the visitor's browser prefers (every address names its own language), so
# the count and date kept for it are kept once, not once per language.


@require_safe
def sitemap_index(request: HttpRequest) -> HttpResponse:
    with translation.override(settings.LANGUAGE_CODE):
        return sitemap_views.index(request, SECTIONS, sitemap_url_name="sitemap_section")


@require_safe
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    with translation.override(settings.LANGUAGE_CODE):
        return sitemap_views.sitemap(request, SECTIONS, section=section)
