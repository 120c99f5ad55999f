"""Backups of the whole database, taken while the site runs, and their restore into an empty database.

SQLite through its online backup API (a consistent copy even while others write); PostgreSQL through `pg_dump -Fc`
and `pg_restore` when they are on the PATH — otherwise `BackupError` says which command to run by hand. Every
table is included: centres, history, logins, the export log.

Both take a `progress` callable, told how much is done and of how much: SQLite's pages copied, or PostgreSQL's
tables dumped or restored (read from `--verbose`'s lines as the tools write them).
"""

import os
import re
import shutil
import sqlite3
import subprocess
from collections import deque
from collections.abc import Callable
from pathlib import Path

from django.db import connections
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from centres.models import Centre, Operator


class BackupError(Exception):
    """A backup or restore that could not be made; the message says what to do."""


Progress = Callable[[int, int], None]
# Pages a SQLite backup copies in one step (4 MB of 4 KB pages): a step between others' writes, which restart it.
SQLITE_STEP = 1024
# The lines of `--verbose` that say a table's rows are being dumped or restored.
TABLE_DONE = {
    "pg_dump": re.compile(r"^pg_dump: dumping contents of table "),
    "pg_restore": re.compile(r"^pg_restore: processing data for table "),
}
# The lines kept for an error message, out of everything `--verbose` writes.
TROUBLE = re.compile(r"^pg_\w+: (error|warning|detail|hint):")


def progress_unit(using: str = "default") -> str:
    """What the progress counts: SQLite's pages or PostgreSQL's tables."""
    return pgettext("counted", "pages") if connections[using].vendor == "sqlite" else pgettext("counted", "tables")


def backup(target: Path, using: str = "default", progress: Progress | None = None) -> None:
    """Write the whole database into `target`, a new file that its owner alone may read: a backup holds every
    hidden address."""
    connection = connections[using]
    if connection.vendor not in ("sqlite", "postgresql"):
        raise BackupError(_("Backups are made for SQLite and PostgreSQL only."))
    try:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise BackupError(_("%(file)s exists already; give a new file name.") % {"file": target}) from None
    except OSError as error:
        raise BackupError(
            _("Cannot write %(file)s: %(reason)s.") % {"file": target, "reason": error.strerror or error}
        ) from None
    try:
        _backup(connection, target, progress)
    except BaseException:
        target.unlink(missing_ok=True)  # never a cut-off file that looks like a backup
        raise


def _backup(connection, target: Path, progress: Progress | None) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        try:
            with sqlite3.connect(target) as copy:
                connection.connection.backup(copy, pages=SQLITE_STEP, progress=_pages(progress))
            copy.close()
        except sqlite3.Error as error:
            raise BackupError(_("The backup failed: %(error)s") % {"error": error}) from None
        return
    command = ["pg_dump", "--format=custom", f"--file={target}", *_pg_arguments(connection)]
    _run(command, "pg_dump", connection, progress, total=len(connection.introspection.table_names()))


def restore(source: Path, using: str = "default", progress: Progress | None = None) -> None:
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
                original.backup(connection.connection, pages=SQLITE_STEP, progress=_pages(progress))
            original.close()
        except sqlite3.DatabaseError as error:
            raise BackupError(
                _("%(file)s is not a SQLite backup: %(error)s") % {"file": source, "error": error}
            ) from None
        return
    if connection.vendor == "postgresql":
        arguments = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
        command = [*arguments, *_pg_arguments(connection, dbname_flag=True), str(source)]
        _run(command, "pg_restore", connection, progress, total=_tables_in(source))
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


def _pages(progress: Progress | None) -> Callable[[int, int, int], None] | None:
    """sqlite3's progress callback (status, pages remaining, pages in all) as ours (pages done, pages in all)."""
    if progress is None:
        return None
    return lambda _status, remaining, total: progress(total - remaining, total)


def _tables_in(archive: Path) -> int:
    """How many tables' rows a pg_dump archive holds (its table of contents' TABLE DATA entries); 0 if unknown."""
    if shutil.which("pg_restore") is None:
        return 0
    listed = subprocess.run(["pg_restore", "--list", str(archive)], capture_output=True, text=True, check=False)  # noqa: S603, S607
    return sum(" TABLE DATA " in line for line in listed.stdout.splitlines()) if listed.returncode == 0 else 0


def _run(command: list[str], program: str, connection, progress: Progress | None, total: int) -> None:
    if shutil.which(program) is None:
        raise BackupError(
            _("%(program)s is not installed here. Run on a machine that has it: %(command)s")
            % {"program": program, "command": " ".join(command)}
        )
    environment = {**os.environ}
    if connection.settings_dict.get("PASSWORD"):
        environment["PGPASSWORD"] = connection.settings_dict["PASSWORD"]  # never on the command line
    command = [command[0], "--verbose", *command[1:]]
    trouble, last, done = [], deque(maxlen=20), 0
    with subprocess.Popen(  # noqa: S603 - our own program and arguments
        command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    ) as running:
        for line in running.stderr:
            line = line.rstrip("\n")
            last.append(line)
            if TROUBLE.match(line):
                trouble.append(line)
            elif TABLE_DONE[program].match(line):
                done += 1
                if progress is not None:
                    progress(done, max(total, done))
    if running.returncode:
        said = "\n".join(trouble or last)
        raise BackupError(_("%(program)s failed: %(error)s") % {"program": program, "error": said.strip()[-2000:]})
