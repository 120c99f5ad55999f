"""How far a long command has got, on its standard error — never on standard output, where its data may go.

    with Progress(self, _("Writing centres"), unit=pgettext("counted", "centres"), total=count) as progress:
        for done, row in enumerate(rows, 1):
            ...
            progress(done)
        progress.summary(_("%(count)d centres written to %(file)s in %(seconds).1f s.") % {...})

On a terminal it is a bar (tqdm) that is gone when the work ends; elsewhere (a log, a pipe, cron) one plain line at
most every `EVERY_SECONDS`; with `-v 0` nothing at all, not even the closing summary. Errors are the command's own
to write (CommandError), at every verbosity.

The work reports by calling the progress with how much is done so far, and the total when it learns it; library
code takes any such callable (`Callable[[int], None]`, or with a total), so the web's imports and exports run the same
code with none.
"""

import time
from collections.abc import Iterable, Iterator
from typing import Self, TypeVar

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from tqdm import tqdm

EVERY_SECONDS = 5.0
Item = TypeVar("Item")


class Progress:
    def __init__(self, command: BaseCommand, what: str, *, unit: str, total: int | None = None, verbosity: int = 1):
        self.stream = command.stderr
        self.what, self.unit, self.total = what, unit, total
        self.quiet = verbosity < 1
        self.started = self.last_line = time.monotonic()
        self.done = 0
        # In the command's language, even where the work itself runs in another (export_hsds --language).
        self.with_total = _("%(what)s: %(done)s of %(total)s %(unit)s (%(percent)d%%), %(rate)s a second")
        self.without_total = _("%(what)s: %(done)s %(unit)s, %(rate)s a second")
        self.bar = None
        if not self.quiet and self.stream.isatty():
            # The wrapper Django gives a command ends every write with a newline; the bar writes to the stream under it.
            raw = getattr(self.stream, "_out", self.stream)
            self.bar = tqdm(total=total, desc=what, unit=f" {unit}", file=raw, leave=False, dynamic_ncols=True)

    def __call__(self, done: int, total: int | None = None) -> None:
        if total is not None and total != self.total:
            self.total = total
            if self.bar is not None:
                self.bar.total = total
        self.done = done
        if self.bar is not None:
            self.bar.update(done - self.bar.n)
        elif not self.quiet and (now := time.monotonic()) - self.last_line >= EVERY_SECONDS:
            self.last_line = now
            self.stream.write(self.line(now), style_func=_as_is)

    def counting(self, items: Iterable[Item]) -> Iterator[Item]:
        """Passes `items` through, telling how many have gone by."""
        for done, item in enumerate(items, 1):
            yield item
            self(done)

    def line(self, now: float) -> str:
        """The plain line: "Writing centres: 12,000 of 100,000 centres (12%), 4,100 a second"."""
        rate = f"{self.done / max(now - self.started, 0.001):,.0f}"
        if self.total:
            return self.with_total % {
                "what": self.what,
                "done": f"{self.done:,}",
                "total": f"{self.total:,}",
                "unit": self.unit,
                "percent": 100 * self.done // self.total,
                "rate": rate,
            }
        return self.without_total % {
            "what": self.what,
            "done": f"{self.done:,}",
            "unit": self.unit,
            "rate": rate,
        }

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def summary(self, text: str) -> None:
        """The closing line, after the bar is gone."""
        self.close()
        if not self.quiet:
            self.stream.write(text, style_func=_as_is)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _as_is(text: str) -> str:
    """Django writes a command's standard error in the colour of errors on a terminal: progress is none."""
    return text
