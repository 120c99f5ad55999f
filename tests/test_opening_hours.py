"""Weekly opening hours (`opening_hours.py`) and "open now", judged in each centre's own time zone (issue 12)."""

import datetime
import importlib
import random
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import translation

from centres import opening_hours as schedules
from centres.models import Centre, CentreOpening, Place
from tests.conftest import change_url, errors, form_data, make_centre

pytestmark = pytest.mark.django_db

ALMATY, SHYMKENT, AKTOBE, BISHKEK = 1526384, 1518980, 610611, 1528675
LIST = "/en/centres/"
# A Monday. Before 1 March 2024 Almaty kept UTC+6 and Aktobe UTC+5: the two Kazakh zones told apart.
MONDAY_2023 = datetime.date(2023, 6, 5)
MONDAY = datetime.date(2026, 11, 30)


def at(day: datetime.date, clock: str, zone: str = "Asia/Almaty") -> datetime.datetime:
    hour, minute = (int(part) for part in clock.split(":"))
    return datetime.datetime.combine(day, datetime.time(hour, minute), ZoneInfo(zone))


# --- the line ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, spelled",
    [
        ("Mo-Fr 09:00-18:00; Sa 10:00-14:00", "Mo-Fr 09:00-18:00; Sa 10:00-14:00"),
        ("Пн–Пт 9:00–18:00", "Mo-Fr 09:00-18:00"),
        ("mo - fr 9:00 - 13:00 , 14:00-18:00", "Mo-Fr 09:00-13:00,14:00-18:00"),
        ("Mo,We,Fr 10:00-12:00", "Mo 10:00-12:00; We 10:00-12:00; Fr 10:00-12:00"),
        ("Mo-Tu 09:00-18:00; We 09:00-18:00", "Mo-We 09:00-18:00"),
        ("Sa-Mo 22:00-08:00", "Mo 22:00-08:00; Sa-Su 22:00-08:00"),
        ("Mo-Su 00:00-24:00", "24/7"),
        ("Круглосуточно", "24/7"),
        ("BY APPOINTMENT", "by appointment"),
        ("по записи", "by appointment"),
        ("  ", ""),
    ],
)
def test_a_line_is_read_in_any_accepted_spelling_and_written_in_one(line, spelled):
    assert schedules.normalised(line) == spelled
    assert schedules.normalised(spelled) == spelled  # written back, it reads the same


@pytest.mark.parametrize(
    "line, message",
    [
        ("Mon-Fri 09:00-18:00", "“Mon-Fri 09:00-18:00”: “Mon-Fri” is not a day or a range of days"),
        ("Mo-Fr 9-18", "“Mo-Fr 9-18”: “9-18” is not a span of hours (from HH:MM to HH:MM"),
        ("Mo 25:00-26:00", "“25:00-26:00” is not a span of hours"),
        ("Mo 09:00-09:00", "“09:00-09:00” is not a span of hours"),
        ("Mo 24:00-06:00", "“24:00-06:00” is not a span of hours"),
        ("Mo 09:00", "“09:00” is not a span of hours"),
        ("Mo-Fr 09:00-18:00; Mo 10:00-12:00", "“Mo 10:00-12:00”: Mo is given twice for the same hours."),
        (";;", "Give days and hours, such as “Mo-Fr 09:00-18:00”, or “24/7”, or “by appointment”."),
    ],
)
def test_a_line_that_is_not_weekly_hours_is_refused_saying_what_and_where(line, message):
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            schedules.parse(line)
        assert message in " ".join(refused.value.messages)


def test_the_refusal_is_in_the_editors_language():
    with translation.override("ru"):
        with pytest.raises(ValidationError) as refused:
            schedules.parse("Mon 9-18")
        assert refused.value.messages == [
            "«Mon 9-18»: «Mon» — не день и не диапазон дней (Mo Tu We Th Fr Sa Su или Пн Вт Ср Чт Пт Сб Вс, "
            "например Mo-Fr)."
        ]


