"""Load the candidate centres (centres named in public sources, unverified) as unpublished drafts.

Never run by `migrate` or `make run`: an editor runs it on purpose. Running it again creates nothing and changes
nothing (centres/candidates.py).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from centres import candidates
from centres.progress import Progress


class Command(BaseCommand):
    help = (
        "Load the centres named in public sources (centres/data/candidate-centres.csv) as unpublished drafts, "
        "for editors to check. Loading again creates nothing new and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            type=Path,
            default=candidates.CANDIDATES_FILE,
            metavar="PATH",
            help=_("CSV file of candidates (UTF-8); the committed centres/data/candidate-centres.csv when left out."),
        )

    def handle(self, *args, file: Path, verbosity: int, **options):
        with Progress(
            self, _("Loading candidates"), unit=pgettext("counted", "candidates"), verbosity=verbosity
        ) as progress:
            try:
                result = candidates.load(file, progress=progress)
            except candidates.CandidateFileError as error:
                raise CommandError(str(error)) from error
        if verbosity >= 1:
            self._report(result)
        progress.summary(
            _(
                "Candidates from %(file)s: %(created)d created, %(present)d already present, %(skipped)d skipped, "
                "in %(seconds).1f s."
            )
            % {
                "file": file,
                "created": len(result.created),
                "present": len(result.present),
                "skipped": len(result.skipped),
                "seconds": progress.seconds,
            }
        )

    def _report(self, result: candidates.LoadResult) -> None:
        edited = len(result.edited_since)
        if edited:
            self.stdout.write(
                ngettext(
                    "%(count)d of those already present was edited or published since it was loaded: left as it is.",
                    "%(count)d of those already present were edited or published since they were loaded: "
                    "left as they are.",
                    edited,
                )
                % {"count": edited}
            )
        for skipped in result.skipped:
            self.stdout.write(
                _("Skipped line %(line)d (%(name)s): %(reason)s.")
                % {"line": skipped.line, "name": skipped.name or "—", "reason": skipped.reason}
            )
        if result.created:
            self.stdout.write(
                ngettext(
                    "The new candidate is an unpublished draft: check it before publishing it.",
                    "The new candidates are unpublished drafts: check each before publishing it.",
                    len(result.created),
                )
            )
