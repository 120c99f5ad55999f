"""Nothing leaked: an import never writes the address of a hidden or city-only centre into text the public reads.

A row whose quote was left open once carried a shelter's street address into another centre's public notes. The
strict reading of `spreadsheets.py` stops that shape of file; this stops the text itself, whatever its way in: no
field a public page shows (`columns.PUBLIC_TEXT`) may hold a non-public address — another centre's, or its own.
And a public text that grows by more than a few hundred characters is flagged in the preview.
"""

from collections import defaultdict
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from centres import languages
from centres.columns import COLUMNS_BY_NAME, PUBLIC_FIELDS, PUBLIC_TEXT
from centres.import_plan import ImportPlan, PlannedCentre, RowError
from centres.models import Centre, CentrePhone
from centres.text import word_list
from centres.vocabularies import AddressVisibility

GROWTH_WARNING = 300  # characters
# Words an address may start with that say what kind of street it is, not which: "ул. Абая, 1" is found as
# "Абая, 1" too.
STREET_KINDS = {"ул", "улица", "пр", "проспект", "пр-т", "мкр", "микрорайон", "пер", "переулок", "д", "дом"}
STREET_KINDS |= {"көшесі", "даңғылы", "шағынаудан", "ш", "кө"}


class AddressIndex:
    """Addresses found in a text by their words: one lookup per pair of the text's words, not a scan per address."""

    def __init__(self):
        self._by_start: dict[tuple[str, str], list[tuple[list[str], Any]]] = defaultdict(list)

    def add(self, address: str, owner: Any) -> None:
        words = word_list(address)
        while words and words[0] in STREET_KINDS:
            words = words[1:]
        if len(words) >= 2:  # a single word is no address to tell apart from ordinary text
            self._by_start[words[0], words[1]].append((words, owner))

    def owner_in(self, text: str) -> Any:
        """Whose address `text` holds, or None."""
        words = word_list(text)
        for start in range(len(words) - 1):
            for address, owner in self._by_start.get((words[start], words[start + 1]), ()):
                if words[start : start + len(address)] == address:
                    return owner
        return None


def non_public_addresses(*, leaving_out=None) -> AddressIndex:
    """Every hidden or city-only centre's address, owned by its name; `leaving_out` a centre (by pk) whose address
    the caller adds as it is about to be saved."""
    index = AddressIndex()
    hidden = Centre.objects.exclude(address_visibility=AddressVisibility.PUBLIC).exclude(address="")
    if leaving_out is not None:
        hidden = hidden.exclude(pk=leaving_out)
    for name, address in hidden.values_list("name", "address").iterator(chunk_size=5000):
        index.add(address, name)
    return index


def own_or_other_address(index: AddressIndex, text: str, own: Any) -> str | None:
    """What to say of a public `text` that holds a non-public address (`own` is the owner this centre's own
    address was added under), or None."""
    owner = index.owner_in(text or "")
    if owner is None:
        return None
    if owner is own:
        return _("holds this centre's own address, which is not public: it would show on public pages.")
    return _("holds the address of «%(name)s», which is not public: it would show on public pages.") % {"name": owner}


def in_centre(centre: Centre, phone_labels: list[str]) -> list[str]:
    """What is wrong with a centre about to be written whole (a restore from history): each public text, in each
    of its languages, and each phone label that holds a non-public address, its own or another centre's."""
    index, own = non_public_addresses(leaving_out=centre.pk), object()
    if centre.address_visibility != AddressVisibility.PUBLIC and centre.address:
        index.add(centre.address, own)
    found = []
    for field in PUBLIC_FIELDS:
        message = own_or_other_address(index, getattr(centre, field), own)
        if message:
            found.append(f"{capfirst(Centre._meta.get_field(field).verbose_name)}: {message}")
    for label in phone_labels:
        message = own_or_other_address(index, label, own)
        if message:
            found.append(f"{capfirst(CentrePhone._meta.get_field('label').verbose_name)}: {message}")
    return found


def check(plan: ImportPlan) -> None:
    """Add to `plan` an error for each public text it would write holding a non-public address, and a warning for
    each public text it would make much longer."""
    writing = [item for item in plan.centres if item.changed]
    if not writing:
        return
    index = AddressIndex()
    planned = {item.centre.pk for item in plan.centres}
    hidden = Centre.objects.exclude(address_visibility=AddressVisibility.PUBLIC).exclude(address="")
    for pk, name, address in hidden.values_list("pk", "name", "address").iterator(chunk_size=5000):
        if pk not in planned:  # as the file leaves it, below
            index.add(address, name)
    for item in plan.centres:
        if item.centre.address_visibility != AddressVisibility.PUBLIC and item.centre.address:
            index.add(item.centre.address, item)
    for item in writing:
        changed = {change.column: change for change in item.changes}
        # A new address, or one no longer public, may already stand in a text the file leaves as it is: every
        # public text is checked then, in each of its languages (a translation is not in the file).
        whereabouts = item.created or bool({"address", "address_visibility"} & changed.keys())
        for column in PUBLIC_TEXT:
            if not whereabouts and column not in changed:
                continue
            owner = index.owner_in(getattr(item.centre, COLUMNS_BY_NAME[column].field) or "")
            if owner is not None:
                plan.errors.append(RowError(item.row, column, _leak_message(item, owner)))
            elif column in changed and len(changed[column].new) - len(changed[column].old) > GROWTH_WARNING:
                growth = len(changed[column].new) - len(changed[column].old)
                plan.warnings.append(
                    RowError(
                        item.row,
                        column,
                        _("grows by %(count)d characters: check that no other row's text slipped into it.")
                        % {"count": growth},
                    )
                )
            if whereabouts and column in Centre.TRANSLATED:
                for field in languages.others(column):
                    owner = index.owner_in(getattr(item.centre, field) or "")
                    if owner is not None:
                        plan.errors.append(RowError(item.row, field, _leak_message(item, owner)))


def _leak_message(item: PlannedCentre, owner: Any) -> str:
    if owner is item:
        return _("holds this centre's own address, which is not public: it would show on public pages.")
    if isinstance(owner, PlannedCentre):
        return _(
            "holds the address of «%(name)s» (row %(row)d), which is not public: it would show on public pages."
        ) % {"name": owner.centre.name, "row": owner.row}
    return _("holds the address of «%(name)s», which is not public: it would show on public pages.") % {"name": owner}
