"""Text normalisation shared by search, matching on import and slugs.

SQLite's LIKE folds case only for ASCII and PostgreSQL's depends on the cluster's locale, so every searchable name
is stored folded here, in Python, and every query is folded the same way (DESIGN.md section 9).
"""

import re

from django.utils.text import slugify
from unidecode import unidecode

_SPACES = re.compile(r"\s+")
_PUNCTUATION = re.compile(r"[\"'«»“”„‘’`]")


def fold(text: str) -> str:
    """Case-fold in any script (Kazakh letters included), treat ё as е and collapse white space."""
    folded = (text or "").casefold().replace("ё", "е")
    return _SPACES.sub(" ", folded).strip()


def match_key(text: str) -> str:
    """A looser key for matching a spreadsheet row to a record: folded, without quotes or hyphens."""
    return _SPACES.sub(" ", _PUNCTUATION.sub("", fold(text)).replace("-", " ")).strip()


def latin_slug(text: str, max_length: int = 80) -> str:
    """A URL slug in Latin letters; plain slugify would drop every Cyrillic letter."""
    return slugify(unidecode(text or ""))[:max_length].strip("-")
