"""The HSDS 3.1 tabular package (centres/open_data/package.py, `export_hsds`, `/<lang>/open-data/hsds.zip`): every row
valid against the official schema of its object, every file exactly as datapackage.json describes it, keys that
hold, ids that never change, and nothing a public page does not show."""

import csv
import datetime
import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from centres.models import Centre, CountryRules, Operator, today
from centres.open_data import hsds, package
from centres.open_data.package import datapackage, write_package
from tests.conftest import make_centre, make_operator
from tests.hsds_validation import assert_valid, errors

pytestmark = pytest.mark.django_db

SECRET_ADDRESS = "ул. Потайная, 77, вход со двора"
SECRET_LATITUDE, SECRET_LONGITUDE = Decimal("43.123457"), Decimal("76.987653")
PUBLIC_LATITUDE, PUBLIC_LONGITUDE = Decimal("43.238949"), Decimal("76.889709")
SECRETS = {
    "internal_notes": "ВНУТРЕННЯЯ-ЗАМЕТКА-7f3a",
    "source": "ИСТОЧНИК-ЗВОНОК-91bc",
    "licence_number": "ЛИЦЕНЗИЯ-№-5d2e",
    "licence_authority": "ОРГАН-ЛИЦЕНЗИРОВАНИЯ-c0de",
    "registration_number": "990140000123",
    "operator_website": "https://operator-secret-site.example/",
}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
TIME = re.compile(r"\d\d:\d\d:\d\d")
NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")


# -- reading a package back ----------------------------------------------------------------------------------------


@dataclass
class Package:
    descriptor: dict
    members: dict[str, str]  # file name → its text
    tables: dict[str, list[dict[str, str]]]  # table → rows, each its header's cells
    headers: dict[str, list[str]]

    def resource(self, name: str) -> dict:
        return next(resource for resource in self.descriptor["resources"] if resource["name"] == name)

    def ids(self, table: str) -> set[str]:
        return {row["id"] for row in self.tables[table]}

    def text(self) -> str:
        return "\n".join(self.members.values())


def read(data: bytes) -> Package:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        members = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    descriptor = json.loads(members["datapackage.json"])
    tables, headers = {}, {}
    for resource in descriptor["resources"]:
        rows = list(csv.reader(io.StringIO(members[resource["path"]], newline="")))
        headers[resource["name"]] = rows[0]
        tables[resource["name"]] = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    return Package(descriptor, members, tables, headers)


def exported(language: str = "ru", **options) -> bytes:
    stream = io.BytesIO()
    write_package(stream, language=language, **options)
    return stream.getvalue()


def typed(value: str, spec: dict):
    """A cell as its field's type reads it (Table Schema's default formats); an AssertionError if it does not."""
    kind, form = spec["type"], spec.get("format")
    if kind == "string":
        if form == "uuid":
            assert UUID.fullmatch(value), (spec["name"], value)
            assert str(uuid.UUID(value)) == value
        return value
    if kind == "number":
        assert NUMBER.fullmatch(value), (spec["name"], value)
        return int(value) if value.lstrip("-").isdigit() else float(value)
    if kind == "integer":
        return int(value)
    if kind == "boolean":
        assert value in ("true", "false"), (spec["name"], value)
        return value == "true"
    if kind == "date":
        datetime.date.fromisoformat(value)
        assert len(value) == 10, (spec["name"], value)
        return value
    if kind == "datetime":
        assert DATETIME.fullmatch(value), (spec["name"], value)
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return value
    if kind == "time":
        assert TIME.fullmatch(value), (spec["name"], value)
        datetime.time.fromisoformat(value)
        return value
    raise AssertionError(f"{spec['name']}: a type the package does not use: {kind}")


def as_objects(found: Package, table: str) -> list[dict]:
    """Each row of `table` turned back into an object: cells typed by their fields, missing values (by the table's
    `missingValues`, [""] unless it says otherwise) dropped; a capacity's unit put back from the units' table."""
    resource = found.resource(table)
    specs = {spec["name"]: spec for spec in resource["schema"]["fields"]}
    missing = resource["schema"].get("missingValues", [""])
    units = {row["id"]: obj for row, obj in zip(found.tables["unit"], _objects(found, "unit"), strict=True)}
    objects = []
    for row in found.tables[table]:
        obj = {name: typed(value, specs[name]) for name, value in row.items() if value not in missing}
        if table == "service_capacity":
            obj["unit"] = units[obj["unit_id"]]
        objects.append(obj)
    return objects


