"""What a public page may say about a centre, computed once in Python so that templates only loop and branch.

Everything privacy-relevant is decided here: which address text, which point, whether exact places free may be
shown. Templates get a `CentreView` holding only what may be shown, never the centre itself.
"""

import datetime
import functools
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from centres import opening_hours as schedules
from centres.geo import distance_km
from centres.models import Centre, CentrePhone, CountryRules, is_stale
from centres.nearest import Origin
from centres.vocabularies import (
    AddressVisibility,
    Audience,
    DocumentsNeeded,
    Language,
    Service,
    Status,
)


@dataclass
class PlacesFree:
    """How to show places free: a number, or a reason to call instead."""

    count: int | None = None
    updated: datetime.datetime | None = None
    call_to_ask: bool = False  # a hidden or city-only shelter: the public is told to call
    call_to_check: bool = False  # the figure is older than allowed

    @property
    def just_now(self) -> bool:
        return just_now(self.updated)


def just_now(moment: datetime.datetime | None) -> bool:
    """Recent enough to say "just now" rather than "0 minutes ago"."""
    return moment is not None and timezone.now() - moment < datetime.timedelta(minutes=2)


@dataclass
class CentreView:
    name: str
    slug: str
    is_demo: bool
    temporarily_closed: bool
    city: str
    region: str
    country: str
    address: str  # "" unless the address is public
    address_by_phone: bool
    city_only: bool
    public_point: tuple[float, float] | None
    distance_km: float | None
    phones: list[CentrePhone]
    admits: list[str]  # who is admitted, short: what a card shows (only what is known to be so)
    operator: str
    operator_kind: str
    services: list[str]
    audiences: list[str]
    languages: list[str]
    places_free: PlacesFree | None
    verification_stale: bool
    last_verified_on: datetime.date | None
    messenger: str
    email: str
    website: str
    hours: str
    open_24_7: bool | None
    schedule: str  # the weekly hours in the page's language, "" when none are recorded
    open_now: bool | None  # by the weekly hours, in the centre's own time zone; None when they cannot say
    free: bool | None
    accessible: bool | None
    public_notes: str


def centre_view(
    centre: Centre, rules: dict[str, CountryRules], *, trusted: bool, origin: Origin | None = None
) -> CentreView:
    country_rules = rules[centre.country]
    today = timezone.localdate()
    point = _public_point(centre)
    schedule = schedules.parse(centre.opening_hours) if centre.opening_hours else None
    return CentreView(
        name=centre.name,
        slug=centre.slug,
        is_demo=centre.is_demo,
        temporarily_closed=centre.status == Status.TEMPORARILY_CLOSED,
        city=centre.city.display_name() if centre.city_id else "",
        region=_region_name(centre),
        country=str(centre.get_country_display()),
        address=centre.address if centre.address_visibility == AddressVisibility.PUBLIC else "",
        address_by_phone=centre.address_visibility == AddressVisibility.HIDDEN,
        city_only=centre.address_visibility == AddressVisibility.CITY,
        public_point=point,
        distance_km=_distance(origin, point),
        phones=list(centre.phones.all()),
        admits=admits(centre),
        operator=centre.operator.name if centre.operator_id else "",
        operator_kind=str(centre.operator.get_kind_display()) if centre.operator_id else "",
        services=_labels(Service, centre.services),
        audiences=_labels(Audience, centre.audiences),
        languages=_labels(Language, centre.languages),
        places_free=places_free_shown(centre, country_rules, trusted),
        verification_stale=is_stale(centre.last_verified_on, country_rules.verification_max_age_days, today),
        last_verified_on=centre.last_verified_on,
        messenger=centre.messenger,
        email=centre.email,
        website=centre.website,
        hours=centre.hours,
        open_24_7=True if schedule is not None and schedule.always else centre.open_24_7,
        schedule=schedule.display() if schedule is not None else "",
        open_now=schedule.is_open(timezone.localtime(timezone=schedules.zone_of(centre.country, centre.region_id)))
        if schedule is not None
        else None,
        free=centre.free,
        accessible=centre.accessible,
        public_notes=centre.public_notes,
    )


