"""Centres as files: one row generator, rendered to CSV, XLSX or JSON (DESIGN.md section 5). Knows no HTTP.

`centre_rows()` turns a queryset into rows of cells, streaming, with the columns of `columns.py`; `to_file()` gives
the file's name, type and content in pieces, to stream from a view (`downloads.py`) or write from a command. The
list pages, their exports and `export_centres` share the selectors' querysets, so an export is exactly what a
list shows.

With `web=True` a row holds only what an export reachable from the web may (DESIGN.md sections 5 and 6): no
non-public address or coordinates, no places free of a hidden or city-only shelter; internal notes are in no web
column set.
"""

import csv
import datetime
import json
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from django.db import models
from django.db.models import Prefetch
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from centres.columns import (
    COLUMNS,
    NEVER_ON_THE_WEB,
    WHEREABOUTS,
    Column,
    Integer,
    Number,
    escape_formula,
)
from centres.eligibility import findings, risk_of
from centres.models import Centre, CentrePhone, CountryRules, today
from centres.vocabularies import AddressVisibility

BOM = "\ufeff"
CHUNK_SIZE = 1000
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
FORMATS = tuple(CONTENT_TYPES)


def for_export(queryset: models.QuerySet[Centre], *, compliance: bool = True) -> models.QuerySet[Centre]:
    """The queryset with everything a row reads, so that rows cost a constant number of queries per chunk; the
    licensing record only when a column or the judgement reads it (never for the public export).

    Any prefetch the queryset already had is replaced: the same lookup twice with different querysets is an error.
    """
    related = ["operator", "city__region", "region", *(["compliance"] if compliance else [])]
    return (
        queryset.select_related(None)
        .select_related(*related)
        .prefetch_related(None)
        .prefetch_related(Prefetch("phones", queryset=CentrePhone.objects.order_by("position", "pk")))
    )


def centre_rows(
    queryset: models.QuerySet[Centre],
    columns: Sequence[Column] = COLUMNS,
    chunk_size: int = CHUNK_SIZE,
    *,
    web: bool = False,
    rules: dict[str, CountryRules] | None = None,
    on: datetime.date | None = None,
) -> Iterator[dict[str, str]]:
    """One dict of cells (column name → text, not yet escaped for any format) per centre, streamed in chunks.

    `web=True` applies the rules of every export reachable from the web. The computed columns judge each centre
    against `rules` as of `on` (today's rules and date when not given).
    """
    if web and any(column.name in NEVER_ON_THE_WEB for column in columns):
        raise ValueError("internal notes are never exported to the web")
    judging = any(column.source == "computed" for column in columns)
    if judging:
        rules = rules if rules is not None else CountryRules.for_countries()
        on = on or today()
    stored = [column for column in columns if column.source != "computed"]
    compliance = judging or any(column.source == "compliance" for column in columns)
    for centre in for_export(queryset, compliance=compliance).iterator(chunk_size=chunk_size):
        row = {column.name: column.cell(centre) for column in stored}
        if judging:
            row.update(judgement_cells(centre, rules, on))
        if web and centre.address_visibility != AddressVisibility.PUBLIC:
            for name in WHEREABOUTS:
                if name in row:
                    row[name] = ""
        _forget_related(centre)
        yield {column.name: row[column.name] for column in columns}


def _forget_related(centre: Centre) -> None:
    """Drop the centre's cached relations once its row is built. A centre and its phones or compliance point at
    each other; left as they are, every chunk waits for the cycle collector, and memory grows with the export."""
    centre._state.fields_cache.clear()
    centre.__dict__.pop("_prefetched_objects_cache", None)


def judgement_cells(centre: Centre, rules: dict[str, CountryRules], on: datetime.date) -> dict[str, str]:
    """risk, flags, gaps (codes) and reasons (the sentences, flags then gaps) of one centre."""
    found = findings(centre, rules, on)
    flags = [finding for finding in found if finding.kind == "flag"]
    gaps = [finding for finding in found if finding.kind == "gap"]
    return {
        "risk": risk_of(found),
        "flags": ";".join(finding.code for finding in flags),
        "gaps": ";".join(finding.code for finding in gaps),
        "reasons": "; ".join(finding.reason for finding in flags + gaps),
    }


