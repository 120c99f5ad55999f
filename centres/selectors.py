"""The read entry points that the views, exports and commands share: what a list or a page shows, in one query
each (DESIGN.md sections 5 and 8). Each takes cleaned input (`filters.PublicSearch`,
`advocacy.filters.AtRiskFilter`) as keyword-only arguments, so that a list and its export run the very same query.
"""

import datetime
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.paginator import Page
from django.db.models import Case, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centres.eligibility import LOST_STATUSES, date_text, one_full_stop
from centres.filters import PublicSearch
from centres.geo import Resolution
from centres.models import Centre, Compliance, today
from centres.nearest import Nearest, Origin, nearest_first
from centres.paging import LAST_PAGE, PAGE_SIZE, ByName, Tiers, page_of
from centres.vocabularies import Country, FundingKind, LicenceStatus, Status

if TYPE_CHECKING:  # the at-risk list's FilterSet belongs to the advocacy area, which reads from here
    from centres.advocacy.filters import AtRiskFilter

# -- the public directory --------------------------------------------------------------------------------------


def public_centres() -> QuerySet:
    """Centres the public may see (published, active or temporarily closed; never a draft, closed or archived),
    as cards show them."""
    return Centre.objects.public().for_cards()


@dataclass
class SearchResult:
    search: PublicSearch
    page: Page | None  # None when the filters are not valid or a place name needs choosing

    @property
    def origin(self) -> Origin | None:
        return self.search.origin

    @property
    def resolution(self) -> Resolution | None:
        """Set when `near` named a place: an ambiguous or unknown name needs asking."""
        return self.search.resolution


def search_centres(*, search: PublicSearch) -> SearchResult:
    """The public search, a page of it: what the list page shows. Open centres first, then those temporarily
    closed, each part in its own order (by name, or nearest first): one closed for now is never the nearest."""
    queryset = _matching(search)
    if queryset is None:
        return SearchResult(search=search, page=None)
    number = search.cleaned.get("page")
    # "Not closed for now" rather than "active" (the same, among public centres): asked for `status = 'active'`,
    # both planners walk the (country, status) index through four fifths of the table (11 ms against 5 ms at
    # 100,000 centres on SQLite) where a plain scan finds the page's matches sooner.
    open_first = [
        queryset.exclude(status=Status.TEMPORARILY_CLOSED),
        queryset.filter(status=Status.TEMPORARILY_CLOSED),
    ]
    if search.origin is not None:
        wanted = min(max(number or 1, 1), LAST_PAGE) * PAGE_SIZE
        rows = Tiers(*(Nearest(part, search.origin, wanted) for part in open_first))
    else:
        rows = Tiers(*(ByName(part, read=public_centres()) for part in open_first))
    return SearchResult(search=search, page=page_of(rows, number))


# Open centres before those temporarily closed, as the list shows them (`search_centres` reads the two apart).
OPEN_FIRST = Case(When(status=Status.ACTIVE, then=Value(0)), default=Value(1))


def search_queryset(*, search: PublicSearch) -> QuerySet | None:
    """The public search whole, in the list's order: what exports take. None when the filters are not valid or a
    place name needs choosing."""
    queryset = _matching(search)
    if queryset is None:
        return None
    if search.origin is None:
        return queryset.order_by(OPEN_FIRST, "name", "pk")
    return queryset.order_by(OPEN_FIRST, "distance_rank", "name", "pk")


def _matching(search: PublicSearch) -> QuerySet | None:
    """The centres the search finds: filters, then, when a place or a point is given, nearest first. None when the
    filters are not valid or a place name needs choosing."""
    if not search.is_valid() or (search.resolution is not None and search.origin is None):
        return None
    queryset = search.qs
    origin = search.origin
    if origin is None:
        return queryset
    if origin.place is not None and not search.chosen_country:
        # Near a named town: its own country's centres. Help across a border is rarely reachable tonight.
        queryset = queryset.filter(country=origin.place.country)
    return nearest_first(queryset, origin, search.cleaned.get("radius_km"))


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


# -- the at-risk list ---------------------------------------------------------------------------------------------


@dataclass
class AtRiskPages:
    risks: Page | None  # None when the filters are not valid
    gaps: Page | None


def at_risk_pages(*, filters: "AtRiskFilter") -> AtRiskPages:
    """A page of the centres at risk and a page of those with data gaps, as the at-risk page shows them.

    High first, then medium, each by name: a query per tier that stops at the page, instead of computing the risk of
    every matching centre and sorting them all (~260 ms at 100,000 centres); each tier read through the index of
    the stored risks when they are today's (judging.py), else walking the name index."""
    if not filters.is_valid():
        return AtRiskPages(None, None)
    tiers = Tiers(*(filters.risks(rank).order_by("name", "pk") for rank in filters.risk_ranks()))
    return AtRiskPages(
        risks=page_of(tiers, filters.cleaned.get("page")),
        gaps=page_of(filters.gaps(), filters.cleaned.get("gap_page")),
    )


def at_risk_centres(*, filters: "AtRiskFilter") -> QuerySet | None:
    """Every matching centre at risk, in the list's order (None when the filters are not valid): the export."""
    return filters.risks() if filters.is_valid() else None


# -- what changed since 2025 ---------------------------------------------------------------------------------------

