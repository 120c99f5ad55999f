"""`Centre.public_changed_at`: when what the public sees of a centre last changed — the open data's `last_modified`
and what its `modified_after` filter reads. A change nobody outside may know of (a hidden shelter's places free,
internal notes, licensing) never moves it."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from centres.models import Centre, CentrePhone
from tests.conftest import make_centre, make_operator

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
LATER = START + datetime.timedelta(hours=3)


def stamp(centre: Centre) -> datetime.datetime:
    return Centre.objects.values_list("public_changed_at", flat=True).get(pk=centre.pk)


@pytest.fixture
def hidden_shelter():
    with time_machine.travel(START, tick=False):
        return make_centre(address_visibility="hidden", address="ул. Тайная, 5", beds=10, beds_free=2)


@pytest.fixture
def public_shelter():
    with time_machine.travel(START, tick=False):
        return make_centre(name="Открытый приют", address_visibility="public", address="пр. Абая, 1", beds=10)


def edit(centre: Centre, **values) -> None:
    centre = Centre.objects.get(pk=centre.pk)
    for name, value in values.items():
        setattr(centre, name, value)
    with time_machine.travel(LATER, tick=False):
        centre.save()


def test_a_new_centre_is_a_public_change(hidden_shelter):
    assert stamp(hidden_shelter) == START


@pytest.mark.parametrize(
    "values",
    [
        {"beds_free": 7},
        {"internal_notes": "позвонить директору"},
        {"source": "звонок"},
        {"beds": 12},
        {"address": "ул. Новая Тайная, 9"},
        {"latitude": Decimal("43.250001"), "longitude": Decimal("76.950001")},
    ],
    ids=["places free", "internal notes", "source", "beds", "street", "own point"],
)
def test_what_the_public_never_sees_of_a_hidden_shelter_leaves_it(hidden_shelter, values):
    edit(hidden_shelter, **values)
    assert stamp(hidden_shelter) == START
    assert Centre.objects.get(pk=hidden_shelter.pk).updated_at == LATER  # the save did happen


def test_a_licensing_change_leaves_it(hidden_shelter):
    with time_machine.travel(LATER, tick=False):
        compliance = hidden_shelter.compliance
        compliance.licence_status = "revoked"
        compliance.save()
    assert stamp(hidden_shelter) == START


@pytest.mark.parametrize(
    "values",
    [{"name": "Новое имя"}, {"hours": "Пн–Пт"}, {"email": "help@example.org"}, {"status": "temporarily_closed"}],
    ids=["name", "hours note", "email", "status"],
)
def test_what_a_public_page_shows_moves_it(hidden_shelter, values):
    edit(hidden_shelter, **values)
    assert stamp(hidden_shelter) == LATER


@pytest.mark.parametrize("values", [{"published": False}, {"archived": True}], ids=["unpublished", "archived"])
def test_leaving_or_entering_public_view_moves_it(public_shelter, values):
    edit(public_shelter, **values)
    assert stamp(public_shelter) == LATER
    again = LATER + datetime.timedelta(hours=1)
    centre = Centre.objects.get(pk=public_shelter.pk)
    for name in values:
        setattr(centre, name, not values[name])
    with time_machine.travel(again, tick=False):
        centre.save()
    assert stamp(public_shelter) == again


def test_places_free_at_a_public_address_move_it(public_shelter):
    edit(public_shelter, beds_free=3)
    assert stamp(public_shelter) == LATER


def test_a_translation_of_a_public_text_moves_it(hidden_shelter):
    edit(hidden_shelter, public_notes_kk="Телефон арқылы хабарласыңыз")
    assert stamp(hidden_shelter) == LATER


def test_a_phone_added_changed_or_removed_moves_it(hidden_shelter):
    with time_machine.travel(LATER, tick=False):
        phone = CentrePhone.objects.create(centre=hidden_shelter, number="+7 727 000 0000")
    assert stamp(hidden_shelter) == LATER
    even_later = LATER + datetime.timedelta(hours=1)
    with time_machine.travel(even_later, tick=False):
        phone.delete()
    assert stamp(hidden_shelter) == even_later


def test_an_operator_renamed_moves_its_centres_but_not_others(hidden_shelter, public_shelter):
    with time_machine.travel(START, tick=False):
        operator = make_operator(name="Фонд «Жан»")
    Centre.objects.filter(pk=hidden_shelter.pk).update(operator=operator)
    with time_machine.travel(LATER, tick=False):
        operator.website = "https://example.org"  # not shown: no change
        operator.save()
    assert stamp(hidden_shelter) == START
    with time_machine.travel(LATER, tick=False):
        operator.name = "Фонд «Жан» (новое имя)"
        operator.save()
    assert stamp(hidden_shelter) == LATER
    assert stamp(public_shelter) == START


def test_a_save_of_some_fields_writes_it_too(hidden_shelter):
    centre = Centre.objects.get(pk=hidden_shelter.pk)
    centre.name = "Только имя"
    with time_machine.travel(LATER, tick=False):
        centre.save(update_fields=["name"])
    assert stamp(hidden_shelter) == LATER
    assert timezone.is_aware(stamp(hidden_shelter))