# -- the three formats -------------------------------------------------------------------------------------------


@dataclass
class Export:
    """A rendered file: its name, its content type, and its content in pieces: text made while it is read (CSV,
    JSON), or the bytes of a workbook already built (XLSX)."""

    filename: str
    content_type: str
    chunks: Iterator[str] | Iterator[bytes]


def to_file(rows: Iterable[dict[str, str]], columns: Sequence[Column], format: str, stem: str) -> Export:
    """The rows as a file named `<stem>-<date>.<format>`."""
    if format == "csv":
        chunks = iter_csv(rows, columns)
    elif format == "json":
        chunks = iter_json(rows)
    elif format == "xlsx":
        chunks = built_xlsx(rows, columns, title=stem)
    else:
        raise ValueError(f"unknown export format {format!r}")
    return Export(f"{stem}-{today().isoformat()}.{format}", CONTENT_TYPES[format], chunks)


class _Echo:
    """A file-like object whose write() returns what it was given, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def iter_csv(rows: Iterable[dict[str, str]], columns: Sequence[Column | str] = COLUMNS) -> Iterator[str]:
    """The CSV text in pieces: a BOM (so spreadsheet programs read Cyrillic), the header, then a line per row,
    every cell escaped against formulas."""
    names = [column if isinstance(column, str) else column.name for column in columns]
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(names)
    for row in rows:
        yield writer.writerow([escape_formula(row.get(name, "")) for name in names])


def write_xlsx(
    rows: Iterable[dict[str, str]], stream: IO[bytes], columns: Sequence[Column] = COLUMNS, title: str = "centres"
) -> int:
    """Write rows as an XLSX workbook in openpyxl's write-only mode (rows go to a temporary file, not memory).

    Every text is an explicit string cell, so nothing is ever read as a formula and no quote is added; whole numbers
    and numbers are number cells. Returns the number of rows written.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([_string_cell(sheet, column.name) for column in columns])
    numeric = {column.name for column in columns if isinstance(column.kind, Integer | Number)}
    count = 0
    for count, row in enumerate(rows, start=1):  # noqa: B007 - the count is the result
        cells = []
        for column in columns:
            text = row.get(column.name, "")
            if not text:
                cells.append(None)
            elif column.name in numeric:
                cells.append(Decimal(text))
            else:
                cells.append(_string_cell(sheet, text))
        sheet.append(cells)
    workbook.save(stream)
    return count


def built_xlsx(rows: Iterable[dict[str, str]], columns: Sequence[Column], title: str) -> Iterator[bytes]:
    """The workbook, built now in a temporary file (XLSX cannot stream, and a failure then shows as an error, not
    as a cut-off download), and then read from it in pieces; the file goes when they have all been read."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _pieces once read
    write_xlsx(rows, spool, columns, title=title)
    spool.seek(0)
    return _pieces(spool)


def _pieces(spool: IO[bytes]) -> Iterator[bytes]:
    with spool:
        while piece := spool.read(64 * 1024):
            yield piece


def _string_cell(sheet, text: str) -> WriteOnlyCell:
    # Control characters other than tab and line ends cannot be stored in XLSX at all; they are dropped.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", text))
    cell.data_type = "s"  # set after the value: openpyxl makes a text starting with "=" a formula
    return cell


def iter_json(rows: Iterable[dict[str, str]]) -> Iterator[str]:
    """`{"count": N, "results": [{column: value, ...}, ...]}` in pieces, values exactly as stored (never escaped).

    The rows are spooled to a temporary file first, so that the count is exactly the number of results without a
    second query, and memory stays flat however many rows there are.
    """
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        count = 0
        for row in rows:
            spool.write(("," if count else "") + json.dumps(row, ensure_ascii=False))
            count += 1
        spool.seek(0)
        yield f'{{"count": {count}, "results": ['
        while piece := spool.read(64 * 1024):
            yield piece
        yield "]}"
