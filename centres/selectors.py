"""The read entry points shared by the public pages (and, later, their exports): one query for what a user sees."""

import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import ExpressionWrapper, F, FloatField, Prefetch, Q, QuerySet, Subquery, Value
from django.http import Http404, QueryDict
from django.utils.functional import cached_property

from centres.counting import capped_count_sql
from centres.filters import CentreFilter
from centres.geo import Resolution, resolve_place
from centres.models import Centre, CentrePhone, Place

PAGE_SIZE = 20
COUNT_CAP = 1000
LAST_PAGE = COUNT_CAP // PAGE_SIZE + 1  # a larger page number shows this one
KM_PER_DEGREE = 111.2
MAX_RADIUS_KM = 2000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP matches: an exact count of a large directory costs a scan of every row on every
    page, and nobody pages through more than a thousand centres (the page says "more than 1,000")."""

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, Tiers | Nearest | ByName):
            return self.object_list.capped_count(COUNT_CAP)
        return self.object_list.order_by()[: COUNT_CAP + 1].count()

    @property
    def count_is_capped(self) -> bool:
        return self.count > COUNT_CAP


class Tiers:
    """Several ordered querysets read as one list: every row of the first, then of the second, and so on.

    Lets a list ordered by a computed tier (risk high, then medium) use each tier's index order instead of
    sorting the whole table. Only what a paginator needs: a capped count and slices."""

    ordered = True

    def __init__(self, *querysets):
        self.querysets = querysets
        self._counts: list[int] | None = None

    def capped_count(self, cap: int) -> int:
        if self._counts is None:
            self._counts = []
            for queryset in self.querysets:
                room = cap + 1 - sum(self._counts)
                self._counts.append(queryset.order_by()[:room].count() if room > 0 else 0)
        return sum(self._counts)

    def __len__(self) -> int:
        return self.capped_count(COUNT_CAP)

    def __getitem__(self, window: slice) -> list:
        start, stop = window.start or 0, window.stop
        self.capped_count(COUNT_CAP)
        rows: list = []
        for queryset, count in zip(self.querysets, self._counts or [], strict=True):
            if stop <= 0:
                break
            if start < count:
                rows.extend(queryset[start : min(stop, count)])
            start, stop = max(0, start - count), stop - count
        return rows


class ByName:
    """Public centres ordered by name, a page read in two steps: the database sorts the matching ids by name from
    an index alone (`id, archived, status, name`), then reads whole, with operator, town and phones, only the
    page's twenty. Sorting whole rows with their joins cost a third more for a search matching thousands."""

    ordered = True

    def __init__(self, queryset: QuerySet):
        self.queryset = queryset.order_by("name", "pk")

    def capped_count(self, cap: int) -> int:
        return self.queryset.order_by()[: cap + 1].count()

    def __len__(self) -> int:
        return self.capped_count(COUNT_CAP)

    def __getitem__(self, window: slice) -> list:
        ids = self.queryset.values("pk")[window]
        return list(public_centres().filter(pk__in=Subquery(ids)).order_by("name", "pk"))


@dataclass
class Origin:
    """Where distances are measured from: a gazetteer place, or a point the browser gave (rounded)."""

    latitude: float
    longitude: float
    place: Place | None = None

    @property
    def lon_scale(self) -> float:
        """How much shorter a degree of longitude is than one of latitude, here."""
        return max(math.cos(math.radians(self.latitude)), 0.01)

    def box(self, radius_km: float) -> Q:
        """Centres whose public point lies in the square of half-side `radius_km` around here (an indexed range)."""
        span_lat = radius_km / KM_PER_DEGREE
        span_lon = span_lat / self.lon_scale
        return Q(
            public_latitude__range=(self.latitude - span_lat, self.latitude + span_lat),
            public_longitude__range=(self.longitude - span_lon, self.longitude + span_lon),
        )


