"""Exports of exactly what the lists show (DESIGN.md section 5): the advocates' at-risk export, the public export,
and the command, under the rules of every web export."""

import csv
import datetime
import io
import json
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.text import capfirst

from centres.columns import ADVOCATE_COLUMNS, COLUMNS, COMPUTED_LABELS, PUBLIC_COLUMNS
from centres.eligibility import BY_CODE, RISK_LABELS
from centres.models import Centre, Compliance, ExportLog
from centres.vocabularies import LicenceStatus, Service
from tests.conftest import make_centre, make_operator, make_user, page_queries, sign_in

pytestmark = pytest.mark.django_db

AT_RISK = "/en/at-risk/"
AT_RISK_EXPORT = "/en/at-risk/export."
PUBLIC = "/en/centres/"
PUBLIC_EXPORT = "/en/centres/export."
HELP = ["psychological", "legal"]  # not a shelter: no premises rules

SECRET_ADDRESS = "ул. Потайная, 77, вход со двора"
SECRET_LATITUDE, SECRET_LONGITUDE = Decimal("43.123457"), Decimal("76.987653")
SECRET_NOTE = "Ключ у сторожа Ерлана"
FORMULAS = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def advocate_client(client):
    sign_in(client, make_user("advocate", "advocate"))
    return client


def recent() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=5)


def at_risk_centre(name: str, **overrides) -> Centre:
    """A centre with a pending licence (medium risk), verified recently, its address public."""
    values = {
        "services": HELP,
        "last_verified_on": recent(),
        "address_visibility": "public",
        "compliance": {"licence_status": "applied"},
    }
    values.update(overrides)
    return make_centre(name=name, **values)


def hidden_shelter(almaty=None, visibility: str = "hidden") -> Centre:
    """A shelter at high risk (premises too small) whose address, point and places free nobody on the web may see."""
    return make_centre(
        name=f"Тайный приют ({visibility})",
        city=almaty,
        services=["shelter"],
        address=SECRET_ADDRESS,
        address_visibility=visibility,
        latitude=SECRET_LATITUDE,
        longitude=SECRET_LONGITUDE,
        beds=10,
        beds_free=3,
        beds_free_updated_at=timezone.now(),
        internal_notes=SECRET_NOTE,
        last_verified_on=recent(),
        compliance={"licence_status": "licensed", "premises_area_m2": Decimal("42")},
    )


def download(client, url: str, params=None, status: int = 200):
    response = client.get(url, params or {})
    assert response.status_code == status
    return response


def body(response) -> bytes:
    return response.getvalue()


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8").removeprefix("\ufeff"), newline="")))


def xlsx_cells(data: bytes) -> list[dict]:
    """Each row as {column code: openpyxl cell}; a workbook headed for reading (the at-risk list's) has the columns'
    labels in its header, read back to their codes."""
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    header, *rows = list(sheet.iter_rows())
    codes = {}
    for language in ("ru", "kk", "en"):
        with translation.override(language):
            codes |= {capfirst(label): column.name for column in ADVOCATE_COLUMNS for label in column.labels()}
    names = [codes.get(cell.value, cell.value) for cell in header]
    return [dict(zip(names, row, strict=True)) for row in rows]


def json_rows(data: bytes) -> list[dict[str, str]]:
    document = json.loads(data)
    assert set(document) == {"count", "results"}
    assert document["count"] == len(document["results"])
    return document["results"]


def exported_ids(fmt: str, data: bytes) -> list[str]:
    if fmt == "csv":
        return [row["id"] for row in csv_rows(data)]
    if fmt == "xlsx":
        return [row["id"].value for row in xlsx_cells(data)]
    return [row["id"] for row in json_rows(data)]


def readable_bytes(fmt: str, data: bytes) -> bytes:
    """What a program could read out of the file: an XLSX is a zip, so its members, unpacked."""
    if fmt != "xlsx":
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


