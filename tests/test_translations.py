"""The translation catalogues: complete for Russian, Kazakh and English; Kyrgyz, Uzbek and Tajik complete for the
survival path; all compiled, and actually used."""

import ast
import datetime
import fnmatch
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import TextChoices
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from centres import vocabularies
from centres.vocabularies import HotlinePurpose, OperatorKind, Service

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
COMPLETE = ["ru", "kk", "en"]  # every entry translated
SURVIVAL_ONLY = ["ky", "uz", "tg"]  # every survival-path entry translated; the rest may fall back to English
ALL = [code for code, _name in settings.LANGUAGES]
# What a survivor meets: the public pages, their includes, the search filters, the centre page's facts, the country
# pages' text and every vocabulary. An entry belongs to the survival path when one of its "#:" references matches.
SURVIVAL_PATH = (
    "templates/base.html",
    "templates/includes/*",
    "templates/centres/*",  # every public page: home, list, centre, country, safety, the correction form
    "templates/404.html",
    "templates/429.html",
    "centres/filters.py",
    "centres/public/*",
    "centres/vocabularies.py",
    "centres/opening_hours.py",  # the day names and words a page shows the hours in
    "centres/open_data/hsds.py",  # the open data's words, in each page's language like the pages
)
PLURAL_FORMS = {
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "kk": "nplurals=2; plural=(n!=1);",
    "ky": "nplurals=2; plural=(n != 1);",
    "uz": "nplurals=2; plural=(n != 1);",
    "tg": "nplurals=2; plural=(n != 1);",
}
VOCABULARIES = [
    value
    for value in vars(vocabularies).values()
    if isinstance(value, type) and issubclass(value, TextChoices) and value.__module__ == vocabularies.__name__
]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)  # source files of the "#:" lines, without line numbers
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
        elif line.startswith("#:"):
            if target is not None:
                finish()
            entry.references.extend(reference.rpartition(":")[0] or reference for reference in line[2:].split())
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


def on_survival_path(entry: Entry) -> bool:
    return any(fnmatch.fnmatch(reference, pattern) for reference in entry.references for pattern in SURVIVAL_PATH)


def problems_of(entries: list[Entry], nplurals: int) -> list[str]:
    """Fuzzy, untranslated or wrongly pluralised entries, one line each."""
    problems = []
    for entry in entries:
        where = f"line {entry.line}: {entry.msgid!r}"
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy, {where}")
        expected_forms = set(range(nplurals)) if entry.msgid_plural is not None else {0}
        if set(entry.msgstr) != expected_forms:
            problems.append(f"has forms {sorted(entry.msgstr)} instead of {sorted(expected_forms)}, {where}")
        if any(not text.strip() for text in entry.msgstr.values()):
            problems.append(f"untranslated, {where}")
    return problems


def nplurals_of(entries: list[Entry]) -> int:
    return int(re.search(r"nplurals=(\d+)", header(entries)["Plural-Forms"]).group(1))


@pytest.mark.parametrize("language", COMPLETE)
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    entries = parse_po(po_path(language))
    problems = problems_of(messages(entries), nplurals_of(entries))
    assert "fuzzy" not in entries[0].flags, "the header is marked fuzzy"
    assert len(messages(entries)) > 100
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", SURVIVAL_ONLY)
def test_every_survival_path_entry_is_translated_and_none_is_fuzzy(language):
    entries = parse_po(po_path(language))
    survival = [entry for entry in messages(entries) if on_survival_path(entry)]
    problems = problems_of(survival, nplurals_of(entries))
    assert "fuzzy" not in entries[0].flags, "the header is marked fuzzy"
    assert len(survival) > 150, "too few survival-path entries: were the #: references dropped?"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ALL)
def test_every_survival_path_file_is_referenced_in_the_catalogue(language):
    """Guards the test above: without "#:" lines (makemessages --no-location) no entry would be on the path."""
    references = {reference for entry in messages(parse_po(po_path(language))) for reference in entry.references}
    unreferenced = [pattern for pattern in SURVIVAL_PATH if not fnmatch.filter(references, pattern)]
    assert not unreferenced, f"no entry refers to {unreferenced}"


@pytest.mark.parametrize("language", ALL)
def test_no_fuzzy_translation_is_left_anywhere(language):
    """A fuzzy entry is silently dropped by msgfmt: fix it, or empty it if it is off the survival path."""
    fuzzy = [entry.msgid for entry in messages(parse_po(po_path(language))) if "fuzzy" in entry.flags]
    assert not fuzzy, fuzzy


def test_plural_forms_and_language_are_right_for_each_language():
    for language, plural_forms in PLURAL_FORMS.items():
        fields = header(parse_po(po_path(language)))
        assert fields["Plural-Forms"] == plural_forms, language
        assert fields["Language"] == language
    assert header(parse_po(po_path("en")))["Language"] == "en"


def test_english_translates_every_entry_to_itself():
    for entry in messages(parse_po(po_path("en"))):
        forms = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        assert list(entry.msgstr.values()) == forms, f"line {entry.line}"


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


