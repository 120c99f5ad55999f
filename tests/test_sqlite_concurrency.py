"""SQLite runs with WAL and IMMEDIATE transactions, so simultaneous saves queue instead of failing."""

import os
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite-specific")

SCRIPT = textwrap.dedent(
    """
    import threading
    import django
    django.setup()
    from django.db import connection, close_old_connections
    from centres.models import Centre
    from centres.versioning import ConcurrentEditError

    centre = Centre.objects.create(name="Concurrency", country="KZ")
    errors, refused, barrier = [], [], threading.Barrier(8)

    def edit(n):
        try:
            barrier.wait()
            for i in range(5):
                obj = Centre.objects.get(pk=centre.pk)
                obj.hours = f"worker {n} edit {i}"
                try:
                    obj.save()
                except ConcurrentEditError:
                    refused.append(n)
        except Exception as error:  # "database is locked" would land here
            errors.append(repr(error))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        print("journal_mode", cursor.fetchone()[0])
    print("errors", len(errors), errors[:3])
    print("version", Centre.objects.get(pk=centre.pk).version, "refused", len(refused))
    """
)


def test_simultaneous_saves_on_a_sqlite_file_never_fail_with_database_locked(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "directory.settings",
    }
    run = {"env": env, "cwd": settings.BASE_DIR, "capture_output": True, "text": True, "check": False}
    migrated = subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], timeout=120, **run)
    assert migrated.returncode == 0, migrated.stderr
    result = subprocess.run([sys.executable, "-c", SCRIPT], timeout=120, **run)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["journal_mode"] == "wal"
    assert lines["errors"].startswith("0 "), lines["errors"]
    version, refused = lines["version"].split(" refused ")
    # Every one of the 40 saves either landed (bumping the version) or was refused as stale: none was lost.
    assert int(version) - 1 + int(refused) == 40