def _objects(found: Package, table: str) -> list[dict]:
    resource = found.resource(table)
    specs = {spec["name"]: spec for spec in resource["schema"]["fields"]}
    return [{name: typed(value, specs[name]) for name, value in row.items() if value} for row in found.tables[table]]


# -- the world -----------------------------------------------------------------------------------------------------


def fresh() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=2)


def shelter(name: str, visibility: str, almaty, **overrides) -> Centre:
    values = {
        "name": name,
        "city": almaty,
        "services": ["shelter", "psychological"],
        "address": SECRET_ADDRESS,
        "address_visibility": visibility,
        "latitude": SECRET_LATITUDE,
        "longitude": SECRET_LONGITUDE,
        "beds": 12,
        "beds_free": 3,
        "beds_free_updated_at": fresh(),
    }
    values.update(overrides)
    return make_centre(**values)


@pytest.fixture
def world(almaty) -> dict[str, Centre]:
    operator = make_operator(
        name="Фонд «Мейірім»",
        registration_number=SECRETS["registration_number"],
        website=SECRETS["operator_website"],
    )
    state = make_operator(name="Управление соцзащиты", kind="state")
    found = {
        "public": shelter(
            "Приют «Открытый»",
            "public",
            almaty,
            operator=operator,
            address="ул. Абая, 10",
            latitude=PUBLIC_LATITUDE,
            longitude=PUBLIC_LONGITUDE,
            beds_free=4,
            phones=[("Горячая линия", "+7 727 000 0000", True), ("", "8 800 080 7777", False)],
            opening_hours="Mo-Fr 09:00-18:00; Sa 10:00-14:00",
            hours="Обед с 13 до 14",
            accessible=True,
            free=True,
            referral_needed=False,
            accepts_children=True,
            boys_max_age=12,
            documents_needed="id",
            public_notes="Помогаем женщинам и детям.",
            website="https://priut.example.kz/",
            email="help@priut.example.kz",
            internal_notes=SECRETS["internal_notes"],
            source=SECRETS["source"],
            compliance={
                "licence_number": SECRETS["licence_number"],
                "licence_authority": SECRETS["licence_authority"],
            },
        ),
        "hidden": shelter(
            "Приют «Тайный»", "hidden", almaty, operator=operator, phones=[("", "+7 701 111 2233", True)]
        ),
        "city": shelter("Приют «Городской»", "city", almaty, operator=state, open_24_7=True),
        "stale": shelter(
            "Приют «Давний»",
            "public",
            almaty,
            operator=state,
            address="ул. Сейфуллина, 5",
            latitude=Decimal("43.261000"),
            longitude=Decimal("76.945000"),
            beds_free=6,
            beds_free_updated_at=timezone.now() - datetime.timedelta(days=8),
        ),
        "unrecorded": make_centre(
            name="Центр без оператора",
            city=almaty,
            services=["legal"],
            status="temporarily_closed",
            opening_hours="by appointment",
        ),
        "draft": make_centre(
            name="Черновик «Невидимый»", operator=make_operator(name="Фонд черновика"), published=False
        ),
        "closed": make_centre(
            name="Закрытый «Бывший»", status="closed", closure_reason="Закрыт", operator=make_operator()
        ),
        "archived": make_centre(name="Архивный «Дубль»", archived=True),
    }
    return found


@pytest.fixture
def exported_world(world) -> Package:
    return read(exported())


def service_of(found: Package, centre: Centre) -> dict[str, str]:
    return next(row for row in found.tables["service"] if row["id"] == str(centre.pk))


def location_of(found: Package, centre: Centre) -> dict[str, str]:
    return next(row for row in found.tables["location"] if row["id"] == hsds.stable_id("location", centre.pk))


def address_of(found: Package, centre: Centre) -> dict[str, str]:
    return next(row for row in found.tables["address"] if row["id"] == hsds.stable_id("address", centre.pk))


# -- every row valid ----------------------------------------------------------------------------------------------


def test_every_row_of_every_table_validates_as_its_object(exported_world):
    checked = 0
    for name, _path in hsds.TABLES:
        for obj in as_objects(exported_world, name):
            assert_valid(name, obj)
            checked += 1
    assert checked > 50
    for name in ("organization", "service", "location", "address", "phone", "schedule", "language", "attribute"):
        assert exported_world.tables[name], name
    assert len(exported_world.tables["service_capacity"]) == 1


