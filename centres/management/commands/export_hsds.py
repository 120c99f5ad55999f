"""Write the open-data package: HSDS 3.1's tabular profile, a zip of CSV files and datapackage.json, of what the
public pages show (centres/open_data/package.py), as `/<lang>/open-data/hsds.zip` serves it.

    python manage.py export_hsds OUT.zip [--language ru] [--base-url https://example.org]

`OUT.zip` may be `-` for standard output. A file is written beside its final name and renamed when complete, so a
file served from there is never half written.
"""

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from centres.open_data import hsds
from centres.open_data.package import write_package
from centres.progress import Progress


class Command(BaseCommand):
    help = (
        "Write the open-data package (HSDS 3.1 tabular: CSV files and datapackage.json in a zip) of the public "
        "centres, as the open-data page offers it."
    )

    def add_arguments(self, parser):
        codes = ", ".join(code for code, _name in settings.LANGUAGES)
        parser.add_argument("output", metavar="OUT.zip", help=_("File to write, or - for standard output."))
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            help=_("Language of the package's texts: %(codes)s (default %(default)s).")
            % {"codes": codes, "default": settings.LANGUAGE_CODE},
        )
        parser.add_argument(
            "--base-url",
            metavar="URL",
            help=_("The site's address, such as https://example.org, for the package's homepage."),
        )

    def handle(self, *args, output: str, language: str, base_url: str | None, verbosity: int, **options):
        codes = [code for code, _name in settings.LANGUAGES]
        if language not in codes:
            raise CommandError(
                _("Unknown language %(language)s: choose one of %(codes)s.")
                % {"language": language, "codes": ", ".join(codes)}
            )

        total = hsds.services().count()
        with Progress(
            self, _("Writing services"), unit=pgettext("counted", "services"), total=total, verbosity=verbosity
        ) as progress:
            if output == "-":
                written = self._to_stdout(language, base_url, progress)
                where = _("standard output")
            else:
                written = self._to_file(Path(output), language, base_url, progress)
                where = output
            progress.summary(
                _("%(services)d services, %(rows)d rows written to %(file)s in %(seconds).1f s.")
                % {"services": written.services, "rows": written.total_rows, "file": where, "seconds": written.seconds}
            )

    def _to_stdout(self, language, base_url, progress):
        if self.stdout.isatty():
            raise CommandError(_("Standard output is a terminal: redirect it to a file, or give a file name."))
        stream = getattr(self.stdout, "buffer", None)  # the binary stream under the text one
        if stream is None:
            raise CommandError(_("Standard output cannot take binary data: give a file name."))
        written = write_package(stream, language=language, base_url=base_url, progress=progress)
        stream.flush()
        return written

    def _to_file(self, path: Path, language, base_url, progress):
        if path.is_dir():
            raise CommandError(_("%(file)s is a folder: give a file name.") % {"file": path})
        try:
            partial = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, renamed or removed
                dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False
            )
        except OSError as error:
            raise CommandError(
                _("Cannot write %(file)s: %(reason)s.") % {"file": path, "reason": error.strerror or error}
            ) from None
        try:
            with partial:
                written = write_package(partial, language=language, base_url=base_url, progress=progress)
            # A temporary file is readable by its owner only; the package is public, so as any new file.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(partial.name, 0o666 & ~umask)
            os.replace(partial.name, path)
        except OSError as error:
            Path(partial.name).unlink(missing_ok=True)
            raise CommandError(
                _("Cannot write %(file)s: %(reason)s.") % {"file": path, "reason": error.strerror or error}
            ) from None
        except BaseException:
            Path(partial.name).unlink(missing_ok=True)
            raise
        return written