@pytest.mark.parametrize(
    "language, shown",
    [
        ("en", "Mo–Fr 09:00–13:00, 14:00–18:00; Sa 10:00–14:00"),
        ("ru", "Пн–Пт 09:00–13:00, 14:00–18:00; Сб 10:00–14:00"),
    ],
)
def test_a_page_shows_the_days_in_its_own_language(language, shown):
    with translation.override(language):
        assert schedules.parse("Mo-Fr 09:00-13:00,14:00-18:00; Sa 10:00-14:00").display() == shown


# --- open at a moment -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, moment, is_open",
    [
        ("Mo-Fr 09:00-18:00", "08:59", False),  # a minute before opening
        ("Mo-Fr 09:00-18:00", "09:00", True),  # at opening
        ("Mo-Fr 09:00-18:00", "17:59", True),
        ("Mo-Fr 09:00-18:00", "18:00", False),  # at closing
        ("Mo-Fr 09:00-13:00,14:00-18:00", "13:30", False),  # the lunch break
        ("Mo 22:00-06:00", "23:30", True),  # overnight, before midnight
        ("Su 22:00-06:00", "05:59", True),  # Sunday night into Monday morning
        ("Su 22:00-06:00", "06:00", False),
        ("Sa 10:00-14:00", "11:00", False),  # not a day it opens
        ("Mo-Fr 00:00-24:00", "00:00", True),
        ("24/7", "03:00", True),
    ],
)
def test_open_at_the_boundaries(line, moment, is_open):
    assert schedules.parse(line).is_open(at(MONDAY, moment)) is is_open


def test_by_appointment_is_neither_open_nor_closed():
    assert schedules.parse("by appointment").is_open(at(MONDAY, "10:00")) is None


# --- "open now" in the database, in each centre's zone ---------------------------------------------------------


def centre_in(geonameid: int, name: str, **fields) -> Centre:
    city = Place.objects.get(pk=geonameid)
    return make_centre(name=name, country=city.country, city=city, region_id=city.region_id, **fields)


def test_openings_follow_every_change_of_the_weekly_hours():
    centre = centre_in(ALMATY, "Центр", opening_hours="Пн–Пт 9:00–18:00")
    assert centre.opening_hours == "Mo-Fr 09:00-18:00"
    assert centre.openings.count() == 5
    centre.opening_hours = "Sa 22:00-02:00"
    centre.save()
    assert sorted(centre.openings.values_list("day", "opens", "closes")) == [(5, 1320, 1440), (6, 0, 120)]
    reread = Centre.objects.get(pk=centre.pk)
    reread.name = "Центр «Новое имя»"
    reread.save()  # the hours unchanged: the openings are left as they are
    assert sorted(centre.openings.values_list("day", "opens", "closes")) == [(5, 1320, 1440), (6, 0, 120)]
    reread.opening_hours = ""
    reread.save()
    assert not CentreOpening.objects.exists()


def test_open_now_is_judged_in_each_centres_own_time_zone(client):
    """At 03:30 UTC on a Monday in 2023 it was 09:30 in Almaty and Bishkek (UTC+6), 08:30 in Aktobe (UTC+5)."""
    office = "Mo-Fr 09:00-18:00"
    centre_in(ALMATY, "Almaty office", opening_hours=office)
    centre_in(BISHKEK, "Bishkek office", opening_hours=office)
    centre_in(AKTOBE, "Aktobe office", opening_hours=office)
    centre_in(SHYMKENT, "Always open", opening_hours="24/7")
    centre_in(SHYMKENT, "Recorded 24/7 without hours", open_24_7=True)
    centre_in(SHYMKENT, "By appointment", opening_hours="by appointment")
    with time_machine.travel(at(MONDAY_2023, "03:30", "UTC"), tick=False):
        names = {view.name for view in client.get(LIST, {"open_now": "on"}).context["centres"]}
    assert names == {"Almaty office", "Bishkek office", "Always open", "Recorded 24/7 without hours"}
    with time_machine.travel(at(MONDAY_2023, "04:30", "UTC"), tick=False):  # 09:30 in Aktobe
        names = {view.name for view in client.get(LIST, {"open_now": "on"}).context["centres"]}
    assert "Aktobe office" in names


