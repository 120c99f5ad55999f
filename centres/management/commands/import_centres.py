"""Import centres from a CSV or XLSX file: everything is checked first, then all rows are written, or none."""

import argparse
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from centres.imports import ImportConflict, validate, write
from centres.progress import Progress


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
        parser.add_argument(
            "--overwrite",
            type=_rows,
            default=(),
            metavar="ROWS",
            help=_("Write these rows (e.g. 3,5) even though their centres changed after the file was exported."),
        )
        parser.add_argument(
            "--overwrite-all",
            action="store_true",
            help=_(
                "Write every row, even if its centre changed after the file was exported or the file has no version."
            ),
        )

    def handle(
        self,
        *args,
        file: str,
        dry_run: bool,
        user: str | None,
        sheet: str | None,
        overwrite: tuple[int, ...],
        overwrite_all: bool,
        verbosity: int,
        **options,
    ):
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

        overwrite_rows = True if overwrite_all else overwrite
        with Progress(self, _("Checking rows"), unit=pgettext("counted", "rows"), verbosity=verbosity) as progress:
            plan = validate(data, filename=path.name, sheet=sheet, overwrite=overwrite_rows, progress=progress)
        if plan.errors:
            for error in plan.errors:
                self.stderr.write(str(error))
            raise CommandError(_("%(count)d error(s) found; nothing was written.") % {"count": len(plan.errors)})
        report = verbosity >= 1  # with -v 0, nothing but errors
        if report:
            self.stderr.write(_("Read as %(kind)s.") % {"kind": plan.read_as})
            for line in plan.describe():
                self.stdout.write(line)
            for warning in plan.warnings:
                self.stderr.write(str(warning))
        if report or not dry_run:  # errors, unless this is a dry run
            for conflict in plan.conflicts:
                self.stderr.write(str(conflict))
        if dry_run:
            progress.summary(
                _("Dry run of %(file)s in %(seconds).1f s, nothing written: %(summary)s")
                % {"file": file, "summary": plan.summary(), "seconds": progress.seconds}
            )
            return
        if plan.conflicts:
            rows = ",".join(str(conflict.row) for conflict in plan.conflicts)
            raise CommandError(
                _(
                    "%(count)d row(s) would undo edits made since the file was exported; nothing was written. Export "
                    "again and make your changes there, or write them anyway with --overwrite %(rows)s."
                )
                % {"count": len(plan.conflicts), "rows": rows}
            )
        with Progress(self, _("Writing centres"), unit=pgettext("counted", "centres"), verbosity=verbosity) as writing:
            try:
                write(plan, user=author, progress=writing)
            except ImportConflict as error:
                raise CommandError(str(error)) from error
            writing.summary(
                _("%(file)s imported in %(seconds).1f s: %(summary)s")
                % {"file": file, "summary": plan.summary(), "seconds": progress.seconds}
            )


def _rows(text: str) -> tuple[int, ...]:
    """Spreadsheet rows as the errors and conflicts name them: "3,5" gives (3, 5)."""
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(_("give row numbers separated by commas, e.g. 3,5")) from None
