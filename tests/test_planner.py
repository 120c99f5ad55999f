"""Planner statistics are refreshed when tables change size, so the square around a town is read by its index."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection

from centres import planner
from centres.models import Centre
from tests.conftest import make_centre

pytestmark = pytest.mark.django_db


def counted_centres() -> float:
    """How many centres the database's statistics say the table holds."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'centres_centre'")
            return cursor.fetchone()[0]
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'centres_centre' AND idx IS NOT NULL LIMIT 1")
        row = cursor.fetchone()
        return float(row[0].split()[0]) if row else 0


def test_migrate_refreshes_the_statistics():
    for n in range(12):
        make_centre(name=f"Centre {n}")
    assert counted_centres() != 12
    call_command("migrate", verbosity=0)
    assert counted_centres() == 12


def test_an_import_refreshes_the_statistics(tmp_path):
    rows = "\n".join(f"Centre {n},KZ,shelter,women,ru" for n in range(7))
    path = tmp_path / "centres.csv"
    path.write_text("name,country,services,audiences,languages\n" + rows + "\n", encoding="utf-8")
    call_command("import_centres", str(path), verbosity=0)
    assert Centre.objects.count() == counted_centres() == 7


def test_a_failed_refresh_is_logged_and_changes_nothing(monkeypatch, caplog):
    centre = make_centre(name="Kept")

    def refuse(self, sql, params=None):
        raise DatabaseError("not allowed")

    monkeypatch.setattr(type(connection.cursor()), "execute", refuse)
    planner.refresh_statistics()
    monkeypatch.undo()
    assert "Planner statistics were not refreshed: not allowed" in caplog.text
    assert Centre.objects.get(pk=centre.pk).name == "Kept"  # the transaction around it still works