def test_a_row_missing_what_its_object_requires_would_fail(exported_world):
    """Guards the test above: the validation does reject a row that lacks a required value."""
    service = as_objects(exported_world, "service")[0]
    del service["name"]
    assert errors("service", service)
    capacity = as_objects(exported_world, "service_capacity")[0]
    del capacity["unit"]
    assert errors("service_capacity", capacity)


def test_nested_services_validate_as_services(world):
    found = hsds.page_of_services(list(hsds.with_phones(hsds.services())), CountryRules.for_countries())
    assert len(found) == 5
    for service in found:
        assert_valid("service", service)


# -- the files are what datapackage.json says ----------------------------------------------------------------------


def test_the_files_are_exactly_the_resources_in_the_tables_order(exported_world):
    resources = exported_world.descriptor["resources"]
    assert [(resource["name"], resource["path"]) for resource in resources] == list(hsds.TABLES)
    assert set(exported_world.members) == {"datapackage.json"} | {path for _name, path in hsds.TABLES}
    for resource in resources:
        assert exported_world.headers[resource["name"]] == [spec["name"] for spec in resource["schema"]["fields"]]
        assert resource["format"] == "csv" and resource["mediatype"] == "text/csv"
        assert resource["profile"] == "tabular-data-resource"


def test_every_value_parses_as_its_field_and_required_ones_are_there(exported_world):
    for resource in exported_world.descriptor["resources"]:
        missing = resource["schema"].get("missingValues", [""])
        for spec in resource["schema"]["fields"]:
            constraints = spec.get("constraints", {})
            for row in exported_world.tables[resource["name"]]:
                value = row[spec["name"]]
                if constraints.get("required"):
                    assert value not in missing, (resource["name"], spec["name"], row)
                if value in missing:
                    continue
                typed(value, spec)
                if "enum" in constraints:
                    assert value in constraints["enum"], (resource["name"], spec["name"], value)


def test_primary_keys_and_unique_fields_are_unique(exported_world):
    for resource in exported_world.descriptor["resources"]:
        rows = exported_world.tables[resource["name"]]
        assert resource["schema"]["primaryKey"] == "id"
        unique = [spec["name"] for spec in resource["schema"]["fields"] if spec.get("constraints", {}).get("unique")]
        assert "id" in unique
        for name in unique:
            values = [row[name] for row in rows if row[name]]
            assert len(values) == len(set(values)), (resource["name"], name)


def test_every_foreign_key_points_at_a_row_that_exists(exported_world):
    found = exported_world
    shipped = {name for name, _path in hsds.TABLES}
    pointed = set()
    for resource in found.descriptor["resources"]:
        for key in resource["schema"].get("foreignKeys", []):
            target = key["reference"]["resource"]
            assert target in shipped, (resource["name"], key)
            there = {row[key["reference"]["fields"]] for row in found.tables[target]}
            for row in found.tables[resource["name"]]:
                if row[key["fields"]]:
                    assert row[key["fields"]] in there, (resource["name"], key["fields"], row)
                    pointed.add((resource["name"], key["fields"]))
    assert {
        ("service", "organization_id"),
        ("service_at_location", "service_id"),
        ("service_at_location", "location_id"),
        ("address", "location_id"),
        ("accessibility", "location_id"),
        ("phone", "service_id"),
        ("schedule", "service_id"),
        ("language", "service_id"),
        ("language", "phone_id"),
        ("attribute", "taxonomy_term_id"),
        ("taxonomy_term", "taxonomy_id"),
        ("service_capacity", "service_id"),
        ("service_capacity", "unit_id"),
    } <= pointed
    # The links the official package leaves unstated: an attribute's object, a term's parent.
    for row in found.tables["attribute"]:
        assert row["link_id"] in found.ids(row["link_entity"]), row
    parents = [row["parent_id"] for row in found.tables["taxonomy_term"] if row["parent_id"]]
    assert parents and set(parents) <= found.ids("taxonomy_term")
    # Every organization written once, and each of a service.
    assert {row["organization_id"] for row in found.tables["service"]} <= found.ids("organization")
    assert len(found.tables["organization"]) == 3  # two operators and "not recorded"; the draft's operator is not