CHANGES_SINCE = datetime.date(2025, 1, 1)
CHANGE_KINDS = {
    "suspended": gettext_lazy("Suspended"),
    "closed": gettext_lazy("Closed"),
    "licence_lost": gettext_lazy("Licence lost or refused"),
    "funding_ended": gettext_lazy("Funding ended"),
}


@dataclass(frozen=True)
class Change:
    """One line of "what changed": on `day`, `centre_name` was suspended, closed, lost its licence or its funding."""

    day: datetime.date
    centre_id: uuid.UUID
    centre_name: str
    country: str
    kind: str  # a key of CHANGE_KINDS
    detail: str

    @property
    def kind_label(self) -> str:
        return str(CHANGE_KINDS[self.kind])

    @property
    def country_label(self) -> str:
        return str(Country(self.country).label) if self.country in Country.values else self.country


def changes_since(since: datetime.date = CHANGES_SINCE, on: datetime.date | None = None) -> list[Change]:
    """Centres suspended or closed, whose licence was lost or refused, or whose funding ended, from `since` to `on`.

    Drawn from history: a record "became" suspended (say) when its previous record of the same object was not. The
    first record of an object is not a change (entering a centre that is already closed records what was known,
    not what happened), and neither is a deletion. Closed and archived centres are included: this is history;
    drafts are not.
    Three queries whatever the number of centres: the history of the few objects that changed, walked in Python.
    Newest first.
    """
    on = on or today()
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time.min))
    changes = [*_status_changes(start, end), *_compliance_changes(start, end), *_funding_ends(since, on)]
    return sorted(changes, key=lambda change: (change.day, change.centre_name, change.kind), reverse=True)


def _became(rows: Iterable[dict], field: str, values: Iterable[str], start, end) -> Iterator[tuple[dict, dict]]:
    """(previous, record) pairs where `field` took one of `values` between `start` and `end`; rows come ordered by
    object id, then by history date."""
    values = set(values)
    previous: dict = {}
    for row in rows:
        before = previous.get(row["id"])
        previous[row["id"]] = row
        if before is None or row["history_type"] == "-" or not start <= row["history_date"] < end:
            continue
        if row[field] in values and row[field] != before[field]:
            yield before, row


def _history_of_changed(model, start, end, changed: Q, fields: list[str]) -> Iterable[dict]:
    """Every history record, oldest first, of the objects of `model` that have a `changed` record in the period."""
    candidates = model.history.filter(changed, history_date__gte=start, history_date__lt=end).values("id")
    published = Centre.objects.filter(published=True).values("pk")  # a draft's history is no news yet
    candidates = candidates.filter(**{"id__in" if model is Centre else "centre_id__in": published})
    return (
        model.history.filter(id__in=candidates)
        .order_by("id", "history_date", "history_id")
        .values("id", "history_date", "history_type", *fields)
    )


def _status_changes(start, end) -> Iterator[Change]:
    stopped = (Status.TEMPORARILY_CLOSED, Status.CLOSED)
    rows = _history_of_changed(
        Centre, start, end, Q(status__in=stopped), ["status", "closure_reason", "name", "country"]
    )
    for _before, row in _became(rows, "status", stopped, start, end):
        kind = "closed" if row["status"] == Status.CLOSED else "suspended"
        reason = row["closure_reason"].strip() or _("No reason recorded.")
        yield Change(timezone.localdate(row["history_date"]), row["id"], row["name"], row["country"], kind, reason)


def _compliance_changes(start, end) -> Iterator[Change]:
    rows = list(
        _history_of_changed(
            Compliance,
            start,
            end,
            Q(licence_status__in=LOST_STATUSES) | Q(funding_kind=FundingKind.NONE),
            ["licence_status", "funding_kind", "centre_id", "centre__name", "centre__country"],
        )
    )
    for before, row in _became(rows, "licence_status", LOST_STATUSES, start, end):
        detail = _("Licence status: %(status)s (was: %(before)s).") % {
            "status": LicenceStatus(row["licence_status"]).label,
            "before": LicenceStatus(before["licence_status"]).label,
        }
        yield _compliance_change(row, "licence_lost", detail)
    for before, row in _became(rows, "funding_kind", [FundingKind.NONE], start, end):
        before_kind = FundingKind(before["funding_kind"]).label
        detail = _("Funding recorded as none (was: %(before)s).") % {"before": before_kind}
        yield _compliance_change(row, "funding_ended", detail)


def _compliance_change(row: dict, kind: str, detail: str) -> Change:
    day = timezone.localdate(row["history_date"])
    return Change(day, row["centre_id"], row["centre__name"], row["centre__country"], kind, detail)


def _funding_ends(since: datetime.date, on: datetime.date) -> Iterator[Change]:
    """Funding whose recorded end date has passed since `since` (a date passing leaves no history record)."""
    ended = Compliance.objects.filter(funding_ends_on__gte=since, funding_ends_on__lt=on, centre__published=True)
    ended = ended.values("centre_id", "centre__name", "centre__country", "funding_ends_on")
    for row in ended:
        day = row["funding_ends_on"]
        detail = one_full_stop(_("Funding ended on %(date)s.") % {"date": date_text(day)})
        yield Change(day, row["centre_id"], row["centre__name"], row["centre__country"], "funding_ended", detail)
