"""Lists a page at a time, however large the directory: capped counts and lists read in several ordered parts."""

from django.core.paginator import Paginator
from django.db.models import QuerySet, Subquery
from django.utils.functional import cached_property

PAGE_SIZE = 20
COUNT_CAP = 1000
LAST_PAGE = COUNT_CAP // PAGE_SIZE + 1  # a larger page number shows this one


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP matches: an exact count of a large directory costs a scan of every row on every
    page, and nobody pages through more than a thousand centres (the page says "more than 1,000").

    The object list is a queryset, or any list that knows its own `capped_count` (`Tiers`, `ByName`, `Nearest`)."""

    @cached_property
    def count(self) -> int:
        if hasattr(self.object_list, "capped_count"):
            return self.object_list.capped_count(COUNT_CAP)
        return self.object_list.order_by()[: COUNT_CAP + 1].count()

    @property
    def count_is_capped(self) -> bool:
        return self.count > COUNT_CAP


class Tiers:
    """Several ordered lists read as one: every row of the first, then of the second, and so on. Each is a
    queryset, or a list that knows its own `capped_count` (`ByName`, `Nearest`).

    Lets a list ordered by a computed tier (risk high, then medium; open centres, then those closed for now) use
    each tier's own order instead of sorting the whole table. Only what a paginator needs: a capped count and
    slices."""

    ordered = True

    def __init__(self, *querysets):
        self.querysets = querysets
        self._counts: list[int] | None = None

    def capped_count(self, cap: int) -> int:
        if self._counts is None:
            self._counts = []
            for rows in self.querysets:
                room = cap + 1 - sum(self._counts)
                self._counts.append(_at_most(rows, room) if room > 0 else 0)
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
    """Centres ordered by name, a page read in two steps: the database sorts the matching ids by name from an index
    alone (`id, archived, status, name`), then reads whole, through `read`, only the page's twenty. Sorting whole
    rows with their joins cost a third more for a search matching thousands."""

    ordered = True

    def __init__(self, queryset: QuerySet, read: QuerySet):
        self.queryset = queryset.order_by("name", "pk")
        self.read = read

    def capped_count(self, cap: int) -> int:
        return self.queryset.order_by()[: cap + 1].count()

    def __len__(self) -> int:
        return self.capped_count(COUNT_CAP)

    def __getitem__(self, window: slice) -> list:
        ids = self.queryset.values("pk")[window]
        return list(self.read.filter(pk__in=Subquery(ids)).order_by("name", "pk"))


def _at_most(rows, room: int) -> int:
    """How many rows `rows` holds, counted up to `room`."""
    if isinstance(rows, QuerySet):
        return rows.order_by()[:room].count()
    return min(rows.capped_count(room - 1), room)


def page_of(rows, number: int | None):
    """The page `number` of `rows` (the first when None, the last when past the end)."""
    return CappedPaginator(rows, PAGE_SIZE).get_page(number)
