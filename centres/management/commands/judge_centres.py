"""Judge every centre's risk for today and store it (centres/judging.py): nightly, just after midnight."""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from centres import judging
from centres.models import today


class Command(BaseCommand):
    help = (
        "Judge every centre's risk for today with the rules in force and store it, so that the at-risk list reads "
        "it through an index. Run it nightly just after midnight (and after changing a country's rules); until it "
        "runs, the list judges every centre at each request, slower but the same."
    )

    def handle(self, *args, verbosity: int, **options):
        started = time.monotonic()
        on = today()
        judging.judge(on=on)
        if verbosity:
            self.stdout.write(
                _("Risks judged for %(day)s in %(seconds).1f s.")
                % {"day": on.isoformat(), "seconds": time.monotonic() - started}
            )
