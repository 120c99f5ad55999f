"""Restore a backup made by `manage.py backup` into an empty database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from centres.backups import BackupError, restore


class Command(BaseCommand):
    help = "Restore FILE, made by `manage.py backup`, into an empty database (one made by `manage.py migrate`)."

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The backup file to read."))

    def handle(self, *args, file: str, **options):
        try:
            restore(Path(file))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stderr.write(_("Restored from %(file)s.") % {"file": file})
