"""Backups: taken while the site runs, restored into an empty database with every table, history included."""

import io
import re
import shutil
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from centres import backups, progress
from centres.models import Centre
from tests.conftest import make_centre, make_operator, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - our own names
            counts[table] = cursor.fetchone()[0]
    return counts


def test_a_backup_restored_into_an_empty_database_gives_every_table_back(tmp_path, migration_data, almaty):
    operator = make_operator()
    centre = make_centre(city=almaty, operator=operator, phones=[("Горячая линия", "150", True)])
    centre.hours = "Круглосуточно"
    centre.save()
    make_user("editor-1", "editor", is_staff=True)
    before = row_counts()
    assert before["centres_historicalcentre"] >= 2
    target = tmp_path / "directory.backup"

    call_command("backup", str(target), stderr=io.StringIO())
    call_command("flush", interactive=False, verbosity=0)  # an empty database, as after `migrate`
    assert not Centre.objects.exists()
    call_command("restore", str(target), stderr=io.StringIO())

    assert row_counts() == before
    assert Centre.objects.get().hours == "Круглосуточно"


def test_restore_refuses_a_database_that_holds_centres(tmp_path):
    make_centre()
    target = tmp_path / "directory.backup"
    call_command("backup", str(target), stderr=io.StringIO())
    with pytest.raises(CommandError, match="restore into an empty database"):
        call_command("restore", str(target), stderr=io.StringIO())


def test_backup_never_overwrites_a_file(tmp_path):
    target = tmp_path / "directory.backup"
    target.write_text("an older backup")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", str(target), stderr=io.StringIO())
    assert target.read_text() == "an older backup"


def test_backup_and_restore_report_their_progress_on_standard_error(tmp_path, migration_data, monkeypatch):
    monkeypatch.setattr(progress, "EVERY_SECONDS", 0)
    make_centre()
    target = tmp_path / "directory.backup"
    unit = "pages" if connection.vendor == "sqlite" else "tables"
    out, err = io.StringIO(), io.StringIO()
    call_command("backup", str(target), stdout=out, stderr=err)
    *steps, summary = err.getvalue().splitlines()
    assert steps and all(re.match(rf"Backing up: \d+ of \d+ {unit} \(\d+%\)", line) for line in steps), steps
    assert steps[-1].startswith("Backing up: ") and "(100%)" in steps[-1]
    assert re.fullmatch(rf"Backup written to {re.escape(str(target))} \(\d+\.\d MB\) in \d+\.\d s\.", summary)
    call_command("backup", str(tmp_path / "quiet.backup"), stdout=out, stderr=err, verbosity=0)
    assert out.getvalue() == "" and err.getvalue().endswith(summary + "\n")  # quiet: nothing at all
    call_command("flush", interactive=False, verbosity=0)
    err = io.StringIO()
    call_command("restore", str(target), stdout=out, stderr=err)
    *steps, summary = err.getvalue().splitlines()
    assert steps and all(re.match(rf"Restoring: \d+ of \d+ {unit} \(\d+%\)", line) for line in steps), steps
    assert "(100%)" in steps[-1]
    assert re.fullmatch(rf"Restored from {re.escape(str(target))} in \d+\.\d s\.", summary)
    assert out.getvalue() == ""
    assert Centre.objects.count() == 1


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="needs pg_dump")
def test_a_failing_pg_dump_says_why_without_its_chatter(tmp_path):
    command = ["pg_dump", "--format=custom", f"--file={tmp_path / 'x'}", "--host=127.0.0.1", "--port=9", "nothing"]
    with pytest.raises(backups.BackupError) as failed:
        backups._run(command, "pg_dump", connection, progress=None, total=0)
    message = str(failed.value)
    assert message.startswith("pg_dump failed: pg_dump: error: connection to server")
    assert "last built-in OID" not in message and "reading extensions" not in message


def test_a_backup_is_for_its_owners_eyes_only(tmp_path):
    make_centre()
    target = tmp_path / "directory.backup"
    call_command("backup", str(target), stderr=io.StringIO())
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # it holds every hidden address


def test_a_backup_that_cannot_be_written_says_why_and_leaves_nothing(tmp_path):
    target = tmp_path / "no-such-folder" / "directory.backup"
    with pytest.raises(CommandError, match=r"Cannot write .*directory\.backup: No such file or directory\."):
        call_command("backup", str(target), stderr=io.StringIO())
    assert not target.parent.exists()