KEY_STRINGS = {
    "ru": (
        "Быстрый выход",
        "Найти помощь",
        "Убежище",
        "Государственный",
        "Бытовое насилие",
        "Справочник кризисных центров",
    ),
    "kk": (
        "Жылдам шығу",
        "Көмек табу",
        "Баспана",
        "Мемлекеттік",
        "Тұрмыстық зорлық-зомбылық",
        "Дағдарыс орталықтарының анықтамалығы",
    ),
    "ky": (
        "Тез чыгуу",
        "Жардам табуу",
        "Баш калкалоочу жай",
        "Мамлекеттик",
        "Үй-бүлөлүк зомбулук",
        "Кризистик борборлордун маалымдамасы",
    ),
    "uz": (
        "Tezda chiqish",
        "Yordam topish",
        "Boshpana",
        "Davlat",
        "Oiladagi zoʻravonlik",
        "Inqiroz markazlari maʼlumotnomasi",
    ),
    "tg": ("Баромади фаврӣ", "Ёфтани кӯмак", "Паноҳгоҳ", "Давлатӣ", "Зӯроварӣ дар оила", "Феҳристи марказҳои бӯҳронӣ"),
    "en": ("Quick exit", "Find help", "Shelter", "State", "Domestic violence", "Crisis Centre Directory"),
}


def test_key_strings_are_listed_for_every_language():
    assert sorted(KEY_STRINGS) == sorted(ALL)


@pytest.mark.parametrize("language", ALL)
def test_key_strings_render_in_the_active_language(language):
    quick_exit, find_help, shelter, state, hotline, title = KEY_STRINGS[language]
    with translation.override(language):
        assert _("Quick exit") == quick_exit
        assert _("Find help") == find_help
        assert str(Service.SHELTER.label) == shelter
        assert str(OperatorKind.STATE.label) == state
        assert str(HotlinePurpose.DOMESTIC_VIOLENCE.label) == hotline
        assert _("Crisis Centre Directory") == title
        message = _("Row %(row)d, column %(column)s: %(message)s") % {"row": 3, "column": "city", "message": "x"}
        assert "3" in message and "city" in message
        found = ngettext("%(counter)s centre found", "%(counter)s centres found", 5) % {"counter": 5}
        assert "5" in found


@pytest.mark.django_db
@pytest.mark.parametrize("language", ALL)
def test_public_pages_are_served_in_each_language(client, language):
    quick_exit, find_help, *_rest = KEY_STRINGS[language]
    for name in ("centres:home", "centres:centre_list", "centres:safety", "centres:open_data"):
        with translation.override(language):
            url = reverse(name)
        html = client.get(url).content.decode()
        assert f'lang="{language}"' in html, url
        assert quick_exit in html and find_help in html, url


@pytest.mark.parametrize("language", [code for code in ALL if code != "en"])
def test_vocabulary_labels_differ_from_english(language):
    """Every label of every vocabulary is on the survival path, and none may fall back to English."""
    same = []
    for vocabulary in VOCABULARIES:
        for member in vocabulary:
            with translation.override(language):
                ours = str(member.label)
            with translation.override("en"):
                theirs = str(member.label)
            if ours == theirs and theirs not in {"Grant"}:
                same.append(f"{vocabulary.__name__}.{member.name}")
    assert not same, same


def msgstrs(language: str) -> str:
    return " ".join(text for entry in messages(parse_po(po_path(language))) for text in entry.msgstr.values())


def test_kazakh_uses_kazakh_letters():
    assert set("әғқңөұүі") <= set(msgstrs("kk"))


def test_kyrgyz_uses_kyrgyz_letters_and_no_kazakh_ones():
    texts = msgstrs("ky")
    assert set("ңөү") <= set(texts)
    assert not set("әғқұһі") & set(texts)


def test_tajik_uses_tajik_letters():
    assert set("ғӣқӯҳҷ") <= set(msgstrs("tg"))


def test_uzbek_is_in_latin_letters_with_the_turned_comma():
    texts = msgstrs("uz")
    assert not re.search(r"[\u0400-\u04ff]", texts), "Uzbek is written here in Latin letters"
    assert "oʻ" in texts and "gʻ" in texts  # U+02BB MODIFIER LETTER TURNED COMMA
    wrong = re.findall(r"\b\w*[oOgG][\'‘’`ʼ]\w*", texts)
    assert not wrong, f"oʻ and gʻ take U+02BB: {sorted(set(wrong))[:10]}"


@pytest.mark.parametrize("language", ["ru", "kk", "ky", "uz", "tg"])
def test_dates_are_written_day_first_in_the_regions_languages(language):
    """Django ships no Kazakh formats: without ours, a Kazakh page would print 1 December as 12/01/2026."""
    from django.utils.formats import date_format

    with translation.override(language):
        assert date_format(datetime.date(2026, 12, 1), "SHORT_DATE_FORMAT") == "01.12.2026"