def at_risk_page_ids(client, params: dict) -> list[str]:
    """Every at-risk row of the page, following its pages."""
    ids, page = [], 1
    while True:
        result = client.get(AT_RISK, {**params, "page": page}).context["result"]
        ids += [str(row.centre.pk) for row in result.rows]
        if not result.risks.has_next():
            return ids
        page += 1


def public_page_ids(client, params: dict) -> list[str]:
    """Every centre of the public search, following its pages (the page knows centres by their slugs)."""
    slugs, page = [], 1
    while True:
        context = client.get(PUBLIC, {**params, "page": page}).context
        slugs += [view.slug for view in context["centres"]]
        if not context["result"].page.has_next():
            break
        page += 1
    ids = dict(Centre.objects.filter(slug__in=slugs).values_list("slug", "id"))
    return [str(ids[slug]) for slug in slugs]


# -- columns ----------------------------------------------------------------------------------------------------


def test_public_columns_leave_out_compliance_and_internal_notes():
    names = [column.name for column in PUBLIC_COLUMNS]
    assert "internal_notes" not in names
    assert not any(column.source == "compliance" for column in PUBLIC_COLUMNS)
    assert names == [name for name in (c.name for c in COLUMNS) if name in names]  # contract order kept


def test_advocate_columns_are_the_public_ones_plus_compliance_and_the_judgement():
    compliance = [column.name for column in COLUMNS if column.source == "compliance"]
    assert [column.name for column in ADVOCATE_COLUMNS] == [
        *(column.name for column in PUBLIC_COLUMNS),
        *compliance,
        "risk",
        "flags",
        "gaps",
        "reasons",
        "legal_basis",
    ]


# -- access -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_anonymous_visitors_are_sent_to_log_in_for_the_at_risk_export(client, fmt):
    response = download(client, AT_RISK_EXPORT + fmt, status=302)
    assert response["Location"].startswith("/en/login/")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_logged_in_people_outside_the_two_groups_cannot_export_the_at_risk_list(client, fmt):
    sign_in(client, make_user("nobody"))
    download(client, AT_RISK_EXPORT + fmt, status=403)


