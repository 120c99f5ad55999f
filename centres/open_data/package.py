"""The HSDS 3.1 tabular package: a zip of one CSV file per table and the `datapackage.json` that describes them,
at `/<lang>/open-data/hsds.zip` and from `manage.py export_hsds`.

Every row comes from the objects of `hsds.py` (`page_of_services`, `rows_of_service`), so the package says what the
API says and nothing more: what a public page shows (DESIGN.md section 6). A row with a key its table has no field
for stops the export (`PackageError`): a change of the mapping can never silently drop data.

Memory stays flat however many centres there are: services are read a chunk at a time, each table's CSV is written
to a file of its own in a temporary folder, and the files are then added to the zip one by one.
"""

import copy
import csv
import itertools
import json
import re
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urljoin

from django.core.cache import cache
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from centres.columns import MAY_NEED_ESCAPING, escape_formula
from centres.limits import rate_limited
from centres.models import CountryRules, today
from centres.open_data import hsds, schemas

# Services read, and made into rows, at a time. A chunk of centres with their phones and services is some 20 MB a
# thousand, and the database iterator holds the last chunk while it reads the next: 500 keeps the export's peak
# growth near 25 MB, where 2,000 took it over 60 MB, in about the same time.
CHUNK_SIZE = 500
STEM = "hsds"  # the download is hsds-<date>.zip
BUILDING_KEY = "centres:open-data:building"
BUILDING_SECONDS = 300  # held at most this long, should a worker die while it builds
PACKAGE_NAME = "crisis-centre-directory-hsds"
LICENCE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0",
}
# The parts of an official resource we keep as they are.
RESOURCE_KEYS = ("name", "path", "description", "format", "mediatype", "profile")
# JSON Schema types of the properties that are table columns (the others are nested objects and lists).
SCALAR_TYPES = {"string": "string", "number": "number", "integer": "integer", "boolean": "boolean"}
# Tables whose empty cells are empty texts, not missing values: an address's street (none published for a hidden or
# city-only centre) and postal code (none recorded) are required, and may be "" as in the API's objects. Every field
# of these tables is a text, so no number or date is left to read "" as missing.
EMPTY_IS_TEXT = {"address"}
_HOURS_AND_MINUTES = re.compile(r"\d\d:\d\d")


class PackageError(ValueError):
    """The mapping and the package's tables disagree: a row holds what its table has no field for."""


# -- datapackage.json --------------------------------------------------------------------------------------------


def datapackage(base_url: str | None = None) -> dict:
    """HSDS 3.1's tabular profile describing exactly the files we write, in `hsds.TABLES` order: each table as the
    official datapackage.json describes it (foreign keys to tables we do not ship left out), with the fields it
    lacks read from the object's JSON Schema. `base_url` (the site's address) gives the open-data page as the
    package's homepage."""
    official = {resource["name"]: resource for resource in schemas.official_datapackage()["resources"]}
    shipped = {name for name, _path in hsds.TABLES}
    package = {
        "name": PACKAGE_NAME,
        "title": _("Crisis Centre Directory"),
        "profile": "tabular-data-package",
        "version": hsds.VERSION,
        "licenses": [dict(LICENCE)],
        "created": timezone.now().replace(microsecond=0).isoformat().replace("+00:00", "Z"),
    }
    if base_url:
        package["homepage"] = urljoin(base_url, reverse("centres:open_data"))
    package["resources"] = [_resource(official[name], path, shipped) for name, path in hsds.TABLES]
    return package


def _resource(official: dict, path: str, shipped: set[str]) -> dict:
    if official["path"] != path:
        raise PackageError(f"{official['name']}: the official file is {official['path']}, we write {path}")
    resource = {key: copy.deepcopy(official[key]) for key in RESOURCE_KEYS if key in official}
    resource["encoding"] = "utf-8"
    given = official.get("schema", {})
    table_schema: dict[str, Any] = {"fields": _fields(official["name"], given.get("fields", []))}
    if "primaryKey" in given:
        table_schema["primaryKey"] = copy.deepcopy(given["primaryKey"])
    keys = [key for key in given.get("foreignKeys", []) if key["reference"]["resource"] in shipped]
    if keys:
        table_schema["foreignKeys"] = copy.deepcopy(keys)
    if official["name"] in EMPTY_IS_TEXT:
        table_schema["missingValues"] = []
    resource["schema"] = table_schema
    return resource


