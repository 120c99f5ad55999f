"""Import centres from a CSV file, as export_centres writes it or as an editor fills it in (DESIGN.md section 5).

Two steps, so that a file is written completely or not at all:

- `validate(file)` reads every row, resolves cities and operators, matches existing centres, runs full model
  validation and returns an `ImportPlan`: the changes to make and every error found, each naming the spreadsheet
  row (the header is row 1) and the column. It writes nothing.
- `write(plan, user=..., reason=...)` saves a plan without errors in one transaction, through `save()` so history
  records who and why. Each matched centre is saved with the version read during validation: if someone changed
  it meanwhile, `Centre.save()` raises ConcurrentEditError, the whole import rolls back and `ImportConflict` says
  which centre.
"""

import hashlib
import uuid
from collections.abc import Callable, Collection
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centres import judging, leaks, planner
from centres.columns import (
    COLUMNS,
    COLUMNS_BY_NAME,
    COMPUTED_COLUMNS,
    CellError,
    Column,
    column_for_header,
    unescape_formula,
)
from centres.geo import UnknownCity, find_city, pick_place
from centres.import_plan import (
    Conflict,
    FieldChange,
    ImportConflict,
    ImportPlan,
    PlannedCentre,
    PlannedOperator,
    RowError,
)
from centres.models import Centre, CentrePhone, Compliance, Operator, Place, Region
from centres.spreadsheets import FileRefused, read_sheet, too_large
from centres.text import match_key, words
from centres.versioning import ConcurrentEditError

# History keeps at most this many characters of a change reason (simple-history's default field).
REASON_LENGTH = 100
# A row is matched to the centres having the rarest of its name's longest words (a few are plenty), counted up to
# a cap: past it, a word is as common as any.

# Set apart: which centre a row is (id), its address that is kept once set (slug), which version of it the row
# was exported from (version), and the place columns, which are resolved in the gazetteer.
_CENTRE_COLUMNS = [
    c for c in COLUMNS if c.source == "centre" and c.name not in {"id", "slug", "version", "city", "region"}
]
_COMPLIANCE_COLUMNS = [c for c in COLUMNS if c.source == "compliance"]
_OPERATOR_DETAILS = [c for c in COLUMNS if c.source == "operator" and c.name not in {"operator", "operator_kind"}]
# The columns compared to decide whether a centre changed; the operator's own details belong to the operator.
# Phones are compared apart, as a list.
_COMPARED = [c for c in COLUMNS if c.source not in {"operator", "phones"} and c.name not in {"id", "slug", "version"}]


def validate(
    source: bytes | str | Path | IO[bytes] | IO[str],
    *,
    filename: str = "",
    sheet: str | None = None,
    overwrite: Collection[int] | bool = (),
    progress: Callable[[int], None] | None = None,
) -> ImportPlan:
    """Read and check the whole file (CSV or XLSX, `spreadsheets.read_sheet`); plan every change. Writes nothing.
    `progress` is told the number of rows read after each row.

    A row that would change a centre edited since the file was exported (its `version` is older than the centre's,
    or the file has none) is a conflict, and the plan cannot be written, unless its row is in `overwrite` (or
    `overwrite` is True: every row)."""
    plan = ImportPlan(filename=filename)
    try:
        table = read_sheet(_bytes(source), filename, sheet=sheet)
        plan.read_as = table.describe()
        columns = _read_header(table.header, plan.errors)
        if plan.errors:
            return plan
        planner = _Planner(plan, {column.name for column in columns if column is not None}, overwrite)
        read = 0
        for row in table.rows:
            if row.number - 1 > settings.IMPORT_MAX_ROWS:
                plan.errors.append(
                    RowError(
                        None,
                        None,
                        _("The file has more than %(limit)d rows; import it in several files.")
                        % {"limit": settings.IMPORT_MAX_ROWS},
                    )
                )
                break
            cells = row.cells
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(columns) and any(cell.strip() for cell in cells[len(columns) :]):
                plan.errors.append(
                    RowError(
                        row.number,
                        None,
                        _("This row (line %(line)d) has more cells than the header has columns.") % {"line": row.line},
                    )
                )
                continue
            values = {
                column.name: unescape_formula(cell) for column, cell in zip(columns, cells, strict=False) if column
            }
            planner.plan_row(row.number, values)
            read += 1
            if progress is not None:
                progress(read)
        if not read and not plan.errors:
            plan.errors.append(RowError(None, None, _("The file has a header but no rows: nothing to import.")))
        leaks.check(plan)
    except FileRefused as error:
        plan.errors.append(RowError(None, None, str(error)))
    return plan