@pytest.mark.parametrize("group", ["advocate", "editor"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_advocates_and_editors_download_the_at_risk_list_named_by_date(client, thresholds, group, fmt):
    at_risk_centre("Pending centre")
    sign_in(client, make_user("someone", group))
    response = download(client, AT_RISK_EXPORT + fmt)
    assert response["Content-Disposition"].startswith("attachment")
    assert f"centres-at-risk-{timezone.localdate().isoformat()}.{fmt}" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    assert len(exported_ids(fmt, body(response))) == 1


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_public_export_is_open_to_anyone_without_cookies(client, fmt):
    at_risk_centre("Open centre")
    response = download(client, PUBLIC_EXPORT + fmt)
    assert response["Content-Disposition"].startswith("attachment")
    assert f"centres-{timezone.localdate().isoformat()}.{fmt}" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies
    assert len(exported_ids(fmt, body(response))) == 1


def test_the_public_export_has_no_xlsx(client):
    download(client, PUBLIC_EXPORT + "xlsx", status=404)


def test_export_links_carry_the_query_of_the_list(advocate_client, thresholds):
    at_risk_centre("Pending centre")
    page = advocate_client.get(AT_RISK, {"country": "KZ", "page": "1"}).content.decode()
    for fmt in ("csv", "xlsx", "json"):
        assert f'href="{AT_RISK_EXPORT}{fmt}?country=KZ"' in page
    page = advocate_client.get(PUBLIC, {"q": "pending", "page": "1"}).content.decode()
    for fmt in ("csv", "json"):
        assert f'href="{PUBLIC_EXPORT}{fmt}?q=pending"' in page


# -- the same rows as the page ------------------------------------------------------------------------------------


@pytest.fixture
def many_at_risk(thresholds, almaty):
    """More at-risk centres than fit on a page (20), of both severities, and some that the filters leave out."""
    operator = make_operator()
    for n in range(14):
        at_risk_centre(f"Centre {n:02d} pending", city=almaty, operator=operator)
    for n in range(12):
        make_centre(
            name=f"Shelter {n:02d} small",
            city=almaty,
            operator=operator,
            last_verified_on=recent(),
            address_visibility="public" if n % 2 else "hidden",
            compliance={"licence_status": "licensed", "premises_area_m2": Decimal("30")},
        )
    at_risk_centre("Kazakh centre elsewhere", operator=make_operator(name="State body", kind="state"))
    make_centre(name="Fine centre", services=HELP, last_verified_on=recent(), compliance={"licence_status": "licensed"})


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
@pytest.mark.parametrize(
    "params",
    [{}, {"operator_kind": "cso"}, {"severity": "high"}, {"flag": ["licence_pending"], "q": "centre"}],
    ids=["all", "cso", "high", "flag-and-text"],
)
def test_at_risk_export_holds_every_row_of_the_page_in_its_order(advocate_client, many_at_risk, fmt, params):
    expected = at_risk_page_ids(advocate_client, params)
    assert expected  # the filters leave something to compare
    data = body(download(advocate_client, AT_RISK_EXPORT + fmt, params))
    assert exported_ids(fmt, data) == expected


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize(
    "params",
    [{}, {"operator_kind": "cso"}, {"service": "shelter"}, {"near": "Almaty"}],
    ids=["all", "cso", "shelter", "near"],
)
def test_public_export_holds_every_row_of_the_search_in_its_order(client, many_at_risk, fmt, params):
    expected = public_page_ids(client, params)
    assert len(expected) > 1
    data = body(download(client, PUBLIC_EXPORT + fmt, params))
    assert exported_ids(fmt, data) == expected


def test_public_export_leaves_out_closed_and_archived_centres(client):
    at_risk_centre("Open centre")
    at_risk_centre("Closed centre", status="closed", closure_reason="moved")
    at_risk_centre("Archived centre", archived=True)
    rows = json_rows(body(download(client, PUBLIC_EXPORT + "json")))
    assert [row["name"] for row in rows] == ["Open centre"]


def test_filters_that_cannot_be_applied_are_refused_not_exported_empty(advocate_client, client):
    download(advocate_client, AT_RISK_EXPORT + "csv", {"severity": "catastrophic"}, status=400)
    download(client, PUBLIC_EXPORT + "csv", {"radius_km": "far"}, status=400)


# -- what no web export may contain -------------------------------------------------------------------------------


@pytest.mark.parametrize("visibility", ["hidden", "city"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_a_hidden_shelter_at_risk_is_exported_to_advocates_without_its_whereabouts(
    advocate_client, thresholds, almaty, visibility, fmt
):
    shelter = hidden_shelter(almaty, visibility)
    data = body(download(advocate_client, AT_RISK_EXPORT + fmt))

    if fmt == "xlsx":
        rows = [{name: cell.value for name, cell in row.items()} for row in xlsx_cells(data)]
    else:
        rows = csv_rows(data) if fmt == "csv" else json_rows(data)
    (row,) = rows
    assert row["id"] == str(shelter.pk)
    # The workbook is for reading: the judgement in words (tested with the other words below).
    assert (row["risk"], row["flags"]) == (
        ("High", "Premises too small") if fmt == "xlsx" else ("high", "premises_too_small")
    )
    assert "Premises 42 m² is below the minimum of 60 m²." in row["reasons"]
    assert row["city"] == almaty.name_ru
    for name in ("address", "latitude", "longitude", "beds_free", "beds_free_updated_at"):
        assert row[name] in ("", None), name
    assert "internal_notes" not in row
    readable = readable_bytes(fmt, data)
    for secret in (SECRET_ADDRESS, "Потайная", str(SECRET_LATITUDE), str(SECRET_LONGITUDE), SECRET_NOTE):
        assert secret.encode() not in readable


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_public_export_never_holds_whereabouts_notes_or_compliance_even_for_logged_in_people(
    advocate_client, thresholds, almaty, fmt
):
    hidden_shelter(almaty, "hidden")
    hidden_shelter(almaty, "city")
    data = body(download(advocate_client, PUBLIC_EXPORT + fmt))
    rows = csv_rows(data) if fmt == "csv" else json_rows(data)
    assert len(rows) == 2
    assert list(rows[0]) == [column.name for column in PUBLIC_COLUMNS]
    for secret in (SECRET_ADDRESS, str(SECRET_LATITUDE), SECRET_NOTE, "licence_status", "premises_area_m2", "risk"):
        assert secret.encode() not in data


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_a_public_address_keeps_its_point_and_places_free(advocate_client, thresholds, fmt):
    centre = at_risk_centre(
        "Open centre",
        address="пр. Абая, 1",
        latitude=Decimal("43.2"),
        longitude=Decimal("76.9"),
        beds=5,
        beds_free=2,
        beds_free_updated_at=timezone.now(),
    )
    data = body(download(advocate_client, AT_RISK_EXPORT + fmt))
    if fmt == "xlsx":
        row = {name: cell.value for name, cell in xlsx_cells(data)[0].items()}
    else:
        row = (csv_rows(data) if fmt == "csv" else json_rows(data))[0]
    assert row["id"] == str(centre.pk)
    assert row["address"] == "пр. Абая, 1"
    assert str(row["latitude"]).startswith("43.2")
    assert str(row["beds_free"]) == "2"


# -- formula safety -----------------------------------------------------------------------------------------------

TEXT_FIELDS = {
    "centre": ["name", "address", "messenger", "email", "website", "hours", "closure_reason", "source", "public_notes"],
    "operator": ["name", "registration_number", "website"],
    "compliance": ["licence_number", "licence_authority"],
}
TEXT_COLUMNS = [
    "name",
    "address",
    "messenger",
    "email",
    "website",
    "hours",
    "closure_reason",
    "source",
    "public_notes",
    "operator",
    "operator_registration_number",
    "operator_website",
    "licence_number",
    "licence_authority",
    "phones",
]


def formula_centre(payload: str) -> Centre:
    """A centre at risk whose every text field starts with a formula payload; its phones too."""
    operator = make_operator(**{field: payload + field for field in TEXT_FIELDS["operator"]}, kind="cso")
    centre = make_centre(
        **{field: payload + field for field in TEXT_FIELDS["centre"]},
        operator=operator,
        address_visibility="public",
        services=HELP,
        last_verified_on=recent(),
        phones=[(payload + "label", "150", True), ("", "+7 727 000 0000", False)],
        compliance={"licence_status": "applied", **{field: payload + field for field in TEXT_FIELDS["compliance"]}},
    )
    return centre


def expected_text(payload: str, column: str) -> str:
    if column == "phones":
        return f"{payload}label: 150 [24/7]; +7 727 000 0000"
    field = {"operator": "name", "operator_registration_number": "registration_number"}.get(column, column)
    field = "website" if column == "operator_website" else field
    return payload + field


@pytest.mark.parametrize("payload", FORMULAS, ids=repr)
def test_formula_payloads_are_inert_in_csv(advocate_client, client, thresholds, payload):
    formula_centre(payload)
    for url in (AT_RISK_EXPORT + "csv", PUBLIC_EXPORT + "csv"):
        (row,) = csv_rows(body(download(advocate_client, url)))
        for column in TEXT_COLUMNS:
            if column in row:
                assert row[column] == "'" + expected_text(payload, column), column


@pytest.mark.parametrize("payload", FORMULAS, ids=repr)
def test_formula_payloads_are_string_cells_in_xlsx(advocate_client, thresholds, payload):
    formula_centre(payload)
    (row,) = xlsx_cells(body(download(advocate_client, AT_RISK_EXPORT + "xlsx")))
    for column in TEXT_COLUMNS:
        cell = row[column]
        assert cell.data_type == "s", column
        # XML reads a carriage return as a line feed; either way the cell is a plain string, never a formula.
        assert cell.value == expected_text(payload, column).replace("\r", "\n"), column


@pytest.mark.parametrize("payload", FORMULAS, ids=repr)
def test_formula_payloads_are_unchanged_in_json(advocate_client, thresholds, payload):
    formula_centre(payload)
    for url in (AT_RISK_EXPORT + "json", PUBLIC_EXPORT + "json"):
        (row,) = json_rows(body(download(advocate_client, url)))
        for column in TEXT_COLUMNS:
            if column in row:
                assert row[column] == expected_text(payload, column), column


def test_xlsx_never_holds_a_formula(advocate_client, thresholds):
    formula_centre("=")
    data = readable_bytes("xlsx", body(download(advocate_client, AT_RISK_EXPORT + "xlsx")))
    assert b"<f>" not in data and b"<f " not in data


def test_plus_seven_phones_stay_readable(advocate_client, thresholds):
    at_risk_centre("Phone centre", phones=[("", "+7 727 000 0000", False)])
    (row,) = csv_rows(body(download(advocate_client, AT_RISK_EXPORT + "csv")))
    assert row["phones"] == "'+7 727 000 0000"  # a spreadsheet shows the text, not a sum
    (row,) = xlsx_cells(body(download(advocate_client, AT_RISK_EXPORT + "xlsx")))
    assert (row["phones"].value, row["phones"].data_type) == ("+7 727 000 0000", "s")
    (row,) = json_rows(body(download(advocate_client, AT_RISK_EXPORT + "json")))
    assert row["phones"] == "+7 727 000 0000"


@pytest.mark.parametrize("url", [AT_RISK_EXPORT + "csv", PUBLIC_EXPORT + "csv"])
def test_csv_exports_start_with_a_bom_and_read_cyrillic(advocate_client, thresholds, url):
    at_risk_centre("Кризисный центр «Жан»")
    data = body(download(advocate_client, url))
    assert data.startswith(b"\xef\xbb\xbfid,slug,name,")
    assert csv_rows(data)[0]["name"] == "Кризисный центр «Жан»"


def test_reasons_follow_the_language_of_the_url(advocate_client, thresholds):
    hidden_shelter()
    (row,) = csv_rows(body(download(advocate_client, "/ru/at-risk/export.csv")))
    with translation.override("ru"):
        expected = str(translation.gettext("Premises %(area)s m² is below the minimum of %(minimum)s m²."))
    assert expected % {"area": "42", "minimum": "60"} in row["reasons"]


# -- the export log -----------------------------------------------------------------------------------------------


def test_each_export_by_a_logged_in_person_is_recorded_without_its_content(client, thresholds):
    user = make_user("advocate", "advocate")
    sign_in(client, user)
    at_risk_centre("Pending centre")
    download(client, AT_RISK_EXPORT + "xlsx", {"country": "KZ", "flag": ["licence_pending", "licence_lost"]})
    download(client, PUBLIC_EXPORT + "csv", {"q": "pending", "page": "2"})

    at_risk, public = ExportLog.objects.order_by("pk")
    assert (at_risk.user, at_risk.kind, at_risk.format) == (user, "at_risk", "xlsx")
    assert at_risk.filters == {"country": ["KZ"], "flag": ["licence_pending", "licence_lost"]}
    assert (public.user, public.kind, public.format) == (user, "public", "csv")
    assert public.filters == {"q": ["pending"]}  # every page was exported: the page number says nothing
    assert at_risk.created_at <= timezone.now()


def test_the_log_keeps_only_the_parameters_a_list_reads_and_no_nul_character(client, thresholds):
    # PostgreSQL's jsonb stores no NUL; a parameter the list does not read (near, on the at-risk list) filters nothing.
    sign_in(client, make_user("advocate", "advocate"))
    at_risk_centre("Pending centre")
    download(client, AT_RISK_EXPORT + "csv", {"near": "x\x00", "beds_free": "on\x00", "lat": "43.25", "made_up": "1"})
    assert ExportLog.objects.get().filters == {"beds_free": ["on"]}


def test_anonymous_public_exports_leave_no_record(client):
    at_risk_centre("Open centre")
    download(client, PUBLIC_EXPORT + "csv", {"q": "open"})
    download(client, PUBLIC_EXPORT + "json")
    assert not ExportLog.objects.exists()


def test_refused_exports_leave_no_record(client):
    sign_in(client, make_user("nobody"))
    download(client, AT_RISK_EXPORT + "csv", status=403)
    assert not ExportLog.objects.exists()


def test_editors_can_read_the_export_log_in_the_admin_but_not_change_it(editor_client, advocate):
    ExportLog.objects.create(user=advocate, kind="at_risk", format="csv", filters={"country": ["KZ"]})
    assert editor_client.get("/admin/centres/exportlog/").status_code == 200
    log = ExportLog.objects.get()
    assert editor_client.get(f"/admin/centres/exportlog/{log.pk}/change/").status_code == 200
    assert editor_client.get("/admin/centres/exportlog/add/").status_code == 403
    assert editor_client.post(f"/admin/centres/exportlog/{log.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ExportLog.objects.count() == 1


def test_advocates_cannot_read_the_export_log(client, advocate):
    advocate.is_staff = True
    advocate.save()
    sign_in(client, advocate)
    assert client.get("/admin/centres/exportlog/").status_code == 403


# -- query counts -------------------------------------------------------------------------------------------------


def queries_of(client, url: str) -> int:
    cache.clear()  # the country rules are cached: each measurement starts cold
    with CaptureQueriesContext(connection) as queries:
        body(download(client, url))
    return len(page_queries(queries))


@pytest.mark.parametrize(
    "url",
    [AT_RISK_EXPORT + "csv", AT_RISK_EXPORT + "xlsx", AT_RISK_EXPORT + "json", PUBLIC_EXPORT + "csv"],
)
def test_exports_cost_the_same_queries_for_3_or_30_centres(advocate_client, thresholds, almaty, url):
    operator = make_operator()

    def add(first: int, last: int) -> None:
        for n in range(first, last):
            at_risk_centre(f"Centre {n:02d}", city=almaty, operator=operator, phones=[("", "150", True)])

    add(0, 3)
    few = queries_of(advocate_client, url)
    add(3, 30)
    many = queries_of(advocate_client, url)
    # session (read, and saved in a savepoint), user, groups, rules, the log, then the centres and their phones: one
    # pair of queries per chunk of 1,000 centres
    assert many == few <= 12


# -- the command --------------------------------------------------------------------------------------------------


def test_the_full_export_of_the_command_imported_back_changes_nothing(tmp_path, thresholds, almaty):
    hidden_shelter(almaty)
    at_risk_centre('=HYPERLINK("http://x","y")', phones=[("", "+7 727 000 0000", True)], hours="-", messenger="@zhan")
    at_risk_centre("Кризисный центр «Жан»", city=almaty, internal_notes='Вторая строка\nи "кавычки"')
    Centre.objects.create(name="Без досье", country="KG")
    versions = dict(Centre.objects.values_list("id", "version"))
    target = tmp_path / "backup.csv"
    call_command("export_centres", "--output", str(target), stderr=io.StringIO())
    rows = csv_rows(target.read_bytes())
    assert list(rows[0]) == [*(column.name for column in COLUMNS), "risk", "flags", "gaps", "reasons"]
    assert {row["address"] for row in rows} >= {SECRET_ADDRESS}  # server-side backups keep everything
    assert {row["risk"] for row in rows} == {"high", "medium", "none"}

    out, err = io.StringIO(), io.StringIO()
    call_command("import_centres", str(target), stdout=out, stderr=err)

    assert out.getvalue() == ""  # no change to list
    assert err.getvalue().endswith(": 0 created, 0 changed, 4 unchanged.\n")
    assert dict(Centre.objects.values_list("id", "version")) == versions


def test_the_command_writes_the_public_export_under_the_web_rules(thresholds, almaty):
    hidden_shelter(almaty)
    at_risk_centre("Closed centre", status="closed", closure_reason="moved")
    out = io.StringIO()
    call_command("export_centres", "--public", "--format", "json", stdout=out)
    (row,) = json.loads(out.getvalue())["results"]
    assert list(row) == [column.name for column in PUBLIC_COLUMNS]
    assert row["address"] == row["beds_free"] == ""
    assert SECRET_ADDRESS not in out.getvalue()


def test_the_command_writes_the_at_risk_list_with_reasons_as_xlsx(tmp_path, thresholds, almaty):
    shelter = hidden_shelter(almaty)
    at_risk_centre("Pending centre")
    make_centre(name="Fine centre", services=HELP, last_verified_on=recent(), compliance={"licence_status": "licensed"})
    target = tmp_path / "at-risk.xlsx"
    stderr = io.StringIO()
    call_command("export_centres", "--at-risk", "--format", "xlsx", "--output", str(target), stderr=stderr)
    rows = xlsx_cells(target.read_bytes())
    assert [row["name"].value for row in rows] == [shelter.name, "Pending centre"]
    assert rows[0]["address"].value == SECRET_ADDRESS  # server side, without --public: the backup rules
    assert "2 centres written" in stderr.getvalue()

    call_command("export_centres", "--at-risk", "--public", "--format", "xlsx", "--output", str(target))
    rows = xlsx_cells(target.read_bytes())
    assert rows[0]["address"].value is None
    assert rows[0]["reasons"].value.startswith("Premises 42 m²")


def test_the_public_export_never_reads_the_licensing_records(client, almaty):
    make_centre(city=almaty, compliance={"licence_number": "L-7"})
    with CaptureQueriesContext(connection) as queries:
        body(download(client, PUBLIC_EXPORT + "csv"))
    assert not [query for query in queries.captured_queries if "centres_compliance" in query["sql"]]


@pytest.mark.parametrize(
    ("language", "name_header", "reasons_header", "date_format"),
    [
        ("ru", "Название", "Причины", "DD.MM.YYYY"),
        ("kk", "Атауы", "Себептері", "DD.MM.YYYY"),
        ("en", "Name", "Reasons", "MM/DD/YYYY"),
    ],
)
def test_the_at_risk_workbook_is_headed_for_reading(
    advocate_client, thresholds, language, name_header, reasons_header, date_format
):
    verified, updated = recent(), timezone.now().replace(second=0, microsecond=0)
    make_centre(
        name="Центр «Жан»",
        services=HELP,
        open_24_7=False,
        accessible=None,
        address_visibility="public",
        beds_free=2,
        beds_free_updated_at=updated,
        last_verified_on=verified,
        compliance={"licence_status": "applied"},
    )
    response = download(advocate_client, f"/{language}/at-risk/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    header = [cell.value for cell in sheet[1]]
    assert name_header in header and reasons_header in header and "name" not in header
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(header))}{sheet.max_row}"
    widths = {
        header[index]: sheet.column_dimensions[openpyxl.utils.get_column_letter(index + 1)].width
        for index in range(len(header))
    }
    assert widths[name_header] == 40 and widths[reasons_header] == 80
    assert sheet.cell(row=2, column=header.index(name_header) + 1).value == "Центр «Жан»"
    # Dates are date cells, shown as the page's language writes them; numbers are numbers.
    with translation.override(language):
        verified_header = str(capfirst(Centre._meta.get_field("last_verified_on").verbose_name))
        updated_header = str(capfirst(Centre._meta.get_field("beds_free_updated_at").verbose_name))
    date_cell = sheet.cell(row=2, column=header.index(verified_header) + 1)
    assert (date_cell.value.date(), date_cell.number_format, date_cell.is_date) == (verified, date_format, True)
    # A date and time: the directory's local time on a 24-hour clock (English's "P" would drop the time).
    time_cell = sheet.cell(row=2, column=header.index(updated_header) + 1)
    local = timezone.make_naive(updated)
    assert (time_cell.value, time_cell.number_format) == (local, f"{date_format} HH:MM")
    # Codes and yes/no in the page's words, as the admin shows them; an unknown yes/no stays empty.
    centre = Centre.objects.get(name="Центр «Жан»")
    with translation.override(language):
        status_header = str(capfirst(Compliance._meta.get_field("licence_status").verbose_name))
        open_header = str(capfirst(Centre._meta.get_field("open_24_7").verbose_name))
        services_header = str(capfirst(Centre._meta.get_field("services").verbose_name))
        access_header = str(capfirst(Centre._meta.get_field("accessible").verbose_name))
        risk_header, flags_header = (str(capfirst(COMPUTED_LABELS[name])) for name in ("risk", "flags"))
        expected = (
            str(LicenceStatus.APPLIED.label),
            translation.gettext("No"),
            None,
            "; ".join(str(Service(code).label) for code in centre.services),
            str(RISK_LABELS["medium"]),
            str(BY_CODE["licence_pending"].label),
        )
    names = (status_header, open_header, access_header, services_header, risk_header, flags_header)
    cells = [sheet.cell(row=2, column=header.index(name) + 1).value for name in names]
    assert tuple(cells) == expected and "applied" not in cells and "medium" not in cells


def test_the_at_risk_exports_quote_the_rules_legal_basis_and_say_the_minimums_are_demo(advocate_client, thresholds):
    thresholds.legal_basis, thresholds.source_url = "Социальный кодекс РК, ст. 129", "https://adilet.zan.kz/rus/x"
    thresholds.thresholds_are_demo = True
    thresholds.save()
    hidden_shelter()
    expected = "Социальный кодекс РК, ст. 129 (https://adilet.zan.kz/rus/x) Minimum areas: demo value — not the law."
    (row,) = csv_rows(body(download(advocate_client, AT_RISK_EXPORT + "csv")))
    assert row["legal_basis"] == expected
    assert "The minimum is a demo value, not the law." in row["reasons"]
    (row,) = json_rows(body(download(advocate_client, AT_RISK_EXPORT + "json")))
    assert row["legal_basis"] == expected
    (row,) = xlsx_cells(body(download(advocate_client, AT_RISK_EXPORT + "xlsx")))
    assert row["legal_basis"].value == expected
    # A what-if's list quotes the proposal as what it is, then today's basis; its minimums are the advocate's.
    what_if = "/en/at-risk/what-if/export.csv?country=KZ&min_area=80"
    (row,) = csv_rows(body(download(advocate_client, what_if)))
    assert row["legal_basis"] == (
        "Hypothetical minimums entered on the what-if page, not the law. "
        "Социальный кодекс РК, ст. 129 (https://adilet.zan.kz/rus/x)"
    )
    assert "demo" not in row["reasons"]


def test_a_country_without_a_recorded_legal_basis_says_so(advocate_client, thresholds):
    thresholds.legal_basis = thresholds.source_url = ""
    thresholds.save()
    hidden_shelter()
    (row,) = csv_rows(body(download(advocate_client, AT_RISK_EXPORT + "csv")))
    assert row["legal_basis"] == "No legal basis recorded."
