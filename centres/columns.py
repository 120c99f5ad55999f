"""The centre file's columns (DESIGN.md section 5): the one contract that exports write and imports read.

Each column knows where its value lives (the centre, its operator, its compliance or its phones), how to write it
into a cell and how to read a cell back (`Kind`). The column sets say which export holds what; formula escaping
says how a cell survives a spreadsheet program.
"""

import datetime
import functools
import re
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centres import languages
from centres import opening_hours as schedules
from centres import vocabularies as codes
from centres.models import Centre, CentrePhone, Compliance, Operator
from centres.text import fold, without_format_characters

# A spreadsheet program reads a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# An escaped cell: one added quote, before any quotes the value itself began with, then a formula character.
_ESCAPED = re.compile(r"^'+[=+\-@\t\r]")
# The first characters of the only cells that `escape_formula` changes: a file's other cells can skip the call.
MAY_NEED_ESCAPING = frozenset((*FORMULA_STARTS, "'"))

# What people and spreadsheet programs write for yes and no (Excel in Russian writes ИСТИНА and ЛОЖЬ), folded.
TRUE_WORDS = {"true", "yes", "1", "да", "иә", "ия", "истина"}
FALSE_WORDS = {"false", "no", "0", "нет", "жоқ", "ложь"}
# A date as Excel writes it in a Russian or Kazakh locale: 31.01.2025, and 31.01.2025 9:30 with a time.
_DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
PHONE_24_7 = "[24/7]"


class CellError(ValueError):
    """A cell that cannot be read; the message says why in plain words."""


Phone = tuple[str, str, bool]  # label, number, answers 24/7


class Kind:
    """How a value is written into a cell and read back. An empty cell reads as `empty` (unknown)."""

    def format(self, value: Any) -> str:
        return "" if value is None else str(value)

    def lookups(self, path: str) -> tuple[str, ...]:
        """What a `values_list()` reads for a cell of the field at `path` (a lookup from the centre). A cell read
        from one value is written by `format`; one read from several, by `format_values`."""
        return (path,)

    def format_values(self, *values: Any) -> str:
        return self.format(*values)

    def parse(self, text: str) -> Any:
        return text


class Text(Kind):
    pass


class Name(Text):
    """A centre's or an operator's name: invisible format characters (bidi overrides, zero-width) are dropped."""

    def parse(self, text: str) -> str:
        return without_format_characters(text)


class Choice(Kind):
    def __init__(self, codes: type[models.TextChoices]):
        self.codes = codes

    def parse(self, text: str) -> str:
        for code in self.codes.values:
            if code.casefold() == text.casefold():
                return code
        raise CellError(
            _("'%(value)s' is not one of the allowed codes: %(allowed)s.")
            % {"value": text, "allowed": ", ".join(self.codes.values)}
        )


class Codes(Kind):
    """A list of vocabulary codes, ';'-separated, written in vocabulary order."""

    def __init__(self, codes: type[models.TextChoices]):
        self.codes = codes

    def format(self, value: Any) -> str:
        return ";".join(value or [])

    def parse(self, text: str) -> list[str]:
        given = [part.strip().casefold() for part in text.split(";") if part.strip()]
        unknown = [code for code in given if code not in self.codes.values]
        if unknown:
            raise CellError(
                _("unknown code(s) %(codes)s; allowed, separated by ';': %(allowed)s.")
                % {"codes": ", ".join(f"'{code}'" for code in unknown), "allowed": ", ".join(self.codes.values)}
            )
        return [code for code in self.codes.values if code in given]


class Boolean(Kind):
    def format(self, value: Any) -> str:
        return "" if value is None else ("true" if value else "false")

    def parse(self, text: str) -> bool:
        word = text.casefold()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise CellError(_("'%(value)s' is not a yes/no value; write true or false.") % {"value": text})


