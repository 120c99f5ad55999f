"""Reading the files editors really have: CSV as Excel writes it in any locale, and XLSX, safely (DESIGN.md 5).

`read_sheet(data, filename)` recognises the kind of file by its content, not its name, and gives its rows as lists of
cell texts, header first, each with the spreadsheet row and the line it starts on. Whatever it cannot read safely it
refuses with `FileRefused`, whose message names the line or byte offset:

- CSV: UTF-8 with or without a BOM, else Windows-1251 (what Excel saves as "CSV" in a Russian or Kazakh locale);
  `,` or `;` between cells (read from the header line); CRLF, LF or CR line ends. Quotes are read strictly: a quote
  left open is an error naming the line it opened on, never a cell that swallows the rows after it, and neither is
  a cell whose line break is followed by what reads as another row.
- XLSX: in openpyxl's read-only mode, values only (a formula gives its cached value, never runs), the first sheet or
  one chosen by name. Files with macros are refused, and so is an archive with too many members or too much to
  unpack, before openpyxl opens it; XML entities are never resolved (defusedxml, which openpyxl uses when present).
- NUL and other control characters (tab and line ends excepted) are refused, with where they are.
"""

import codecs
import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"
UTF8_BOM = b"\xef\xbb\xbf"
ENCODING_NAMES = {"utf-8": "UTF-8", "cp1251": "Windows-1251"}
# An XLSX holds a few dozen members; a zip bomb holds thousands, or unpacks to gigabytes.
MAX_MEMBERS = 500
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# Control characters a cell may not hold (tab, line feed and carriage return excepted).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class FileRefused(ValueError):
    """A file that cannot be read safely; the message says where and why, in the editor's language."""


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet shows it: the header is row 1
    line: int  # the file's line the row starts on (CSV), equal to the row number for XLSX
    cells: list[str]


@dataclass
class Sheet:
    """A file read: what it was (`kind`, and for CSV the encoding and delimiter found), its header, its rows."""

    kind: str
    header: list[str]
    rows: Iterator[Row]
    encoding: str = ""
    delimiter: str = ""
    sheet_name: str = ""
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """What was read, for the preview: "CSV, Windows-1251, ';'" or "XLSX, sheet «centres»"."""
        if self.kind == "xlsx":
            return _("XLSX, sheet «%(sheet)s»") % {"sheet": self.sheet_name}
        return _("CSV, %(encoding)s, cells separated by «%(delimiter)s»") % {
            "encoding": self.encoding,
            "delimiter": self.delimiter,
        }


def read_sheet(data: bytes, filename: str = "", *, sheet: str | None = None) -> Sheet:
    """The file's rows, whatever its name says it is. Raises FileRefused."""
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise FileRefused(too_large(len(data)))
    if not data.strip():
        raise FileRefused(_("The file is empty."))
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data, filename, sheet)
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise FileRefused(
            _("%(file)s is named like a spreadsheet, but it is not an XLSX file. Save it as “Excel workbook (.xlsx)”.")
            % {"file": filename}
        )
    return _read_csv(data)


def too_large(size: int) -> str:
    """What to say of a file of `size` bytes, over the limit."""
    return _("The file is %(size)s MB; files up to %(limit)s MB can be imported. Split it into several files.") % {
        "size": _megabytes(size),
        "limit": _megabytes(settings.IMPORT_MAX_BYTES),
    }


# -- CSV ------------------------------------------------------------------------------------------------------------


def _read_csv(data: bytes) -> Sheet:
    nul = data.find(b"\x00")
    if nul >= 0:
        raise FileRefused(
            _("The file holds a NUL byte at byte %(offset)d (line %(line)d): it is not a text file. Save it as CSV.")
            % {"offset": nul, "line": data.count(b"\n", 0, nul) + 1}
        )
    encoding, skip = _encoding(data)
    # Decoded a piece at a time as the rows are read: the file's text is never held whole beside its bytes.
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    stream.read(skip)
    first_line = _LINE_BREAK.split(stream.readline(), maxsplit=1)[0]
    stream.seek(0)
    stream.read(skip)
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(stream, delimiter=delimiter, strict=True)
    header = _next_record(reader, 1)
    if header is None:
        raise FileRefused(_("The file is empty."))
    return Sheet(
        kind="csv",
        header=header[1],
        rows=_csv_rows(reader, len(header[1])),
        encoding=ENCODING_NAMES[encoding],
        delimiter=delimiter,
    )


def _encoding(data: bytes) -> tuple[str, int]:
    """The codec the file is written in, and how many characters of BOM to skip: UTF-8 if all of it decodes as
    UTF-8, else Windows-1251 (which decodes every byte but one). Checked a piece at a time."""
    if data.startswith(UTF8_BOM):
        bad = _first_undecodable(data, "utf-8", start=len(UTF8_BOM))
        if bad is not None:
            raise FileRefused(_not_text(data, bad))
        return "utf-8", 1
    utf8_bad = _first_undecodable(data, "utf-8")
    if utf8_bad is None:
        return "utf-8", 0
    if _first_undecodable(data, "cp1251") is None:
        return "cp1251", 0
    raise FileRefused(_not_text(data, utf8_bad))


def _first_undecodable(data: bytes, encoding: str, *, start: int = 0, piece: int = 1 << 20) -> int | None:
    """The offset of the first byte that `encoding` cannot decode, or None."""
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(data)
    for offset in range(start, len(data), piece):
        pending = len(decoder.getstate()[0])  # bytes of a character cut at the end of the last piece
        try:
            decoder.decode(view[offset : offset + piece], final=offset + piece >= len(data))
        except UnicodeDecodeError as error:
            return offset - pending + error.start
    return None


