"""Derived columns: what the text search, the editors' search, the distances and "open now" read, computed from a
record and its relations (for "open now", a centre's `CentreOpening` rows, from its weekly hours).

`Centre.save()` and `Operator.save()` derive them for one record with the functions below; `reindex_centres()`
derives them for many centres at once, set by set, wherever rows are written without `save()`: migrations, a
town's or an operator's rename. Nothing else writes these columns. (Each database indexes a centre's search words
by itself, from the column: `text_index.py`.)

`reindex_centres()` takes an app registry, so that a data migration can pass its historical one: columns that
registry does not have yet are left out.
"""

from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import islice

from django.apps import apps as global_apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, QuerySet

from centres import opening_hours as schedules
from centres.text import fold, match_key, word_text
from centres.vocabularies import AddressVisibility

BATCH_SIZE = 2000
Point = tuple[Decimal | None, Decimal | None]


def centre_search_text(name: str, operator_name: str | None, city_names: str | None, region_names: str | None) -> str:
    """The folded names the editors' search and the import's matching read: centre, operator, and every name of
    its city and region (which are stored folded already)."""
    parts = [fold(name), fold(operator_name or ""), city_names or "", region_names or ""]
    return " ".join(part for part in parts if part)


def name_key(name: str) -> str:
    """A centre's name as an import matches it to a row of a file (`text.match_key`)."""
    return match_key(name)


def search_words(search_text: str) -> str:
    """The words of a centre's search text, each once, as " a b c": what each database's text index reads
    (`text_index.py`)."""
    return word_text(search_text)


def public_point(
    visibility: str, latitude: Decimal | None, longitude: Decimal | None, city: Point = (None, None)
) -> Point:
    """Where the public may place a centre: its own point only when its address is public, else its city's centre
    (none without a city). Distances are measured from this alone, so nobody can triangulate a hidden shelter."""
    if visibility == AddressVisibility.PUBLIC and latitude is not None and longitude is not None:
        return latitude, longitude
    return city


def openings(text: str) -> list[tuple[int, int, int]]:
    """A centre's weekly hours (`Centre.opening_hours`, already in the one spelling) as the spans within single
    days that "open now" reads: (day, opens, closes). None for "24/7", which "open now" reads from the line itself,
    nor for "by appointment", which is never open now."""
    if not text or text == schedules.ALWAYS:
        return []
    return schedules.parse(text).weekly_minutes()


def write_openings(centre_id, text: str, *, apps=global_apps) -> None:
    """Replace a centre's `CentreOpening` rows with those of `text`."""
    opening = _model(apps, "CentreOpening")
    opening.objects.filter(centre_id=centre_id).delete()
    opening.objects.bulk_create(
        opening(centre_id=centre_id, day=day, opens=opens, closes=closes) for day, opens, closes in openings(text)
    )


def name_columns(name: str) -> dict[str, str]:
    """An operator's folded name, for the editors' search."""
    return {"search_text": fold(name)}


# What `reindex_centres` can derive: the centre's search text (and its words), and its public point.
CENTRE_PARTS = ("search_text", "public_point")


def reindex_centres(
    centres: QuerySet | None = None, *, parts=CENTRE_PARTS, apps=global_apps, batch_size: int = BATCH_SIZE
) -> int:
    """Derive `parts` of `centres` (every centre when None), a batch of rows per statement; returns how many centres
    were indexed. An operator's rename changes its centres' search text alone: nothing else is written then, so a
    centre's public point is never written from a copy read before an edit of its address.

    Every column read here exists since the first migration; a part that needs a later one must check `_has`."""
    centre_model = _model(apps, "Centre")
    fields = [
        name
        for name in ("search_text", "search_words", "name_key")
        if "search_text" in parts and _has(centre_model, name)
    ]
    if "public_point" in parts and _has(centre_model, "public_latitude"):
        fields += ["public_latitude", "public_longitude"]
    queryset = centre_model._base_manager.all() if centres is None else centres
    ids = list(queryset.order_by().values_list("pk", flat=True))
    for chunk in _chunks(ids, batch_size):
        rows = centre_model._base_manager.filter(pk__in=chunk).values(
            "pk",
            "name",
            "address_visibility",
            "latitude",
            "longitude",
            "operator__name",
            "city__search_names",
            "city__latitude",
            "city__longitude",
            "region__search_names",
        )
        updated = []
        for row in rows:
            point = public_point(
                row["address_visibility"],
                row["latitude"],
                row["longitude"],
                (row["city__latitude"], row["city__longitude"]),
            )
            text = centre_search_text(
                row["name"], row["operator__name"], row["city__search_names"], row["region__search_names"]
            )
            values = {
                "search_text": text,
                "search_words": search_words(text),
                "name_key": name_key(row["name"]),
                "public_latitude": point[0],
                "public_longitude": point[1],
            }
            updated.append(centre_model(pk=row["pk"], **{name: values[name] for name in fields}))
        if fields:
            centre_model._base_manager.bulk_update(updated, fields)
    return len(ids)


def _model(apps, name: str) -> type[Model] | None:
    try:
        return apps.get_model("centres", name)
    except LookupError:  # a historical registry from before this model existed
        return None


def _has(model: type[Model], field: str) -> bool:
    try:
        model._meta.get_field(field)
    except FieldDoesNotExist:
        return False
    return True


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
