"""The search forms' widgets and field groups in Bootstrap's markup, fast.

A template per field, per input and per checkbox or option cost about a quarter of a list page (measured at
100,000 centres, 2026-11 and 2026-12). So every widget of the search forms renders itself in Python, from Django's
own widget context (`get_context`: the same attributes, ids, values, `checked` and `selected`, `aria-invalid` and
`aria-describedby`), and so does each field's group (label, input, errors).
"""

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


def _attributes(attrs: dict) -> SafeString:
    """HTML attributes in their given order, as Django's attrs.html writes them: `True` as a bare name, `False` and
    `None` left out."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False and value is not None
        ),
    )


class _Styled:
    """A widget with Bootstrap's class for its kind."""

    css_class = ""

    def __init__(self, attrs: dict | None = None, **kwargs):
        super().__init__({"class": self.css_class, **(attrs or {})}, **kwargs)


class _Input:
    """An `<input>` written as Django's template writes it (django/forms/widgets/input.html)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
        return format_html('<input type="{}" name="{}"{}{}>', widget["type"], name, shown, _attributes(widget["attrs"]))


class TextInput(_Styled, _Input, forms.TextInput):
    css_class = "form-control"


class NumberInput(_Styled, _Input, forms.NumberInput):
    css_class = "form-control"


class HiddenInput(_Input, forms.HiddenInput):
    pass


class Checkbox(_Styled, _Input, forms.CheckboxInput):
    css_class = "form-check-input"


class Select(_Styled, forms.Select):
    """A `<select>` of plain options (no groups), written as Django's templates write it."""

    css_class = "form-select"

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], _attributes(option["attrs"]), option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', name, _attributes(widget["attrs"]), options)


CHOICE = (
    '<div class="form-check"><input type="checkbox" name="{}" value="{}"{} id="{}"{}> '
    '<label class="form-check-label" for="{}">{}</label></div>'
)


class CheckboxList(_Styled, forms.CheckboxSelectMultiple):
    """Checkboxes of a repeatable code, each with its own label, rendered without a template per box."""

    css_class = "form-check-input"

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        attrs = {**self.attrs, **(attrs or {})}
        base_id = attrs.pop("id", "") or f"id_{name}"
        shown = SafeString(_attributes(attrs))
        chosen = {str(code) for code in value or []}
        checked = SafeString(" checked")
        rows = []
        for n, (code, label) in enumerate(self.choices):
            input_id = f"{base_id}_{n}"
            rows.append((name, code, shown, input_id, checked if str(code) in chosen else "", input_id, label))
        return format_html_join("", CHOICE, rows)


class FieldGroup(forms.BoundField):
    """A field with its label and errors, as `{{ field.as_field_group }}` renders it; a hidden field alone."""

    def as_field_group(self) -> SafeString:
        if self.is_hidden:
            return SafeString(str(self))
        if isinstance(self.field.widget, forms.CheckboxInput):
            body = format_html(
                '<div class="form-check">{} <label class="form-check-label" for="{}">{}</label></div>',
                self,
                self.id_for_label,
                self.label,
            )
        elif isinstance(self.field.widget, forms.CheckboxSelectMultiple):
            body = format_html(
                '<fieldset><legend class="form-label fs-6 mb-1">{}</legend>{}</fieldset>', self.label, self
            )
        else:
            body = format_html('<label class="form-label" for="{}">{}</label>{}', self.id_for_label, self.label, self)
        errors = format_html_join("", "<div>{}</div>", ((error,) for error in self.errors))
        if errors:
            errors = format_html('<div class="invalid-feedback d-block" id="{}_error">{}</div>', self.auto_id, errors)
        return format_html('<div class="mb-3">\n{}{}</div>', body, errors)