def fingerprint(plan: ImportPlan) -> str:
    """What a preview of `plan` showed, in a few characters: every change it lists and the version of every record
    it would write. The same file planned again gives the same fingerprint unless the directory changed meanwhile
    (which rows the editor chose to overwrite is no part of it)."""
    parts = [*plan.describe(), *(str(error) for error in plan.errors)]
    parts += [f"{item.centre.pk}:{item.version}" for item in plan.centres]
    parts += [f"{item.operator.pk}:{item.version}" for item in plan.operators]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _bytes(source: bytes | str | Path | IO[bytes] | IO[str]) -> bytes:
    """The file's bytes; a file over the size limit is refused before it is read whole."""
    if isinstance(source, Path):
        size = source.stat().st_size
        if size > settings.IMPORT_MAX_BYTES:
            raise FileRefused(too_large(size))
        return source.read_bytes()
    if hasattr(source, "read"):
        source = source.read(settings.IMPORT_MAX_BYTES + 1)
    return source.encode("utf-8") if isinstance(source, str) else source


def write(
    plan: ImportPlan,
    *,
    user: Any = None,
    reason: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportPlan:
    """Save a plan without errors in one transaction; raises ImportConflict (and writes nothing) on a conflict.
    `progress` is told the number of centres written, and how many there are to write, after each centre."""
    if not plan.writable:
        raise ValueError("An import plan with errors or conflicts cannot be written.")
    if reason is None:
        reason = _("import %(file)s") % {"file": plan.filename} if plan.filename else _("import")
    reason = reason[:REASON_LENGTH]

    def stamp(instance: models.Model) -> models.Model:
        instance._history_user = user
        instance._change_reason = reason
        return instance

    item: PlannedOperator | PlannedCentre | None = None
    try:
        with transaction.atomic(), judging.deferred():  # the rows' risks judged together at the end
            for item in plan.operators:
                if item.changed:
                    if not item.created:
                        item.operator.version = item.version
                    stamp(item.operator).save()
            to_write, written = sum(1 for item in plan.centres if item.changed), 0
            for item in plan.centres:
                if not item.changed:
                    continue
                centre = item.centre
                if not item.created:
                    centre.version = item.version
                stamp(centre).save()
                if item.compliance is not None:
                    item.compliance.centre = centre
                    stamp(item.compliance).save()
                if item.phones is not None:
                    for phone in CentrePhone.objects.filter(centre=centre):
                        stamp(phone).delete()
                    for phone in item.phones:
                        phone.centre = centre
                        stamp(phone).save()
                written += 1
                if progress is not None:
                    progress(written, to_write)
    except ConcurrentEditError as error:
        raise ImportConflict(_conflict_message(item, error)) from error
    except IntegrityError as error:  # e.g. a centre with a file's id was created meanwhile
        row = item.row if item is not None else "?"
        raise ImportConflict(
            _("Row %(row)s could not be saved (%(error)s). Nothing was written; run the import again.")
            % {"row": row, "error": error}
        ) from error
    planner.refresh_statistics()
    return plan


def _conflict_message(item: PlannedOperator | PlannedCentre | None, error: ConcurrentEditError) -> str:
    instance = error.instance
    kind = instance._meta.verbose_name
    row = item.row if item is not None else "?"
    return _(
        "Row %(row)s: %(kind)s «%(name)s» (%(id)s) was changed by someone else after the file was checked. "
        "Nothing was written; run the import again to see the changes against the current data."
    ) % {"row": row, "kind": kind, "name": instance, "id": instance.pk}


def _read_header(header: list[str], errors: list[RowError]) -> list[Column | None]:
    """The column of each header cell (its code, or its label in Russian, Kazakh or English); None for a cell
    that names a computed column, or none."""
    columns: list[Column | None] = []
    seen = set()
    for cell in header:
        text = cell.strip()
        column = column_for_header(text)
        name = column.name if column is not None else text.lower()
        if name and name in seen:
            errors.append(RowError(1, text, _("this column appears twice.")))
        seen.add(name)
        if column is None and name not in COMPUTED_COLUMNS and name:
            errors.append(
                RowError(
                    1,
                    text,
                    _("unknown column. Known columns: %(known)s.") % {"known": ", ".join(COLUMNS_BY_NAME)},
                )
            )
        columns.append(column)
    if "id" not in seen and "name" not in seen:
        errors.append(RowError(1, None, _("The file needs an id or a name column to know which centre is meant.")))
    return columns


class _Planner:
    """Plans one row after another, remembering what earlier rows decided (operators, matched centres)."""

    def __init__(self, plan: ImportPlan, present: set[str], overwrite: Collection[int] | bool):
        self.plan = plan
        self.present = present
        self.overwrite = overwrite
        self.places: dict[tuple[str, str, str | None], Place | list[Place] | str] = {}
        self.regions: dict[str, Region | None] = {}
        self.operators: dict[int, PlannedOperator] = {}  # existing operators by pk: one instance each
        self.new_operators: list[PlannedOperator] = []
        self.centre_rows: dict[Any, int] = {}  # centre pk → row that describes it
        self.new_slugs: set[str] = set()
        self.new_centre_rows: dict[tuple, int] = {}  # match key of a centre to create → its row

    # -- one row --------------------------------------------------------------------------------------------------

    def plan_row(self, row: int, cells: dict[str, str]) -> None:
        errors: list[RowError] = []
        values: dict[str, Any] = {}
        for name, text in cells.items():
            try:
                values[name] = COLUMNS_BY_NAME[name].parse(text)
            except CellError as error:
                errors.append(RowError(row, name, str(error)))
        if errors:
            self.plan.errors.extend(errors)
            return

        centre = self._load(values["id"]) if values.get("id") else None
        country = values.get("country", centre.country if centre else "")

        region: Region | None = None
        if values.get("region"):
            region = self._region(values["region"])
            if region is None:
                errors.append(
                    RowError(row, "region", _("'%(value)s' is not a known region code.") % {"value": values["region"]})
                )
        city: Place | None = centre.city if centre else None
        if "city" in values:
            city = None
            if values["city"]:
                found = self._city(values["city"], country, values.get("region"))
                if isinstance(found, list):
                    current = centre.city if centre else None
                    try:
                        found = pick_place(
                            found, values["city"], current, values.get("latitude"), values.get("longitude")
                        )
                    except UnknownCity as error:
                        found = str(error)
                if isinstance(found, str):
                    errors.append(RowError(row, "city", found))
                else:
                    city = found
        operator: Operator | None = centre.operator if centre else None
        if "operator" in values:
            operator = self._operator(row, values, errors)
        if errors:
            self.plan.errors.extend(errors)
            return

        created = centre is None
        if centre is None and not values.get("id"):
            centre = self._match(row, values.get("name") or "", city, operator, errors)
            created = centre is None
        elif centre is not None and values.get("name"):
            other = self._match(row, values["name"], city, operator, errors)
            if other is not None and other.pk != centre.pk:
                errors.append(
                    RowError(
                        row,
                        "id",
                        _(
                            "the id names «%(named)s» (%(id)s), but the name, city and operator are those of "
                            "«%(other)s» (%(other_id)s). Check which centre this row is about."
                        )
                        % {"named": centre.name, "id": centre.pk, "other": other.name, "other_id": other.pk},
                    )
                )
        if errors:
            self.plan.errors.extend(errors)
            return
        if centre is None:
            centre = Centre(id=values["id"]) if values.get("id") else Centre()
            if not values.get("id"):
                key = (match_key(values.get("name") or ""), city.pk if city else None, id(operator))
                if key in self.new_centre_rows:
                    self.plan.errors.append(
                        RowError(
                            row,
                            None,
                            _("row %(other)d describes the same new centre; give each centre one row.")
                            % {"other": self.new_centre_rows[key]},
                        )
                    )
                    return
                self.new_centre_rows[key] = row
        if not created:
            if centre.pk in self.centre_rows:
                self.plan.errors.append(
                    RowError(
                        row,
                        None,
                        _("row %(other)d describes the same centre; give each centre one row.")
                        % {"other": self.centre_rows[centre.pk]},
                    )
                )
                return
            self.centre_rows[centre.pk] = row

        if not self._plan_slug(row, centre, created, values.get("slug")):
            return
        item = PlannedCentre(row=row, centre=centre, created=created, version=None if created else centre.version)
        before = {column.name: column.read(centre) for column in _COMPARED} if not created else {}
        before_phones = [] if created else COLUMNS_BY_NAME["phones"].read(centre)
        old_operator = centre.operator if not created else None

        # apply
        for column in _CENTRE_COLUMNS:
            if column.name in values:
                setattr(centre, column.field, values[column.name])
        if "country" in values or created:
            centre.country = country
        previous_city = centre.city if centre.city_id else None
        if "city" in values:
            centre.city = city
        if "region" in values:
            centre.region = region
        if "operator" in values:
            centre.operator = operator
        # The derivations Centre.save() makes, so that what the plan shows is what will be written.
        centre.fill_from_city(previous_city if previous_city != centre.city else None)

        self._plan_compliance(item, values)
        self._plan_phones(item, values)
        errors_before = len(self.plan.errors)
        self._clean(item, cells)
        if len(self.plan.errors) > errors_before:
            return

        if not created:
            after = {column.name: column.read(centre) for column in _COMPARED}
            for column in _COMPARED:
                if before[column.name] != after[column.name]:
                    item.changes.append(
                        FieldChange(column.name, column.format(before[column.name]), column.format(after[column.name]))
                    )
            old_pk = old_operator.pk if old_operator is not None else None
            new_pk = operator.pk if operator is not None else None
            if (operator is not None and operator.pk is None) or old_pk != new_pk:
                item.changes.insert(0, FieldChange("operator", str(old_operator or ""), str(operator or "")))
            if item.phones is not None:
                phones = COLUMNS_BY_NAME["phones"]
                new_phones = [(p.label, p.number, p.answers_24_7) for p in item.phones]
                item.changes.append(FieldChange("phones", phones.format(before_phones), phones.format(new_phones)))
            if item.changed and not self._version_holds(row, centre, values):
                return
        self.plan.centres.append(item)

    # -- parts of a row -------------------------------------------------------------------------------------------

    def _plan_slug(self, row: int, centre: Centre, created: bool, slug: str | None) -> bool:
        """The URL slug is set once and kept: a printed referral sheet links to it. A new centre may bring its own."""
        if not slug or slug == centre.slug:
            return True
        if not created:
            message = _("the address of a centre's page is kept once set: «%(slug)s» is printed on referral sheets.")
            self.plan.errors.append(RowError(row, "slug", message % {"slug": centre.slug}))
            return False
        taken = Centre.objects.filter(slug=slug).exists() or slug in self.new_slugs
        try:
            validate_slug(slug)
        except ValidationError as error:
            self.plan.errors.append(RowError(row, "slug", " ".join(error.messages)))
            return False
        if taken:
            message = _("«%(slug)s» is already the address of another centre's page.")
            self.plan.errors.append(RowError(row, "slug", message % {"slug": slug}))
            return False
        self.new_slugs.add(slug)
        centre.slug = slug
        return True

    def _version_holds(self, row: int, centre: Centre, values: dict[str, Any]) -> bool:
        """Whether the row was exported from the centre as it is now; an older one is a conflict, unless overridden.
        A version newer than the centre's cannot come from an export of this directory: an error."""
        version = values.get("version")
        if version is not None and version > centre.version:
            message = _("version %(file)d is newer than the centre's (%(now)d): the row is not from an export of ours.")
            self.plan.errors.append(RowError(row, "version", message % {"file": version, "now": centre.version}))
            return False
        if version == centre.version or self.overwrite is True or row in (self.overwrite or ()):
            return True
        last = centre.history.select_related("history_user").first()
        self.plan.conflicts.append(
            Conflict(
                row=row,
                centre=centre,
                file_version=version,
                changed_by=last.history_user if last else None,
                changed_at=timezone.localtime(last.history_date) if last else None,
            )
        )
        return True

    def _plan_compliance(self, item: PlannedCentre, values: dict[str, Any]) -> None:
        given = [column for column in _COMPLIANCE_COLUMNS if column.name in values]
        if not given:
            return
        centre = item.centre
        compliance = None if item.created else getattr(centre, "compliance", None)
        is_new = compliance is None
        if compliance is None:
            compliance = Compliance()
        default = Compliance()
        for column in given:
            setattr(compliance, column.field, values[column.name])
        differs = any(getattr(compliance, column.field) != getattr(default, column.field) for column in given)
        if is_new and not differs and not item.created:
            return  # a row of defaults for a centre without a record: nothing to record
        if is_new:
            centre.compliance = compliance
        item.compliance = compliance

    def _plan_phones(self, item: PlannedCentre, values: dict[str, Any]) -> None:
        if "phones" not in values:
            return
        wanted = values["phones"]
        current = [] if item.created else [(p.label, p.number, p.answers_24_7) for p in item.centre.phones.all()]
        if wanted == current:
            return
        item.phones = [
            CentrePhone(label=label, number=number, answers_24_7=answers_24_7, position=position)
            for position, (label, number, answers_24_7) in enumerate(wanted)
        ]

    def _clean(self, item: PlannedCentre, cells: dict[str, str]) -> None:
        row = item.row
        try:
            # The city, region and operator were found by this import (or are new): no query to check each exists.
            item.centre.full_clean(exclude=["slug", "city", "region", "operator"])
        except ValidationError as error:
            self._report(row, error, cells, field_to_column=_centre_column)
        if item.compliance is not None:
            try:
                item.compliance.full_clean(exclude=["centre"])
            except ValidationError as error:
                self._report(row, error, cells, field_to_column=lambda name: name)
        for phone in item.phones or []:
            try:
                phone.full_clean(exclude=["centre"])
            except ValidationError as error:
                messages = " ".join(message for messages in error.message_dict.values() for message in messages)
                self.plan.errors.append(
                    RowError(row, "phones", _("'%(value)s': %(message)s") % {"value": phone, "message": messages})
                )

    def _report(self, row: int, error: ValidationError, cells: dict[str, str], field_to_column) -> None:
        for name, messages in error.message_dict.items():
            column = None if name == NON_FIELD_ERRORS else field_to_column(name)
            given = cells.get(column or "", "").strip()
            for message in messages:
                if given:
                    message = _("'%(value)s' is not accepted: %(message)s") % {"value": given, "message": message}
                self.plan.errors.append(RowError(row, column, message))

    # -- lookups --------------------------------------------------------------------------------------------------

    def _load(self, pk: uuid.UUID) -> Centre | None:
        return (
            Centre.objects.select_related("operator", "city__region", "region", "compliance")
            .prefetch_related("phones")
            .filter(pk=pk)
            .first()
        )

    def _region(self, code: str) -> Region | None:
        if code not in self.regions:
            self.regions[code] = Region.objects.filter(code=code).first()
        return self.regions[code]

    def _city(self, name: str, country: str, region_code: str | None) -> Place | list[Place] | str:
        """The place, its namesakes to choose among, or the message saying why there is none: kept, like a place,
        for the next row that names it."""
        key = (name, country, region_code)
        if key not in self.places:
            try:
                self.places[key] = find_city(name, country, region_code)
            except UnknownCity as error:
                self.places[key] = str(error)
        return self.places[key]

    def _operator(self, row: int, values: dict[str, Any], errors: list[RowError]) -> Operator | None:
        name = values["operator"]
        if not name:
            return None
        kind = values.get("operator_kind")
        key = match_key(name)
        found = [
            item.operator
            for item in self.new_operators
            if match_key(item.operator.name) == key and (not kind or item.operator.kind == kind)
        ]
        if not found:
            word = max(key.split(), key=len, default="")
            found = [
                operator
                for operator in Operator.objects.filter(search_text__contains=word)
                if match_key(operator.name) == key and (not kind or operator.kind == kind)
            ]
        if len(found) > 1:
            errors.append(
                RowError(
                    row,
                    "operator",
                    _("several operators are named '%(name)s'; fill in operator_kind to say which.") % {"name": name},
                )
            )
            return None
        if found:
            operator = found[0]
            planned = next((item for item in self.new_operators if item.operator is operator), None)
            if planned is None:
                planned = self.operators.get(operator.pk)
            if planned is None:
                # One instance per operator, so that every row sees what earlier rows decided.
                planned = PlannedOperator(operator=operator, row=row, created=False, version=operator.version)
                self.operators[operator.pk] = planned
                self.plan.operators.append(planned)
        else:
            if not kind:
                errors.append(
                    RowError(
                        row,
                        "operator_kind",
                        _("operator '%(name)s' is new: say whether it is state or cso.") % {"name": name},
                    )
                )
                return None
            operator = Operator(name=name, kind=kind)
            planned = PlannedOperator(operator=operator, row=row, created=True, version=None)
            self.new_operators.append(planned)
            self.plan.operators.append(planned)
        self._apply_operator_details(row, planned, values, errors)
        return planned.operator

    def _apply_operator_details(
        self, row: int, planned: PlannedOperator, values: dict[str, Any], errors: list[RowError]
    ) -> None:
        operator = planned.operator
        for column in _OPERATOR_DETAILS:
            if column.name not in values:
                continue
            value = values[column.name]
            if column.field in planned.assigned:
                earlier, earlier_row = planned.assigned[column.field]
                if earlier != value:
                    errors.append(
                        RowError(
                            row,
                            column.name,
                            _("'%(value)s' differs from '%(earlier)s' in row %(other)d for the same operator.")
                            % {"value": value, "earlier": earlier, "other": earlier_row},
                        )
                    )
                continue
            planned.assigned[column.field] = (value, row)
            old = getattr(operator, column.field)
            if old != value:
                setattr(operator, column.field, value)
                if not planned.created:
                    planned.changes.append(FieldChange(column.name, column.format(old), column.format(value)))
        try:
            operator.full_clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                column_name = "operator" if name == "name" else f"operator_{name}"
                for message in messages:
                    if RowError(row, column_name, message) not in errors:
                        errors.append(RowError(row, column_name, message))

    def _match(
        self, row: int, name: str, city: Place | None, operator: Operator | None, errors: list[RowError]
    ) -> Centre | None:
        """The existing centre with the same normalised name, city and operator (when those columns are given)."""
        key = match_key(name)
        name_words = words(name)
        if not key or not name_words:
            return None
        # Through the index of the centres' name keys: the centres whose name folds to the same key, then the one
        # found read whole. Never a scan of every centre.
        candidates = Centre.objects.filter(name_key=key)
        if "city" in self.present:
            candidates = candidates.filter(city=city)
        if "operator" in self.present:
            if operator is not None and operator.pk is None:
                return None  # a new operator has no centres yet
            candidates = candidates.filter(operator=operator)
        found = [self._load(pk) for pk, other in candidates.values_list("pk", "name") if match_key(other) == key]
        if len(found) > 1:
            errors.append(
                RowError(
                    row,
                    "name",
                    _("several centres match '%(name)s' (%(ids)s); add the id column to say which.")
                    % {"name": name, "ids": ", ".join(str(centre.pk) for centre in found)},
                )
            )
            return None
        return found[0] if found else None


def _centre_column(field_name: str) -> str:
    for column in COLUMNS:
        if column.source == "centre" and column.field in {field_name, f"{field_name}_id"}:
            return column.name
    return field_name
