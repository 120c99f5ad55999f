"""The HSDS mapping itself (centres/open_data/hsds.py): ids, hours, taxonomy and a fully filled centre, each object
valid against the shipped HSDS 3.1 schemas."""

import datetime
import uuid

import pytest
from django.utils import timezone, translation

from centres.models import Centre, CountryRules
from centres.open_data import hsds
from tests.conftest import make_centre, make_operator
from tests.hsds_validation import assert_valid

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind, key", [("service", 5), ("organization", "unrecorded"), ("a/b", "ключ")])
def test_stable_ids_are_uuid5_of_our_ids(kind, key):
    assert hsds.stable_id(kind, key) == str(uuid.uuid5(hsds.NAMESPACE, f"{kind}/{key}"))


def test_every_taxonomy_term_has_its_own_id_and_validates():
    terms = hsds.terms()
    assert len({term.id for term in terms}) == len(terms)
    parents = {term.id for term in terms if not term.group}
    for term in terms:
        found = hsds.taxonomy_term(term)
        assert_valid("taxonomy_term", found)
        assert (found.get("parent_id") in parents) == bool(term.group)
    assert_valid("taxonomy", hsds.taxonomy())
    assert hsds.term_by_id(hsds.Term("service", "shelter").id) == hsds.Term("service", "shelter")
    assert hsds.term_by_id(str(uuid.uuid4())) is None


def only(centre: Centre) -> dict:
    return hsds.page_of_services(list(hsds.with_phones(hsds.services().filter(pk=centre.pk))))[0]


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Mo-Fr 09:00-18:00; Sa 10:00-14:00", [("MO,TU,WE,TH,FR", "09:00", "18:00"), ("SA", "10:00", "14:00")]),
        ("Mo-Su 20:00-08:00", [("MO,TU,WE,TH,FR,SA,SU", "20:00", "08:00")]),  # past midnight: closes before it opens
        ("Mo-Fr 09:00-13:00,14:00-18:00", [("MO,TU,WE,TH,FR", "09:00", "13:00"), ("MO,TU,WE,TH,FR", "14:00", "18:00")]),
        ("24/7", [("MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59")]),
    ],
)
def test_weekly_hours_become_weekly_schedules(line, expected):
    found = only(make_centre(opening_hours=line))
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in found["schedules"]] == expected
    assert {s["freq"] for s in found["schedules"]} == {"WEEKLY"}
    assert_valid("service", found)


def test_by_appointment_and_a_note_are_descriptions():
    with translation.override("en"):
        found = only(make_centre(opening_hours="by appointment", hours="Call first"))
        assert [s["description"] for s in found["schedules"]] == ["By appointment"]
        assert found["schedules"][0]["notes"] == "Call first"
        bare = only(make_centre(name="Без часов", hours="Call first"))
        assert [s["description"] for s in bare["schedules"]] == ["Call first"]


def test_a_fully_filled_public_shelter(thresholds):
    operator = make_operator(name="Фонд «Шанырак»", kind="cso", registration_number="123456789012")
    centre = make_centre(
        operator=operator,
        address_visibility="public",
        address="пр. Абая, 1",
        latitude=43.25,
        longitude=76.95,
        phones=[("Горячая линия", "+7 727 000 0000", True), ("", "150", False)],
        opening_hours="Mo-Fr 09:00-18:00",
        website="https://example.org",
        email="help@example.org",
        beds=12,
        beds_free=3,
        accessible=True,
        free=True,
        referral_needed=False,
        accepts_children=True,
        boys_max_age=12,
        documents_needed="none",
        max_stay_days=30,
    )
    with translation.override("en"):
        found = only(centre)
    assert_valid("service", found)
    assert found["id"] == str(centre.pk)
    assert found["status"] == "active"
    assert found["url"] == "https://example.org"
    assert found["assured_date"] == "2026-10-01"
    assert [phone["number"] for phone in found["phones"]] == ["+7 727 000 0000", "150"]
    assert found["phones"][0]["description"] == "Горячая линия (answers 24/7)"
    assert {language["code"] for language in found["phones"][0]["languages"]} == {"kk", "ru"}
    location = found["service_at_locations"][0]["location"]
    assert (location["latitude"], location["longitude"]) == (43.25, 76.95)
    assert location["addresses"][0]["address_1"] == "пр. Абая, 1"
    assert location["accessibility"][0]["description"] == "Wheelchair access"
    [capacity] = found["capacities"]
    assert capacity["available"] == 3 and capacity["unit"]["name"] == "bed"
    assert "maximum" not in capacity  # the number of beds is on no public page
    organization = found["organization"]
    assert organization["description"] == (
        "Kind of operator: Civil-society organisation. Its centres in the directory are in: Kazakhstan."
    )
    assert "123456789012" not in str(found)
    values = {attribute["taxonomy_term_id"]: attribute.get("value") for attribute in found["attributes"]}
    assert values[hsds.Term("admission", "boys_max_age").id] == "12"
    assert values[hsds.Term("admission", "referral_needed").id] == "false"
    assert values[hsds.Term("admission", "documents_needed").id] == "No documents needed"
    assert hsds.Term("admission", "anonymous").id not in values  # not known: no attribute
    assert hsds.Term("service", "shelter").id in values


def test_a_stale_figure_and_a_temporary_closure(thresholds):
    centre = make_centre(
        address_visibility="public", address="пр. Абая, 1", beds=5, beds_free=2, status="temporarily_closed"
    )
    old = timezone.now() - datetime.timedelta(days=CountryRules(country="KZ").beds_free_max_age_days + 1)
    Centre.objects.filter(pk=centre.pk).update(beds_free_updated_at=old)
    found = only(centre)
    assert found["capacities"] == []
    assert found["status"] == "temporarily closed"
    assert_valid("service", found)
