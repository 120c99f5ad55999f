"""Back up the whole database into FILE while the site runs (SQLite: online backup API; PostgreSQL: pg_dump -Fc)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from centres.backups import BackupError, backup, progress_unit
from centres.progress import Progress


class Command(BaseCommand):
    help = "Back up the whole database into FILE, while the site runs. Restore it with `manage.py restore FILE`."

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The backup file to write."))

    def handle(self, *args, file: str, verbosity: int, **options):
        target = Path(file)
        with Progress(self, _("Backing up"), unit=progress_unit(), verbosity=verbosity) as progress:
            try:
                backup(target, progress=progress)
            except BackupError as error:
                raise CommandError(str(error)) from error
            size = target.stat().st_size / 1024 / 1024
            progress.summary(
                _("Backup written to %(file)s (%(size).1f MB) in %(seconds).1f s.")
                % {"file": file, "size": size, "seconds": progress.seconds}
            )
