"""Reading the files editors really have: CSV in any locale Excel writes it, XLSX, and what is refused, and where."""

import datetime
import io
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook

from centres.spreadsheets import FileRefused, read_sheet
from tests.conftest import with_member

HEADER = ["name", "country", "public_notes"]


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def rows_of(sheet) -> list[list[str]]:
    return [sheet.header, *(row.cells for row in sheet.rows)]


def refused(data: bytes, filename: str = "centres.csv", **options) -> str:
    with pytest.raises(FileRefused) as caught:
        sheet = read_sheet(data, filename, **options)
        list(sheet.rows)
    return str(caught.value)


def workbook(*rows, title: str = "centres") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


# -- CSV as Excel writes it ---------------------------------------------------------------------------------------

EXPECTED = [HEADER, ["Центр «Жан»", "KZ", "Звоните заранее; круглосуточно"], ["Үміт", "KG", ""]]


@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter", "newline", "read_as"),
    [
        ("utf-8", True, ",", "\r\n", "CSV, UTF-8, cells separated by «,»"),
        ("utf-8", False, ";", "\n", "CSV, UTF-8, cells separated by «;»"),
        ("cp1251", False, ";", "\r\n", "CSV, Windows-1251, cells separated by «;»"),
        ("cp1251", False, ",", "\r", "CSV, Windows-1251, cells separated by «,»"),
    ],
)
def test_csv_in_either_encoding_with_either_delimiter_and_any_line_end_reads_the_same(
    encoding, bom, delimiter, newline, read_as
):
    if encoding == "cp1251":  # Kazakh letters do not exist in Windows-1251: what Excel in Russian keeps
        expected = [HEADER, ["Центр «Жан»", "KZ", "Звоните заранее; круглосуточно"], ["Умит", "KG", ""]]
    else:
        expected = EXPECTED
    lines = []
    for cells in expected:
        quoted = [f'"{cell}"' if delimiter in cell else cell for cell in cells]
        lines.append(delimiter.join(quoted))
    data = (newline.join(lines) + newline).encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    sheet = read_sheet(data, "centres.csv")
    assert rows_of(sheet) == expected
    assert sheet.describe() == read_as


def test_rows_are_numbered_as_a_spreadsheet_shows_them_and_lines_as_the_file_has_them():
    data = b'name,public_notes\r\nA,"two\r\nlines"\r\nB,x\r\n'
    rows = list(read_sheet(data).rows)
    assert [(row.number, row.line, row.cells[0]) for row in rows] == [(2, 2, "A"), (3, 4, "B")]


def test_an_unclosed_quote_is_refused_with_the_line_it_opened_on():
    data = b'name,country,public_notes\nA,KZ,"fine"\nB,KZ,"never closed\nC,KZ,x\nD,KZ,y\n'
    message = refused(data)
    assert "Line 3 (row 3)" in message and "quote" in message


def test_a_cell_whose_line_breaks_hold_what_reads_as_rows_is_refused():
    # A quote opened in the notes and closed rows later: a hand-edited export that would move rows into one cell.
    data = 'name,country,region,city,public_notes\nA,KZ,,,"notes\nB,KZ,KZ-75,Алматы,ул. Тайная 5"\n'.encode()
    message = refused(data)
    assert "Line 2 (row 2), cell 5" in message and "quote is probably left open" in message


def test_notes_over_several_lines_are_kept():
    data = 'name,country,public_notes\nA,KZ,"Первая строка\nвторая, с запятой"\n'.encode()
    assert rows_of(read_sheet(data))[1] == ["A", "KZ", "Первая строка\nвторая, с запятой"]


def test_a_nul_byte_is_refused_with_its_offset_and_line():
    message = refused(b"name,country\nA\x00,KZ\n")
    assert "byte 14 (line 2)" in message


def test_control_characters_are_refused_with_their_cell():
    message = refused(b"name,country\nA\x1b[31m,KZ\n")
    assert "Line 2 (row 2), cell 1" in message and "U+001B" in message


def test_text_in_neither_utf8_nor_windows_1251_is_refused_with_where():
    message = refused(b"name,country\nA,KZ\n\x98\x98,KZ\n")  # 0x98 is no character in Windows-1251
    assert "neither UTF-8 nor Windows-1251" in message and "byte 18, line 3" in message


