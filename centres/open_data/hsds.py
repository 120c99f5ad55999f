"""Our public records as Open Referral HSDS 3.1 objects: the one place that knows HSDS.

What goes out is what a public page shows and nothing more (DESIGN.md section 6):

- only public centres (`Centre.objects.public()`): never a draft, a closed or an archived one;
- a centre whose address is hidden or city-only gets a location with its city and region and no street, no
  coordinates (not even its city's: a point is a point), and no figure of places free;
- places free only when its public page would show the number (its address public, the figure fresh);
- never compliance, internal notes, the source of a record, an operator's registration number, the number of beds.

Every id is a UUID that never changes between exports: a centre's service has the centre's own id, and everything
else is derived from our ids by `stable_id` (UUID 5), so a rename changes no id.

Objects are built nested, as the API answers (`service`), and flattened into the tabular package's tables from the
same objects (`rows_of_service`): the package and the API cannot say different things.
"""

import datetime
import functools
import hashlib
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import get_language, gettext

from centres import opening_hours as schedules
from centres.models import ADMISSION_COLUMNS, CARD_COLUMNS, Centre, CentrePhone, CountryRules, Operator, Region
from centres.public.presentation import admits, label_in, places_free_shown
from centres.vocabularies import (
    AddressVisibility,
    Audience,
    Country,
    DocumentsNeeded,
    Language,
    OperatorKind,
    Service,
    Status,
)

VERSION = "3.1"
# Fixed for ever: the ids of every export derive from it.
NAMESPACE = uuid.UUID("5b0e7f0c-3a0e-4c3e-9d3e-6a1f2b7c8d90")
TAXONOMY = "crisis-centre-directory"


def _(message: str) -> str:
    """`gettext`, remembered per language: a package's hundred thousand services ask for the same few dozen words."""
    return _translated(message, get_language())


@functools.cache
def _translated(message: str, language: str | None) -> str:
    return gettext(message)


def _label(vocabulary, code: str) -> str:
    """A vocabulary code's label in the active language, remembered as the public cards remember it."""
    return label_in(vocabulary, code, get_language())


def stable_id(kind: str, key: object) -> str:
    """The UUID of our `kind` of object with our own `key`: the same in every export, whatever is renamed.

    `uuid.uuid5(NAMESPACE, f"{kind}/{key}")` written out: a service has some thirty ids, and building a `UUID` object
    for each was a third of the time of an export (tests check that both give the same)."""
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + f"{kind}/{key}".encode()).digest()[:16])  # noqa: S324
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


_NAMESPACE_BYTES = NAMESPACE.bytes


# -- our taxonomy ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A term of our taxonomy: `group` is its parent's code ("" for a parent), `code` its own."""

    group: str
    code: str

    @property
    def key(self) -> str:
        return f"{self.group}:{self.code}" if self.group else self.code

    @property
    def id(self) -> str:
        return _term_id(self.key)


@functools.cache
def _term_id(key: str) -> str:
    return stable_id("taxonomy_term", key)


# The facts of who is admitted, each an attribute of a service when it is known.
ADMISSION = ADMISSION_COLUMNS
GROUPS = ("service", "audience", "operator_kind", "admission")


def _group_name(group: str) -> str:
    return {
        "service": _("Help offered"),
        "audience": _("Who it is for"),
        "operator_kind": _("Run by"),
        "admission": _("Who is admitted"),
    }[group]


def _admission_name(code: str) -> str:
    return {
        "accepts_children": _("Accepts mothers with children"),
        "boys_max_age": _("Oldest age of a boy admitted with his mother"),
        "accepts_pregnant": _("Accepts pregnant women"),
        "documents_needed": _("Documents needed"),
        "accepts_non_citizens": _("Accepts non-citizens"),
        "referral_needed": _("A referral is needed"),
        "max_stay_days": _("Longest stay (days)"),
        "anonymous": _("Anonymous help possible"),
    }[code]


