import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from centres import imports
from centres.columns import COLUMNS
from centres.models import Centre, CentrePhone, Compliance, Operator, Place, Region
from tests.conftest import csv_of, make_centre, make_operator, make_user

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x","y")'


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def full_centre(almaty: Place) -> Centre:
    """A centre with every column of the file set."""
    operator = make_operator(
        name="Фонд «Шанырак»",
        kind="cso",
        registration_number="123456789012",
        website="https://shanyrak.example.org",
    )
    return make_centre(
        name="Кризисный центр «Жан»",
        operator=operator,
        country="KZ",
        region_id=almaty.region_id,
        city=almaty,
        address="ул. Абая, 1, кв. 2",
        address_visibility="public",
        latitude=Decimal("43.250001"),
        longitude=Decimal("76.900002"),
        opening_hours="Mo-Fr 09:00-13:00,14:00-18:00; Sa 22:00-06:00",
        phones=[
            ("", "+7 727 000 0000", False),
            ("Горячая линия", "150", True),
            ("Директор", "8 (727) 111-22-33", False),
        ],
        messenger="@zhan_help",
        email="help@zhan.example.org",
        website="https://zhan.example.org",
        hours="Пн–Пт 9:00–18:00",
        open_24_7=True,
        services=["shelter", "hotline", "psychological", "legal", "medical", "social", "children", "training"],
        audiences=["women", "children", "men", "older", "disability"],
        languages=["kk", "ru", "ky", "uz", "tg", "kaa", "en"],
        beds=20,
        beds_free=3,
        beds_free_updated_at=timezone.make_aware(datetime.datetime(2026, 9, 30, 14, 30, 15)),
        accessible=True,
        free=False,
        accepts_children=True,
        boys_max_age=12,
        accepts_pregnant=False,
        documents_needed="id_and_registration",
        accepts_non_citizens=True,
        referral_needed=False,
        max_stay_days=90,
        anonymous=True,
        status="temporarily_closed",
        status_since=datetime.date(2026, 8, 1),
        closure_reason="Ремонт; до осени",
        archived=False,
        last_verified_on=datetime.date(2026, 10, 1),
        source="phoned the centre, 1 Oct 2026",
        public_notes="Звоните заранее.",
        internal_notes='Директор: Айгуль.\nВторая строка, "кавычки".',
        compliance={
            "licence_status": "licensed",
            "licence_number": "KZ-0001",
            "licence_authority": "Управление координации занятости",
            "licence_applied_on": datetime.date(2024, 10, 1),
            "licence_issued_on": datetime.date(2024, 12, 20),
            "licence_decided_on": datetime.date(2024, 12, 15),
            "licence_expires_on": datetime.date(2029, 12, 20),
            "premises_area_m2": Decimal("142.5"),
            "premises_tenure": "leased",
            "lease_ends_on": datetime.date(2027, 3, 31),
            "funding_kind": "state_contract",
            "funding_ends_on": datetime.date(2026, 12, 31),
        },
    )


def sparse_centre() -> Centre:
    """A centre with almost nothing known, no compliance record, and a name a spreadsheet would run."""
    centre = Centre.objects.create(name=HYPERLINK, country="KG", last_verified_on=None)
    CentrePhone.objects.create(centre=centre, number="+996 312 000 000")
    return centre


def export_text() -> str:
    return csv_of(Centre.objects.order_by("country", "name"))


def csv_text(header: list[str], *rows: list[str], bom: bool = True) -> str:
    stream = io.StringIO(newline="")
    writer = csv.writer(stream)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" if bom else "") + stream.getvalue()


def history_count() -> int:
    return sum(model.history.count() for model in (Centre, CentrePhone, Compliance, Operator))