@pytest.mark.parametrize("cut", [0, 1])
def test_where_a_big_file_stops_being_text_is_found_across_the_pieces_it_is_checked_in(cut):
    # The encoding is checked a mebibyte at a time; with cut=1 a two-byte letter straddles where one piece ends.
    head = b"name,country\n"
    body = head + b"x" * ((1 << 20) - cut - len(head)) + "Ж".encode() * 1000
    message = refused(body + b"\x98\xff,KZ\n")
    assert f"byte {len(body)}, line 2" in message


def test_a_windows_1251_file_bigger_than_a_piece_is_read_whole():
    data = ("name,country\n" + "Убежище,KZ\n" * 200_000).encode("cp1251")
    sheet = read_sheet(data)
    assert sheet.encoding == "Windows-1251"
    assert sum(1 for _ in sheet.rows) == 200_000


@pytest.mark.parametrize("data", [b"", b"  \r\n ", b"\xef\xbb\xbf"])
def test_an_empty_file_is_refused(data):
    assert "empty" in refused(data)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    message = refused(b"name\n" + b"x" * (1024 * 1024))
    assert "files up to 1 MB can be imported" in message


# -- XLSX ---------------------------------------------------------------------------------------------------------


def test_an_xlsx_workbook_reads_its_first_sheet_with_dates_and_numbers_as_text():
    data = workbook(
        ["name", "last_verified_on", "beds", "latitude", "free"],
        ["Центр «Жан»", datetime.datetime(2025, 1, 31), 12, 43.2389, True],
        ["=1+1", datetime.date(2024, 12, 1), 12.0, None, False],  # a formula: its saved value, never run
    )
    sheet = read_sheet(data, "centres.xlsx")
    assert rows_of(sheet) == [
        ["name", "last_verified_on", "beds", "latitude", "free"],
        ["Центр «Жан»", "2025-01-31", "12", "43.2389", "true"],
        ["", "2024-12-01", "12", "", "false"],
    ]
    assert sheet.describe() == "XLSX, sheet «centres»"


def test_a_sheet_can_be_chosen_by_name():
    book = Workbook()
    book.active.append(["notes"])
    book.create_sheet("Центры").append(["name"])
    stream = io.BytesIO()
    book.save(stream)
    assert read_sheet(stream.getvalue(), sheet="Центры").header == ["name"]
    assert "has no sheet «Другой»; its sheets: Sheet, Центры" in refused(stream.getvalue(), sheet="Другой")


def test_an_xlsx_named_csv_is_read_as_the_workbook_it_is():
    assert read_sheet(workbook(["name"], ["A"]), "centres.csv").kind == "xlsx"


def test_a_csv_named_xlsx_is_refused_clearly():
    assert "is named like a spreadsheet, but it is not an XLSX file" in refused(b"name\nA\n", "centres.xlsx")


def test_a_workbook_with_macros_is_refused():
    data = with_member(workbook(["name"]), "xl/vbaProject.bin", b"\x00" * 64)
    assert "holds macros" in refused(data, "centres.xlsm")


def test_a_zip_bomb_is_refused_before_it_is_opened():
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("xl/workbook.xml", b"<workbook/>")
        bomb.writestr("xl/worksheets/sheet1.xml", b"\x00" * (210 * 1024 * 1024))  # compresses to about 200 KB
    assert "unpacks to far more" in refused(stream.getvalue(), "centres.xlsx")
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        for n in range(600):
            archive.writestr(f"xl/part{n}.xml", b"")
    assert "unpacks to far more" in refused(many.getvalue(), "centres.xlsx")


def test_xml_entities_in_a_workbook_are_never_expanded():
    data = workbook(["name"], ["A"])
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        sheet = source.read("xl/worksheets/sheet1.xml").decode()
    laughs = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    poisoned = laughs + sheet.replace("<t>A</t>", "<t>&b;</t>")
    stream = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(stream, "w") as target:
        for member in source.infolist():
            body = poisoned.encode() if member.filename == "xl/worksheets/sheet1.xml" else source.read(member.filename)
            target.writestr(member, body)
    assert "cannot be read" in refused(stream.getvalue(), "centres.xlsx")


def test_a_damaged_workbook_is_refused():
    assert "damaged" in refused(workbook(["name"])[:200], "centres.xlsx")
