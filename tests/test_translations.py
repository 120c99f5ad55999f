"""The translation catalogues: complete for Russian and Kazakh, compiled, and actually used."""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from centres.vocabularies import HotlinePurpose, OperatorKind, Service

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
TRANSLATED = ["ru", "kk"]
ALL = [code for code, _name in settings.LANGUAGES]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"


def parse_po(path: Path) -> list[Entry]:
    """A small .po reader: enough for the files makemessages writes (no obsolete entries are returned)."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            if target is not None:
                finish()
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            if target is not None:
                finish()
        elif line.startswith('"'):
            assert target is not None, f"{path}:{number}: a string continues nothing"
            append(entry, target, ast.literal_eval(line))
        else:
            keyword, _space, value = line.partition(" ")
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if keyword in {"msgctxt", "msgid", "msgid_plural", "msgstr"}:
                target = (keyword, 0)
            elif match:
                target = ("msgstr", int(match.group(1)))
            else:
                raise AssertionError(f"{path}:{number}: cannot read {line!r}")
            if keyword == "msgid":
                entry.line = number
            set_empty(entry, target)
            append(entry, target, ast.literal_eval(value))
    finish()
    return entries


def set_empty(entry: Entry, target: tuple[str, int]) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] = ""
    else:
        setattr(entry, name, "")


def append(entry: Entry, target: tuple[str, int], text: str) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] += text
    else:
        setattr(entry, name, getattr(entry, name) + text)


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def header(entries: list[Entry]) -> dict[str, str]:
    first = entries[0]
    assert first.msgid == "" and first.msgctxt is None, "the catalogue must start with its header"
    lines = (line.partition(":") for line in first.msgstr[0].splitlines())
    return {name.strip(): value.strip() for name, _colon, value in lines}


def messages(entries: list[Entry]) -> list[Entry]:
    return [entry for entry in entries if entry.msgid or entry.msgctxt is not None]


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    entries = parse_po(po_path(language))
    nplurals = int(re.search(r"nplurals=(\d+)", header(entries)["Plural-Forms"]).group(1))
    problems = []
    for entry in messages(entries):
        where = f"line {entry.line}: {entry.msgid!r}"
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy, {where}")
        expected_forms = set(range(nplurals)) if entry.msgid_plural is not None else {0}
        if set(entry.msgstr) != expected_forms:
            problems.append(f"has forms {sorted(entry.msgstr)} instead of {sorted(expected_forms)}, {where}")
        if any(not text.strip() for text in entry.msgstr.values()):
            problems.append(f"untranslated, {where}")
    assert "fuzzy" not in entries[0].flags, "the header is marked fuzzy"
    assert len(messages(entries)) > 100
    assert not problems, "\n".join(problems)


def test_plural_forms_are_right_for_each_language():
    assert header(parse_po(po_path("ru")))["Plural-Forms"] == (
        "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
    )
    assert header(parse_po(po_path("kk")))["Plural-Forms"] == "nplurals=2; plural=(n!=1);"


@pytest.mark.parametrize("language", ALL)
def test_translations_keep_every_placeholder(language):
    problems = []
    for entry in messages(parse_po(po_path(language))):
        for index, text in entry.msgstr.items():
            source = entry.msgid_plural if entry.msgid_plural is not None and index > 0 else entry.msgid
            if text and sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(source or "")):
                problems.append(f"line {entry.line}: {entry.msgid!r} -> {text!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ALL)
def test_compiled_catalogue_matches_the_po_file(language):
    """A .po edited without running compilemessages leaves a .mo that differs from it."""
    entries = messages(parse_po(po_path(language)))
    with open(po_path(language).with_suffix(".mo"), "rb") as mo:
        catalog = gettext.GNUTranslations(mo)._catalog
    expected = {}
    for entry in entries:
        if "fuzzy" in entry.flags or not all(entry.msgstr.values()):
            continue  # msgfmt leaves these out
        if entry.msgid_plural is None:
            expected[entry.key] = entry.msgstr[0]
        else:
            expected.update({(entry.key, index): text for index, text in entry.msgstr.items()})
    compiled = {key: value for key, value in catalog.items() if key != ""}
    missing = sorted(str(key) for key in expected.keys() - compiled.keys())
    stale = sorted(str(key) for key in compiled.keys() - expected.keys())
    changed = sorted(str(key) for key in expected.keys() & compiled.keys() if expected[key] != compiled[key])
    assert not (missing or stale or changed), (
        f"run manage.py compilemessages: missing {missing[:5]}, stale {stale[:5]}, changed {changed[:5]}"
    )


@pytest.mark.parametrize(
    ("language", "shelter", "state", "hotline", "title"),
    [
        ("ru", "Убежище", "Государственный", "Бытовое насилие", "Справочник кризисных центров"),
        ("kk", "Баспана", "Мемлекеттік", "Тұрмыстық зорлық-зомбылық", "Дағдарыс орталықтарының анықтамалығы"),
        ("en", "Shelter", "State", "Domestic violence", "Crisis Centre Directory"),
    ],
)
def test_key_strings_render_in_the_active_language(language, shelter, state, hotline, title):
    with translation.override(language):
        assert str(Service.SHELTER.label) == shelter
        assert str(OperatorKind.STATE.label) == state
        assert str(HotlinePurpose.DOMESTIC_VIOLENCE.label) == hotline
        assert _("Crisis Centre Directory") == title
        message = _("Row %(row)d, column %(column)s: %(message)s") % {"row": 3, "column": "city", "message": "x"}
        assert "3" in message and "city" in message


@pytest.mark.parametrize("language", TRANSLATED)
def test_translated_labels_differ_from_english(language):
    with translation.override(language):
        labels = [str(label) for label in Service.labels]
    with translation.override("en"):
        english = [str(label) for label in Service.labels]
    assert all(ours != theirs for ours, theirs in zip(labels, english, strict=True))


def test_kazakh_uses_kazakh_letters():
    texts = " ".join(text for entry in messages(parse_po(po_path("kk"))) for text in entry.msgstr.values())
    assert set("әғқңөұүі") <= set(texts)