def test_a_card_says_open_now_or_closed_now_with_the_hours_in_the_pages_language(client):
    centre_in(ALMATY, "Office", opening_hours="Mo-Fr 09:00-18:00")
    with time_machine.travel(at(MONDAY, "10:00"), tick=False):
        card = client.get("/ru/centres/").content.decode()
    assert "Открыто сейчас" in card and "Пн–Пт 09:00–18:00" in card
    with time_machine.travel(at(MONDAY, "19:00"), tick=False):
        card = client.get("/ru/centres/", {"q": "office"}).content.decode()
    assert "Сейчас закрыто" in card


def test_the_database_agrees_with_the_python_judgement_for_random_weeks():
    rng = random.Random(12)
    lines = []
    for n in range(40):
        rules = []
        for days in rng.sample(["Mo", "Tu-We", "Th", "Fr-Su", "Sa", "Su-Mo"], 2):
            opens = rng.randrange(0, 24 * 4) * 15
            closes = (opens + rng.randrange(1, 24 * 4) * 15) % (24 * 60)
            rules.append(f"{days} {opens // 60:02}:{opens % 60:02}-{closes // 60:02}:{closes % 60:02}")
        try:
            line = schedules.normalised("; ".join(rules))
        except ValidationError:
            continue  # two rules gave one day overlapping hours
        lines.append(line)
        centre_in(rng.choice([ALMATY, AKTOBE, BISHKEK]), f"Centre {n}", opening_hours=line)
    assert len(lines) > 20
    centres = list(Centre.objects.all())
    for _ in range(30):
        moment = at(MONDAY, "00:00", "UTC") + datetime.timedelta(minutes=rng.randrange(0, 7 * 24 * 60))
        expected = {
            centre.pk
            for centre in centres
            if schedules.parse(centre.opening_hours).is_open(
                moment.astimezone(schedules.zone_of(centre.country, centre.region_id))
            )
        }
        assert set(Centre.objects.open_at(moment).values_list("pk", flat=True)) == expected, moment


def test_the_migration_makes_weekly_hours_of_notes_that_read_as_them():
    readable = centre_in(ALMATY, "Readable", hours="Пн–Пт 9:00–18:00")
    unreadable = centre_in(ALMATY, "Unreadable", hours="с утра до вечера, обед 13–14")
    migration = importlib.import_module("centres.migrations.0022_opening_hours")
    migration.weekly_hours_from_notes(apps, None)
    readable.refresh_from_db()
    unreadable.refresh_from_db()
    assert (readable.opening_hours, readable.hours) == ("Mo-Fr 09:00-18:00", "Пн–Пт 9:00–18:00")
    assert readable.openings.count() == 5
    assert (unreadable.opening_hours, unreadable.hours) == ("", "с утра до вечера, обед 13–14")


# --- in the editor area -----------------------------------------------------------------------------------------


def test_an_editor_enters_weekly_hours_and_a_bad_line_is_refused_with_nothing_saved(editor_client):
    centre = centre_in(ALMATY, "Центр")
    url = change_url(centre)
    data = form_data(editor_client, url)
    data["opening_hours"] = "Mon-Fri 9-18"
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "is not a day or a range of days" in str(response.context["adminform"].form.errors["opening_hours"])
    assert Centre.objects.get(pk=centre.pk).opening_hours == ""
    data["opening_hours"] = "Пн–Пт 9:00–18:00; Сб 10:00–14:00"
    response = editor_client.post(url, data)
    assert response.status_code == 302, errors(response)
    assert Centre.objects.get(pk=centre.pk).opening_hours == "Mo-Fr 09:00-18:00; Sa 10:00-14:00"
    assert centre.openings.count() == 6
