"""Text normalisation shared by search, matching on import and slugs.

SQLite's LIKE folds case only for ASCII and PostgreSQL's depends on the cluster's locale, so every searchable name
is stored folded here, in Python, and every query is folded the same way (DESIGN.md section 9).
"""

import re
import unicodedata

from django.utils.text import slugify
from unidecode import unidecode

_SPACES = re.compile(r"\s+")
_PUNCTUATION = re.compile(r"[\"'«»“”„‘’`]")
_WORD = re.compile(r"\w+")
MAX_WORD_LENGTH = 60


def fold(text: str) -> str:
    """Case-fold in any script (Kazakh letters included), treat ё as е and collapse white space."""
    folded = (text or "").casefold().replace("ё", "е")
    return _SPACES.sub(" ", folded).strip()


def words(text: str) -> list[str]:
    """The folded words of `text`, each once, in order: what a text search matches the beginning of.

    Letters and digits of any script make a word; anything else (spaces, hyphens, quotes, "№") separates words.
    """
    found = _WORD.findall(fold(unicodedata.normalize("NFC", text or "")))
    return list(dict.fromkeys(word[:MAX_WORD_LENGTH] for word in found))


def word_text(*texts: str) -> str:
    """The words of `texts` as " a b c": every word follows a space, so containing " w" means a word begins with w."""
    found = dict.fromkeys(word for text in texts for word in words(text))
    return "".join(f" {word}" for word in found)


def match_key(text: str) -> str:
    """A looser key for matching a spreadsheet row to a record: compatibility-normalised (NFKC), without invisible
    format characters, folded, without quotes or hyphens."""
    plain = unicodedata.normalize("NFKC", without_format_characters(text or ""))
    return _SPACES.sub(" ", _PUNCTUATION.sub("", fold(plain)).replace("-", " ")).strip()


def without_format_characters(text: str) -> str:
    """`text` without Unicode format characters (bidi overrides, zero-width spaces and joiners): invisible, they
    make two equal-looking names differ, or a name read backwards."""
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def word_list(text: str) -> list[str]:
    """Every folded word of `text`, in order, repeats included."""
    return _WORD.findall(fold(unicodedata.normalize("NFC", text or "")))


def latin_slug(text: str, max_length: int = 80) -> str:
    """A URL slug in Latin letters; plain slugify would drop every Cyrillic letter."""
    return slugify(unidecode(text or ""))[:max_length].strip("-")