def terms() -> list[Term]:
    """Every term of our taxonomy, each group's parent before its children, in a fixed order."""
    children = {
        "service": Service.values,
        "audience": Audience.values,
        "operator_kind": OperatorKind.values,
        "admission": list(ADMISSION),
    }
    found = []
    for group in GROUPS:
        found.append(Term("", group))
        found.extend(Term(group, code) for code in children[group])
    return found


def term_by_id(term_id: str) -> Term | None:
    return next((term for term in terms() if term.id == term_id), None)


def taxonomy() -> dict:
    return {
        "id": stable_id("taxonomy", TAXONOMY),
        "name": _("Crisis Centre Directory"),
        "description": _(
            "The directory's own terms: the help a centre offers, whom it is for, who runs it and who it admits."
        ),
        "version": "1",
    }


def taxonomy_term(term: Term) -> dict:
    if not term.group:
        name = _group_name(term.code)
    elif term.group == "service":
        name = _label(Service, term.code)
    elif term.group == "audience":
        name = _label(Audience, term.code)
    elif term.group == "operator_kind":
        name = _label(OperatorKind, term.code)
    else:
        name = _admission_name(term.code)
    found = {
        "id": term.id,
        "code": term.key,
        "name": name,
        "description": _group_name(term.group) + ": " + name if term.group else name,
        "taxonomy": TAXONOMY,
        "taxonomy_id": stable_id("taxonomy", TAXONOMY),
        "language": _language(),
    }
    if term.group:
        found["parent_id"] = Term("", term.group).id
    return found


def _language() -> str:
    return (get_language() or "ru")[:2]


def _attribute(link_entity: str, link_id: str, term: Term, value: str | None = None) -> dict:
    found = {
        "id": stable_id("attribute", f"{link_entity}/{link_id}/{term.key}"),
        "link_id": link_id,
        "link_type": term.group,
        "link_entity": link_entity,
        "taxonomy_term_id": term.id,
    }
    if value is not None:
        found["value"] = value
    return found


# -- organizations ---------------------------------------------------------------------------------------------

# Centres whose operator is not recorded share one organization that says so (a service must have one).
UNRECORDED = "unrecorded"


def organization_id(operator_id: int | None) -> str:
    return stable_id("organization", operator_id if operator_id is not None else UNRECORDED)


def organization(operator: Operator | None, countries: Iterable[str]) -> dict:
    """An operator as an organization: its name, its kind and the countries of its public centres in words (the
    description HSDS requires, until editors write one), and its kind as an attribute. Never its registration
    number or its website, which no public page shows."""
    where = ", ".join(_label(Country, code) for code in Country.values if code in set(countries))
    if operator is None:
        identifier = organization_id(None)
        return {
            "id": identifier,
            "name": _("Operator not recorded"),
            "description": _("The directory has not recorded who runs these centres (%(countries)s).")
            % {"countries": where},
        }
    identifier = organization_id(operator.pk)
    return {
        "id": identifier,
        "name": operator.name,
        "description": _("Kind of operator: %(kind)s. Its centres in the directory are in: %(countries)s.")
        % {"kind": _label(OperatorKind, operator.kind), "countries": where},
        "attributes": [_attribute("organization", identifier, Term("operator_kind", operator.kind))],
    }


def operator_countries(operator_ids: Iterable[int | None]) -> dict[int | None, list[str]]:
    """The countries of each operator's public centres, in one query."""
    wanted = set(operator_ids)
    found: dict[int | None, list[str]] = {key: [] for key in wanted}
    if not wanted:
        return found
    queryset = Centre.objects.public()
    known = [key for key in wanted if key is not None]
    condition = queryset.filter(operator_id__in=known)
    if None in wanted:
        condition = condition | queryset.filter(operator__isnull=True)
    for operator_id, country in condition.order_by().values_list("operator_id", "country").distinct():
        found.setdefault(operator_id, []).append(country)
    return found