def _fields(name: str, official: list[dict]) -> list[dict]:
    """The official fields; where they lack some of the object's scalar properties (`service_capacity` lists only
    its two ids, `unit` nothing), every scalar property in the schema's order, official where given."""
    object_schema = schemas.schema(name)
    properties = object_schema["properties"]
    scalar = [key for key, spec in properties.items() if spec.get("type") in SCALAR_TYPES]
    given = {each["name"]: each for each in official}
    if all(key in given for key in scalar):
        return copy.deepcopy(official)
    required = set(object_schema.get("required", [])) | set(object_schema.get("tabular_required", []))
    found = [
        copy.deepcopy(given[key]) if key in given else _derived(key, properties[key], key in required) for key in scalar
    ]
    return found + [copy.deepcopy(each) for each in official if each["name"] not in scalar]


def _derived(name: str, spec: dict, required: bool) -> dict:
    """A table field from a JSON Schema property: its type (a date-time string is a datetime), title and
    description, and whether it is required."""
    kind = spec.get("datapackage_type") or (
        "datetime" if spec.get("format") == "date-time" else SCALAR_TYPES[spec["type"]]
    )
    found = {"name": name, "type": kind}
    for key in ("title", "description"):
        if key in spec:
            found[key] = spec[key]
    if kind == "string" and spec.get("format") in ("uuid", "uri", "email"):
        found["format"] = spec["format"]
    found["constraints"] = {"required": required, "unique": name == "id"}
    return found


# -- cells ---------------------------------------------------------------------------------------------------------


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        raise PackageError(f"a cell cannot hold {type(value).__name__} {value!r}")
    return str(value)


def _text(value: Any) -> str:
    """A text as a spreadsheet program will not run it: quoted as `exports.iter_csv` quotes the public CSV export's
    cells (`columns.escape_formula`); one leading quote before a formula character is to be stripped on reading
    (`columns.unescape_formula`)."""
    cell = _plain(value)
    return escape_formula(cell) if cell[:1] in MAY_NEED_ESCAPING else cell


def _time(value: Any) -> str:
    """A time as Table Schema's `time` type reads it by default, HH:MM:SS (the objects say HH:MM)."""
    cell = _plain(value)
    return f"{cell}:00" if _HOURS_AND_MINUTES.fullmatch(cell) else cell


# Texts that can hold no formula, written as they are: a phone number is digits, spaces, brackets and hyphens after
# an optional "+" (`models.phone_number_validator`), and a directory taking the package must get "+7 727 …", as the
# API gives it, not "'+7 727 …" (a spreadsheet shows #NAME? or a sum for it; nothing runs).
AS_THEY_ARE = {("phone", "number")}


def _cell_writer(table: str, spec: dict) -> Callable[[Any], str]:
    """How a field's values are written: texts quoted against formulas; ids (UUIDs), numbers, dates, booleans and
    phone numbers as they are, which no spreadsheet runs (a negative number stays a number)."""
    if spec["type"] == "time":
        return _time
    if spec["type"] == "string" and spec.get("format") != "uuid" and (table, spec["name"]) not in AS_THEY_ARE:
        return _text
    return _plain


# -- writing -------------------------------------------------------------------------------------------------------


@dataclass
class Written:
    """What an export wrote: services, rows per table, and how long it took."""

    services: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


class _Tables:
    """One CSV file per table in `folder`, headed by its fields."""

    def __init__(self, resources: list[dict], folder: Path):
        self.files: list[IO[str]] = []
        self.writers: dict[str, Any] = {}
        # Per table: each field's position and how its cells are written, and a row of empty cells.
        self.fields: dict[str, dict[str, tuple[int, Callable[[Any], str]]]] = {}
        self.blank: dict[str, list[str]] = {}
        self.counts: dict[str, int] = {}
        for resource in resources:
            name = resource["name"]
            stream = (folder / resource["path"]).open("w", encoding="utf-8", newline="")
            self.files.append(stream)
            specs = resource["schema"]["fields"]
            self.fields[name] = {spec["name"]: (at, _cell_writer(name, spec)) for at, spec in enumerate(specs)}
            self.blank[name] = [""] * len(specs)
            self.writers[name] = csv.writer(stream, lineterminator="\r\n")
            self.writers[name].writerow([spec["name"] for spec in specs])
            self.counts[name] = 0

    def add(self, table: str, row: dict) -> None:
        fields = self.fields[table]
        cells = self.blank[table].copy()
        for name, value in row.items():
            if name not in fields:
                unknown = sorted(key for key in row if key not in fields)
                raise PackageError(f"{table} has no field for {', '.join(unknown)}")
            if value is not None:
                at, write = fields[name]
                cells[at] = write(value)
        self.writers[table].writerow(cells)
        self.counts[table] += 1

    def add_all(self, rows: Iterable[tuple[str, dict]]) -> None:
        for table, row in rows:
            self.add(table, row)

    def close(self) -> None:
        for stream in self.files:
            stream.close()


