"""Write every centre, with every column of DESIGN.md section 5, for editors' backups and bulk edits."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from centres.exports import write_csv
from centres.models import Centre

FORMATS = ["csv"]  # xlsx and json come later, on the same row generator


class Command(BaseCommand):
    help = "Export every centre as CSV (UTF-8 with BOM), every column, in the order import_centres reads."

    def add_arguments(self, parser):
        parser.add_argument("--format", default="csv", help=_("Only csv for now."))
        parser.add_argument("--output", help=_("File to write; standard output when left out."))

    def handle(self, *args, format: str, output: str | None, **options):
        if format not in FORMATS:
            raise CommandError(
                _("Format %(format)s is not available yet; use one of: %(formats)s.")
                % {"format": format, "formats": ", ".join(FORMATS)}
            )
        queryset = Centre.objects.order_by("country", "name", "id")
        if output:
            # newline="": the csv module writes its own line ends.
            with open(output, "w", encoding="utf-8", newline="") as stream:
                count = write_csv(queryset, stream)
            self.stderr.write(_("%(count)d centres written to %(file)s.") % {"count": count, "file": output})
        else:
            write_csv(queryset, _Unended(self.stdout))


class _Unended:
    """Passes CSV pieces through a command's output wrapper without adding line ends of its own."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text, ending="")