def test_the_descriptor_is_hsds_3_1_tabular_under_cc_by(exported_world):
    descriptor = exported_world.descriptor
    assert descriptor["profile"] == "tabular-data-package"
    assert descriptor["version"] == "3.1"
    assert descriptor["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0",
        }
    ]
    assert re.fullmatch(r"[a-z0-9._-]+", descriptor["name"])
    assert descriptor["title"] == "Справочник кризисных центров"
    created = datetime.datetime.fromisoformat(descriptor["created"].replace("Z", "+00:00"))
    assert abs(timezone.now() - created) < datetime.timedelta(minutes=5)
    assert "homepage" not in descriptor  # no site address known
    with_site = datapackage("https://directory.example.org/")
    assert with_site["homepage"] == "https://directory.example.org/ru/open-data/"


def test_fields_the_official_package_lacks_come_from_the_schema():
    resources = {resource["name"]: resource for resource in datapackage()["resources"]}
    capacity = {spec["name"]: spec for spec in resources["service_capacity"]["schema"]["fields"]}
    assert list(capacity) == ["id", "service_id", "unit_id", "available", "maximum", "description", "updated"]
    assert capacity["updated"]["type"] == "datetime"
    assert capacity["available"]["type"] == "number"
    assert capacity["id"]["format"] == "uuid"
    assert [name for name, spec in capacity.items() if spec["constraints"]["required"]] == [
        "id",
        "service_id",
        "unit_id",
        "available",
        "updated",
    ]
    unit = [spec["name"] for spec in resources["unit"]["schema"]["fields"]]
    assert unit == ["id", "name", "scheme", "identifier", "uri"]
    # A table the official package describes fully keeps its fields as they are.
    service = resources["service"]["schema"]
    official = next(r for r in package.schemas.official_datapackage()["resources"] if r["name"] == "service")
    assert service["fields"] == official["schema"]["fields"]
    # Keys to tables we do not ship (a program, a contact) are left out; the others kept.
    assert [key["fields"] for key in service["foreignKeys"]] == ["organization_id"]
    assert "contact_id" not in [key["fields"] for key in resources["phone"]["schema"]["foreignKeys"]]


def test_the_export_reads_in_a_few_queries_a_chunk_whatever_the_number_of_centres(world, almaty, monkeypatch):
    monkeypatch.setattr(package, "CHUNK_SIZE", 4)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            exported()
        return len(captured.captured_queries)

    CountryRules.for_countries()  # kept in the cache from here on
    before = queries()  # 5 services: two chunks
    for number in range(3):
        make_centre(name=f"Центр {number}", city=almaty, operator=world["public"].operator, phones=[("", "150", True)])
    assert queries() == before  # 8 services: still two chunks
    make_centre(name="Ещё один центр", city=almaty, phones=[("", "150", True)])
    assert queries() == before + 2  # a third chunk: its phones, its operators' countries (one query reads them all)


def test_an_operator_published_during_the_export_is_written_from_its_service(world, exported_world, monkeypatch):
    """Organizations are read before services: an operator whose first centre was published in between still gets
    its row, once, so that no service points at a missing organization."""
    monkeypatch.setattr(package.hsds, "organizations", Operator.objects.none)
    monkeypatch.setattr(package.hsds, "has_unrecorded", lambda: False)
    found = read(exported())
    rows = sorted(map(sorted, (row.items() for row in found.tables["organization"])))
    assert rows == sorted(map(sorted, (row.items() for row in exported_world.tables["organization"])))
    assert sorted(found.members["attributes.csv"].splitlines()) == sorted(
        exported_world.members["attributes.csv"].splitlines()
    )


def test_a_row_with_a_key_its_table_lacks_stops_the_export(world, monkeypatch):
    rows_of_service = hsds.rows_of_service

    def with_a_new_key(found):
        for table, row in rows_of_service(found):
            yield table, ({**row, "internal_notes": "x"} if table == "service" else row)

    monkeypatch.setattr(package.hsds, "rows_of_service", with_a_new_key)
    with pytest.raises(package.PackageError, match="internal_notes"):
        exported()


# -- ids ------------------------------------------------------------------------------------------------------------


def test_two_exports_write_the_same_tables(world):
    first, second = read(exported()), read(exported())
    for _name, path in hsds.TABLES:
        assert first.members[path] == second.members[path], path