def every_operators_countries() -> dict[int | None, list[str]]:
    """The countries of every operator's public centres (None: the centres without one), in one query."""
    found: dict[int | None, list[str]] = {}
    for operator_id, country in Centre.objects.public().order_by().values_list("operator_id", "country").distinct():
        found.setdefault(operator_id, []).append(country)
    return found


def organizations() -> QuerySet:
    """The operators of at least one public centre, by name."""
    return Operator.objects.filter(pk__in=Centre.objects.public().values("operator_id")).order_by("name", "pk")


def has_unrecorded() -> bool:
    return Centre.objects.public().filter(operator__isnull=True).exists()


# -- services ----------------------------------------------------------------------------------------------------

# What a service reads of a centre: what a public card reads, and when that last changed.
SERVICE_COLUMNS = (*CARD_COLUMNS, "public_changed_at", "operator__id", "region__code", "city__geonameid")


def services() -> QuerySet:
    """The public centres with what their services read, by name (the API's and the package's order)."""
    return (
        Centre.objects.public()
        .select_related("operator", "city", "region")
        .only(*SERVICE_COLUMNS)
        .order_by("name", "pk")
    )


def with_phones(queryset: QuerySet) -> QuerySet:
    return queryset.prefetch_related(Prefetch("phones", queryset=CentrePhone.objects.order_by("position", "pk")))


def service(
    centre: Centre,
    rules: dict[str, CountryRules],
    countries: dict[int | None, list[str]],
    organizations: dict[int | None, dict] | None = None,
) -> dict:
    """A public centre as a fully nested HSDS service: its organization, location, phones, schedules, languages,
    attributes and, for a centre at a public address with a fresh figure, its places free. `organizations`, when
    given, keeps each operator's organization made once for the services that share it."""
    identifier = str(centre.pk)
    found = {
        "id": identifier,
        "organization_id": organization_id(centre.operator_id),
        "name": centre.name,
        "status": "temporarily closed" if centre.status == Status.TEMPORARILY_CLOSED else "active",
        "last_modified": _moment(centre.public_changed_at),
    }
    _put(found, "description", centre.public_notes)
    _put(found, "url", centre.website)
    _put(found, "email", centre.email)
    _put(found, "eligibility_description", "; ".join(admits(centre)))
    if centre.referral_needed is not None:
        found["application_process"] = (
            _("A referral is needed.") if centre.referral_needed else _("You can come on your own.")
        )
    if centre.free is not None:
        found["fees_description"] = _("Free of charge.") if centre.free else _("Not free of charge.")
    if centre.last_verified_on:
        found["assured_date"] = centre.last_verified_on.isoformat()
    if centre.is_demo:
        found["alert"] = _("Demo record: this centre does not exist.")
    languages = [_language_object(code, "service", identifier) for code in centre.languages]
    found["phones"] = [_phone(phone, identifier, centre.languages) for phone in centre.phones.all()]
    found["schedules"] = _schedules(centre, identifier)
    found["languages"] = languages
    found["service_at_locations"] = [_service_at_location(centre, identifier)]
    organizations = {} if organizations is None else organizations
    if centre.operator_id not in organizations:
        operator = centre.operator if centre.operator_id else None
        # A map kept from before this centre was published may lack its operator: its own country, then.
        organizations[centre.operator_id] = organization(
            operator, countries.get(centre.operator_id) or [centre.country]
        )
    found["organization"] = organizations[centre.operator_id]
    capacity = _capacity(centre, rules, identifier)
    found["capacities"] = [capacity] if capacity else []
    found["attributes"] = _service_attributes(centre, identifier)
    return found


def _put(found: dict, name: str, value: str) -> None:
    if value:
        found[name] = value


