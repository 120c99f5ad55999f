"""A model field of our own."""

from collections.abc import Iterable
from functools import cached_property

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class CodeListField(models.CharField):
    """A list of vocabulary codes stored as ";a;b;", so that `contains=";a;"` finds a code on any database.

    Kept on the centre's own row so that history and restore see it like any other column.
    """

    def __init__(self, *args, codes: type[models.TextChoices], **kwargs):
        self.codes = codes
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["codes"] = self.codes
        if kwargs.get("max_length") == 255:
            del kwargs["max_length"]
        kwargs.pop("blank", None)
        kwargs.pop("default", None)
        return name, path, args, kwargs

    @cached_property
    def vocabulary(self) -> tuple[str, ...]:
        """The codes in their vocabulary's order (`TextChoices.values` builds a new list at every call)."""
        return tuple(self.codes.values)

    def canonical(self, values: Iterable[str]) -> list[str]:
        """The codes in vocabulary order, each once."""
        chosen = set(values)
        return [code for code in self.vocabulary if code in chosen]

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return [code for code in value.split(";") if code]
        return list(value)

    def get_prep_value(self, value):
        if isinstance(value, str):  # a lookup such as contains=";shelter;"
            return value
        codes = self.canonical(value or [])
        return f";{';'.join(codes)};" if codes else ""

    def validate(self, value, model_instance):
        unknown = [code for code in value or [] if code not in self.vocabulary]
        if unknown:
            raise ValidationError(
                _("Unknown code(s): %(codes)s. Allowed: %(allowed)s."),
                params={"codes": ", ".join(unknown), "allowed": ", ".join(self.codes.values)},
                code="invalid_code",
            )

    def value_to_string(self, obj):
        return ";".join(self.value_from_object(obj) or [])

    def formfield(self, **kwargs):
        return forms.TypedMultipleChoiceField(
            choices=self.codes.choices,
            required=not self.blank,
            widget=forms.CheckboxSelectMultiple,
            label=self.verbose_name.capitalize(),
            help_text=self.help_text,
        )