def _not_text(data: bytes, offset: int) -> str:
    return _(
        "The file is neither UTF-8 nor Windows-1251 text (at byte %(offset)d, line %(line)d). "
        "Save it as “CSV UTF-8” or “CSV (comma delimited)”."
    ) % {"offset": offset, "line": data.count(b"\n", 0, offset) + 1}


def _next_record(reader, number: int) -> tuple[int, list[str]] | None:
    """The next record and the line it starts on, or None at the end; a broken quote is refused."""
    start = reader.line_num + 1
    try:
        cells = next(reader)
    except StopIteration:
        return None
    except csv.Error as error:
        raise FileRefused(
            _(
                "Line %(line)d (row %(row)d): a quote opened here is never closed, or is followed by something other "
                "than a cell separator (%(error)s). Check the quotes in that row."
            )
            % {"line": start, "row": number, "error": error}
        ) from None
    return start, cells


def _csv_rows(reader, columns: int) -> Iterator[Row]:
    number = 1
    while True:
        number += 1
        record = _next_record(reader, number)
        if record is None:
            return
        line, cells = record
        _check_cells(cells, number, line, columns, reader.dialect.delimiter)
        yield Row(number=number, line=line, cells=cells)


def _check_cells(cells: list[str], number: int, line: int, columns: int, delimiter: str) -> None:
    for index, cell in enumerate(cells):
        bad = _CONTROL.search(cell)
        if bad:
            raise FileRefused(
                _("Line %(line)d (row %(row)d), cell %(cell)d holds a control character (U+%(code)04X); remove it.")
                % {"line": line, "row": number, "cell": index + 1, "code": ord(bad.group())}
            )
        # A quote left open in one cell swallows the rows after it: what follows its line breaks reads as rows.
        for later in _LINE_BREAK.split(cell)[1:]:
            if columns > 2 and later.count(delimiter) >= max(2, (columns - 1) // 2):
                raise FileRefused(
                    _(
                        "Line %(line)d (row %(row)d), cell %(cell)d runs over several lines that read like rows of "
                        "their own: a quote is probably left open there. Close it, or remove the line breaks."
                    )
                    % {"line": line, "row": number, "cell": index + 1}
                )


# -- XLSX -----------------------------------------------------------------------------------------------------------


def _read_xlsx(data: bytes, filename: str, sheet: str | None) -> Sheet:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except zipfile.BadZipFile:
        raise FileRefused(_("The file starts like an XLSX workbook but is damaged; save it again.")) from None
    if len(members) > MAX_MEMBERS or sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        raise FileRefused(_("The workbook unpacks to far more than a spreadsheet of centres holds; it was not opened."))
    names = {member.filename.lower() for member in members}
    if any(name.endswith("vbaproject.bin") for name in names) or "macroenabled" in _content_types(archive):
        raise FileRefused(_("The workbook holds macros; save it as “Excel workbook (.xlsx)” without them."))
    if "xl/workbook.xml" not in names:
        raise FileRefused(_("The file is a ZIP archive but not an XLSX workbook."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, ValueError, OSError, zipfile.BadZipFile) as error:
        raise FileRefused(_("The workbook cannot be read: %(error)s") % {"error": error}) from None
    if sheet is not None and sheet not in workbook.sheetnames:
        raise FileRefused(
            _("The workbook has no sheet «%(sheet)s»; its sheets: %(sheets)s.")
            % {"sheet": sheet, "sheets": ", ".join(workbook.sheetnames)}
        )
    worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
    values = worksheet.iter_rows(values_only=True)
    header = next(values, None)
    if header is None:
        raise FileRefused(_("The sheet «%(sheet)s» is empty.") % {"sheet": worksheet.title})
    header_cells = [_cell_text(value) for value in header]
    return Sheet(kind="xlsx", header=header_cells, rows=_xlsx_rows(values), sheet_name=worksheet.title)


def _content_types(archive: zipfile.ZipFile) -> str:
    try:
        return archive.read("[Content_Types].xml")[:100_000].decode("utf-8", "replace").lower()
    except KeyError:
        return ""


def _xlsx_rows(values) -> Iterator[Row]:
    for number, row in _read_lazily(values):
        cells = [_cell_text(value) for value in row]
        for index, cell in enumerate(cells):
            bad = _CONTROL.search(cell)
            if bad:
                raise FileRefused(
                    _("Row %(row)d, cell %(cell)d holds a control character (U+%(code)04X); remove it.")
                    % {"row": number, "cell": index + 1, "code": ord(bad.group())}
                )
        yield Row(number=number, line=number, cells=cells)


def _read_lazily(values) -> Iterator[tuple[int, tuple]]:
    """The sheet's rows after its header, numbered; read-only mode parses the sheet's XML as it goes, so a part
    that cannot be parsed safely (an XML entity, a damaged part) is refused here."""
    number = 1
    while True:
        try:
            row = next(values)
        except StopIteration:
            return
        except (ValueError, SyntaxError, KeyError, zipfile.BadZipFile) as error:
            raise FileRefused(
                _("The workbook cannot be read after row %(row)d: %(error)s") % {"row": number, "error": error}
            ) from None
        number += 1
        yield number, row


def _cell_text(value) -> str:
    """A cell as the text a CSV would hold: dates in ISO 8601, whole numbers without a decimal point."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".rstrip("0").rstrip(".")
