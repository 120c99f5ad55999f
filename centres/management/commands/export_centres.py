"""Export centres as CSV, XLSX or JSON.

Without `--public` it runs with server access, for editors' backups and bulk edits: every column of DESIGN.md
section 5 in the order import_centres reads, then risk, flags, gaps and reasons (which import ignores). `--public`
writes what the public export on the web writes; `--at-risk` the at-risk list with the advocates' columns, under the
rules of the web when `--public` is given too.
"""

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from centres.advocacy.filters import AtRiskFilter
from centres.columns import ADVOCATE_COLUMNS, BACKUP_COLUMNS, PUBLIC_COLUMNS
from centres.exports import FORMATS, centre_rows, to_file
from centres.models import Centre, CountryRules, today
from centres.progress import Progress
from centres.selectors import at_risk_centres, public_centres


class Command(BaseCommand):
    help = (
        "Export centres as CSV (UTF-8 with BOM), XLSX or JSON. Without --public: every column, for editors' backups; "
        "with --public: what the public export on the web holds; --at-risk: the at-risk list with reasons."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", default="csv", choices=FORMATS, help=_("csv (the default), xlsx or json."))
        parser.add_argument(
            "--output", help=_("File to write; standard output when left out (csv and json only: xlsx needs a file).")
        )
        parser.add_argument(
            "--public",
            action="store_true",
            help=_("Only what a web export may hold: public columns, no hidden addresses or places free."),
        )
        parser.add_argument(
            "--at-risk", action="store_true", help=_("Only centres at risk, with the advocates' columns and reasons.")
        )

    def handle(self, *args, format: str, output: str | None, public: bool, at_risk: bool, verbosity: int, **options):
        if format == "xlsx" and not output:
            raise CommandError(_("The xlsx format writes a binary file: give --output FILE."))
        rules, on = CountryRules.for_countries(), today()
        if at_risk:
            queryset = at_risk_centres(filters=AtRiskFilter(QueryDict(), rules=rules, on=on))
            columns = ADVOCATE_COLUMNS
        elif public:
            queryset, columns = public_centres().order_by("name", "pk"), PUBLIC_COLUMNS
        else:
            queryset, columns = Centre.objects.order_by("country", "name", "id"), BACKUP_COLUMNS
        name = "centres-at-risk" if at_risk else "centres"
        with Progress(
            self,
            _("Exporting centres"),
            unit=pgettext("counted", "centres"),
            total=queryset.count(),
            verbosity=verbosity,
        ) as progress:
            export = to_file(
                progress.counting(centre_rows(queryset, columns, web=public, rules=rules, on=on)),
                columns,
                format,
                name,
            )
            if format == "xlsx":
                with open(output, "wb") as stream:
                    stream.writelines(export.chunks)
            elif output:
                # newline="": the csv module writes its own line ends.
                with open(output, "w", encoding="utf-8", newline="") as stream:
                    stream.writelines(export.chunks)
            else:
                for piece in export.chunks:
                    self.stdout.write(piece, ending="")
            progress.summary(
                _("%(count)d centres written to %(file)s in %(seconds).1f s.")
                % {"count": progress.done, "file": output or _("standard output"), "seconds": progress.seconds}
            )
