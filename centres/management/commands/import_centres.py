"""Import centres from a CSV file: everything is checked first, then all rows are written, or none."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from centres.imports import ImportConflict, validate, write


class Command(BaseCommand):
    help = "Import centres from a CSV file as export_centres writes it. Writes every row or, on any error, none."

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("CSV file, UTF-8 with or without BOM."))
        parser.add_argument("--dry-run", action="store_true", help=_("Show what would change; write nothing."))
        parser.add_argument("--user", help=_("Username recorded in the history as the author of the changes."))

    def handle(self, *args, file: str, dry_run: bool, user: str | None, **options):
        author = None
        if user:
            User = get_user_model()
            try:
                author = User.objects.get(**{User.USERNAME_FIELD: user})
            except User.DoesNotExist:
                raise CommandError(_("There is no user %(user)s.") % {"user": user}) from None
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}) from None

        plan = validate(data, filename=path.name)
        if plan.errors:
            for error in plan.errors:
                self.stderr.write(str(error))
            raise CommandError(_("%(count)d error(s) found; nothing was written.") % {"count": len(plan.errors)})
        for line in plan.describe():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(_("Dry run, nothing written: %(summary)s") % {"summary": plan.summary()})
            return
        try:
            write(plan, user=author)
        except ImportConflict as error:
            raise CommandError(str(error)) from error
        self.stdout.write(plan.summary())
