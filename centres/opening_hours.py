"""Opening hours as editors write them and files carry them, in one readable line, and whether a centre is open now.

The line is in the style of OpenStreetMap's `opening_hours`, reduced to what crisis centres need:

    Mo-Fr 09:00-18:00; Sa 10:00-14:00        weekdays, a range or a list (Mo,We,Fr), then one or more spans
    Mo-Fr 09:00-13:00,14:00-18:00            a lunch break: two spans
    Fr-Mo 22:00-08:00                        a span that ends before it starts runs past midnight
    Mo-Su 00:00-24:00                        every day, the whole day (written back as 24/7)
    24/7                                     always open
    by appointment                           no fixed hours: call first

Days are Mo Tu We Th Fr Sa Su (or Пн Вт Ср Чт Пт Сб Вс, in any case); times are H:MM or HH:MM, 24:00 allowed
as an end; dashes may be en dashes and spaced. A day not named is closed. `parse` refuses anything else with a
message saying what and where, and `Schedule.text` writes the line back in one spelling (the English one above),
so that an import of its own export changes nothing.

Whether a centre is open is judged in its own time zone (`zone_of`): Kyrgyzstan's, Uzbekistan's, Tajikistan's,
and in Kazakhstan the zone of the tz database for its region (Almaty's for most, the western regions' own; they
have kept the same time since March 2024, but had different ones before and may again).
"""

import datetime
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
# Each language's short day names, for pages (`Schedule.display`); files keep DAYS.
DAY_NAMES = (
    pgettext_lazy("short weekday name", "Mo"),
    pgettext_lazy("short weekday name", "Tu"),
    pgettext_lazy("short weekday name", "We"),
    pgettext_lazy("short weekday name", "Th"),
    pgettext_lazy("short weekday name", "Fr"),
    pgettext_lazy("short weekday name", "Sa"),
    pgettext_lazy("short weekday name", "Su"),
)
ALWAYS = "24/7"
BY_APPOINTMENT = "by appointment"
MINUTES_A_DAY = 24 * 60
_TIME = re.compile(r"^(\d{1,2}):([0-5]\d)$")
_DAY_NAMES = {
    **{day.casefold(): n for n, day in enumerate(DAYS)},
    **{day: n for n, day in enumerate(("пн", "вт", "ср", "чт", "пт", "сб", "вс"))},
}
_WORDS = {ALWAYS: ALWAYS, "круглосуточно": ALWAYS, BY_APPOINTMENT: BY_APPOINTMENT, "по записи": BY_APPOINTMENT}

# The zone of each country, and in Kazakhstan of the regions that have their own (ISO 3166-2 codes).
COUNTRY_ZONES = {"KZ": "Asia/Almaty", "KG": "Asia/Bishkek", "UZ": "Asia/Tashkent", "TJ": "Asia/Dushanbe"}
REGION_ZONES = {
    "KZ-15": "Asia/Aqtobe",  # Aktobe
    "KZ-23": "Asia/Atyrau",  # Atyrau
    "KZ-27": "Asia/Oral",  # West Kazakhstan
    "KZ-43": "Asia/Qyzylorda",  # Kyzylorda
    "KZ-47": "Asia/Aqtau",  # Mangystau
}


def zone_of(country: str, region_code: str | None) -> ZoneInfo:
    """The time zone a centre keeps its hours in."""
    return ZoneInfo(REGION_ZONES.get(region_code or "", COUNTRY_ZONES.get(country, "Asia/Almaty")))


def zones() -> list[tuple[ZoneInfo, Q]]:
    """Each time zone with the centres that keep it (a condition on their country and region): what "open now"
    asks the database zone by zone (`CentreQuerySet.open_at`)."""
    found = [(ZoneInfo(zone), Q(country="KZ", region_id=code)) for code, zone in REGION_ZONES.items()]
    for country, zone in COUNTRY_ZONES.items():
        where = Q(country=country)
        if country == "KZ":
            where &= ~Q(region_id__in=list(REGION_ZONES))
        found.append((ZoneInfo(zone), where))
    return found


@dataclass(frozen=True)
class Span:
    """Open on `day` (0 Monday … 6 Sunday) from `opens` to `closes`, in minutes since that day's midnight; `closes`
    may pass 1440 (past midnight, into the next day)."""

    day: int
    opens: int
    closes: int