def admits(centre: Centre) -> list[str]:
    """Who is admitted, in a few words each, for a card: only what is recorded as so (an unknown answer is no
    promise; the centre page says what is not known)."""
    facts = []
    if centre.accepts_children:
        if centre.boys_max_age is not None:
            facts.append(
                ngettext(
                    "Mothers with children (boys up to %(age)d year)",
                    "Mothers with children (boys up to %(age)d years)",
                    centre.boys_max_age,
                )
                % {"age": centre.boys_max_age}
            )
        else:
            facts.append(_("Mothers with children"))
    if centre.accepts_pregnant:
        facts.append(_("Pregnant women"))
    if centre.documents_needed == DocumentsNeeded.NONE:
        facts.append(_("No documents needed"))
    if centre.accepts_non_citizens:
        facts.append(_("Non-citizens"))
    return facts


def admission_facts(centre: Centre) -> list[tuple[str, str]]:
    """Who is admitted, as (question, answer) lines for the centre page; unknown answers say so."""
    unknown = _("not known — please call")

    def yes_no(value: bool | None) -> str:
        if value is None:
            return unknown
        return _("yes") if value else _("no")

    children = yes_no(centre.accepts_children)
    if centre.accepts_children and centre.boys_max_age is not None:
        children = ngettext(
            "yes; boys up to %(age)d year old", "yes; boys up to %(age)d years old", centre.boys_max_age
        ) % {"age": centre.boys_max_age}
    documents = str(DocumentsNeeded(centre.documents_needed).label) if centre.documents_needed else unknown
    referral = unknown
    if centre.referral_needed is not None:
        referral = _("a referral is needed") if centre.referral_needed else _("you can come on your own")
    stay = (
        ngettext("%(days)d day", "%(days)d days", centre.max_stay_days) % {"days": centre.max_stay_days}
        if centre.max_stay_days
        else unknown
    )
    return [
        (_("Mothers with children"), children),
        (_("Pregnant women"), yes_no(centre.accepts_pregnant)),
        (_("Documents needed"), documents),
        (_("Non-citizens"), yes_no(centre.accepts_non_citizens)),
        (_("Referral"), referral),
        (_("Longest stay"), stay),
        (_("Anonymous help"), yes_no(centre.anonymous)),
    ]


def _region_name(centre: Centre) -> str:
    """The centre's region as a card names it after the town: none for a city that is a region of its own
    (Almaty, Bishkek, Tashkent…), whose two names may differ in a language that has only one of them."""
    if not centre.region_id:
        return ""
    if centre.city_id and centre.region.name_en == centre.city.name_en:
        return ""
    return centre.region.display_name()


def _public_point(centre: Centre) -> tuple[float, float] | None:
    if centre.public_latitude is None or centre.public_longitude is None:
        return None
    return float(centre.public_latitude), float(centre.public_longitude)


def _distance(origin: Origin | None, point: tuple[float, float] | None) -> float | None:
    if origin is None or point is None:
        return None
    # Whole kilometres: finer figures add nothing for a survivor and would only help someone triangulate.
    return round(distance_km(origin.latitude, origin.longitude, *point))


def _labels(vocabulary, codes: list[str]) -> list[str]:
    language = get_language()
    return [label_in(vocabulary, code, language) for code in codes]


@functools.cache
def label_in(vocabulary, code: str, language: str | None) -> str:
    """A code's label in `language` (the active one): twenty cards ask for some sixty, each a catalogue lookup."""
    return str(vocabulary(code).label)


def places_free_shown(centre: Centre, rules: CountryRules, trusted: bool) -> PlacesFree | None:
    if centre.address_visibility != AddressVisibility.PUBLIC and not trusted:
        # Nothing of a hidden shelter's figure shows, not even whether it has one or how old it is.
        return PlacesFree(call_to_ask=True) if Service.SHELTER in centre.services else None
    if centre.beds_free is None:
        return None
    updated = centre.beds_free_updated_at
    max_age = datetime.timedelta(days=rules.beds_free_max_age_days)
    if updated is None or timezone.now() - updated > max_age:
        return PlacesFree(call_to_check=True, updated=updated)
    return PlacesFree(count=centre.beds_free, updated=updated)