def write_package(
    target: IO[bytes] | str | Path,
    *,
    language: str,
    base_url: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Written:
    """Write the package as a zip to `target` (a binary file object, which need not be seekable, or a path), its
    texts in `language`. `progress(services)` is called after each chunk of services."""
    started = time.perf_counter()
    with translation.override(language), tempfile.TemporaryDirectory(prefix="hsds-") as folder:
        package = datapackage(base_url)
        tables = _Tables(package["resources"], Path(folder))
        try:
            services = _write_rows(tables, progress)
        finally:
            tables.close()
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            descriptor = zipfile.ZipInfo("datapackage.json", date_time=time.localtime()[:6])
            descriptor.compress_type = zipfile.ZIP_DEFLATED
            descriptor.external_attr = 0o644 << 16  # readable by all once unpacked, as the CSV files are
            archive.writestr(descriptor, json.dumps(package, ensure_ascii=False, indent=2) + "\n")
            for resource in package["resources"]:
                archive.write(Path(folder) / resource["path"], arcname=resource["path"])
    return Written(services=services, rows=dict(tables.counts), seconds=time.perf_counter() - started)


def _write_rows(tables: _Tables, progress: Callable[[int], None] | None) -> int:
    """Every table's rows; the number of services."""
    written: set[str] = set()  # the organizations written: each once
    operators = hsds.organizations().iterator(chunk_size=CHUNK_SIZE)
    while chunk := list(itertools.islice(operators, CHUNK_SIZE)):
        countries = hsds.operator_countries(operator.pk for operator in chunk)
        for operator in chunk:
            organization = hsds.organization(operator, countries[operator.pk])
            tables.add_all(hsds.rows_of("organization", organization))
            written.add(organization["id"])
    if hsds.has_unrecorded():
        organization = hsds.organization(None, hsds.operator_countries([None])[None])
        tables.add_all(hsds.rows_of("organization", organization))
        written.add(organization["id"])

    rules = CountryRules.for_countries()
    count = 0
    centres = hsds.with_phones(hsds.services()).iterator(chunk_size=CHUNK_SIZE)
    while chunk := list(itertools.islice(centres, CHUNK_SIZE)):
        for service in hsds.page_of_services(chunk, rules):
            if service["organization_id"] not in written:
                # Its operator's first public centre was published after the organizations were read: written
                # now, from the service's own, so that no service points at an organization the package lacks.
                tables.add_all(hsds.rows_of("organization", service["organization"]))
                written.add(service["organization_id"])
            tables.add_all(hsds.rows_of_service(service))
        count += len(chunk)
        if progress is not None:
            progress(count)

    tables.add_all(hsds.rows_of("taxonomy", hsds.taxonomy()))
    for term in hsds.terms():
        tables.add_all(hsds.rows_of("taxonomy_term", hsds.taxonomy_term(term)))
    tables.add_all(hsds.rows_of("unit", hsds.unit()))
    return count


def filename() -> str:
    return f"{STEM}-{today().isoformat()}.zip"


# -- the download --------------------------------------------------------------------------------------------------


@require_safe
@rate_limited("export")
def hsds_zip(request: HttpRequest) -> HttpResponse:
    """The package for anyone, in the page's language: built into a temporary file (a failure shows as an error,
    not as a cut-off download), then sent from it. Nothing about the visitor is kept: no cookie, no log, and no
    export record (the export log has no kind for this package; anonymous downloads are never recorded anyway)."""
    # One package is made at a time on the whole site (with a shared cache; in each process without one): a
    # download keeps a worker busy for its building, and the public pages must never wait behind several.
    if not cache.add(BUILDING_KEY, True, BUILDING_SECONDS):
        response = HttpResponse(
            _("The package is being made for someone else just now. Please try again in a minute."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = "60"
        return response
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response once sent
    try:
        write_package(spool, language=translation.get_language(), base_url=request.build_absolute_uri("/"))
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    finally:
        cache.delete(BUILDING_KEY)
    response = FileResponse(spool, as_attachment=True, filename=filename(), content_type="application/zip")
    response["Cache-Control"] = "no-store"
    return response
