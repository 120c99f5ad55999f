"""The worst files an editor could upload: each is refused with a message naming where (row and column, or line, or
byte), and afterwards every centre, phone, operator and compliance table, and its history table, has exactly the
rows it had. And the good file of a thousand rows: in one step, then again with nothing to change."""

import csv
import io
import re
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import Workbook

from centres import imports
from centres.models import Centre, CentrePhone, Compliance, Operator
from tests.conftest import csv_of, make_centre, make_operator, with_member

pytestmark = pytest.mark.django_db

TABLES = (Centre, CentrePhone, Operator, Compliance)
GOOD = ["name", "country", "city", "services", "beds", "beds_free", "latitude", "longitude", "public_notes"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def directory(almaty):
    operator = make_operator(name="Фонд «Шанырак»", kind="cso")
    existing = make_centre(
        name="Центр «Жан»", city=almaty, operator=operator, phones=[("", "150", True)], address="ул. Абая, 1"
    )
    make_centre(name="Убежище «Тайна»", city=almaty, address_visibility="city", address="ул. Потайная, 7")
    return existing


def counts() -> dict[str, int]:
    found = {}
    for model in TABLES:
        found[model.__name__] = model.objects.count()
        found[f"history of {model.__name__}"] = model.history.count()
    return found


def csv_bytes(*rows: list[str], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    stream = io.StringIO(newline="")
    csv.writer(stream, delimiter=delimiter).writerows(rows)
    return stream.getvalue().encode(encoding)


def good_row(n: int, **changes: str) -> list[str]:
    values = {
        "name": f"Центр №{n}",
        "country": "KZ",
        "city": "Алматы",
        "services": "shelter;legal",
        "beds": "10",
        "beds_free": "2",
        "latitude": "43.25",
        "longitude": "76.91",
        "public_notes": "Звоните заранее.",
    }
    values.update(changes)
    return [values[column] for column in GOOD]


def thousand_with_one_bad(at: int) -> bytes:
    return csv_bytes(GOOD, *[good_row(n, beds="many" if n == at else "10") for n in range(1000)])


def workbook(*rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def zip_bomb() -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("xl/workbook.xml", b"<workbook/>")
        bomb.writestr("xl/worksheets/sheet1.xml", b"\x00" * (210 * 1024 * 1024))
    return stream.getvalue()


def entity_expansion() -> bytes:
    data = workbook(["name"], ["A"])
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        sheet = source.read("xl/worksheets/sheet1.xml").decode()
    laughs = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    stream = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(stream, "w") as target:
        for member in source.infolist():
            body = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                body = (laughs + sheet.replace("<t>A</t>", "<t>&b;</t>")).encode()
            target.writestr(member, body)
    return stream.getvalue()


# (file name, contents or a function of the existing centre giving them, what the message must say)
BAD_FILES = {
    "empty": ("centres.csv", b"", "The file is empty."),
    "blank lines only": ("centres.csv", b"\r\n\r\n", "The file is empty."),
    "header only": ("centres.csv", b"name,country\r\n", "header but no rows"),
    "no id and no name column": ("centres.csv", csv_bytes(["country"], ["KZ"]), "needs an id or a name column"),
    "unknown column": ("centres.csv", csv_bytes(["name", "emial"], ["A", "x"]), "Row 1, column emial: unknown column"),
    "duplicate column": ("centres.csv", csv_bytes(["name", "name"], ["A", "B"]), "Row 1, column name: this column"),
    # 0x98 is a character in Windows-1252 (˜), none in Windows-1251: neither encoding we read can be meant.
    "windows-1252 text": ("centres.csv", "name\r\nCafé ˜\r\n".encode("cp1252"), "neither UTF-8 nor Windows-1251"),
    "invalid utf-8 after a bom": ("centres.csv", b"\xef\xbb\xbfname\r\n\xff\xfe\r\n", "(at byte 9, line 2)"),
    "nul byte": ("centres.csv", b"name,country\r\nA\x00,KZ\r\n", "NUL byte at byte 15 (line 2)"),
    "control character": ("centres.csv", b"name,country\r\nA\x07,KZ\r\n", "Line 2 (row 2), cell 1"),
    "over-long cell": ("centres.csv", csv_bytes(["name", "hours"], ["A", "x" * 501]), "Row 2, column hours"),
    "over-long notes": ("centres.csv", csv_bytes(["name", "public_notes"], ["A", "x" * 5001]), "at most 5000"),
    "unclosed quote in the notes": (
        "centres.csv",
        b'name,country,public_notes\r\nA,KZ,"open\r\nB,KZ,x\r\n',
        "Line 2 (row 2): a quote opened here is never closed",
    ),
    "a quote closed rows later": (
        "centres.csv",
        b'name,country,city,public_notes\r\nA,KZ,,"x\r\nB,KZ,Almaty,y"\r\n',
        "runs over several lines that read like rows",
    ),
    "extra cells": ("centres.csv", b"name,country\r\nA,KZ,extra\r\n", "Row 2: This row (line 2) has more cells"),
    "comma decimals unquoted in a comma file": (
        "centres.csv",
        b"name,country,beds\r\nA,KZ,1,5\r\n",
        "has more cells than the header",
    ),
    "latitude out of range": (
        "centres.csv",
        csv_bytes(["name", "country", "latitude", "longitude"], ["A", "KZ", "95", "76"]),
        "Row 2, column latitude",
    ),
    "longitude out of range": (
        "centres.csv",
        csv_bytes(["name", "country", "latitude", "longitude"], ["A", "KZ", "43", "-200"]),
        "Row 2, column longitude",
    ),
    "point far from its city": (
        "centres.csv",
        csv_bytes(["name", "country", "city", "latitude", "longitude"], ["A", "KZ", "Алматы", "51.1", "71.4"]),
        "km from Almaty: more than 50 km",
    ),
    "unknown region code": ("centres.csv", csv_bytes(["name", "region"], ["A", "KZ-99"]), "Row 2, column region"),
    "unknown city": ("centres.csv", csv_bytes(["name", "country", "city"], ["A", "KZ", "Атлантида"]), "column city"),
    "city in another country": (
        "centres.csv",
        csv_bytes(["name", "country", "city"], ["A", "KG", "Алматы"]),
        "Row 2, column city",
    ),
    "unknown service code": ("centres.csv", csv_bytes(["name", "services"], ["A", "spa"]), "Row 2, column services"),
    "invalid date": ("centres.csv", csv_bytes(["name", "last_verified_on"], ["A", "31.02.2026"]), "not a valid date"),
    "invalid yes/no": ("centres.csv", csv_bytes(["name", "free"], ["A", "maybe"]), "Row 2, column free"),
    "negative beds": ("centres.csv", csv_bytes(["name", "beds"], ["A", "-3"]), "Row 2, column beds"),
    "places free above beds": (
        "centres.csv",
        csv_bytes(["name", "country", "beds", "beds_free"], ["A", "KZ", "2", "5"]),
        "Row 2, column beds_free",
    ),
    "6,000 phones in a cell": (
        "centres.csv",
        csv_bytes(["name", "phones"], ["A", ";".join(["150"] * 6000)]),
        "6000 phone numbers",
    ),
    "a bad phone number": ("centres.csv", csv_bytes(["name", "phones"], ["A", "Дежурный: abc"]), "column phones"),
    "an invalid email": ("centres.csv", csv_bytes(["name", "country", "email"], ["A", "KZ", "abc"]), "column email"),
    "closed without a reason": (
        "centres.csv",
        csv_bytes(["name", "country", "status"], ["A", "KZ", "closed"]),
        "Row 2, column closure_reason",
    ),
    "new operator without its kind": (
        "centres.csv",
        csv_bytes(["name", "operator"], ["A", "Новый фонд"]),
        "Row 2, column operator_kind",
    ),
    "duplicate rows": ("centres.csv", csv_bytes(["name", "country"], ["A", "KZ"], ["A", "KZ"]), "same new centre"),
    "one bad row among 1,000, the first": ("centres.csv", thousand_with_one_bad(0), "Row 2, column beds"),
    "one bad row among 1,000, in the middle": ("centres.csv", thousand_with_one_bad(500), "Row 502, column beds"),
    "one bad row among 1,000, the last": ("centres.csv", thousand_with_one_bad(999), "Row 1001, column beds"),
    "id of one centre, name of another": (
        "centres.csv",
        lambda centre: csv_bytes(["id", "name", "city", "version"], [str(centre.pk), "Убежище «Тайна»", "Алматы", "1"]),
        "Row 2, column id: the id names «Центр «Жан»»",
    ),
    "a version from the future": (
        "centres.csv",
        lambda centre: csv_bytes(["id", "name", "version"], [str(centre.pk), "X", "99"]),
        "Row 2, column version",
    ),
    "a version that is no number": (
        "centres.csv",
        lambda centre: csv_bytes(["id", "name", "version"], [str(centre.pk), "X", "two"]),
        "Row 2, column version",
    ),
    "a changed slug": (
        "centres.csv",
        lambda centre: csv_bytes(["id", "slug", "version"], [str(centre.pk), "another-slug", "1"]),
        "Row 2, column slug",
    ),
    "an address not public in public notes": (
        "centres.csv",
        lambda centre: csv_bytes(["id", "public_notes", "version"], [str(centre.pk), "Рядом: ул. Потайная, 7", "1"]),
        "Row 2, column public_notes: holds the address of «Убежище «Тайна»»",
    ),
    "a zip bomb named xlsx": ("centres.xlsx", zip_bomb(), "unpacks to far more"),
    "a workbook with macros": ("centres.xlsm", with_member(workbook(["name"]), "xl/vbaProject.bin", b"x"), "macros"),
    "xml entity expansion": ("centres.xlsx", entity_expansion(), "cannot be read"),
    "a csv named xlsx": ("centres.xlsx", b"name\r\nA\r\n", "not an XLSX file"),
    "a damaged workbook": ("centres.xlsx", workbook(["name"], ["A"])[:300], "damaged"),
    "a workbook with a header only": ("centres.xlsx", workbook(["name", "country"]), "header but no rows"),
    "a workbook with a bad cell": ("centres.xlsx", workbook(["name", "beds"], ["A", "many"]), "Row 2, column beds"),
}


@pytest.mark.parametrize("case", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_is_refused_saying_where_and_changes_nothing(tmp_path, directory, case):
    filename, contents, message = case
    data = contents(directory) if callable(contents) else contents
    before = counts()
    plan = imports.validate(data, filename=filename, overwrite=True)
    assert not plan.writable
    assert any(message in str(error) for error in plan.errors), [str(error) for error in plan.errors]
    if len(data) < 50_000:  # the thousand-row files: planned once is enough (the command plans them the same way)
        path = tmp_path / filename
        path.write_bytes(data)
        with pytest.raises(CommandError):
            call_command("import_centres", str(path), "--overwrite-all", stdout=io.StringIO(), stderr=io.StringIO())
    assert counts() == before


def test_the_corpus_holds_at_least_forty_bad_files():
    assert len(BAD_FILES) >= 40


def test_a_file_too_large_or_too_long_is_refused_and_changes_nothing(settings, directory):
    before = counts()
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    (error,) = imports.validate(csv_bytes(["name"], *[["x" * 100] for _ in range(21_000)])).errors
    assert str(error) == "The file is 2 MB; files up to 1 MB can be imported. Split it into several files."
    settings.IMPORT_MAX_BYTES = 20 * 1024 * 1024
    settings.IMPORT_MAX_ROWS = 10
    (error,) = imports.validate(csv_bytes(GOOD, *[good_row(n) for n in range(30)])).errors
    assert str(error) == "The file has more than 10 rows; import it in several files."
    assert counts() == before


def test_a_huge_file_is_refused_by_its_size_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "centres.csv"
    with path.open("wb") as file:
        file.truncate(8 * 1024**3)  # 8 GB, sparse: reading it whole would take that much memory
    monkeypatch.setattr(type(path), "read_bytes", lambda self: pytest.fail("the whole file was read"))
    (error,) = imports.validate(path, filename=path.name).errors
    assert str(error) == "The file is 8192 MB; files up to 20 MB can be imported. Split it into several files."


def test_a_good_thousand_rows_import_in_one_step_and_again_change_nothing(tmp_path, almaty):
    path = tmp_path / "centres.csv"
    path.write_bytes(csv_bytes(GOOD, *[good_row(n) for n in range(1000)]))
    err = io.StringIO()
    call_command("import_centres", str(path), stdout=io.StringIO(), stderr=err)
    assert re.search(r"centres\.csv imported in [\d.]+ s: 1000 created, 0 changed, 0 unchanged\.\n$", err.getvalue())
    again = imports.validate(path.read_bytes(), filename=path.name)
    assert (again.created, again.changed, again.unchanged, again.conflicts) == (0, 0, 1000, [])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_import_export_gives_the_same_file(tmp_path, directory, fmt):
    first, second = tmp_path / f"first.{fmt}", tmp_path / f"second.{fmt}"
    call_command("export_centres", "--format", fmt, "--output", str(first), stderr=io.StringIO())
    call_command("import_centres", str(first), stdout=io.StringIO(), stderr=io.StringIO())
    call_command("export_centres", "--format", fmt, "--output", str(second), stderr=io.StringIO())
    if fmt == "csv":
        assert first.read_bytes() == second.read_bytes()
    else:
        assert rows_of_workbook(first) == rows_of_workbook(second)
    assert csv_of(Centre.objects.order_by("country", "name", "id"))


def rows_of_workbook(path) -> list[tuple]:
    from openpyxl import load_workbook

    return list(load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))