class Nearest:
    """A list ordered nearest first, read from the smallest square around the origin that holds the page.

    Ordering every matching centre by distance sorts the whole directory. Instead one query counts the matches (up
    to the cap, like any list) and finds the smallest of a few squares around the origin holding the rows up to the
    page's end (`wanted`); the page is then sorted from that square widened by √2. That is exact: the first k
    centres lie in the square of half-side r, so within r·√2 of the origin, so inside the square of half-side
    r·√2, whatever lies outside it; and the rank is `nearest_first`'s, so the order is the same."""

    ordered = True
    SQUARES_KM = (3, 15, 60, 250, 1000)
    WIDEN = math.sqrt(2) * 1.001  # to the corner, with a margin for rounding at the edge

    def __init__(self, queryset: QuerySet, origin: Origin, wanted: int = PAGE_SIZE):
        self.queryset = queryset
        self.origin = origin
        self.wanted = wanted
        self._total: int | None = None
        self._square_km: float | None = None

    def capped_count(self, cap: int) -> int:
        if self._total is None:
            self._total, self._square_km = self._probe(cap + 1, self.wanted)
        return self._total

    def __len__(self) -> int:
        return self.capped_count(COUNT_CAP)

    def __getitem__(self, window: slice) -> list:
        self.capped_count(COUNT_CAP)
        if window.stop > self.wanted:  # a page past the one expected: look again (one more query)
            self.wanted = window.stop
            _total, self._square_km = self._probe(COUNT_CAP + 1, self.wanted)
        if self._square_km is None:  # fewer matches than the page needs in every square: sort them all
            return list(self.queryset[window])
        return list(self.queryset.filter(self.origin.box(self._square_km * self.WIDEN))[window])

    def _probe(self, cap: int, wanted: int) -> tuple[int, float | None]:
        """The capped count of all matches, and the smallest square holding `wanted` of them (None: none does).

        One query. CASE stops at the first square that holds enough, and each square's count stops at `wanted`
        rows, so a town with many centres costs a few rows, not a scan of the country."""
        total, params = capped_count_sql(self.queryset, cap)
        whens = []
        for n, km in enumerate(self.SQUARES_KM):
            boxed, boxed_params = capped_count_sql(self.queryset.filter(self.origin.box(km)), wanted)
            whens.append(f"WHEN {boxed} >= %s THEN {n}")
            params.extend([*boxed_params, wanted])
        with connections[self.queryset.db].cursor() as cursor:
            cursor.execute(f"SELECT {total}, CASE {' '.join(whens)} ELSE -1 END", params)
            count, square = cursor.fetchone()
        return count, self.SQUARES_KM[square] if square >= 0 else None


@dataclass
class SearchResult:
    filterset: CentreFilter
    page: Page | None
    origin: Origin | None = None
    resolution: Resolution | None = None  # set when `near` named a place: ambiguous or unknown names need asking
    problems: list[str] = field(default_factory=list)

    @property
    def needs_place_choice(self) -> bool:
        return self.resolution is not None and self.resolution.place is None


def public_centres():
    """Centres the public may see: active or temporarily closed, never closed or archived."""
    return (
        Centre.objects.public()
        .select_related("operator", "city__region", "region")
        .prefetch_related(Prefetch("phones", queryset=CentrePhone.objects.order_by("position", "pk")))
    )


def page_number(params: QueryDict) -> int | None:
    """The `page` asked for when it is a plain number of a few digits, else None (the paginator's first page)."""
    pages = params.getlist("page")
    if len(pages) != 1 or not (pages[0].isascii() and pages[0].isdigit() and len(pages[0]) <= 4):
        return None
    return int(pages[0])


def search_centres(params: QueryDict) -> SearchResult:
    """The public search, a page of it: what the list page shows."""
    result, queryset = search_queryset(params)
    if queryset is not None:
        page = params.get("page", "")
        if result.origin is not None:
            wanted = min(max(page_number(params) or 1, 1), LAST_PAGE) * PAGE_SIZE
            queryset = Nearest(queryset, result.origin, wanted)
        else:
            queryset = ByName(queryset)
        result.page = CappedPaginator(queryset, PAGE_SIZE).get_page(page)
    return result


