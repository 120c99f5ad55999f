"""A centre's dossier for advocates: what to quote about one centre, on one or two printed pages.

Its flags and gaps as today's rules judge them, with their sentences; its licence, premises and funding over time,
from the history of its licensing record; and the sources: the centre record's own, the rules' legal basis. A
dossier shows nothing a public page would not show of where the centre is: a hidden or city-only address stays
out of it, as it stays out of every export.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Field
from django.utils.formats import date_format, number_format
from django.utils.text import capfirst

from centres.eligibility import Finding, findings, risk_of
from centres.models import Centre, Compliance, CountryRules
from centres.vocabularies import AddressVisibility

# The licensing record's fields whose changes the dossier lists, in this order.
TRACKED = (
    "licence_status",
    "licence_number",
    "licence_issued_on",
    "licence_expires_on",
    "premises_area_m2",
    "premises_tenure",
    "lease_ends_on",
    "funding_kind",
    "funding_ends_on",
)
MOST_CHANGES = 30  # the newest, so that the dossier stays within two pages


@dataclass(frozen=True)
class Change:
    on: datetime.datetime
    what: str
    old: str
    new: str


@dataclass
class Dossier:
    centre: Centre
    risk: str
    flags: list[Finding]
    gaps: list[Finding]
    changes: list[Change]
    changes_left_out: int
    rules: CountryRules
    address: str  # "" unless public


def dossier(centre: Centre, rules: dict[str, CountryRules], on: datetime.date) -> Dossier:
    found = findings(centre, rules, on)
    changes = licensing_changes(centre)
    return Dossier(
        centre=centre,
        risk=risk_of(found),
        flags=[finding for finding in found if finding.kind == "flag"],
        gaps=[finding for finding in found if finding.kind == "gap"],
        changes=changes[-MOST_CHANGES:],
        changes_left_out=max(len(changes) - MOST_CHANGES, 0),
        rules=rules[centre.country],
        address=centre.address if centre.address_visibility == AddressVisibility.PUBLIC else "",
    )


def licensing_changes(centre: Centre) -> list[Change]:
    """Every change of a tracked field of the centre's licensing record, oldest first: one query."""
    records = Compliance.history.filter(centre_id=centre.pk).order_by("history_date", "history_id")
    fields = {name: Compliance._meta.get_field(name) for name in TRACKED}
    changes, before = [], None
    for record in records.only("history_date", *TRACKED):
        for name, field in fields.items():
            old = getattr(before, name) if before is not None else None
            new = getattr(record, name)
            if old != new and not (before is None and new in (None, "", "unknown")):
                changes.append(
                    Change(
                        record.history_date, str(capfirst(field.verbose_name)), _shown(field, old), _shown(field, new)
                    )
                )
        before = record
    return changes


def _shown(field: Field, value) -> str:
    """A value as the page's language writes it: a choice's label, a date, a number with its decimal mark."""
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    if isinstance(value, Decimal):
        return number_format(value.normalize(), use_l10n=True)
    return str(value)
