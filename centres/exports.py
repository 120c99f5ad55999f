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
import itertools
import json
import tempfile
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db import models
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.text import capfirst
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.utils import get_column_letter

from centres.columns import (
    COLUMNS,
    MAY_NEED_ESCAPING,
    NEVER_ON_THE_WEB,
    WHEREABOUTS,
    Boolean,
    Choice,
    Codes,
    Column,
    Date,
    DateTime,
    Integer,
    Number,
    Phone,
    escape_formula,
    phone_rows,
    reading_width,
)
from centres.eligibility import BY_CODE, RISK_LABELS, basis_text, findings, risk_of
from centres.models import Centre, Compliance, CountryRules, today
from centres.vocabularies import AddressVisibility

BOM = "\ufeff"
CHUNK_SIZE = 1000
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
FORMATS = tuple(CONTENT_TYPES)
PIECE_SIZE = 64 * 1024  # characters of a file's text sent at a time


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

    Rows are read as tuples of the columns' own fields (`RowReader`), not as model instances: one query for the
    centres, with only the joins their columns need, and one for each chunk's phones.
    """
    if web and any(column.name in NEVER_ON_THE_WEB for column in columns):
        raise ValueError("internal notes are never exported to the web")
    reader = RowReader(columns, web=web)
    if reader.judging:
        rules = rules if rules is not None else CountryRules.for_countries()
        on = on or today()
    values = queryset.prefetch_related(None).values_list(*reader.lookups).iterator(chunk_size=chunk_size)
    while chunk := list(itertools.islice(values, chunk_size)):
        phones = phone_rows([row[0] for row in chunk]) if reader.phones is not None else {}
        for row in chunk:
            yield reader.cells(row, phones, rules, on)


# What eligibility's judgement (`findings`, and the reasons it gives) reads of a centre and of its licensing
# record: the export judges these plain values instead of a model instance. Reading anything else raises
# AttributeError (tests/test_exports.py judges both ways and compares).
JUDGED_FIELDS = ("country", "status", "archived", "services", "beds", "last_verified_on")
LICENCE_FIELDS = tuple(field.name for field in Compliance._meta.concrete_fields if field.name != "centre")
JudgedCentre = namedtuple("JudgedCentre", [*JUDGED_FIELDS, "compliance"])
Licence = namedtuple("Licence", LICENCE_FIELDS)


class RowReader:
    """How an export reads a centre: the lookups of one `values_list()` (the centre's id first), and how each cell
    is written from them. Only what the columns, the web rules and the judgement read is read, so a join is made
    only for a column that needs it: the public export never reads the licensing records."""

    def __init__(self, columns: Sequence[Column], *, web: bool):
        self.lookups: list[str] = ["id"]
        # Every row starts as this template, in the columns' order; cells are then set by name, which keeps it.
        self.blank = dict.fromkeys((column.name for column in columns), "")
        # A cell read from one value: (name, index of the value, its kind's `format`); from several: their indexes
        # and the kind's `format_values` (a town by its names).
        self.single: list[tuple[str, int, Callable[[Any], str]]] = []
        self.several: list[tuple[str, list[int], Callable[..., str]]] = []
        for column in columns:
            at = [self._at(lookup) for lookup in column.lookups]
            if len(at) == 1:
                self.single.append((column.name, at[0], column.kind.format))
            elif at:
                self.several.append((column.name, at, column.format_values))
        self.phones = next((column for column in columns if column.source == "phones"), None)
        self.judging = any(column.source == "computed" for column in columns)
        self.basis = "legal_basis" in self.blank
        licensing = [column for column in columns if column.source == "compliance"]
        # A centre without a licensing record reads as the record's defaults.
        self.record = self._at("compliance__id") if licensing or self.judging else None
        self.no_record = {column.name: column.missing_cell for column in licensing}
        if self.judging:
            self.judged = [self._at(field) for field in JUDGED_FIELDS]
            self.licence = [self._at(f"compliance__{field}") for field in LICENCE_FIELDS]
        # A web export blanks the whereabouts of every centre whose address is not public.
        self.visibility = self._at("address_visibility") if web else None
        self.hidden = {name: "" for name in WHEREABOUTS if name in self.blank}

    def _at(self, lookup: str) -> int:
        """The index of `lookup` in the row of values, added to the lookups if it is not already read."""
        if lookup not in self.lookups:
            self.lookups.append(lookup)
        return self.lookups.index(lookup)

    def cells(
        self,
        row: tuple,
        phones: dict[Any, list[Phone]],
        rules: dict[str, CountryRules] | None,
        on: datetime.date | None,
    ) -> dict[str, str]:
        """The cells of one centre from its row of values and its chunk's phones (`phone_rows`); `rules` and `on`
        for the judgement, when the columns hold it."""
        cells = self.blank.copy()
        for name, at, format in self.single:
            cells[name] = format(row[at])
        for name, at, format_values in self.several:
            cells[name] = format_values(*[row[index] for index in at])
        if self.record is not None and row[self.record] is None:
            cells.update(self.no_record)
        if self.phones is not None:
            cells[self.phones.name] = self.phones.format(phones.get(row[0]))
        if self.judging:
            centre = self.judged_centre(row)
            cells.update(judgement_cells(centre, rules, on))
            if self.basis:
                cells["legal_basis"] = basis_text(rules[centre.country])
        if self.visibility is not None and row[self.visibility] != AddressVisibility.PUBLIC:
            cells.update(self.hidden)
        return cells

    def judged_centre(self, row: tuple) -> JudgedCentre:
        """What the judgement reads of the centre, from its row of values."""
        licence = None if row[self.record] is None else Licence(*[row[at] for at in self.licence])
        return JudgedCentre(*[row[at] for at in self.judged], licence)


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


def to_file(
    rows: Iterable[dict[str, str]], columns: Sequence[Column], format: str, stem: str, *, for_reading: bool = False
) -> Export:
    """The rows as a file named `<stem>-<date>.<format>`; `for_reading`: a workbook headed for people
    (`write_xlsx`)."""
    if format == "csv":
        chunks = iter_csv(rows, columns)
    elif format == "json":
        chunks = iter_json(rows)
    elif format == "xlsx":
        chunks = built_xlsx(rows, columns, title=stem, for_reading=for_reading)
    else:
        raise ValueError(f"unknown export format {format!r}")
    return Export(f"{stem}-{today().isoformat()}.{format}", CONTENT_TYPES[format], chunks)


class _Echo:
    """A file-like object whose write() returns what it was given, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def iter_csv(rows: Iterable[dict[str, str]], columns: Sequence[Column | str] = COLUMNS) -> Iterator[str]:
    """The CSV text in pieces of about `PIECE_SIZE` characters: a BOM (so spreadsheet programs read Cyrillic) and
    the header, then the rows, every cell escaped against formulas."""
    names = [column if isinstance(column, str) else column.name for column in columns]
    blanks = [""] * len(names)
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(names)
    lines: list[str] = []
    size = 0
    for row in rows:
        cells = [
            escape_formula(cell) if cell[:1] in MAY_NEED_ESCAPING else cell for cell in map(row.get, names, blanks)
        ]
        line = writer.writerow(cells)
        lines.append(line)
        size += len(line)
        if size >= PIECE_SIZE:  # a piece a row would cost the response (and its language switch) per row
            yield "".join(lines)
            lines, size = [], 0
    if lines:
        yield "".join(lines)


def write_xlsx(
    rows: Iterable[dict[str, str]],
    stream: IO[bytes],
    columns: Sequence[Column] = COLUMNS,
    title: str = "centres",
    *,
    for_reading: bool = False,
) -> int:
    """Write rows as an XLSX workbook in openpyxl's write-only mode (rows go to a temporary file, not memory).

    Every text is a string cell, so nothing is ever read as a formula and no quote is added; whole numbers
    and numbers are number cells. Returns the number of rows written.

    The header row holds the columns' codes, which an import reads back; `for_reading` (the advocates' list) heads
    them with their labels in the page's language instead, writes dates as date cells and codes and yes/no in words,
    freezes that row, sets each column's width and puts an autofilter on the header.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    headers = [column.name for column in columns]
    if for_reading:
        headers = [_reading_header(column) for column in columns]
        for index, (column, header) in enumerate(zip(columns, headers, strict=True), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = reading_width(column, header)
        sheet.freeze_panes = "A2"
    sheet.append([_string_cell(sheet, header) for header in headers])
    kinds = [(column.name, _cell_kind(column, for_reading)) for column in columns]
    day = _excel_format("SHORT_DATE_FORMAT")
    formats = {"date": day, "datetime": f"{day} HH:MM"}  # the time on a 24-hour clock in every language
    words = {column.name: _in_words(column) for column in columns if _cell_kind(column, for_reading) == "words"}
    count = 0
    for count, row in enumerate(rows, start=1):  # noqa: B007 - the count is the result
        cells: list[Any] = []
        for name, kind in kinds:
            text = row.get(name, "")
            if not text:
                cells.append(None)
            elif kind == "number":
                cells.append(Decimal(text))
            elif kind in formats:
                cells.append(_date_cell(sheet, text, kind, formats[kind]))
            elif kind == "words":
                cells.append(_string_cell(sheet, words[name](text)))
            else:
                cells.append(_string_cell(sheet, text))
        sheet.append(cells)
    if for_reading:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    workbook.save(stream)
    return count


def _cell_kind(column: Column, for_reading: bool) -> str:
    """How a column's cells are written: numbers as numbers; in a workbook for reading, dates and times as dates
    shown in the page language's format; everything else as text (so an import reads back exactly what was
    written)."""
    if isinstance(column.kind, Integer | Number):
        return "number"
    if for_reading and isinstance(column.kind, DateTime):
        return "datetime"
    if for_reading and isinstance(column.kind, Date):
        return "date"
    if for_reading and (isinstance(column.kind, Choice | Codes | Boolean) or column.name in _JUDGEMENT_WORDS):
        return "words"
    return "text"


# The judgement's codes in words: a risk, and the flags' and gaps' names.
_JUDGEMENT_WORDS = {
    "risk": RISK_LABELS,
    "flags": {rule.code: rule.label for rule in BY_CODE.values()},
    "gaps": {rule.code: rule.label for rule in BY_CODE.values()},
}


def _in_words(column: Column) -> Callable[[str], str]:
    """How a workbook for reading writes a code, a list of codes or a yes/no: in the page language's words
    ("Лицензия выдана", "Да", "Высокий"), where the files an import reads back hold the codes ("licensed", "true",
    "high")."""
    if isinstance(column.kind, Boolean):
        return lambda text: gettext("Yes") if text == "true" else gettext("No") if text == "false" else text
    labels = _JUDGEMENT_WORDS.get(column.name) or dict(column.kind.codes.choices)

    def label(code: str) -> str:
        return str(labels.get(code, code))

    if isinstance(column.kind, Codes) or column.name in ("flags", "gaps"):
        return lambda text: "; ".join(label(code) for code in text.split(";") if code)
    return label


# Django's day, month and year format letters and Excel's codes for them.
_EXCEL_CODES = {"d": "DD", "j": "D", "m": "MM", "n": "M", "Y": "YYYY", "y": "YY"}


def _excel_format(name: str) -> str:
    """The page language's short date format as an Excel number format: "DD.MM.YYYY" in Russian and Kazakh,
    "MM/DD/YYYY" in English."""
    django_format = get_format(name)
    return "".join(_EXCEL_CODES.get(letter, letter if not letter.isalpha() else "") for letter in django_format)


def _date_cell(sheet, text: str, kind: str, number_format: str) -> WriteOnlyCell:
    """A date cell from an export's ISO text; a date and time in the directory's time zone, as Excel holds no zone."""
    if kind == "date":
        value: datetime.date = datetime.date.fromisoformat(text)
    else:
        value = timezone.make_naive(datetime.datetime.fromisoformat(text))
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def _reading_header(column: Column) -> str:
    """A column's label in the page's language, as a heading; its code where it has none (the id)."""
    labels = column.labels()
    return capfirst(labels[0]) if labels else column.name


def built_xlsx(
    rows: Iterable[dict[str, str]], columns: Sequence[Column], title: str, *, for_reading: bool = False
) -> Iterator[bytes]:
    """The workbook, built now in a temporary file (XLSX cannot stream, and a failure then shows as an error, not
    as a cut-off download), and then read from it in pieces; the file goes when they have all been read."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _pieces once read
    write_xlsx(rows, spool, columns, title=title, for_reading=for_reading)
    spool.seek(0)
    return _pieces(spool)


