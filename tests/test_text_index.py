"""SQLite's text index (text_index.py): kept in step by triggers, and put back after a migration that lost them."""

import pytest
from django.db import connection

from centres import text_index
from centres.models import Centre
from centres.search import text_search
from tests.conftest import make_centre

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL keeps a generated column instead"),
]


def names(query: str) -> list[str]:
    return list(text_search(Centre.objects.all(), query).values_list("name", flat=True))


def test_the_index_is_there_after_migrate_and_left_alone():
    assert text_index.ensure_index() is False


def test_lost_triggers_are_put_back_and_the_index_rebuilt():
    make_centre(name="Центр Ана")
    with connection.cursor() as cursor:
        for name in text_index.TRIGGERS:  # what rebuilding the centres' table in a migration does
            cursor.execute(f"DROP TRIGGER {name}")
    make_centre(name="Центр Береке")  # written while nothing kept the index in step
    assert names("береке") == []
    assert text_index.ensure_index() is True
    assert names("береке") == ["Центр Береке"]
    assert names("центр") == ["Центр Ана", "Центр Береке"]
    make_centre(name="Центр Сәуле")  # and kept in step again
    assert names("сәуле") == ["Центр Сәуле"]


def test_the_tokenizer_splits_where_our_words_do():
    make_centre(name="Дом_мамы №7 Ақ-Жол")
    for query in ["дом_ма", "№7", "ақ жол", "7"]:
        assert names(query) == ["Дом_мамы №7 Ақ-Жол"], query
    for query in ["мамы", "ом"]:
        assert names(query) == [], query
