"""What an import would do, before it does it: the plan `imports.validate` makes and `imports.write` carries out,
with every change, every error and every conflict it found, each naming its spreadsheet row."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from centres.models import Centre, CentrePhone, Compliance, Operator


class ImportConflict(Exception):
    """A record changed between validation and writing; nothing was written."""


@dataclass
class RowError:
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.column is None:
            return _("Row %(row)d: %(message)s") % {"row": self.row, "message": self.message}
        return _("Row %(row)d, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class FieldChange:
    column: str
    old: str
    new: str

    @property
    def clears(self) -> bool:
        return bool(self.old) and not self.new

    def __str__(self) -> str:
        if self.clears:
            return _("%(column)s: clears '%(old)s'") % {"column": self.column, "old": self.old}
        return _("%(column)s: '%(old)s' → '%(new)s'") % {"column": self.column, "old": self.old, "new": self.new}


@dataclass
class PlannedOperator:
    operator: Operator
    row: int
    created: bool
    version: int | None
    changes: list[FieldChange] = field(default_factory=list)
    # attribute → (value, row that set it), so that two rows disagreeing about one operator are caught
    assigned: dict[str, tuple[Any, int]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.created or bool(self.changes)


@dataclass
class PlannedCentre:
    row: int
    centre: Centre
    created: bool
    version: int | None
    changes: list[FieldChange] = field(default_factory=list)
    compliance: Compliance | None = None  # to save: new or changed
    phones: list[CentrePhone] | None = None  # the replacement list, when the phones changed

    @property
    def changed(self) -> bool:
        return self.created or bool(self.changes)


@dataclass
class Conflict:
    """A row that would overwrite edits made to its centre since the file was exported (or that does not say when
    it was exported): written only when the editor says so for that row."""

    row: int
    centre: Centre
    file_version: int | None
    changed_by: Any  # the user of the centre's last history record, or None
    changed_at: Any  # its date

    def __str__(self) -> str:
        when = self.changed_at.strftime("%Y-%m-%d %H:%M") if self.changed_at else "?"
        names = {
            "row": self.row,
            "name": self.centre.name,
            "user": self.changed_by or _("someone"),
            "when": when,
            "file": self.file_version,
            "now": self.centre.version,
        }
        if self.file_version is None:
            return (
                _(
                    "Row %(row)d: the file does not say which version of «%(name)s» it was exported from; the centre "
                    "was last changed by %(user)s at %(when)s. Writing this row may undo that edit."
                )
                % names
            )
        return (
            _(
                "Row %(row)d: «%(name)s» was changed by %(user)s at %(when)s, after the file was exported (version "
                "%(file)d in the file, %(now)d now). Writing this row would undo that edit."
            )
            % names
        )


@dataclass
class ImportPlan:
    filename: str = ""
    read_as: str = ""  # what the file was read as, e.g. "CSV, Windows-1251, cells separated by «;»"
    centres: list[PlannedCentre] = field(default_factory=list)
    operators: list[PlannedOperator] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)  # rows not overridden: the plan cannot be written
    warnings: list[RowError] = field(default_factory=list)  # worth a look before writing, but no reason not to

    @property
    def writable(self) -> bool:
        return not self.errors and not self.conflicts

    @property
    def created(self) -> int:
        return sum(1 for item in self.centres if item.created)

    @property
    def changed(self) -> int:
        return sum(1 for item in self.centres if not item.created and item.changes)

    @property
    def unchanged(self) -> int:
        return sum(1 for item in self.centres if not item.changed)

    def summary(self) -> str:
        return _("%(created)d created, %(changed)d changed, %(unchanged)d unchanged.") % {
            "created": self.created,
            "changed": self.changed,
            "unchanged": self.unchanged,
        }

    def describe(self) -> list[str]:
        """One line per operator and centre to create or change, then one per changed or cleared value."""
        lines = []
        for item in self.operators:
            if item.created:
                lines.append(_("Row %(row)d: new operator «%(name)s»") % {"row": item.row, "name": item.operator})
            elif item.changes:
                lines.append(_("Row %(row)d: operator «%(name)s» changes") % {"row": item.row, "name": item.operator})
            lines.extend(f"    {change}" for change in item.changes)
        for item in self.centres:
            if item.created:
                lines.append(_("Row %(row)d: new centre «%(name)s»") % {"row": item.row, "name": item.centre.name})
            elif item.changes:
                lines.append(
                    _("Row %(row)d: centre «%(name)s» (%(id)s) changes")
                    % {"row": item.row, "name": item.centre.name, "id": item.centre.pk}
                )
            lines.extend(f"    {change}" for change in item.changes)
        return lines
