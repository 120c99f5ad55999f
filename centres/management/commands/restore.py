"""Restore a backup made by `manage.py backup` into an empty database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from centres.backups import BackupError, progress_unit, restore
from centres.progress import Progress


class Command(BaseCommand):
    help = "Restore FILE, made by `manage.py backup`, into an empty database (one made by `manage.py migrate`)."

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The backup file to read."))

    def handle(self, *args, file: str, verbosity: int, **options):
        with Progress(self, _("Restoring"), unit=progress_unit(), verbosity=verbosity) as progress:
            try:
                restore(Path(file), progress=progress)
            except BackupError as error:
                raise CommandError(str(error)) from error
            progress.summary(
                _("Restored from %(file)s in %(seconds).1f s.") % {"file": file, "seconds": progress.seconds}
            )