class Integer(Kind):
    def parse(self, text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            raise CellError(_("'%(value)s' is not a whole number.") % {"value": text}) from None
        if number < 0:
            raise CellError(_("'%(value)s' is negative; give 0 or more.") % {"value": text})
        return number


class Number(Kind):
    def parse(self, text: str) -> Decimal:
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise CellError(_("'%(value)s' is not a number.") % {"value": text}) from None
        if not number.is_finite():
            raise CellError(_("'%(value)s' is not a number.") % {"value": text})
        return number


class Date(Kind):
    def format(self, value: Any) -> str:
        return "" if value is None else value.isoformat()

    def parse(self, text: str) -> datetime.date:
        try:
            dotted = _DOTTED_DATE.fullmatch(text)
            if dotted and dotted.group(4) is None:
                return datetime.date(int(dotted.group(3)), int(dotted.group(2)), int(dotted.group(1)))
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise CellError(
                _("'%(value)s' is not a valid date; write it as YYYY-MM-DD or DD.MM.YYYY, e.g. 2025-01-31.")
                % {"value": text}
            ) from None


class DateTime(Kind):
    def format(self, value: Any) -> str:
        return "" if value is None else timezone.localtime(value).isoformat()

    def parse(self, text: str) -> datetime.datetime:
        try:
            dotted = _DOTTED_DATE.fullmatch(text)
            if dotted:
                day, month, year, hour, minute, second = (int(part or 0) for part in dotted.groups())
                value = datetime.datetime(year, month, day, hour, minute, second)
            else:
                value = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise CellError(
                _(
                    "'%(value)s' is not a valid date and time; write it as YYYY-MM-DDTHH:MM or DD.MM.YYYY HH:MM, "
                    "e.g. 2025-01-31T09:30 or 31.01.2025 09:30."
                )
                % {"value": text}
            ) from None
        return timezone.make_aware(value) if timezone.is_naive(value) else value


class WeeklyHours(Text):
    """Weekly opening hours in one line (`opening_hours`: "Mo-Fr 09:00-18:00; Sa 10:00-14:00", "24/7"), read in
    any of the spellings it accepts and written in its one spelling."""

    def parse(self, text: str) -> str:
        try:
            return schedules.normalised(text)
        except ValidationError as error:
            raise CellError(" ".join(error.messages)) from None


class Version(Integer):
    """The record's version when it was exported: an empty cell says nothing about it."""


class Identifier(Kind):
    def parse(self, text: str) -> uuid.UUID:
        try:
            return uuid.UUID(text)
        except ValueError:
            raise CellError(_("'%(value)s' is not a valid id (a UUID).") % {"value": text}) from None


class CityName(Kind):
    """A place of the gazetteer, written by its Russian name (its Latin one when it has none); the importer resolves
    the name."""

    def format(self, value: Any) -> str:
        return "" if value is None else self.format_values(value.name_ru, value.name_en)

    def lookups(self, path: str) -> tuple[str, ...]:
        return (f"{path}__name_ru", f"{path}__name_en")

    def format_values(self, name_ru: str | None, name_en: str | None) -> str:
        return name_ru or name_en or ""


class RegionCode(Kind):
    def parse(self, text: str) -> str:
        return text.upper()


class Phones(Kind):
    """`label: number [24/7]; number`: several phones, each with an optional label and 24/7 mark."""

    def format(self, value: Any) -> str:
        entries = []
        for label, number, answers_24_7 in value or []:
            entry = f"{label}: {number}" if label else number
            entries.append(f"{entry} {PHONE_24_7}" if answers_24_7 else entry)
        return "; ".join(entries)

    def parse(self, text: str) -> list[Phone]:
        phones = []
        entries = [raw for raw in text.split(";") if raw.strip()]
        if len(entries) > settings.IMPORT_MAX_PHONES:
            raise CellError(
                _("%(count)d phone numbers; a centre may have at most %(limit)d.")
                % {"count": len(entries), "limit": settings.IMPORT_MAX_PHONES}
            )
        for raw in entries:
            entry = raw.strip()
            if not entry:
                continue
            answers_24_7 = entry.endswith(PHONE_24_7)
            if answers_24_7:
                entry = entry.removesuffix(PHONE_24_7).strip()
            label, _colon, number = entry.rpartition(":")
            label, number = label.strip(), number.strip()
            if not number:
                raise CellError(_("'%(value)s' has no phone number.") % {"value": raw.strip()})
            phones.append((label, number, answers_24_7))
        return phones


def phones_of(centre: Centre) -> list[Phone]:
    if centre._state.adding:
        return []
    return [(phone.label, phone.number, phone.answers_24_7) for phone in centre.phones.all()]


def phone_rows(centre_ids: Iterable[Any]) -> dict[Any, list[Phone]]:
    """The phones of these centres in one query, as plain tuples in their order: centre id → phones."""
    phones: dict[Any, list[Phone]] = {}
    rows = (
        CentrePhone.objects.filter(centre_id__in=centre_ids)
        .order_by("position", "pk")
        .values_list("centre_id", "label", "number", "answers_24_7")
    )
    for centre_id, label, number, answers_24_7 in rows:
        phones.setdefault(centre_id, []).append((label, number, answers_24_7))
    return phones


# A centre without a compliance record reads as the record's defaults ("unknown"), so that an import of its row
# does not create one for nothing.
_DEFAULT_COMPLIANCE = Compliance()
# Where a column's field is, as a lookup from the centre.
_LOOKUP_PREFIXES = {"centre": "", "operator": "operator__", "compliance": "compliance__"}


@dataclass(frozen=True)
class Column:
    """One column of the file: `source` says where the value lives (centre, operator, compliance, phones)."""

    name: str
    kind: Kind
    source: str = "centre"
    attr: str = ""
    label: Any = None  # what a person writes in a header row; the model field's name when not given

    def labels(self) -> list[str]:
        """The column's label in the current language (none for the id, whose code is its name everywhere)."""
        if self.label is not None:
            return [str(self.label)]
        field = self.model_field
        return [str(field.verbose_name)] if field is not None and self.name != "id" else []

    @property
    def field(self) -> str:
        return self.attr or self.name

    @property
    def model_field(self) -> models.Field | None:
        """The field the column describes; for a text written per language, whose column is its main language's
        (`languages.main`), the unsuffixed field: its label, and empty meaning "" rather than unknown."""
        model = {"centre": Centre, "operator": Operator, "compliance": Compliance}.get(self.source)
        if model is None:
            return None
        return model._meta.get_field(self.name if self.field == languages.main(self.name) else self.field)

    def read(self, centre: Centre) -> Any:
        """The column's value for `centre` (a Python value; `cell()` writes it as text)."""
        if self.source == "phones":
            return phones_of(centre)
        if self.source == "operator":
            owner = centre.operator
        elif self.source == "compliance":
            owner = getattr(centre, "compliance", None) or _DEFAULT_COMPLIANCE
        else:
            owner = centre
        return None if owner is None else getattr(owner, self.field)

    def cell(self, centre: Centre) -> str:
        return self.kind.format(self.read(centre))

    def format(self, value: Any) -> str:
        return self.kind.format(value)

    @property
    def lookups(self) -> tuple[str, ...]:
        """What a `values_list()` of centres reads for the column's cell (`format_values` writes it): lookups from
        the centre, through its operator or its licensing record; none for phones (read apart: `phone_rows`) or a
        computed column."""
        if self.source not in _LOOKUP_PREFIXES:
            return ()
        return self.kind.lookups(_LOOKUP_PREFIXES[self.source] + self.field)

    def format_values(self, *values: Any) -> str:
        """The cell from the values of `lookups`, in their order."""
        return self.kind.format_values(*values)

    @property
    def missing_cell(self) -> str:
        """The cell of a licensing column for a centre without a licensing record: the record's default."""
        return self.kind.format(getattr(_DEFAULT_COMPLIANCE, self.field))

    def empty_value(self) -> Any:
        """What an empty cell means: unknown (None) where the field allows it, else the field's default."""
        if self.source == "phones":
            return []
        if isinstance(self.kind, Identifier | Version):
            return None
        field = self.model_field
        if field is None or field.null:
            return None
        if field.has_default():
            return field.get_default()
        return ""

    def parse(self, text: str) -> Any:
        """The value of a cell, already unescaped; raises CellError in plain words."""
        text = text.strip()
        if not text:
            return self.empty_value()
        limit = settings.IMPORT_MAX_NOTES if self.name in LONG_TEXT else settings.IMPORT_MAX_CELL
        if len(text) > limit and self.source != "phones":  # phones are counted instead (Phones.parse)
            raise CellError(
                _("the cell holds %(length)d characters; this column takes at most %(limit)d.")
                % {"length": len(text), "limit": limit}
            )
        return self.kind.parse(text)


def _dates(*names: str, source: str = "centre") -> list[Column]:
    return [Column(name, Date(), source) for name in names]


COLUMNS: tuple[Column, ...] = (
    Column("id", Identifier()),
    Column("slug", Text()),
    Column("name", Name()),
    Column("operator", Name(), "operator", "name", gettext_lazy("operator")),
    Column("operator_kind", Choice(codes.OperatorKind), "operator", "kind", gettext_lazy("operator kind")),
    Column(
        "operator_registration_number",
        Text(),
        "operator",
        "registration_number",
        gettext_lazy("operator registration number"),
    ),
    Column("operator_website", Text(), "operator", "website", gettext_lazy("operator website")),
    Column("country", Choice(codes.Country)),
    Column("region", RegionCode(), attr="region_id"),
    Column("city", CityName()),
    Column("address", Text()),
    Column("address_visibility", Choice(codes.AddressVisibility)),
    Column("latitude", Number()),
    Column("longitude", Number()),
    Column("phones", Phones(), "phones", label=gettext_lazy("phones")),
    Column("messenger", Text()),
    Column("email", Text()),
    Column("website", Text()),
    # The texts written per language: a file carries the main (Russian) text (centres/languages.py).
    Column("hours", Text(), attr=languages.main("hours")),
    Column("opening_hours", WeeklyHours()),
    Column("open_24_7", Boolean()),
    Column("services", Codes(codes.Service)),
    Column("audiences", Codes(codes.Audience)),
    Column("languages", Codes(codes.Language)),
    Column("beds", Integer()),
    Column("beds_free", Integer()),
    Column("beds_free_updated_at", DateTime()),
    Column("accessible", Boolean()),
    Column("free", Boolean()),
    Column("accepts_children", Boolean()),
    Column("boys_max_age", Integer()),
    Column("accepts_pregnant", Boolean()),
    Column("documents_needed", Choice(codes.DocumentsNeeded)),
    Column("accepts_non_citizens", Boolean()),
    Column("referral_needed", Boolean()),
    Column("max_stay_days", Integer()),
    Column("anonymous", Boolean()),
    Column("status", Choice(codes.Status)),
    Column("status_since", Date()),
    Column("closure_reason", Text()),
    Column("published", Boolean()),
    Column("archived", Boolean()),
    Column("last_verified_on", Date()),
    Column("source", Text()),
    Column("public_notes", Text(), attr=languages.main("public_notes")),
    Column("internal_notes", Text()),
    Column("licence_status", Choice(codes.LicenceStatus), "compliance"),
    Column("licence_number", Text(), "compliance"),
    Column("licence_authority", Text(), "compliance"),
    *_dates(
        "licence_applied_on",
        "licence_issued_on",
        "licence_decided_on",
        "licence_expires_on",
        source="compliance",
    ),
    Column("premises_area_m2", Number(), "compliance"),
    Column("premises_tenure", Choice(codes.Tenure), "compliance"),
    Column("lease_ends_on", Date(), "compliance"),
    Column("funding_kind", Choice(codes.FundingKind), "compliance"),
    Column("funding_ends_on", Date(), "compliance"),
    # Last: what an export says about when it was made, not about the centre (an older row is a conflict).
    Column("version", Version()),
)
COLUMNS_BY_NAME: dict[str, Column] = {column.name: column for column in COLUMNS}
# Cells that hold notes rather than a value: they may be longer (settings.IMPORT_MAX_NOTES, not IMPORT_MAX_CELL).
LONG_TEXT = {"public_notes", "internal_notes", "closure_reason", "source"}
# What the public sees of a centre as text: an address that is not public must never be written into one of these.
PUBLIC_TEXT = ("name", "messenger", "email", "website", "hours", "public_notes")
# The centre's fields behind them: a text written per language, in each of its languages.
PUBLIC_FIELDS = tuple(
    field for name in PUBLIC_TEXT for field in (languages.every_language(name) if name in Centre.TRANSLATED else [name])
)
# The languages whose labels a header row may use, besides the codes.
HEADER_LANGUAGES = ("ru", "kk", "en")


def column_for_header(text: str) -> Column | None:
    """The column a header cell names: its code ("last_verified_on") or its label in Russian, Kazakh or English
    ("Последняя проверка"), in any case."""
    key = _header_key(text)
    return COLUMNS_BY_NAME.get(key) or _by_label().get(key)


def _header_key(text: str) -> str:
    return fold(unicodedata.normalize("NFKC", text)).strip(" *:")  # NFKC: "м²" as "м2", as a keyboard types it


@functools.cache
def _by_label() -> dict[str, Column]:
    """Every column's label in each header language; a label two columns share names neither."""
    found: dict[str, set[str]] = {}
    for language in HEADER_LANGUAGES:
        with translation.override(language):
            for column in COLUMNS:
                for label in column.labels():
                    found.setdefault(_header_key(label), set()).add(column.name)
    return {key: COLUMNS_BY_NAME[names.pop()] for key, names in found.items() if len(names) == 1}


# Columns that exports add (DESIGN.md section 4 and 5), computed, never imported.
# The judgement, after the contract's columns in every export that judges; the advocates' exports add the legal
# basis the judgement rests on. An import ignores them all.
JUDGEMENT_COLUMNS = ("risk", "flags", "gaps", "reasons")
COMPUTED_COLUMNS = (*JUDGEMENT_COLUMNS, "legal_basis")
COMPUTED_LABELS = {
    "risk": gettext_lazy("risk"),
    "flags": gettext_lazy("risk flags"),
    "gaps": gettext_lazy("data gaps"),
    "reasons": gettext_lazy("reasons"),
    "legal_basis": gettext_lazy("legal basis of the rules"),
}
COMPUTED: tuple[Column, ...] = tuple(
    Column(name, Text(), "computed", label=COMPUTED_LABELS[name]) for name in JUDGEMENT_COLUMNS
)
LEGAL_BASIS = Column("legal_basis", Text(), "computed", label=COMPUTED_LABELS["legal_basis"])

# The column sets of the exports (DESIGN.md section 5), one list each.
# Editors' backups (the command without --public): every column, then the judgement, which import ignores.
BACKUP_COLUMNS: tuple[Column, ...] = COLUMNS + COMPUTED
# Never in any export reachable from the web.
# Not in the web's downloads: internal notes; whether a record is published (every one there is); and its version,
# which counts every edit — a hidden shelter's would tell anyone polling the file when its places free changed.
NEVER_ON_THE_WEB = ("internal_notes", "published", "version")
COMPLIANCE_COLUMNS: tuple[Column, ...] = tuple(column for column in COLUMNS if column.source == "compliance")
PUBLIC_COLUMNS: tuple[Column, ...] = tuple(
    column for column in COLUMNS if column.source != "compliance" and column.name not in NEVER_ON_THE_WEB
)
ADVOCATE_COLUMNS: tuple[Column, ...] = PUBLIC_COLUMNS + COMPLIANCE_COLUMNS + COMPUTED + (LEGAL_BASIS,)
# Blank in a web export unless the centre's address is public: where it is, and how many places it has free
# (a shelter's free places say someone could be sent there tonight).
WHEREABOUTS = ("address", "latitude", "longitude", "beds_free", "beds_free_updated_at")


# How wide a column of a workbook meant for reading is (in characters): by what it holds, at least its label's width.
_WIDTHS = {Name: 40, Date: 12, DateTime: 20, Boolean: 8, Integer: 10, Number: 10, Choice: 16, Codes: 24, Phones: 24}
_LONG = {"reasons": 80, "legal_basis": 60, "flags": 40, "gaps": 40, "address": 40, **dict.fromkeys(LONG_TEXT, 60)}


def reading_width(column: Column, label: str) -> int:
    """The width of `column` (headed `label`) in a workbook meant for reading, 8 to 80 characters."""
    width = _LONG.get(column.name) or next((w for kind, w in _WIDTHS.items() if isinstance(column.kind, kind)), 18)
    return max(8, min(80, max(width, len(label) + 2)))


def escape_formula(cell: str) -> str:
    """Quote a cell a spreadsheet would run as a formula (DESIGN.md section 5, formula safety).

    A value that itself starts with quotes before a formula character gets one more quote too, so that the
    import, which strips exactly one quote, gives it back unchanged.
    """
    if cell.startswith(FORMULA_STARTS) or _ESCAPED.match(cell):
        return "'" + cell
    return cell


def unescape_formula(cell: str) -> str:
    """Undo `escape_formula`: strip exactly one leading quote before a formula character."""
    return cell[1:] if _ESCAPED.match(cell) else cell
