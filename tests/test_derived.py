"""Derived columns: the bulk writer derives exactly what save() does, in a few statements, on any registry."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from centres import derived
from centres.models import Centre
from tests.conftest import make_centre, make_operator

pytestmark = pytest.mark.django_db

DERIVED = ("search_text", "search_words", "name_key", "public_latitude", "public_longitude")


def derived_columns() -> dict:
    return {row["id"]: tuple(row[name] for name in DERIVED) for row in Centre.objects.values()}


def some_centres(almaty) -> list[Centre]:
    operator = make_operator(name="Фонд «Ана үйі»")
    return [
        make_centre(name="Центр «Жан» №1", city=almaty, operator=operator),
        make_centre(
            name="Үміт",
            city=almaty,
            address_visibility="public",
            latitude=Decimal("43.200000"),
            longitude=Decimal("76.800000"),
        ),
        make_centre(name="Без города", country="KG"),
    ]


def test_the_bulk_writer_derives_what_save_derives(almaty):
    some_centres(almaty)
    saved = derived_columns()
    Centre.objects.update(search_text="", search_words="", name_key="", public_latitude=None, public_longitude=None)
    assert derived.reindex_centres() == 3
    assert derived_columns() == saved
    assert all(words and key for _text, words, key, *_point in saved.values())


def test_an_operator_rename_rewrites_its_centres_search_text_in_as_many_statements_for_3_or_30(almaty):
    operator = make_operator(name="Фонд Один")

    def rename(to: str) -> int:
        operator.name = to
        with CaptureQueriesContext(connection) as captured:
            operator.save()
        return len(captured)

    for n in range(3):
        make_centre(name=f"Центр {n}", operator=operator, city=almaty)
    few = rename("Фонд Два")
    for n in range(3, 30):
        make_centre(name=f"Центр {n}", operator=operator, city=almaty)
    assert rename("Фонд Три") == few
    assert set(Centre.objects.values_list("search_text", flat=True)) == {
        f"центр {n} фонд три {almaty.search_names} {almaty.region.search_names}" for n in range(30)
    }
    # Nothing but the search text: a rename never writes a public point from a copy read before an address edit.
    Centre.objects.update(public_latitude=Decimal("1.000000"))
    rename("Фонд Четыре")
    assert set(Centre.objects.values_list("public_latitude", flat=True)) == {Decimal("1.000000")}


def test_a_historical_registry_without_the_search_words_gets_the_columns_it_has(almaty):
    # Migration 0006 runs the bulk writer before the centres' search words (0017) exist.
    some_centres(almaty)
    Centre.objects.update(search_words="", public_latitude=None, public_longitude=None)
    before_words = MigrationExecutor(connection).loader.project_state(("centres", "0006_centre_public_point")).apps
    derived.reindex_centres(apps=before_words)  # every part, as a later migration might ask
    assert set(Centre.objects.values_list("search_words", flat=True)) == {""}
    points = dict(Centre.objects.values_list("name", "public_latitude"))
    assert points == {"Центр «Жан» №1": almaty.latitude, "Үміт": Decimal("43.200000"), "Без города": None}
