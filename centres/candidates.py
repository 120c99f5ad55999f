"""Candidate centres: centres named in public sources, loaded as unpublished drafts for editors to check.

`centres/data/candidate-centres.csv` (see its ORIGIN.md) lists centres that news items and reports named, with the
source and the date of the evidence; no one has verified any of them. Each row becomes a draft (`published` False),
so it is on no public surface until an editor has checked it and publishes it. Nothing from a row goes into a
public field: the source goes into `source`, everything else an editor should know into `internal_notes`.

A candidate's id is a UUID5 of its country and its name's match key (`text.match_key`), so loading again finds the
same record: a second run creates nothing and changes nothing. The id stays when an editor renames, edits or
publishes the record, so a record loaded once is never overwritten or loaded twice; one an editor deleted (its id
is in the history) is not created again.
"""

import csv
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from centres import judging
from centres.geo import resolve_place
from centres.models import Centre, CentrePhone, Place, phone_number_validator
from centres.text import match_key
from centres.vocabularies import Country, OperatorKind, Service

CANDIDATES_FILE = Path(__file__).resolve().parent / "data" / "candidate-centres.csv"
CHANGE_REASON = "load_candidates"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://example.org/crisis-centre-directory/candidates")
REQUIRED_COLUMNS = ("name", "country")


class CandidateFileError(ValueError):
    """The file cannot be read as a list of candidates at all (missing, not UTF-8, without its columns)."""


def candidate_id(name: str, country: str) -> uuid.UUID:
    """The candidate's fixed id: the same name (in any case or spacing) in the same country is the same one."""
    return uuid.uuid5(NAMESPACE, f"centre:{country.upper()}:{match_key(name)}")


@dataclass
class Skipped:
    line: int
    name: str
    reason: str


@dataclass
class LoadResult:
    created: list[Centre] = field(default_factory=list)
    present: list[Centre] = field(default_factory=list)  # loaded before: left exactly as they are
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def edited_since(self) -> list[Centre]:
        """Candidates present that an editor has changed or published since they were loaded."""
        return [centre for centre in self.present if centre.published or centre.version > 1]


@dataclass
class Candidate:
    line: int
    centre: Centre
    phone: str | None


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The file's rows with the line each starts on (a quoted cell may span lines)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError as error:
        raise CandidateFileError(_("There is no file %(file)s.") % {"file": path}) from error
    except UnicodeDecodeError as error:
        raise CandidateFileError(_("%(file)s is not UTF-8 text.") % {"file": path}) from error
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise CandidateFileError(
            _("%(file)s has no column(s) %(columns)s.") % {"file": path, "columns": ", ".join(missing)}
        )
    rows, end = [], 1
    for row in reader:
        rows.append((end + 1, {key: (value or "").strip() for key, value in row.items() if key}))
        end = reader.line_num
    return rows