def _pieces(spool: IO[bytes]) -> Iterator[bytes]:
    with spool:
        while piece := spool.read(64 * 1024):
            yield piece


# openpyxl stores a text starting with "=" as a formula, and "#N/A" and the other error codes as errors. A text
# that starts with one of these characters (or as a spreadsheet program's formula might) becomes an explicit string
# cell; any other is a string cell as it is, and an explicit cell apiece would cost a third of the workbook's time.
_EXPLICIT_STRING = MAY_NEED_ESCAPING | {"#"}


def _string_cell(sheet, text: str) -> Cell | str:
    # Control characters other than tab and line ends cannot be stored in XLSX at all; they are dropped.
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if text[:1] not in _EXPLICIT_STRING:
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # set after the value: openpyxl makes a text starting with "=" a formula
    return cell


def iter_json(rows: Iterable[dict[str, str]]) -> Iterator[str]:
    """`{"count": N, "results": [{column: value, ...}, ...]}` in pieces, values exactly as stored (never escaped).

    The rows are spooled to a temporary file first, so that the count is exactly the number of results without a
    second query, and memory stays flat however many rows there are.
    """
    encode = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps would make an encoder a row
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        count = 0
        for row in rows:
            spool.write(("," if count else "") + encode(row))
            count += 1
        spool.seek(0)
        yield f'{{"count": {count}, "results": ['
        while piece := spool.read(PIECE_SIZE):
            yield piece
        yield "]}"
