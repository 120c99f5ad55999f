"""Restoring a centre as it was at a chosen moment: the whole centre page, not only its main row.

simple-history's own revert restores the main row alone; a centre page is the centre with its vocabularies (columns
of its row), its compliance and its phones, so all of them are brought back together, in one transaction, with the
same lost-update check as any other edit.
"""

import datetime
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centres.eligibility import LOST_STATUSES
from centres.models import Centre, CentrePhone, Compliance, today
from centres.vocabularies import Country, FundingKind, LicenceStatus, Status

# Fields that identify the record or are bookkeeping: a restore keeps today's values.
KEPT_FIELDS = {
    "id",
    "slug",
    "version",
    "search_text",
    "created_at",
    "updated_at",
    "public_latitude",
    "public_longitude",
}
PHONE_FIELDS = ("label", "number", "answers_24_7", "position")


@dataclass
class CentreSnapshot:
    """A centre page as it was: the centre, its compliance (or None) and its phones."""

    moment: datetime.datetime
    centre: Centre
    compliance: Compliance | None
    phones: list[CentrePhone]


def snapshot_after(record) -> CentreSnapshot:
    """The centre page as it stood right after the save that wrote history `record` of a centre.

    An admin save or an import writes the centre first and its phones and compliance just after, so the state
    "after this edit" lasts until the centre's next history record, not only until this record's timestamp.
    """
    later = Centre.history.filter(id=record.id, history_date__gt=record.history_date).order_by("history_date").first()
    moment = later.history_date - datetime.timedelta(microseconds=1) if later else None
    return snapshot_at(record.id, moment)


def snapshot_at(centre_id, moment: datetime.datetime | None) -> CentreSnapshot:
    """The centre page as of `moment` (None: as history has it now)."""
    moment = moment or timezone.now()
    record = Centre.history.filter(id=centre_id, history_date__lte=moment).order_by("-history_date").first()
    if record is None or record.history_type == "-":
        raise Centre.DoesNotExist(f"Centre {centre_id} did not exist at {moment}")
    compliance = _as_of(Compliance, centre_id, moment).first()
    phones = sorted(_as_of(CentrePhone, centre_id, moment), key=lambda phone: (phone.position, phone.pk))
    return CentreSnapshot(moment=moment, centre=record.instance, compliance=compliance, phones=phones)


def _as_of(model, centre_id, moment: datetime.datetime):
    """Instances of a centre's dependent `model` that existed at `moment` (deleted ones left out)."""
    return model.history.filter(centre_id=centre_id, history_date__lte=moment).latest_of_each().as_instances()


def restore_centre(snapshot: CentreSnapshot, *, expected_version: int, reason: str = "") -> Centre:
    """Write `snapshot` back over the live centre, if the live centre still has `expected_version`.

    Raises ConcurrentEditError (and writes nothing) when the centre changed since the editor looked at it.
    """
    reason = reason or _("Restored as it was at %(moment)s") % {"moment": snapshot.moment.isoformat(timespec="seconds")}
    with transaction.atomic():
        centre = Centre.objects.get(pk=snapshot.centre.pk)
        for field in Centre._meta.concrete_fields:
            if field.name not in KEPT_FIELDS:
                setattr(centre, field.attname, getattr(snapshot.centre, field.attname))
        centre.version = expected_version
        centre._change_reason = reason
        centre.save()

        _restore_compliance(centre, snapshot.compliance, reason)
        _restore_phones(centre, snapshot.phones, reason)
    return centre


def _restore_compliance(centre: Centre, old: Compliance | None, reason: str) -> None:
    current = Compliance.objects.filter(centre=centre).first()
    if old is None:
        if current is not None:
            current._change_reason = reason
            current.delete()
        return
    current = current or Compliance(centre=centre)
    for field in Compliance._meta.concrete_fields:
        if field.name not in {"id", "centre"}:
            setattr(current, field.attname, getattr(old, field.attname))
    current._change_reason = reason
    current.save()


def _restore_phones(centre: Centre, old_phones: list[CentrePhone], reason: str) -> None:
    current = {phone.pk: phone for phone in centre.phones.all()}
    for pk in current.keys() - {phone.pk for phone in old_phones}:
        current[pk]._change_reason = reason
        current[pk].delete()
    for old in old_phones:
        values = {field: getattr(old, field) for field in PHONE_FIELDS}
        phone = current.get(old.pk)
        if phone is not None and all(getattr(phone, field) == value for field, value in values.items()):
            continue
        phone = CentrePhone(pk=old.pk, centre=centre, **values)
        phone._change_reason = reason
        phone.save()


# -- what changed since 2025 ---------------------------------------------------------------------------------------

CHANGES_SINCE = datetime.date(2025, 1, 1)
CHANGE_KINDS = {
    "suspended": gettext_lazy("Suspended"),
    "closed": gettext_lazy("Closed"),
    "licence_lost": gettext_lazy("Licence lost or refused"),
    "funding_ended": gettext_lazy("Funding ended"),
}