def test_ids_survive_renaming_a_centre_and_its_operator(world, exported_world):
    centre = world["public"]
    centre.name = "Приют «Новое имя»"
    centre.save()
    centre.operator.name = "Фонд «Новое имя»"
    centre.operator.save()
    after = read(exported())
    assert "Приют «Новое имя»" in after.members["services.csv"]
    assert "Фонд «Новое имя»" in after.members["organizations.csv"]
    for name, _path in hsds.TABLES:
        assert after.ids(name) == exported_world.ids(name), name
    assert service_of(after, centre)["organization_id"] == hsds.organization_id(centre.operator_id)


# -- nothing more than a public page shows ------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["hidden", "city"])
def test_a_hidden_or_city_only_shelter_has_no_street_no_point_and_no_places_free(world, exported_world, almaty, which):
    centre = world[which]
    found = exported_world
    assert service_of(found, centre)["name"] == centre.name
    address = address_of(found, centre)
    assert address["address_1"] == ""
    assert address["city"] == "Алматы"
    location = location_of(found, centre)
    assert location["latitude"] == location["longitude"] == ""
    assert location["description"]
    assert str(centre.pk) not in {row["service_id"] for row in found.tables["service_capacity"]}
    text = found.text()
    assert SECRET_ADDRESS not in text
    assert "Потайная" not in text
    for secret in (SECRET_LATITUDE, SECRET_LONGITUDE):
        assert str(secret).rstrip("0") not in text
    # Not even its city's point, which is where a public page's distances place it.
    assert (centre.public_latitude, centre.public_longitude) == (almaty.latitude, almaty.longitude)
    for coordinate in (almaty.latitude, almaty.longitude):
        assert str(coordinate).rstrip("0") not in text


def test_a_public_shelter_with_a_fresh_figure_has_its_places_free(world, exported_world):
    centre = world["public"]
    (capacity,) = exported_world.tables["service_capacity"]
    assert capacity["service_id"] == str(centre.pk)
    assert capacity["available"] == "4"
    assert capacity["unit_id"] == hsds.UNIT_ID
    assert capacity["updated"]
    location = location_of(exported_world, centre)
    assert float(location["latitude"]) == float(PUBLIC_LATITUDE)
    assert float(location["longitude"]) == float(PUBLIC_LONGITUDE)
    assert address_of(exported_world, centre)["address_1"] == "ул. Абая, 10"


def test_a_stale_figure_is_left_out(world, exported_world):
    stale = world["stale"]
    assert service_of(exported_world, stale)
    assert address_of(exported_world, stale)["address_1"] == "ул. Сейфуллина, 5"
    assert str(stale.pk) not in {row["service_id"] for row in exported_world.tables["service_capacity"]}


def test_a_figure_older_than_the_countrys_own_limit_is_left_out(world, django_capture_on_commit_callbacks):
    rules = CountryRules.objects.get(country="KZ")
    rules.beds_free_max_age_days = 1
    with django_capture_on_commit_callbacks(execute=True):  # the rules kept in the cache are dropped on commit
        rules.save()
    assert read(exported()).tables["service_capacity"]  # two hours old: still fresh
    Centre.objects.filter(pk=world["public"].pk).update(
        beds_free_updated_at=timezone.now() - datetime.timedelta(days=2)
    )
    assert read(exported()).tables["service_capacity"] == []


@pytest.mark.parametrize("which", ["draft", "closed", "archived"])
def test_drafts_closed_and_archived_centres_are_in_no_table(world, exported_world, which):
    centre = world[which]
    text = exported_world.text()
    assert centre.name not in text
    for key in (
        str(centre.pk),
        centre.slug,
        hsds.stable_id("location", centre.pk),
        hsds.stable_id("address", centre.pk),
    ):
        assert key not in text
    if which == "draft":
        assert "Фонд черновика" not in text
        assert hsds.organization_id(centre.operator_id) not in text
    assert len(exported_world.tables["service"]) == 5


def test_no_internal_text_is_anywhere_in_the_zip(world, exported_world):
    text = exported_world.text()
    for name, secret in SECRETS.items():
        assert secret not in text, name
    assert "Шанырак" not in text  # the closed centre's operator: no operator but those of public centres