def _moment(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _language_object(code: str, link: str, link_id: str) -> dict:
    found = {"id": stable_id("language", f"{link}/{link_id}/{code}"), "name": _label(Language, code), "code": code}
    found[f"{link}_id"] = link_id
    return found


def _phone(phone: CentrePhone, service_id: str, languages: list[str]) -> dict:
    identifier = stable_id("phone", phone.pk)
    description = phone.label
    if phone.answers_24_7:
        description = f"{description} ({_('answers 24/7')})" if description else _("Answers 24/7")
    found = {"id": identifier, "service_id": service_id, "number": phone.number, "type": "voice"}
    _put(found, "description", description)
    found["languages"] = [_language_object(code, "phone", identifier) for code in languages]
    return found


WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _schedules(centre: Centre, service_id: str) -> list[dict]:
    """The weekly hours as one weekly schedule per group of days with the same hours (`Schedule.text`'s grouping);
    24/7 as every day all day; by appointment, and the hours note, as descriptions."""
    found = []
    note = centre.hours
    schedule = schedules.parse(centre.opening_hours) if centre.opening_hours else None
    if schedule is None and centre.open_24_7:
        schedule = schedules.Schedule(always=True)
    if schedule is not None and schedule.by_appointment:
        found.append({"description": _("By appointment")})
    elif schedule is not None and schedule.always:
        every_day = {"freq": "WEEKLY", "byday": ",".join(WEEKDAYS), "opens_at": "00:00", "closes_at": "23:59"}
        found.append({**every_day, "description": _("Open 24/7")})
    elif schedule is not None:
        times: dict[tuple[int, int], list[int]] = {}
        for span in schedule.spans:
            times.setdefault((span.opens, span.closes), []).append(span.day)
        for (opens, closes), days in times.items():
            found.append(
                {
                    "freq": "WEEKLY",
                    "byday": ",".join(WEEKDAYS[day] for day in days),
                    "opens_at": _clock(opens),
                    "closes_at": _clock(closes),
                }
            )
    if note:
        if found:
            found[0]["notes"] = note
        else:
            found.append({"description": note})
    return [
        {"id": stable_id("schedule", f"{service_id}/{position}"), "service_id": service_id, **item}
        for position, item in enumerate(found)
    ]


def _clock(minutes: int) -> str:
    minutes %= 24 * 60  # past midnight: the next day's time (the schedule closes before it opens)
    return f"{minutes // 60:02}:{minutes % 60:02}"


def _service_at_location(centre: Centre, service_id: str) -> dict:
    location = _location(centre)
    return {
        "id": stable_id("service_at_location", service_id),
        "service_id": service_id,
        "location_id": location["id"],
        "location": location,
    }


def _location(centre: Centre) -> dict:
    """Where the centre is, as much as its public page says: its street and point only when its address is
    public; else its city and region, and that the address is given by phone."""
    identifier = stable_id("location", centre.pk)
    public = centre.address_visibility == AddressVisibility.PUBLIC
    found = {"id": identifier, "location_type": "physical", "name": centre.name}
    if not public:
        found["description"] = (
            _("Address given by phone.")
            if centre.address_visibility == AddressVisibility.HIDDEN
            else _("Only the city is published.")
        )
    if public and centre.public_latitude is not None and centre.public_longitude is not None:
        found["latitude"] = float(centre.public_latitude)
        found["longitude"] = float(centre.public_longitude)
    address = {
        "id": stable_id("address", centre.pk),
        "location_id": identifier,
        "address_1": centre.address if public else "",
        "city": centre.city.display_name() if centre.city_id else "",
        "state_province": _region(centre.region if centre.region_id else None),
        "postal_code": "",
        "country": centre.country,
        "address_type": "physical",
    }
    found["addresses"] = [address]
    if centre.accessible is not None:
        found["accessibility"] = [
            {
                "id": stable_id("accessibility", centre.pk),
                "location_id": identifier,
                "description": _("Wheelchair access") if centre.accessible else _("No wheelchair access"),
            }
        ]
    else:
        found["accessibility"] = []
    return found


def _region(region: Region | None) -> str:
    return region.display_name() if region is not None else ""


UNIT_ID = stable_id("unit", "bed")


def unit() -> dict:
    """What places free are counted in."""
    return {"id": UNIT_ID, "name": _("bed")}


def _capacity(centre: Centre, rules: dict[str, CountryRules], service_id: str) -> dict | None:
    """Places free, only as the public page shows them: a number for a centre at a public address whose figure is
    fresh; nothing for a hidden or city-only one, whatever its figure (`presentation.places_free_shown`)."""
    figure = places_free_shown(centre, rules[centre.country], trusted=False)
    if figure is None or figure.count is None:
        return None
    return {
        "id": stable_id("service_capacity", service_id),
        "service_id": service_id,
        "unit_id": UNIT_ID,
        "unit": unit(),
        "available": figure.count,
        "description": _("Places free"),
        "updated": _moment(figure.updated),
    }


def _service_attributes(centre: Centre, service_id: str) -> list[dict]:
    found = [_attribute("service", service_id, Term("service", code)) for code in centre.services]
    found += [_attribute("service", service_id, Term("audience", code)) for code in centre.audiences]
    for name in ADMISSION:
        value = getattr(centre, name)
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif name == "documents_needed":
            text = _label(DocumentsNeeded, value)
        else:
            text = str(value)
        found.append(_attribute("service", service_id, Term("admission", name), text))
    return found


def page_of_services(
    centres: list[Centre],
    rules: dict[str, CountryRules] | None = None,
    countries: dict[int | None, list[str]] | None = None,
) -> list[dict]:
    """Services for a page of centres read by `with_phones(services())`; unless `countries` gives every operator's
    (`every_operators_countries`), one more query for their operators' countries."""
    rules = rules if rules is not None else CountryRules.for_countries()
    if countries is None:
        countries = operator_countries(centre.operator_id for centre in centres)
    organizations: dict[int | None, dict] = {}
    return [service(centre, rules, countries, organizations) for centre in centres]


# -- the tabular package -------------------------------------------------------------------------------------------

# Each table of the package: the object it holds, its file, and the nested lists of a service it is read from.
TABLES = (
    ("organization", "organizations.csv"),
    ("service", "services.csv"),
    ("location", "locations.csv"),
    ("address", "addresses.csv"),
    ("service_at_location", "service_at_location.csv"),
    ("phone", "phones.csv"),
    ("schedule", "schedules.csv"),
    ("language", "languages.csv"),
    ("accessibility", "accessibility.csv"),
    ("attribute", "attributes.csv"),
    ("taxonomy", "taxonomies.csv"),
    ("taxonomy_term", "taxonomy_terms.csv"),
    ("unit", "units.csv"),
    ("service_capacity", "service_capacity.csv"),
)
# A nested list (or object) of one object and the table its items go to.
_NESTED = {
    "phones": "phone",
    "schedules": "schedule",
    "languages": "language",
    "service_at_locations": "service_at_location",
    "location": "location",
    "addresses": "address",
    "accessibility": "accessibility",
    "capacities": "service_capacity",
    "attributes": "attribute",
}
_SKIPPED = {"organization", "unit"}  # written once each, not per service


def rows_of_service(found: dict) -> Iterator[tuple[str, dict]]:
    """(table, row) for a nested service and everything nested in it but its organization and the unit, which the
    package writes once each."""
    yield from _rows("service", found)


def rows_of(table: str, found: dict) -> Iterator[tuple[str, dict]]:
    """(table, row) for an object and everything nested in it."""
    yield from _rows(table, found)


def _rows(table: str, found: dict) -> Iterator[tuple[str, dict]]:
    row = {}
    nested = []
    for name, value in found.items():
        if name in _SKIPPED and isinstance(value, dict):
            continue
        if name in _NESTED:
            items = value if isinstance(value, list) else [value]
            nested.extend((_NESTED[name], item) for item in items)
        else:
            row[name] = value
    yield table, row
    for child_table, item in nested:
        yield from _rows(child_table, item)