def load(path: Path = CANDIDATES_FILE, progress: Callable[[int, int], None] | None = None) -> LoadResult:
    """Create a draft for each candidate of the file not loaded before, in one transaction. `progress` is told how
    many candidates are looked at, of how many, after each."""
    result = LoadResult()
    seen: dict[uuid.UUID, int] = {}
    candidates: list[Candidate] = []
    rows = read_rows(path)
    for line, row in rows:
        name, country = row.get("name", ""), row.get("country", "").upper()
        if not name:
            result.skipped.append(Skipped(line, name, _("no name")))
            continue
        if country not in Country.values:
            result.skipped.append(
                Skipped(line, name, _("unknown country '%(country)s'") % {"country": row.get("country", "")})
            )
            continue
        pk = candidate_id(name, country)
        if pk in seen:
            result.skipped.append(Skipped(line, name, _("the same candidate as line %(line)d") % {"line": seen[pk]}))
            continue
        seen[pk] = line
        candidates.append(Candidate(line, *_centre(pk, name, country, row)))

    with transaction.atomic(), judging.deferred():
        existing = {centre.pk: centre for centre in Centre.objects.filter(pk__in=seen)}
        ever_saved = set(Centre.history.filter(id__in=seen).values_list("id", flat=True).distinct())
        for done, candidate in enumerate(candidates, 1):
            if progress is not None:
                progress(done, len(candidates))
            centre = candidate.centre
            if centre.pk in existing:
                result.present.append(existing[centre.pk])
                continue
            if centre.pk in ever_saved:
                result.skipped.append(
                    Skipped(
                        candidate.line, centre.name, _("deleted by an editor since it was loaded: not created again")
                    )
                )
                continue
            namesake = (
                Centre.objects.filter(name_key=match_key(centre.name), country=centre.country)
                .exclude(pk=centre.pk)
                .first()
            )
            if namesake is not None:
                result.skipped.append(
                    Skipped(
                        candidate.line,
                        centre.name,
                        _("a centre of that name is in the directory already (%(slug)s)") % {"slug": namesake.slug},
                    )
                )
                continue
            try:
                centre.full_clean(exclude=["slug"])
            except ValidationError as error:
                messages = "; ".join(f"{key}: {' '.join(values)}" for key, values in error.message_dict.items())
                result.skipped.append(
                    Skipped(candidate.line, centre.name, _("invalid: %(errors)s") % {"errors": messages})
                )
                continue
            centre._change_reason = CHANGE_REASON
            centre.save()
            if candidate.phone:
                phone = CentrePhone(centre=centre, number=candidate.phone, position=0)
                phone._change_reason = CHANGE_REASON
                phone.save()
            result.created.append(centre)
    result.skipped.sort(key=lambda skipped: skipped.line)
    return result


def _centre(pk: uuid.UUID, name: str, country: str, row: dict[str, str]) -> tuple[Centre, str | None]:
    """The draft a row describes (unsaved), and its phone number if it gives a valid one."""
    notes = [row["notes"]] if row.get("notes") else []
    notes.append("Candidate from a public source, unverified (load_candidates): check everything before publishing.")

    city = _city(row.get("city", ""), country)
    if row.get("city") and city is None:
        notes.append(f"town per source (not matched to one place of the gazetteer): {row['city']}")

    codes = [code.strip().lower() for code in row.get("services", "").replace(",", ";").split(";") if code.strip()]
    services = [code for code in codes if code in Service.values]
    unknown = [code for code in codes if code not in Service.values]
    if unknown:
        notes.append(f"services per source not in the vocabulary: {', '.join(unknown)}")

    kind = row.get("operator_type", "")
    if kind in OperatorKind.values:
        notes.append(f"operator type per source: {kind}")
    elif kind:
        notes.append(f"operator type per source (not state or cso): {kind}")

    phone = row.get("phone", "")
    if phone and not _valid_phone(phone):
        notes.append(f"phone per source, not a valid number: {phone}")
        phone = ""

    centre = Centre(
        id=pk,
        name=name,
        country=country,
        city=city,
        operator=None,  # the operator's name is not known; its kind is in the internal notes
        services=services,
        published=False,
        is_demo=False,
        source=_source(row),
        internal_notes="\n".join(notes),
    )
    return centre, phone or None


def _city(text: str, country: str) -> Place | None:
    """The place the town text means, when the gazetteer finds one place of that name in the country."""
    if not text:
        return None
    resolution = resolve_place(text, country)
    if resolution.found and resolution.place.country == country:
        return resolution.place
    return None


def _valid_phone(number: str) -> bool:
    if len(number) > CentrePhone._meta.get_field("number").max_length:
        return False
    try:
        phone_number_validator(number)
    except ValidationError:
        return False
    return True


def _source(row: dict[str, str]) -> str:
    """'orda.kz — https://…, evidence date c. 2024, confidence low'."""
    where = " — ".join(part for part in (row.get("source", ""), row.get("source_url", "")) if part)
    details = [where] if where else []
    if row.get("evidence_date"):
        details.append(f"evidence date {row['evidence_date']}")
    if row.get("confidence"):
        details.append(f"confidence {row['confidence']}")
    return ", ".join(details)