@dataclass(frozen=True)
class Change:
    """One line of "what changed": on `day`, `centre_name` was suspended, closed, lost its licence or its funding."""

    day: datetime.date
    centre_id: uuid.UUID
    centre_name: str
    country: str
    kind: str  # a key of CHANGE_KINDS
    detail: str

    @property
    def kind_label(self) -> str:
        return str(CHANGE_KINDS[self.kind])

    @property
    def country_label(self) -> str:
        return str(Country(self.country).label) if self.country in Country.values else self.country


def changes_since(since: datetime.date = CHANGES_SINCE, on: datetime.date | None = None) -> list[Change]:
    """Centres suspended or closed, whose licence was lost or refused, or whose funding ended, from `since` to `on`.

    Drawn from history: a record "became" suspended (say) when its previous record of the same object was not. The
    first record of an object is not a change (entering a centre that is already closed records what was known,
    not what happened), and neither is a deletion. Closed and archived centres are included: this is history.
    Three queries whatever the number of centres: the history of the few objects that changed, walked in Python.
    Newest first.
    """
    on = on or today()
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time.min))
    changes = [*_status_changes(start, end), *_compliance_changes(start, end), *_funding_ends(since, on)]
    return sorted(changes, key=lambda change: (change.day, change.centre_name, change.kind), reverse=True)


def _became(rows: Iterable[dict], field: str, values: Iterable[str], start, end) -> Iterator[tuple[dict, dict]]:
    """(previous, record) pairs where `field` took one of `values` between `start` and `end`; rows come ordered by
    object id, then by history date."""
    values = set(values)
    previous: dict = {}
    for row in rows:
        before = previous.get(row["id"])
        previous[row["id"]] = row
        if before is None or row["history_type"] == "-" or not start <= row["history_date"] < end:
            continue
        if row[field] in values and row[field] != before[field]:
            yield before, row


def _history_of_changed(model, start, end, changed: Q, fields: list[str]) -> Iterable[dict]:
    """Every history record, oldest first, of the objects of `model` that have a `changed` record in the period."""
    candidates = model.history.filter(changed, history_date__gte=start, history_date__lt=end).values("id")
    return (
        model.history.filter(id__in=candidates)
        .order_by("id", "history_date", "history_id")
        .values("id", "history_date", "history_type", *fields)
    )


def _status_changes(start, end) -> Iterator[Change]:
    stopped = (Status.TEMPORARILY_CLOSED, Status.CLOSED)
    rows = _history_of_changed(
        Centre, start, end, Q(status__in=stopped), ["status", "closure_reason", "name", "country"]
    )
    for _before, row in _became(rows, "status", stopped, start, end):
        kind = "closed" if row["status"] == Status.CLOSED else "suspended"
        reason = row["closure_reason"].strip() or _("No reason recorded.")
        yield Change(timezone.localdate(row["history_date"]), row["id"], row["name"], row["country"], kind, reason)


def _compliance_changes(start, end) -> Iterator[Change]:
    rows = list(
        _history_of_changed(
            Compliance,
            start,
            end,
            Q(licence_status__in=LOST_STATUSES) | Q(funding_kind=FundingKind.NONE),
            ["licence_status", "funding_kind", "centre_id", "centre__name", "centre__country"],
        )
    )
    for before, row in _became(rows, "licence_status", LOST_STATUSES, start, end):
        detail = _("Licence status: %(status)s (was: %(before)s).") % {
            "status": LicenceStatus(row["licence_status"]).label,
            "before": LicenceStatus(before["licence_status"]).label,
        }
        yield _compliance_change(row, "licence_lost", detail)
    for before, row in _became(rows, "funding_kind", [FundingKind.NONE], start, end):
        before_kind = FundingKind(before["funding_kind"]).label
        detail = _("Funding recorded as none (was: %(before)s).") % {"before": before_kind}
        yield _compliance_change(row, "funding_ended", detail)


def _compliance_change(row: dict, kind: str, detail: str) -> Change:
    day = timezone.localdate(row["history_date"])
    return Change(day, row["centre_id"], row["centre__name"], row["centre__country"], kind, detail)


def _funding_ends(since: datetime.date, on: datetime.date) -> Iterator[Change]:
    """Funding whose recorded end date has passed since `since` (a date passing leaves no history record)."""
    ended = Compliance.objects.filter(funding_ends_on__gte=since, funding_ends_on__lt=on).values(
        "centre_id", "centre__name", "centre__country", "funding_ends_on"
    )
    for row in ended:
        day = row["funding_ends_on"]
        detail = _("Funding ended on %(date)s.") % {"date": day.isoformat()}
        yield Change(day, row["centre_id"], row["centre__name"], row["centre__country"], "funding_ended", detail)
