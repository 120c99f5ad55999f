"""Backups of the whole database, taken while the site runs, and their restore into an empty database.

SQLite through its online backup API (a consistent copy even while others write); PostgreSQL through `pg_dump -Fc`
and `pg_restore` when they are on the PATH — otherwise `BackupError` says which command to run by hand. Every
table is included: centres, history, logins, the export log.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections
from django.utils.translation import gettext as _

from centres.models import Centre, Operator


class BackupError(Exception):
    """A backup or restore that could not be made; the message says what to do."""


def backup(target: Path, using: str = "default") -> None:
    connection = connections[using]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy.close()
        return
    if connection.vendor == "postgresql":
        _run(["pg_dump", "--format=custom", f"--file={target}", *_pg_arguments(connection)], "pg_dump", connection)
        return
    raise BackupError(_("Backups are made for SQLite and PostgreSQL only."))


def restore(source: Path, using: str = "default") -> None:
    """Restore `source` (made by `backup`) into the database, which must hold no centre and no operator yet."""
    if not source.is_file():
        raise BackupError(_("There is no file %(file)s.") % {"file": source})
    if Centre.objects.using(using).exists() or Operator.objects.using(using).exists():
        raise BackupError(
            _("The database already holds centres: restore into an empty database (made with `manage.py migrate`).")
        )
    connection = connections[using]
    if connection.vendor == "sqlite":
        try:
            with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as original:
                original.execute("SELECT count(*) FROM sqlite_master")
                connection.ensure_connection()
                original.backup(connection.connection)
            original.close()
        except sqlite3.DatabaseError as error:
            raise BackupError(
                _("%(file)s is not a SQLite backup: %(error)s") % {"file": source, "error": error}
            ) from None
        return
    if connection.vendor == "postgresql":
        arguments = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
        _run([*arguments, *_pg_arguments(connection, dbname_flag=True), str(source)], "pg_restore", connection)
        return
    raise BackupError(_("Backups are made for SQLite and PostgreSQL only."))


def _pg_arguments(connection, *, dbname_flag: bool = False) -> list[str]:
    settings = connection.settings_dict
    arguments = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            arguments.append(f"{flag}={settings[key]}")
    name = connection.settings_dict["NAME"]
    return [*arguments, f"--dbname={name}" if dbname_flag else name]


def _run(command: list[str], program: str, connection) -> None:
    if shutil.which(program) is None:
        raise BackupError(
            _("%(program)s is not installed here. Run on a machine that has it: %(command)s")
            % {"program": program, "command": " ".join(command)}
        )
    environment = {**os.environ}
    if connection.settings_dict.get("PASSWORD"):
        environment["PGPASSWORD"] = connection.settings_dict["PASSWORD"]  # never on the command line
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise BackupError(
            _("%(program)s failed: %(error)s") % {"program": program, "error": done.stderr.strip()[-2000:]}
        )
