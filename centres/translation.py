"""Which texts of the data are written per language (django-modeltranslation), and the history that keeps them.

Why django-modeltranslation and not django-parler: it keeps each language in a column of the same row, so a result
card and a centre page read their texts with the rest of the row (no join, no query per card) and an export or
import reads the Russian text as a plain column; django-parler keeps translations in a table of their own, one more
query or join on every public page for two short texts. See `centres/languages.py` for how the code names the
columns.

History is registered here, after the per-language columns exist, so that it keeps every language and a restore
brings them all back. The unsuffixed columns are left out of it: after registration their value is whatever was
last assigned in whatever language (modeltranslation's "original field"); the per-language columns are the record.
"""

import simple_history
from modeltranslation.translator import TranslationOptions, register

from centres.models import UNTRACKED, Centre, Hotline


@register(Centre)
class CentreTexts(TranslationOptions):
    fields = Centre.TRANSLATED


@register(Hotline)
class HotlineTexts(TranslationOptions):
    fields = Hotline.TRANSLATED


simple_history.register(Centre, excluded_fields=[*UNTRACKED, "search_words", *Centre.TRANSLATED])
simple_history.register(Hotline, excluded_fields=[*UNTRACKED, *Hotline.TRANSLATED])
