"""Import centres from a CSV or XLSX file: everything is checked first, then all rows are written, or none."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from centres.imports import ImportConflict, validate, write


class Command(BaseCommand):
    help = (
        "Import centres from a CSV or XLSX file as export_centres writes it (or as Excel saves it in any locale). "
        "Writes every row or, on any error, none."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("CSV file (UTF-8 or Windows-1251, ',' or ';') or XLSX workbook."))
        parser.add_argument("--sheet", help=_("The workbook's sheet to read; the first one when left out."))
        parser.add_argument("--dry-run", action="store_true", help=_("Show what would change; write nothing."))
        parser.add_argument("--user", help=_("Username recorded in the history as the author of the changes."))

    def handle(self, *args, file: str, dry_run: bool, user: str | None, sheet: str | None, **options):
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

        plan = validate(data, filename=path.name, sheet=sheet)
        if plan.errors:
            for error in plan.errors:
                self.stderr.write(str(error))
            raise CommandError(_("%(count)d error(s) found; nothing was written.") % {"count": len(plan.errors)})
        self.stderr.write(_("Read as %(kind)s.") % {"kind": plan.read_as})
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