@dataclass(frozen=True)
class Schedule:
    """A week of opening hours, or always open, or by appointment only."""

    spans: tuple[Span, ...] = ()
    always: bool = False
    by_appointment: bool = False

    @property
    def text(self) -> str:
        """The one spelling of this schedule: days with the same spans together, in week order."""
        if self.always:
            return ALWAYS
        if self.by_appointment:
            return BY_APPOINTMENT
        by_day: dict[int, list[Span]] = {}
        for span in self.spans:
            by_day.setdefault(span.day, []).append(span)
        rules: list[tuple[list[int], str]] = []
        for day in range(7):
            if day not in by_day:
                continue
            times = ",".join(f"{_clock(span.opens)}-{_clock(span.closes)}" for span in by_day[day])
            if rules and rules[-1][1] == times and rules[-1][0][-1] == day - 1:
                rules[-1][0].append(day)
            else:
                rules.append(([day], times))
        return "; ".join(f"{_days(days)} {times}" for days, times in rules)

    def display(self) -> str:
        """The schedule as a page in the current language says it: its short day names, "24/7" or "by
        appointment" in words."""
        if self.always:
            return str(_("Open 24/7"))
        if self.by_appointment:
            return str(_("By appointment"))
        names = [str(name) for name in DAY_NAMES]
        # The one spelling's grouping, with each language's day names: "Mo-Fr 09:00-18:00" → "Пн–Пт 09:00–18:00".
        parts = []
        for rule in self.text.split("; "):
            days, times = rule.split(" ")
            first, _dash, last = days.partition("-")
            days = names[DAYS.index(first)] + (f"–{names[DAYS.index(last)]}" if last else "")
            parts.append(f"{days} {times.replace('-', '–').replace(',', ', ')}")
        return "; ".join(parts)

    def weekly_minutes(self) -> list[tuple[int, int, int]]:
        """(day, from, to) within single days, from 0 to 1440 minutes: what the database is asked about for "open
        now" (`CentreOpening`). A span past midnight is cut in two, its end on the next day (Sunday's on Monday)."""
        if self.always:
            return [(day, 0, MINUTES_A_DAY) for day in range(7)]
        pieces = []
        for span in self.spans:
            pieces.append((span.day, span.opens, min(span.closes, MINUTES_A_DAY)))
            if span.closes > MINUTES_A_DAY:
                pieces.append(((span.day + 1) % 7, 0, span.closes - MINUTES_A_DAY))
        return sorted(pieces)

    def is_open(self, local: datetime.datetime) -> bool | None:
        """Open at `local` (a time in the centre's own zone); None when only by appointment: nobody can say."""
        if self.by_appointment:
            return None
        minute = local.hour * 60 + local.minute
        day = local.weekday()
        return any(piece_day == day and opens <= minute < closes for piece_day, opens, closes in self.weekly_minutes())


def parse(line: str) -> Schedule:
    """The schedule `line` writes; ValidationError saying what is wrong and where when it is not one."""
    text = re.sub(r"\s*([-,;])\s*", r"\1", " ".join(line.replace("–", "-").replace("—", "-").split()))
    word = _WORDS.get(text.casefold())
    if word == ALWAYS:
        return Schedule(always=True)
    if word == BY_APPOINTMENT:
        return Schedule(by_appointment=True)
    spans: list[Span] = []
    for rule in (part.strip() for part in text.split(";")):
        if not rule:
            continue
        days_text, _space, times_text = rule.partition(" ")
        days = _parse_days(days_text, rule)
        for times in times_text.split(","):
            opens, closes = _parse_span(times, rule)
            for day in days:
                if any(span.day == day for span in spans if _overlap(span, opens, closes)):
                    raise ValidationError(
                        _("“%(rule)s”: %(day)s is given twice for the same hours."),
                        code="overlap",
                        params={"rule": rule, "day": DAYS[day]},
                    )
                spans.append(Span(day, opens, closes))
    if not spans:
        raise ValidationError(
            _("Give days and hours, such as “Mo-Fr 09:00-18:00”, or “24/7”, or “by appointment”."), code="empty"
        )
    if len(spans) == 7 and all((span.opens, span.closes) == (0, MINUTES_A_DAY) for span in spans):
        return Schedule(always=True)
    return Schedule(spans=tuple(sorted(spans, key=lambda span: (span.day, span.opens))))


def normalised(line: str) -> str:
    """`line` in the one spelling (`Schedule.text`), "" for an empty line; ValidationError when it is not one."""
    return parse(line).text if line.strip() else ""


def validate(line: str) -> None:
    """A model field's validator: an empty line or a valid one."""
    normalised(line)


def _parse_days(text: str, rule: str) -> list[int]:
    days: list[int] = []
    for part in text.split(","):
        first, _dash, last = (name.casefold() for name in part.partition("-"))
        if first not in _DAY_NAMES or (last and last not in _DAY_NAMES):
            raise ValidationError(
                _("“%(rule)s”: “%(days)s” is not a day or a range of days (Mo Tu We Th Fr Sa Su, such as Mo-Fr)."),
                code="days",
                params={"rule": rule, "days": part},
            )
        start, end = _DAY_NAMES[first], _DAY_NAMES[last or first]
        days.extend((start + step) % 7 for step in range((end - start) % 7 + 1))
    return days


def _parse_span(text: str, rule: str) -> tuple[int, int]:
    opens_text, _dash, closes_text = text.partition("-")
    opens, closes = _minutes(opens_text), _minutes(closes_text)
    if opens is None or closes is None or opens in (MINUTES_A_DAY, closes):
        raise ValidationError(
            _("“%(rule)s”: “%(times)s” is not a span of hours (from HH:MM to HH:MM, such as 09:00-18:00)."),
            code="times",
            params={"rule": rule, "times": text},
        )
    # An end before the start runs past midnight: 22:00-08:00 ends at 08:00 the next day.
    return opens, closes if closes > opens else closes + MINUTES_A_DAY


def _minutes(text: str) -> int | None:
    found = _TIME.match(text)
    if not found:
        return None
    minutes = int(found.group(1)) * 60 + int(found.group(2))
    return minutes if minutes <= MINUTES_A_DAY else None


def _overlap(span: Span, opens: int, closes: int) -> bool:
    return span.opens < closes and opens < span.closes


def _clock(minutes: int) -> str:
    if minutes > MINUTES_A_DAY:
        minutes -= MINUTES_A_DAY
    return f"{minutes // 60:02}:{minutes % 60:02}"


def _days(days: list[int]) -> str:
    return DAYS[days[0]] if len(days) == 1 else f"{DAYS[days[0]]}-{DAYS[days[-1]]}"
