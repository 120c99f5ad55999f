"""Near me: centres ordered nearest first from a point, read from the smallest square around it that holds the page.

Distances are measured to each centre's public point (its city's centre when its address is not public), so
nobody can triangulate a hidden shelter. An equirectangular approximation ranks in SQL; the page shows geodesic
distances (`geo.distance_km`).
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.db import connections
from django.db.models import ExpressionWrapper, F, FloatField, Q, QuerySet, Value

from centres.counting import capped_count_sql
from centres.models import Place
from centres.paging import COUNT_CAP, PAGE_SIZE

KM_PER_DEGREE = 111.2
MAX_RADIUS_KM = 2000


@dataclass
class Origin:
    """Where distances are measured from: a gazetteer place, or a point the browser gave (rounded)."""

    latitude: float
    longitude: float
    place: Place | None = None

    @classmethod
    def of_place(cls, place: Place) -> "Origin":
        return cls(float(place.latitude), float(place.longitude), place)

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


def nearest_first(queryset: QuerySet, origin: Origin, radius_km: Decimal | None) -> QuerySet:
    """Order by distance from `origin` to each centre's public point, within `radius_km` when one is given."""
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
