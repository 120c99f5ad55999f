import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings

from centres.columns import BACKUP_COLUMNS, COLUMNS, JUDGEMENT_COLUMNS, PUBLIC_COLUMNS, escape_formula, unescape_formula
from centres.exports import centre_rows, judgement_cells
from centres.models import Centre, CountryRules
from tests.conftest import csv_of, make_centre, make_operator
from tests.test_eligibility import centre_of, generated

pytestmark = pytest.mark.django_db

CONTRACT_COLUMNS = [
    "id",
    "slug",
    "name",
    "operator",
    "operator_kind",
    "operator_registration_number",
    "operator_website",
    "country",
    "region",
    "city",
    "address",
    "address_visibility",
    "latitude",
    "longitude",
    "phones",
    "messenger",
    "email",
    "website",
    "hours",
    "opening_hours",
    "open_24_7",
    "services",
    "audiences",
    "languages",
    "beds",
    "beds_free",
    "beds_free_updated_at",
    "accessible",
    "free",
    "accepts_children",
    "boys_max_age",
    "accepts_pregnant",
    "documents_needed",
    "accepts_non_citizens",
    "referral_needed",
    "max_stay_days",
    "anonymous",
    "status",
    "status_since",
    "closure_reason",
    "published",
    "archived",
    "last_verified_on",
    "source",
    "public_notes",
    "internal_notes",
    "licence_status",
    "licence_number",
    "licence_authority",
    "licence_applied_on",
    "licence_issued_on",
    "licence_decided_on",
    "licence_expires_on",
    "premises_area_m2",
    "premises_tenure",
    "lease_ends_on",
    "funding_kind",
    "funding_ends_on",
    "version",
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def export_text() -> str:
    return csv_of(Centre.objects.order_by("name"))


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def test_columns_follow_the_contract_order():
    assert [column.name for column in COLUMNS] == CONTRACT_COLUMNS


def test_export_starts_with_a_bom_and_the_header():
    make_centre()
    text = export_text()
    assert text.startswith("\ufeffid,slug,name,operator,")
    assert parse(text)[0] == CONTRACT_COLUMNS


def test_export_writes_values_as_the_contract_says(almaty):
    operator = make_operator(name="Фонд «Шанырак»", kind="cso")
    centre = make_centre(
        operator=operator,
        city=almaty,
        phones=[("Горячая линия", "150", True), ("", "8 727 000 0000", False)],
        open_24_7=False,
        beds=10,
        beds_free_updated_at=timezone.make_aware(datetime.datetime(2026, 9, 30, 14, 30)),
        compliance={"licence_status": "licensed", "premises_area_m2": Decimal("42.5")},
    )
    header, row = parse(export_text())
    cells = dict(zip(header, row, strict=True))
    assert cells["id"] == str(centre.pk)
    assert cells["operator"] == "Фонд «Шанырак»"
    assert cells["operator_kind"] == "cso"
    assert cells["country"] == "KZ"
    assert cells["region"] == almaty.region_id
    assert cells["city"] == almaty.name_ru
    assert cells["phones"] == "Горячая линия: 150 [24/7]; 8 727 000 0000"
    assert cells["open_24_7"] == "false"
    assert cells["accessible"] == ""
    assert cells["services"] == "shelter;psychological"
    assert cells["last_verified_on"] == "2026-10-01"
    assert cells["beds_free_updated_at"] == "2026-09-30T14:30:00+05:00"
    assert cells["licence_status"] == "licensed"
    assert cells["premises_area_m2"] == "42.5"


def test_formula_like_cells_are_escaped_in_the_raw_csv():
    make_centre(name='=HYPERLINK("http://x","y")', phones=[("", "+7 727 000 0000", False)], hours="-")
    header, row = parse(export_text())
    cells = dict(zip(header, row, strict=True))
    assert cells["name"] == """'=HYPERLINK("http://x","y")"""
    assert cells["phones"] == "'+7 727 000 0000"
    assert cells["hours"] == "'-"


@pytest.mark.parametrize(
    "value", ["=1+1", "+7 727", "-5", "@SUM(A1)", "\tx", "\rx", "'=already quoted", "''+x", "'plain", "plain", ""]
)
def test_unescape_undoes_escape(value):
    assert unescape_formula(escape_formula(value)) == value


def test_plain_cells_are_not_escaped():
    assert escape_formula("Алматы") == "Алматы"
    assert escape_formula("'quoted'") == "'quoted'"


def test_centre_without_compliance_exports_the_defaults():
    centre = Centre.objects.create(name="Без досье", country="KG")
    (row,) = centre_rows(Centre.objects.filter(pk=centre.pk))
    assert (row["licence_status"], row["premises_tenure"], row["funding_kind"]) == ("unknown", "unknown", "unknown")
    assert row["phones"] == ""


def test_rows_cost_the_same_queries_whatever_their_number(django_assert_max_num_queries, almaty):
    operator = make_operator()
    for n in range(30):
        make_centre(name=f"Центр {n}", city=almaty, operator=operator, phones=[("", "150", True)])
    # centres (with operator, city, region, compliance) + phones: one pair of queries per chunk.
    with django_assert_max_num_queries(2):
        rows = list(centre_rows(Centre.objects.all()))
    assert len(rows) == 30


def test_export_command_writes_a_file(tmp_path):
    make_centre()
    target = tmp_path / "centres.csv"
    call_command("export_centres", "--format", "csv", "--output", str(target), stderr=io.StringIO())
    data = target.read_bytes()
    assert data.startswith("\ufeff".encode())
    assert len(parse(data.decode("utf-8"))) == 2


def test_export_command_writes_to_standard_output():
    make_centre(name="Центр на выходе")
    out = io.StringIO()
    call_command("export_centres", stdout=out)
    assert out.getvalue().startswith("\ufeffid,")
    assert "Центр на выходе" in out.getvalue()


def test_export_command_needs_a_file_for_xlsx():
    with pytest.raises(CommandError, match="xlsx format writes a binary file: give --output"):
        call_command("export_centres", "--format", "xlsx", stdout=io.StringIO())


def test_export_command_refuses_unknown_formats():
    with pytest.raises(CommandError, match="ods"):
        call_command("export_centres", "--format", "ods", stdout=io.StringIO())


def test_backup_export_appends_the_judgement_after_the_contract_columns():
    make_centre()
    out = io.StringIO()
    call_command("export_centres", stdout=out)
    assert parse(out.getvalue())[0] == [*CONTRACT_COLUMNS, "risk", "flags", "gaps", "reasons"]


def test_each_chunk_reads_its_phones_in_one_query_and_the_centres_in_one_in_all(django_assert_num_queries, almaty):
    operator = make_operator()
    for n in range(25):
        make_centre(name=f"Центр {n:02d}", city=almaty, operator=operator, phones=[("", f"8 700 000 {n:04d}", False)])
    # the centres (one query, read in chunks) + the phones of each of the three chunks
    with django_assert_num_queries(1 + 3):
        rows = list(centre_rows(Centre.objects.order_by("name"), chunk_size=10))
    expected = [(f"Центр {n:02d}", f"8 700 000 {n:04d}") for n in range(25)]
    assert [(row["name"], row["phones"]) for row in rows] == expected


def test_rows_are_read_as_plain_values_without_a_model_instance(almaty):
    make_centre(city=almaty, operator=make_operator(), phones=[("", "150", True)], compliance={"licence_number": "L"})
    Centre.objects.create(name="Без досье", country="KG")
    rules = CountryRules.for_countries()
    made = []

    def count(sender, **kwargs):
        made.append(sender)

    post_init.connect(count)
    try:
        rows = list(centre_rows(Centre.objects.all(), BACKUP_COLUMNS, rules=rules, on=datetime.date(2026, 10, 10)))
    finally:
        post_init.disconnect(count)
    assert len(rows) == 2
    assert made == []


def test_the_public_rows_join_only_the_operator_and_the_town(almaty):
    make_centre(city=almaty, operator=make_operator(), phones=[("", "150", True)])
    with CaptureQueriesContext(connection) as queries:
        (row,) = centre_rows(Centre.objects.all(), PUBLIC_COLUMNS, web=True)
    centres, phones = (query["sql"] for query in queries.captured_queries)
    assert sorted(re.findall(r"JOIN \"(\w+)\"", centres)) == ["centres_operator", "centres_place"]
    assert "JOIN" not in phones
    assert (row["city"], row["region"], row["phones"]) == (almaty.name_ru, almaty.region_id, "150 [24/7]")


# How many examples: the Hypothesis profile of tests/conftest.py (`make test` or `make test-deep`).
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=generated())
def test_rows_judge_from_plain_values_as_eligibility_judges_the_centre(case):
    """The export judges what it reads of a centre (exports.JUDGED_FIELDS and the licensing record), not the model
    instance: the same risk, flags, gaps and reasons, and the record's defaults for a centre without one."""
    with transaction.atomic():
        centre, rules = centre_of(case)
        loaded = Centre.objects.select_related("compliance").get(pk=centre.pk)
        (row,) = centre_rows(Centre.objects.filter(pk=centre.pk), BACKUP_COLUMNS, rules=rules, on=case["today"])
        assert {name: row[name] for name in JUDGEMENT_COLUMNS} == judgement_cells(loaded, rules, case["today"])
        assert {column.name: row[column.name] for column in COLUMNS} == {
            column.name: column.cell(loaded) for column in COLUMNS
        }
        transaction.set_rollback(True)
