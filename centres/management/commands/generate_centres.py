"""Fill an empty directory with synthetic centres, for benchmarks and load tests (centres/synthetic.py).

`--database-url URL` writes into another database: the command runs again in a child process with DATABASE_URL set
to URL, migrating that database first. A second connection in this process would not do: the data migrations (the
gazetteer, the groups, the rules) write through the default connection whatever database `migrate` is given, so they
would land in this process's own database.
"""

import argparse
import os
import subprocess
import sys
import warnings

import environ
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from centres import synthetic
from centres.models import Centre
from centres.progress import Progress

ENGINES = {"django.db.backends.postgresql", "django.db.backends.sqlite3"}


def _count(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(_("give a number of centres of at least 1"))
    return value


class Command(BaseCommand):
    help = (
        "Fill an empty directory with N synthetic centres (fictional names in Russian, Kazakh and Latin letters, "
        "real towns, phones, licensing records), for benchmarks and load tests. Refuses a directory with centres."
    )

    def add_arguments(self, parser):
        parser.add_argument("count", type=_count, metavar="N", help=_("How many centres to generate."))
        parser.add_argument(
            "--database-url",
            metavar="URL",
            help=_(
                "Write into this database (written as DATABASE_URL is, e.g. postgres://user@host:5432/name), "
                "migrating it first, instead of the default one."
            ),
        )
        parser.add_argument(
            "--seed", type=int, help=_("Seed of the random choices (default: N). The same seed gives the same centres.")
        )
        # Set on the child process that --database-url starts, whose default database is the target.
        parser.add_argument("--migrate-first", action="store_true", help=argparse.SUPPRESS)

    def handle(
        self,
        *args,
        count: int,
        database_url: str | None,
        seed: int | None,
        migrate_first: bool,
        verbosity: int,
        **options,
    ):
        if database_url:
            self._generate_in(database_url, count, seed, verbosity)
            return
        if migrate_first:
            # Refused before migrating: a directory with centres is left exactly as it was.
            if Centre._meta.db_table in connection.introspection.table_names():
                self._refuse_if_not_empty(Centre.objects.count())
            call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        with Progress(
            self, _("Generating centres"), unit=pgettext("counted", "centres"), total=count, verbosity=verbosity
        ) as progress:
            try:
                synthetic.generate(count, seed=seed, progress=progress)
            except synthetic.DirectoryNotEmpty as error:
                self._refuse_if_not_empty(error.count)
            except LookupError:
                raise CommandError(_("The gazetteer is empty: run migrate first.")) from None
            progress.summary(
                _("%(count)s centres generated in %(seconds)d s.")
                % {"count": f"{count:,}", "seconds": round(progress.seconds)}
            )

    def _refuse_if_not_empty(self, existing: int) -> None:
        if existing:
            raise CommandError(
                _(
                    "The directory already has %(count)s centres; nothing was written. generate_centres fills an "
                    "empty directory only: give a new database with --database-url."
                )
                % {"count": f"{existing:,}"}
            )

    def _generate_in(self, url: str, count: int, seed: int | None, verbosity: int) -> None:
        """Run this command again with URL as DATABASE_URL, in a child process that writes to the same standard
        output and error as this one."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # django-environ warns of an unknown scheme: refused just below
            engine = environ.Env.db_url_config(url).get("ENGINE")
        if engine not in ENGINES:
            raise CommandError(
                _(
                    "--database-url must name a PostgreSQL or SQLite database, e.g. postgres://user@host:5432/name "
                    "or sqlite:////path/to/file.sqlite3."
                )
            )
        arguments = [str(count), "--migrate-first", f"--verbosity={verbosity}"]
        if seed is not None:
            arguments.append(f"--seed={seed}")
        # DJANGO_SETTINGS_MODULE is in the environment already: manage.py (or --settings) puts it there.
        environment = {**os.environ, "DATABASE_URL": url}
        self.stdout.flush()
        self.stderr.flush()
        child = subprocess.run(  # noqa: S603 (this interpreter, this command, our own arguments)
            [sys.executable, "-m", "django", "generate_centres", *arguments],
            env=environment,
            cwd=settings.BASE_DIR,
            check=False,
        )
        if child.returncode:
            raise CommandError(
                _("Generating centres in the database of --database-url failed (see above)."),
                returncode=child.returncode,
            )
