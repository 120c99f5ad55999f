"""Restoring a centre as it was at a chosen moment: the whole centre page, not only its main row.

simple-history's own revert restores the main row alone; a centre page is the centre with its vocabularies (columns
of its row), its compliance and its phones, so all of them are brought back together, in one transaction, with the
same lost-update check as any other edit.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centres import leaks
from centres.models import Centre, CentrePhone, Compliance

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
    "public_changed_at",
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


class AddressInPublicText(Exception):
    """A restore would write a public text holding an address that is not public; `problems` says which."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def restore_centre(snapshot: CentreSnapshot, *, expected_version: int, reason: str = "") -> Centre:
    """Write `snapshot` back over the live centre, if the live centre still has `expected_version`.

    Raises ConcurrentEditError (and writes nothing) when the centre changed since the editor looked at it, and
    AddressInPublicText (writing nothing either) when the old page would show an address that is not public now:
    another centre's that has since been hidden, or its own, in any language.
    """
    reason = reason or _("Restored as it was at %(moment)s") % {"moment": snapshot.moment.isoformat(timespec="seconds")}
    with transaction.atomic():
        centre = Centre.objects.get(pk=snapshot.centre.pk)
        for field in Centre._meta.concrete_fields:
            # A text written per language is restored by its columns, every language as it stood
            # (centres/languages.py); its unsuffixed name would read and write the request's language.
            if field.name not in KEPT_FIELDS and field.name not in Centre.TRANSLATED:
                setattr(centre, field.attname, getattr(snapshot.centre, field.attname))
        centre.writes_every_language = True
        found = leaks.in_centre(centre, [phone.label for phone in snapshot.phones])
        if found:
            raise AddressInPublicText(found)
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