def test_texts_are_quoted_against_formulas_as_in_the_public_export_but_not_numbers_or_phones(almaty):
    centre = make_centre(
        name='=HYPERLINK("http://evil.example")',
        city=almaty,
        address_visibility="public",
        address="-ул. Минусовая",
        latitude=Decimal("-12.500000"),
        longitude=Decimal("-3.250000"),
        phones=[("", "+7 727 123 4567", False)],
    )
    found = read(exported())
    assert service_of(found, centre)["name"] == '\'=HYPERLINK("http://evil.example")'
    assert address_of(found, centre)["address_1"] == "'-ул. Минусовая"
    (phone,) = found.tables["phone"]
    assert phone["number"] == "+7 727 123 4567"  # as the API gives it: a phone number holds no formula
    location = location_of(found, centre)
    assert (location["latitude"], location["longitude"]) == ("-12.5", "-3.25")


# -- the command ---------------------------------------------------------------------------------------------------


def test_the_command_writes_the_package_and_says_so(world, tmp_path):
    target = tmp_path / "open" / "hsds.zip"
    target.parent.mkdir()
    stderr = io.StringIO()
    call_command("export_hsds", str(target), stderr=stderr)
    found = read(target.read_bytes())
    assert len(found.tables["service"]) == 5
    summary = stderr.getvalue()
    assert str(target) in summary and summary.count("\n") == 1
    assert re.search(r"\b5\b", summary)
    assert [path.name for path in target.parent.iterdir()] == ["hsds.zip"]  # nothing left beside it


def test_the_command_writes_to_standard_output(world):
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    call_command("export_hsds", "-", "--language", "en", stdout=stdout, stderr=io.StringIO())
    found = read(stdout.buffer.getvalue())
    assert len(found.tables["service"]) == 5
    assert any(row["name"] == "Shelter" for row in found.tables["taxonomy_term"])


def test_the_command_refuses_an_unknown_language_and_an_unwritable_path(world, tmp_path):
    with pytest.raises(CommandError, match="xx"):
        call_command("export_hsds", str(tmp_path / "a.zip"), "--language", "xx")
    with pytest.raises(CommandError, match="no-such-folder"):
        call_command("export_hsds", str(tmp_path / "no-such-folder" / "a.zip"))
    with pytest.raises(CommandError):
        call_command("export_hsds", str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_the_command_is_quiet_at_verbosity_0(world, tmp_path):
    stderr, stdout = io.StringIO(), io.StringIO()
    call_command("export_hsds", str(tmp_path / "a.zip"), verbosity=0, stderr=stderr, stdout=stdout)
    assert stderr.getvalue() == stdout.getvalue() == ""
    assert read((tmp_path / "a.zip").read_bytes()).tables["service"]


# -- the download --------------------------------------------------------------------------------------------------


def download(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def test_the_download_is_the_package_named_by_the_day(world, client):
    response, data = download(client, "/en/open-data/hsds.zip")
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="hsds-{today().isoformat()}.zip"'
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies and "Set-Cookie" not in response.headers
    found = read(data)
    assert len(found.tables["service"]) == 5
    assert found.descriptor["homepage"] == "http://testserver/en/open-data/"
    for name, _path in hsds.TABLES:
        for obj in as_objects(found, name):
            assert_valid(name, obj)


def test_the_download_speaks_the_pages_language(world, client):
    shelter = hsds.Term("service", "shelter").id
    names = {}
    for language in ("en", "ru"):
        _response, data = download(client, f"/{language}/open-data/hsds.zip")
        terms = read(data).tables["taxonomy_term"]
        names[language] = next(row["name"] for row in terms if row["id"] == shelter)
        assert {row["language"] for row in terms} == {language}
    assert names == {"en": "Shelter", "ru": "Убежище"}


def test_the_download_takes_only_get(client):
    assert client.post("/en/open-data/hsds.zip").status_code == 405


def test_one_package_is_made_at_a_time(world, client):
    """While a package is being made, another download is asked to come back, and nothing is built for it; once
    that one is done, the next download is made."""
    from django.core.cache import cache

    from centres.open_data.package import BUILDING_KEY

    cache.set(BUILDING_KEY, True, 60)
    busy = client.get("/en/open-data/hsds.zip")
    assert busy.status_code == 503
    assert busy["Retry-After"] == "60"
    assert "try again" in busy.content.decode()
    assert not busy.cookies
    cache.delete(BUILDING_KEY)
    download(client, "/en/open-data/hsds.zip")
    assert cache.get(BUILDING_KEY) is None  # released after the build