def run_import(tmp_path, text: str, *args: str, name: str = "centres.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_centres", str(path), *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()  # the changes, then what was read and the summary


def import_errors(text: str) -> list[str]:
    plan = imports.validate(text.encode("utf-8"), filename="test.csv")
    return [str(error) for error in plan.errors]


def kz_header() -> list[str]:
    return ["name", "operator", "operator_kind", "country", "region", "city"]


def kz_row(almaty: Place, name: str, **extra: str) -> list[str]:
    return [name, "Фонд «Шанырак»", "cso", "KZ", almaty.region_id, almaty.name_ru, *extra.values()]


def test_every_column_round_trips_through_an_empty_database(tmp_path, almaty):
    full, sparse = full_centre(almaty), sparse_centre()
    before = export_text()
    Centre.objects.all().delete()
    Operator.objects.all().delete()

    output = run_import(tmp_path, before)

    assert "2 created, 0 changed" in output
    assert export_text() == before
    assert set(Centre.objects.values_list("id", flat=True)) == {full.pk, sparse.pk}
    restored = Centre.objects.get(pk=full.pk)
    assert [(p.label, p.number, p.answers_24_7) for p in restored.phones.all()] == [
        ("", "+7 727 000 0000", False),
        ("Горячая линия", "150", True),
        ("Директор", "8 (727) 111-22-33", False),
    ]
    assert restored.compliance.premises_area_m2 == Decimal("142.5")
    assert restored.internal_notes == full.internal_notes
    assert Centre.objects.get(pk=sparse.pk).name == HYPERLINK


def test_reimport_of_an_unchanged_export_changes_nothing(tmp_path, almaty):
    full_centre(almaty)
    sparse_centre()
    text = export_text()
    history = history_count()
    versions = dict(Centre.objects.values_list("id", "version"))

    output = run_import(tmp_path, text)

    assert "0 created, 0 changed, 2 unchanged" in output
    assert history_count() == history
    assert dict(Centre.objects.values_list("id", "version")) == versions


def test_formula_like_name_and_plus_phone_survive_and_are_escaped_in_the_raw_csv(tmp_path):
    centre = sparse_centre()
    text = export_text()
    assert f"'{HYPERLINK}".replace('"', '""') in text
    assert "'+996 312 000 000" in text
    Centre.objects.all().delete()

    run_import(tmp_path, text)

    restored = Centre.objects.get(pk=centre.pk)
    assert restored.name == HYPERLINK
    assert [phone.number for phone in restored.phones.all()] == ["+996 312 000 000"]


@pytest.mark.parametrize("bom", [True, False])
def test_import_reads_files_with_and_without_a_bom(tmp_path, almaty, bom):
    text = csv_text(kz_header(), kz_row(almaty, "Центр «Берекет»"), bom=bom)
    assert text.startswith("\ufeff") == bom

    output = run_import(tmp_path, text)

    assert "1 created" in output
    centre = Centre.objects.get(name="Центр «Берекет»")
    assert centre.city == almaty
    assert centre.operator.name == "Фонд «Шанырак»"


def test_one_bad_row_among_good_ones_writes_nothing_and_names_row_and_column(tmp_path, almaty):
    existing = make_centre(name="Старый центр", email="old@example.org")
    history = history_count()
    text = csv_text(
        [*kz_header(), "email"],
        kz_row(almaty, "Центр один", email="one@example.org"),
        kz_row(almaty, "Центр два", email="two@example.org"),
        kz_row(almaty, "Центр три", email="abc"),
        kz_row(almaty, "Центр четыре", email="four@example.org"),
    )

    with pytest.raises(CommandError, match="nothing was written"):
        run_import(tmp_path, text)

    assert import_errors(text) == ["Row 4, column email: 'abc' is not accepted: Enter a valid email address."]
    assert list(Centre.objects.all()) == [existing]
    assert not Operator.objects.filter(name="Фонд «Шанырак»").exists()
    assert history_count() == history


def test_every_bad_cell_is_reported_in_plain_words(almaty):
    text = csv_text(
        [*kz_header(), "beds", "open_24_7", "services", "last_verified_on"],
        kz_row(almaty, "Центр", beds="many", open_24_7="maybe", services="shelter;spa", day="31.02.2026"),
    )
    assert import_errors(text) == [
        "Row 2, column beds: 'many' is not a whole number.",
        "Row 2, column open_24_7: 'maybe' is not a yes/no value; write true or false.",
        "Row 2, column services: unknown code(s) 'spa'; allowed, separated by ';': "
        "shelter, hotline, psychological, legal, medical, social, children, training.",
        "Row 2, column last_verified_on: '31.02.2026' is not a valid date; write it as YYYY-MM-DD or DD.MM.YYYY, "
        "e.g. 2025-01-31.",
    ]


def test_weekly_hours_are_read_in_any_accepted_spelling_and_bad_ones_refused_in_plain_words(tmp_path, almaty):
    text = csv_text(
        [*kz_header(), "opening_hours"],
        kz_row(almaty, "Центр «Один»", hours="Пн–Пт 9:00–18:00"),
        kz_row(almaty, "Центр «Два»", hours="Mon-Fri 9-6"),
    )
    assert import_errors(text) == [
        "Row 3, column opening_hours: “Mon-Fri 9-6”: “Mon-Fri” is not a day or a range of days (Mo Tu We Th Fr Sa Su, "
        "such as Mo-Fr)."
    ]
    assert not Centre.objects.exists()
    first_row = kz_row(almaty, "Центр «Один»", hours="Пн–Пт 9:00–18:00")
    run_import(tmp_path, csv_text([*kz_header(), "opening_hours"], first_row))
    centre = Centre.objects.get()
    assert centre.opening_hours == "Mo-Fr 09:00-18:00"  # the one spelling, as an export writes it
    assert sorted(centre.openings.values_list("day", "opens", "closes")) == [(day, 540, 1080) for day in range(5)]


def test_a_bad_phone_number_is_reported(almaty):
    text = csv_text([*kz_header(), "phones"], kz_row(almaty, "Центр", phones="Дежурный: abc"))
    (error,) = import_errors(text)
    assert error.startswith("Row 2, column phones: 'Дежурный: abc': Enter digits")


def test_unknown_columns_and_unknown_cities_are_errors(almaty):
    assert import_errors(csv_text(["name", "emial"], ["Центр", "x@example.org"]))[0].startswith(
        "Row 1, column emial: unknown column."
    )
    text = csv_text(["name", "country", "city"], ["Центр", "KZ", "Атлантида"])
    assert import_errors(text) == ["Row 2, column city: 'Атлантида' is not a known town or city of KZ."]


def test_an_ambiguous_city_asks_for_the_region_and_the_region_settles_it(tmp_path, almaty):
    other_region, _ = Region.objects.get_or_create(
        code="KZ-99", defaults={"country": "KZ", "name_en": "Test Region", "search_names": ";test region;"}
    )
    names = {"name_en": "Testograd", "name_ru": "Тестоград", "search_names": ";testograd;тестоград;"}
    first = Place.objects.create(
        geonameid=990000001, country="KZ", region=almaty.region, latitude=1, longitude=1, **names
    )
    Place.objects.create(geonameid=990000002, country="KZ", region=other_region, latitude=2, longitude=2, **names)

    (error,) = import_errors(csv_text(["name", "country", "city"], ["Центр", "KZ", "Тестоград"]))
    assert error.startswith("Row 2, column city: 'Тестоград' could be ")
    assert "region column" in error

    run_import(
        tmp_path, csv_text(["name", "country", "region", "city"], ["Центр", "KZ", almaty.region_id, "Тестоград"])
    )
    assert Centre.objects.get(name="Центр").city == first


def test_two_places_of_one_name_in_one_region_are_told_apart_by_the_centre_or_its_coordinates(tmp_path, almaty):
    names = {"name_en": "Dvoinoe", "name_ru": "Двойное", "search_names": ";dvoinoe;двойное;"}
    north = Place.objects.create(
        geonameid=990000003, country="KZ", region=almaty.region, latitude=50, longitude=70, **names
    )
    south = Place.objects.create(
        geonameid=990000004, country="KZ", region=almaty.region, latitude=42, longitude=70, **names
    )
    header = ["id", "name", "country", "region", "city", "latitude", "longitude"]
    by_name = ["", "Центр", "KZ", almaty.region_id, "Двойное", "", ""]
    assert import_errors(csv_text(header, by_name))[0].startswith("Row 2, column city: 'Двойное' could be ")

    run_import(tmp_path, csv_text(header, ["", "Центр", "KZ", almaty.region_id, "Двойное", "42.000000", "70.000000"]))
    centre = Centre.objects.get(name="Центр")
    assert centre.city == south

    centre.city = north
    centre.save()
    run_import(tmp_path, csv_text(header[:5], [str(centre.pk), *by_name[1:5]]))
    centre.refresh_from_db()
    assert centre.city == north


def test_a_file_without_some_columns_leaves_those_fields_as_they_were(tmp_path, almaty):
    centre = full_centre(almaty)
    before = {column.name: column.cell(centre) for column in COLUMNS}
    text = csv_text(["id", "email", "beds_free"], [str(centre.pk), "new@zhan.example.org", "5"])

    output = run_import(tmp_path, text, "--overwrite-all")

    assert "0 created, 1 changed" in output
    centre = Centre.objects.get(pk=centre.pk)
    after = {column.name: column.cell(centre) for column in COLUMNS}
    assert after.pop("email") == "new@zhan.example.org"
    assert after.pop("beds_free") == "5"
    # A new figure of places free is as of the import (the file did not set its time).
    assert after.pop("beds_free_updated_at") > before["beds_free_updated_at"]
    assert int(after.pop("version")) == int(before["version"]) + 1  # one edit
    changed = {"email", "beds_free", "beds_free_updated_at", "version"}
    assert after == {name: value for name, value in before.items() if name not in changed}


def test_rows_without_id_match_by_normalised_name_city_and_operator(tmp_path, almaty):
    operator = make_operator(name="Фонд «Шанырак»", kind="cso")
    centre = make_centre(name="Кризисный центр «Жан»", city=almaty, operator=operator)
    text = csv_text([*kz_header(), "beds"], kz_row(almaty, "кризисный  центр жан", beds="7"))

    output = run_import(tmp_path, text, "--overwrite-all")

    assert "0 created, 1 changed" in output
    assert Centre.objects.get().pk == centre.pk
    assert Centre.objects.get().beds == 7


def test_an_address_with_empty_visibility_is_hidden(tmp_path, almaty):
    centre = make_centre(city=almaty, address="ул. Старая, 5", address_visibility="public")
    text = csv_text(
        ["id", "address", "address_visibility"],
        [str(centre.pk), "ул. Новая, 7", ""],
    )

    run_import(tmp_path, text, "--overwrite-all")

    centre.refresh_from_db()
    assert (centre.address, centre.address_visibility) == ("ул. Новая, 7", "hidden")


def test_empty_region_and_coordinates_are_taken_from_the_city(tmp_path, almaty):
    text = csv_text([*kz_header(), "latitude", "longitude"], [*kz_row(almaty, "Центр")[:4], "", almaty.name_ru, "", ""])
    run_import(tmp_path, text)
    centre = Centre.objects.get(name="Центр")
    assert centre.region_id == almaty.region_id
    assert (centre.latitude, centre.longitude) == (almaty.latitude, almaty.longitude)


def test_booleans_accept_words_in_several_languages(tmp_path, almaty):
    header = [*kz_header(), "open_24_7", "free", "accessible", "anonymous", "archived", "accepts_pregnant"]
    run_import(tmp_path, csv_text(header, [*kz_row(almaty, "Центр"), "да", "нет", "иә", "жоқ", "No", "1"]))
    centre = Centre.objects.get(name="Центр")
    assert (centre.open_24_7, centre.free, centre.accessible, centre.anonymous) == (True, False, True, False)
    assert (centre.archived, centre.accepts_pregnant) == (False, True)


def test_phones_and_compliance_changes_replace_the_list_and_bump_the_version(tmp_path, almaty):
    centre = make_centre(city=almaty, phones=[("Старый", "150", False)])
    version = centre.version
    text = csv_text(
        ["id", "phones", "licence_status", "premises_area_m2"],
        [str(centre.pk), "Горячая линия: 150 [24/7]; +7 727 000 0000", "applied", "60"],
    )

    run_import(tmp_path, text, "--overwrite-all")

    centre.refresh_from_db()
    assert [(p.label, p.number, p.answers_24_7) for p in centre.phones.all()] == [
        ("Горячая линия", "150", True),
        ("", "+7 727 000 0000", False),
    ]
    assert (centre.compliance.licence_status, centre.compliance.premises_area_m2) == ("applied", Decimal("60"))
    assert centre.version == version + 1


def test_compliance_is_created_when_missing(tmp_path):
    centre = Centre.objects.create(name="Без досье", country="KG")
    run_import(tmp_path, csv_text(["id", "licence_status"], [str(centre.pk), "not_applied"]), "--overwrite-all")
    assert Compliance.objects.get(centre=centre).licence_status == "not_applied"


def test_a_new_operator_needs_its_kind(almaty):
    text = csv_text(["name", "country", "operator"], ["Центр", "KZ", "Новый фонд"])
    assert import_errors(text) == [
        "Row 2, column operator_kind: operator 'Новый фонд' is new: say whether it is state or cso."
    ]


def test_computed_columns_are_ignored(tmp_path, almaty):
    centre = make_centre(city=almaty)
    text = csv_text(["id", "risk", "flags", "gaps", "reasons", "beds"], [str(centre.pk), "high", "x", "y", "z", "4"])
    run_import(tmp_path, text, "--overwrite-all")
    centre.refresh_from_db()
    assert centre.beds == 4


def test_dry_run_writes_nothing_and_lists_changes_and_clears(tmp_path, almaty):
    centre = make_centre(name="Центр «Жан»", city=almaty, email="old@example.org", website="https://old.example.org")
    history = history_count()
    text = csv_text(
        ["id", "name", "country", "region", "city", "email", "website"],
        [str(centre.pk), "Центр «Жан»", "KZ", almaty.region_id, almaty.name_ru, "new@example.org", ""],
        ["", "Новый центр", "KZ", almaty.region_id, almaty.name_ru, "", ""],
    )

    output = run_import(tmp_path, text, "--dry-run")

    assert "Row 2: centre «Центр «Жан»»" in output
    assert "email: 'old@example.org' → 'new@example.org'" in output
    assert "website: clears 'https://old.example.org'" in output
    assert "Row 3: new centre «Новый центр»" in output
    assert "nothing written: 1 created, 1 changed, 0 unchanged." in output
    centre.refresh_from_db()
    assert (centre.email, centre.website) == ("old@example.org", "https://old.example.org")
    assert Centre.objects.count() == 1
    assert history_count() == history


def test_an_edit_between_validation_and_writing_stops_the_whole_import(almaty):
    centre = make_centre(name="Центр «Жан»", city=almaty, hours="9–18")
    text = csv_text(
        ["id", "name", "country", "city", "region", "hours"],
        ["", "Новый центр", "KZ", almaty.name_ru, almaty.region_id, "круглосуточно"],
        [str(centre.pk), "Центр «Жан»", "KZ", almaty.name_ru, almaty.region_id, "10–19"],
    )
    plan = imports.validate(text.encode("utf-8"), filename="centres.csv", overwrite=True)
    assert not plan.errors
    assert plan.centres[1].version == centre.version

    meanwhile = Centre.objects.get(pk=centre.pk)
    meanwhile.hours = "8–20"
    meanwhile.save()
    history = history_count()

    with pytest.raises(imports.ImportConflict, match=f"Row 3: centre «Центр «Жан»» \\({centre.pk}\\) was changed"):
        imports.write(plan)

    assert Centre.objects.get(pk=centre.pk).hours == "8–20"
    assert not Centre.objects.filter(name="Новый центр").exists()
    assert history_count() == history


def test_history_rows_written_by_the_import_carry_the_user_and_the_reason(tmp_path, almaty):
    importer = make_user("importer")
    centre = make_centre(city=almaty, phones=[("", "150", False)])
    text = csv_text(
        ["id", "hours", "phones", "licence_status"],
        [str(centre.pk), "круглосуточно", "151", "applied"],
    )

    run_import(tmp_path, text, "--user", "importer", "--overwrite-all", name="kz-2026.csv")

    latest = centre.history.first()
    assert (latest.history_user, latest.history_change_reason) == (importer, "import kz-2026.csv")
    assert latest.hours_ru == "круглосуточно"  # history keeps each language's column
    compliance = Compliance.history.filter(centre_id=centre.pk).first()
    assert (compliance.history_user, compliance.history_change_reason) == (importer, "import kz-2026.csv")
    phone_changes = CentrePhone.history.filter(centre_id=centre.pk, history_user=importer)
    assert sorted(phone_changes.values_list("history_type", "number")) == [("+", "151"), ("-", "150")]


def test_an_unknown_user_is_refused(tmp_path):
    with pytest.raises(CommandError, match="no user"):
        run_import(tmp_path, csv_text(["name"], ["Центр"]), "--user", "nobody")


def test_two_rows_for_one_centre_are_an_error(almaty):
    centre = make_centre(city=almaty)
    text = csv_text(["id", "beds"], [str(centre.pk), "1"], [str(centre.pk), "2"])
    assert import_errors(text) == ["Row 3: row 2 describes the same centre; give each centre one row."]


# -- the files editors really have --------------------------------------------------------------------------------


def excel_in_russian(rows: list[list[str]]) -> bytes:
    """What Excel in a Russian locale saves as "CSV": ';' between cells, Windows-1251, CRLF."""
    stream = io.StringIO(newline="")
    csv.writer(stream, delimiter=";").writerows(rows)
    return stream.getvalue().encode("cp1251")


def test_a_windows_1251_file_with_russian_headers_and_dotted_dates_imports_as_its_utf8_twin(almaty):
    codes = ["name", "country", "city", "last_verified_on", "open_24_7", "premises_area_m2", "beds_free_updated_at"]
    with translation.override("ru"):
        labels = [str(Centre._meta.get_field("name").verbose_name).capitalize(), "Страна", "ГОРОД"]
        labels += [str(Centre._meta.get_field("last_verified_on").verbose_name), "круглосуточно"]
        labels += ["premises_area_m2"]  # its label's "м²" has no place in Windows-1251: codes and labels mix
        labels += [str(Centre._meta.get_field("beds_free_updated_at").verbose_name)]
    russian = excel_in_russian(
        [labels, ["Центр «Надежда»", "KZ", "Алматы", "31.01.2025", "ИСТИНА", "42,5", "31.01.2025 9:30"]]
    )
    twin = csv_text(codes, ["Центр «Надежда»", "KZ", "Алматы", "2025-01-31", "true", "42.5", "2025-01-31T09:30"])
    plans = [imports.validate(data, filename="centres.csv") for data in (russian, twin.encode("utf-8"))]
    assert [plan.errors for plan in plans] == [[], []]
    assert plans[0].read_as == "CSV, Windows-1251, cells separated by «;»"
    first, second = (plan.centres[0] for plan in plans)
    for field in ("name", "country", "city_id", "last_verified_on", "open_24_7", "beds_free_updated_at"):
        assert getattr(first.centre, field) == getattr(second.centre, field), field
    assert first.compliance.premises_area_m2 == second.compliance.premises_area_m2 == Decimal("42.5")
    assert first.centre.last_verified_on == datetime.date(2025, 1, 31)


def test_an_xlsx_export_imports_back_unchanged(tmp_path, almaty):
    full_centre(almaty)
    sparse_centre()
    target = tmp_path / "centres.xlsx"
    call_command("export_centres", "--format", "xlsx", "--output", str(target), stderr=io.StringIO())
    plan = imports.validate(target.read_bytes(), filename=target.name)
    assert plan.errors == []
    assert plan.read_as == "XLSX, sheet «centres»"
    assert (plan.created, plan.changed, plan.unchanged) == (0, 0, 2), plan.describe()


# -- nothing lost: a file exported last week cannot undo this week's edits -----------------------------------------


def test_an_old_export_cannot_silently_undo_edits_made_since(tmp_path, almaty):
    centre = full_centre(almaty)
    old_export = export_text()
    editor = make_user("aigul", "editor")
    centre = Centre.objects.get(pk=centre.pk)
    centre.beds_free, centre.hours, centre._history_user = 1, "Круглосуточно", editor
    centre.save()  # this week: one place left, new hours, and a phone added
    CentrePhone.objects.create(centre=centre, number="+7 727 999 9999", position=9)
    history = history_count()

    with pytest.raises(CommandError, match="--overwrite 2"):
        run_import(tmp_path, old_export)

    centre.refresh_from_db()
    assert (centre.beds_free, centre.hours) == (1, "Круглосуточно")
    assert "+7 727 999 9999" in centre.phones.values_list("number", flat=True)
    assert history_count() == history
    (conflict,) = imports.validate(old_export.encode(), filename="old.csv").conflicts
    assert str(conflict).startswith(f"Row 2: «{centre.name}» was changed by aigul at ")
    assert "(version 1 in the file, 2 now)" in str(conflict)


def test_a_row_whose_centre_changed_is_written_when_the_editor_says_so(tmp_path, almaty):
    centre = full_centre(almaty)
    old_export = export_text()
    Centre.objects.filter(pk=centre.pk).update(version=2)  # changed since the export

    run_import(tmp_path, old_export.replace("Звоните заранее.", "Звоните днём."), "--overwrite", "2")

    centre.refresh_from_db()
    assert centre.public_notes == "Звоните днём."


def test_a_file_without_versions_asks_before_it_changes_an_existing_centre(almaty):
    centre = full_centre(almaty)
    unchanged = csv_text(["id", "name"], [str(centre.pk), centre.name])
    changed = csv_text(["id", "name"], [str(centre.pk), "Новое имя"])
    assert imports.validate(unchanged.encode()).writable  # nothing to undo
    plan = imports.validate(changed.encode())
    (conflict,) = plan.conflicts
    assert "the file does not say which version" in str(conflict)
    assert not plan.writable
    assert imports.validate(changed.encode(), overwrite=[2]).writable


def test_a_version_newer_than_the_centres_is_an_error(almaty):
    centre = full_centre(almaty)
    text = csv_text(["id", "name", "version"], [str(centre.pk), "Другое", "7"])
    assert import_errors(text) == [
        "Row 2, column version: version 7 is newer than the centre's (1): the row is not from an export of ours."
    ]


def test_an_id_naming_one_centre_and_a_name_naming_another_is_refused_naming_both(almaty):
    first = make_centre(name="Центр «Жан»", city=almaty)
    second = make_centre(name="Центр «Ана»", city=almaty)
    text = csv_text(["id", "name", "city", "version"], [str(first.pk), second.name, almaty.name_ru, "1"])
    (error,) = import_errors(text)
    assert error.startswith("Row 2, column id: the id names «Центр «Жан»»")
    assert str(first.pk) in error and str(second.pk) in error


def test_the_slug_of_an_existing_centre_is_kept_and_a_new_centre_may_bring_its_own(tmp_path, almaty):
    centre = make_centre(name="Центр «Жан»", city=almaty)
    renamed = csv_text(["id", "slug", "name", "version"], [str(centre.pk), "another", centre.name, "1"])
    (error,) = import_errors(renamed)
    assert error == (
        f"Row 2, column slug: the address of a centre's page is kept once set: «{centre.slug}» is printed on "
        "referral sheets."
    )
    taken = csv_text(["slug", "name", "country"], [centre.slug, "Другой центр", "KZ"])
    assert import_errors(taken) == [
        f"Row 2, column slug: «{centre.slug}» is already the address of another centre's page."
    ]
    run_import(tmp_path, csv_text(["slug", "name", "country"], ["umit-astana", "Үміт", "KZ"]))
    assert Centre.objects.get(name="Үміт").slug == "umit-astana"


# -- nothing leaked ---------------------------------------------------------------------------------------------------


@pytest.fixture
def public_centre_and_city_only_shelter(almaty):
    public = make_centre(name="Центр «Жан»", city=almaty, address_visibility="public", address="пр. Абая, 10")
    shelter = make_centre(
        name="Убежище «Тайна»", city=almaty, address_visibility="city", address="ул. Потайная, 7, кв. 3"
    )
    return public, shelter


def test_an_unclosed_quote_in_an_export_never_carries_a_shelters_address_into_public_notes(
    client, tmp_path, public_centre_and_city_only_shelter
):
    public, shelter = public_centre_and_city_only_shelter
    header, *rows = list(csv.reader(io.StringIO(export_text().removeprefix("\ufeff"), newline="")))
    notes = header.index("public_notes")
    by_name = {row[header.index("name")]: row for row in rows}
    by_name[public.name][notes] = '"Звоните заранее.'  # the quote an editor opened and never closed
    lines = [",".join(header)]
    for row in (by_name[public.name], by_name[shelter.name]):
        cells = [cell if n == notes and row is by_name[public.name] else f'"{cell}"' for n, cell in enumerate(row)]
        lines.append(",".join(cells))
    text = "\r\n".join(lines) + "\r\n"
    history = history_count()

    with pytest.raises(CommandError):
        run_import(tmp_path, text, "--overwrite-all")

    (error,) = imports.validate(text.encode(), overwrite=True).errors
    assert "Line 2 (row 2)" in str(error) and "quote" in str(error)
    assert history_count() == history
    for url in (f"/en/centres/{public.slug}/", "/en/centres/", "/en/centres/export.csv", "/en/centres/export.json"):
        response = client.get(url)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert "Потайная" not in content.decode(), url


def test_a_public_text_holding_a_non_public_address_is_refused_naming_whose(public_centre_and_city_only_shelter):
    public, shelter = public_centre_and_city_only_shelter
    text = csv_text(["id", "public_notes", "version"], [str(public.pk), "Рядом: ул. Потайная, 7, кв. 3.", "1"])
    assert import_errors(text) == [
        "Row 2, column public_notes: holds the address of «Убежище «Тайна»», which is not public: it would show on "
        "public pages."
    ]
    own = csv_text(["id", "hours", "version"], [str(shelter.pk), "Приходите: Потайная 7 кв 3", "1"])
    assert import_errors(own) == [
        "Row 2, column hours: holds this centre's own address, which is not public: it would show on public pages."
    ]


def test_a_public_text_that_grows_a_lot_is_flagged(public_centre_and_city_only_shelter):
    public, _shelter = public_centre_and_city_only_shelter
    text = csv_text(["id", "public_notes", "version"], [str(public.pk), "слово " * 80, "1"])
    plan = imports.validate(text.encode())
    assert plan.writable
    assert [str(warning) for warning in plan.warnings] == [
        f"Row 2, column public_notes: grows by {len(('слово ' * 80).strip())} characters: check that no other row's "
        "text slipped into it."
    ]


# -- bad cells ----------------------------------------------------------------------------------------------------


def test_invisible_characters_are_dropped_from_names_which_then_match(almaty):
    existing = make_centre(name="Убежище Надежда", city=almaty)
    text = csv_text(["name", "city", "hours"], ["\u202eУбежище\u200b Надежда", almaty.name_ru, "9–18"])
    plan = imports.validate(text.encode(), overwrite=True)
    (item,) = plan.centres
    assert (item.created, item.centre.pk, item.centre.name) == (False, existing.pk, "Убежище Надежда")


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("latitude", "95", "Ensure this value is less than or equal to 90."),
        ("latitude", "44.6", "This point is 149 km from Almaty: more than 50 km. Check the coordinates or the city."),
        ("phones", ";".join(["150"] * 6000), "6000 phone numbers; a centre may have at most 10."),
        ("public_notes", "x" * 5001, "the cell holds 5001 characters; this column takes at most 5000."),
        ("hours", "x" * 501, "the cell holds 501 characters; this column takes at most 500."),
    ],
)
def test_a_bad_cell_gets_a_clear_error_naming_row_and_column(almaty, column, value, message):
    header = ["name", "country", "city", "longitude", column] if column == "latitude" else ["name", column]
    row = ["Центр", "KZ", almaty.name_ru, "76.9115", value] if column == "latitude" else ["Центр", value]
    (error,) = import_errors(csv_text(header, row))
    assert error.startswith(f"Row 2, column {column}: ")
    assert error.endswith(message)
