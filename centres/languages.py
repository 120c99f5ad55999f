"""Texts of the data written per language: which column holds which language, and what a change of the main text
does to the others.

django-modeltranslation (registered in `centres/translation.py`) gives each translated text a column per language
on the same row: `hours_ru`, `hours_kk`, … `hours_en`. Russian is the main text. The unsuffixed name (`hours`) reads
the request's language, else Russian, else English, which is what a public page wants and nothing else does: an
import, an export, a form or a test that means the main text names its column (`main("hours")`).

The unsuffixed database column (`centres_centre.hours`) is modeltranslation's "original field": a save writes it
with whatever the unsuffixed name reads in the saver's language. Nothing reads it; history leaves it out.
"""

from django.conf import settings
from django.db import models
from django.utils.text import capfirst

MAIN = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
LANGUAGES = tuple(settings.MODELTRANSLATION_LANGUAGES)
OTHERS = tuple(code for code in LANGUAGES if code != MAIN)


def column(text: str, language: str) -> str:
    return f"{text}_{language}"


def main(text: str) -> str:
    """The column of the main (Russian) `text`."""
    return column(text, MAIN)


def others(text: str) -> list[str]:
    """The columns of `text` in the other languages, in the site's language order."""
    return [column(text, code) for code in OTHERS]


def every_language(text: str) -> list[str]:
    return [column(text, code) for code in LANGUAGES]


def language_of(name: str) -> str | None:
    """The language of a translation column's name (`hours_kk` → "kk"), or None."""
    base, _sep, code = name.rpartition("_")
    return code if base and code in LANGUAGES else None


class PlainQuerySet(models.QuerySet):
    """The queryset of a model with translated texts. modeltranslation swaps in a subclass that rewrites an unsuffixed
    name in `filter()`, `values()` and `order_by()` to the request's language, reads `values_list()` through a
    dictionary per row (which drops a column named twice), and turns the model's default ordering into an explicit
    one (which then lands in GROUP BY and subqueries). The code here names its columns, so its queries stay Django's
    own: rewriting is off from the start. (`_post_init` is where modeltranslation's queryset sets it up.)"""

    def _post_init(self) -> None:
        self._rewrite = False
        self._populate = None


class TranslatedTexts(models.Model):
    """A model whose `TRANSLATED` texts are written per language.

    When a text's main column changes, what the other languages say was written for the old text: an hours note
    moved to the evening must not stay at noon on the Kazakh page. So a save clears each other language of that text
    that the same save did not write too, and the page falls back to the new Russian text until someone writes the
    translation again.
    """

    TRANSLATED: tuple[str, ...] = ()
    # Set on an instance whose next save writes every language as it should stand (a restore from history):
    # nothing is cleared then.
    writes_every_language = False

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        loaded = self.__dict__
        for text in self.TRANSLATED:
            for name in every_language(text):
                if isinstance(loaded.get(name), str):  # a browser sends a text area's line breaks as CRLF
                    setattr(self, name, _plain_lines(loaded[name]))
            if loaded.get(main(text), "") is None:
                setattr(self, main(text), "")  # the main text is "" when empty, as an unsuffixed field was
            for name in others(text):
                if loaded.get(name) == "":
                    setattr(self, name, None)  # not written in that language (a form's empty field gives "")
        writing = kwargs.get("update_fields")
        stale = self.stale_translations(None if writing is None else set(writing))
        for name in stale:
            setattr(self, name, None)
        if stale and writing is not None:
            kwargs["update_fields"] = {*writing, *stale}
        super().save(*args, **kwargs)
        self.writes_every_language = False
        self._remember_texts()

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._remember_texts()
        return instance

    def _remember_texts(self, only: set[str] | None = None) -> None:
        loaded = self.__dict__
        remembered = {} if only is None else getattr(self, "_texts_in_db", {})
        for text in self.TRANSLATED:
            for name in every_language(text):
                if name in loaded and (only is None or name in only):
                    remembered[name] = loaded[name]
        self._texts_in_db = remembered

    def refresh_from_db(self, using=None, fields=None, from_queryset=None) -> None:
        super().refresh_from_db(using, fields, from_queryset)
        # Only what was read again is remembered again: a deferred field loaded on access (the slug, in
        # `Centre.save()`) must not make a changed main text look unchanged.
        self._remember_texts(None if fields is None else set(fields))

    def stale_translations(self, writing: set[str] | None = None) -> list[str]:
        """The other-language columns this save (of the fields `writing`, None: all) leaves describing a main text
        that has changed."""
        was = getattr(self, "_texts_in_db", None)
        if not was or self.writes_every_language:
            return []  # a new row, or one read without its texts
        stale = []
        for text in self.TRANSLATED:
            if writing is not None and main(text) not in writing:
                continue  # the main text is not written by this save
            before, now = was.get(main(text)), self.__dict__.get(main(text))
            if main(text) not in was or _plain_lines(before or "") == _plain_lines(now or ""):
                continue
            stale += [name for name in others(text) if was.get(name) and self.__dict__.get(name) == was[name]]
        return stale


def _plain_lines(text: str) -> str:
    return text.replace("\r\n", "\n")


def label(model: type[models.Model], name: str) -> str | None:
    """A form's label for `name` when it is a column of one of `model`'s translated texts: the text's label and
    the language's own name ("Часы работы (Қазақша)"), or None."""
    code = language_of(name)
    text = name[: -len(code) - 1] if code else ""
    if text not in getattr(model, "TRANSLATED", ()):
        return None
    own_names = dict(settings.LANGUAGES)
    return f"{capfirst(model._meta.get_field(text).verbose_name)} ({own_names[code]})"