def search_queryset(params: QueryDict) -> tuple[SearchResult, QuerySet | None]:
    """The public search whole: filters, then, when a place or a point is given, nearest first. The queryset is
    None when the filters are not valid or a place name needs choosing. The list pages it; exports take it all."""
    filterset = CentreFilter(params, queryset=public_centres())
    if not filterset.is_valid():
        return SearchResult(filterset=filterset, page=None), None
    queryset = filterset.qs
    result = SearchResult(filterset=filterset, page=None)
    result.origin, result.resolution = _origin(params)
    if result.needs_place_choice:
        return result, None
    if result.origin is not None:
        if result.origin.place is not None and not filterset.form.cleaned_data.get("country"):
            # Near a named town: its own country's centres. Help across a border is rarely reachable tonight.
            queryset = queryset.filter(country=result.origin.place.country)
        queryset = nearest_first(queryset, result.origin, filterset.form.cleaned_data.get("radius_km"))
    else:
        queryset = queryset.order_by("name", "pk")
    return result, queryset


COUNTRY_PAGE_SIZE = 200


def country_centres(code: str, limit: int = COUNTRY_PAGE_SIZE) -> list[Centre]:
    """A country's first centres by city name, then by name; those without a city last.

    Read city by city in the gazetteer's (country, name) order: the join is an inner one, and names the city's
    country, so the database walks the country's towns alphabetically instead of sorting all its centres."""
    in_towns = list(
        public_centres().filter(country=code, city__country=code).order_by("city__name_en", "name", "pk")[:limit]
    )
    if len(in_towns) == limit:
        return in_towns
    elsewhere = public_centres().filter(country=code, city__isnull=True).order_by("name", "pk")
    return in_towns + list(elsewhere[: limit - len(in_towns)])


def public_centre(slug: str) -> Centre:
    try:
        return public_centres().get(slug=slug)
    except Centre.DoesNotExist:
        raise Http404 from None


def _origin(params: QueryDict) -> tuple[Origin | None, Resolution | None]:
    point = rounded_point(params.get("lat"), params.get("lon"))
    if point is not None:
        return Origin(*point), None
    place_id = params.get("near_place", "")
    if place_id.isascii() and place_id.isdigit():  # "²" is a digit to isdigit() but not to int()
        place = Place.objects.filter(pk=int(place_id)).first()
        if place is not None:
            return Origin(float(place.latitude), float(place.longitude), place), None
    name = params.get("near", "").strip()
    if not name:
        return None, None
    resolution = resolve_place(name, country=params.get("country") or None)
    if resolution.place is None:
        return None, resolution
    place = resolution.place
    return Origin(float(place.latitude), float(place.longitude), place), resolution


def rounded_point(latitude: str | None, longitude: str | None) -> tuple[float, float] | None:
    """A browser's position, rounded to two decimals (about a kilometre) whatever precision was sent."""
    try:
        lat, lon = round(float(Decimal(latitude or "")), 2), round(float(Decimal(longitude or "")), 2)
    except (InvalidOperation, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def rounded_query(params: QueryDict) -> QueryDict | None:
    """The same query with `lat`/`lon` rounded to two decimals, or None when they are absent or already so."""
    point = rounded_point(params.get("lat"), params.get("lon"))
    if point is None or (params.get("lat"), params.get("lon")) == (f"{point[0]:.2f}", f"{point[1]:.2f}"):
        return None
    query = params.copy()
    query["lat"], query["lon"] = f"{point[0]:.2f}", f"{point[1]:.2f}"
    return query


def nearest_first(queryset, origin: Origin, radius_km: Decimal | None):
    """Order by distance from `origin` to each centre's public point (its city's centre when its address is not
    public). An equirectangular approximation ranks in SQL; the page shows geodesic distances."""
    d_lat = ExpressionWrapper(F("public_latitude") - Value(origin.latitude), output_field=FloatField())
    d_lon = ExpressionWrapper(
        (F("public_longitude") - Value(origin.longitude)) * Value(origin.lon_scale), output_field=FloatField()
    )
    queryset = queryset.filter(public_latitude__isnull=False).annotate(
        distance_rank=ExpressionWrapper(d_lat * d_lat + d_lon * d_lon, output_field=FloatField())
    )
    if radius_km is not None and radius_km > 0:  # a radius of nothing or less would silently hide every centre
        radius = min(float(radius_km), MAX_RADIUS_KM)
        queryset = queryset.filter(origin.box(radius), distance_rank__lte=(radius / KM_PER_DEGREE) ** 2)
    return queryset.order_by("distance_rank", "name", "pk")
