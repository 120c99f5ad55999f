"""The public search's filters (DESIGN.md section 5). Place and distance parameters are read by the selector."""

import datetime

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centres.models import CountryRules
from centres.vocabularies import Audience, Country, DocumentsNeeded, Language, OperatorKind, Service


class TickFilter(django_filters.BooleanFilter):
    """A checkbox: ticked narrows the search, unticked leaves it alone (never "must be false")."""

    field_class = forms.BooleanField

    def __init__(self, *args, lookup: dict | None = None, **kwargs):
        self.lookup = lookup
        kwargs.setdefault("widget", forms.CheckboxInput)
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if not value:
            return qs
        return qs.filter(**(self.lookup or {self.field_name: True}))


class AllCodesFilter(django_filters.MultipleChoiceFilter):
    """Repeatable code parameter; with `require_all` every chosen code must be present, else any one."""

    def __init__(self, *args, require_all: bool = True, **kwargs):
        self.require_all = require_all
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if not value:
            return qs
        conditions = [Q(**{f"{self.field_name}__contains": f";{code};"}) for code in value]
        if self.require_all:
            return qs.filter(*conditions)
        any_of = Q()
        for condition in conditions:
            any_of |= condition
        return qs.filter(any_of)


MAX_PLACE_ID = 2_147_483_647

WIDGET_CLASSES = {
    "text": "form-control",
    "search": "form-control",
    "number": "form-control",
    "select": "form-select",
    "checkbox": "form-check-input",
    "checkboxselectmultiple": "form-check-input",
}


class CentreFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        widget=forms.TextInput(
            attrs={"placeholder": _("Centre, organisation, city or region"), "autocomplete": "off", "type": "search"}
        ),
    )
    near = django_filters.CharFilter(
        label=_("Near a town or city"),
        method="ignore",  # resolved against our gazetteer by the selector; never sent anywhere else
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Shymkent"), "autocomplete": "off"}),
    )
    radius_km = django_filters.NumberFilter(
        label=_("Within (km)"),
        method="ignore",
        widget=forms.NumberInput(attrs={"min": 1, "max": 2000, "autocomplete": "off"}),
    )
    country = django_filters.ChoiceFilter(label=_("Country"), choices=Country.choices, empty_label=_("All countries"))
    service = AllCodesFilter(label=_("Help offered (all of)"), field_name="services", choices=Service.choices)
    audience = AllCodesFilter(label=_("For (all of)"), field_name="audiences", choices=Audience.choices)
    language = AllCodesFilter(
        label=_("Languages spoken (any of)"), field_name="languages", choices=Language.choices, require_all=False
    )
    with_children = TickFilter(label=_("Takes mothers with children"), field_name="accepts_children")
    boys_age = django_filters.NumberFilter(
        label=_("Age of the oldest boy"),
        method="filter_boys_age",
        widget=forms.NumberInput(attrs={"min": 0, "max": 18, "autocomplete": "off"}),
    )
    no_documents = TickFilter(
        label=_("No documents needed"), lookup={"documents_needed": DocumentsNeeded.NONE}, field_name="documents_needed"
    )
    non_citizens = TickFilter(label=_("Takes non-citizens"), field_name="accepts_non_citizens")
    open_24_7 = TickFilter(label=_("Open 24/7"), field_name="open_24_7")
    beds_free = TickFilter(label=_("Places free now"), method="filter_beds_free")
    free = TickFilter(label=_("Free of charge"), field_name="free")
    accessible = TickFilter(label=_("Wheelchair access"), field_name="accessible")
    operator_kind = django_filters.ChoiceFilter(
        label=_("Run by"), field_name="operator__kind", choices=OperatorKind.choices, empty_label=_("Anyone")
    )
    region = django_filters.CharFilter(field_name="region_id", widget=forms.HiddenInput)
    # Bounded: a larger number overflows the database's integer and would answer with an error page.
    city = django_filters.NumberFilter(
        field_name="city_id", widget=forms.HiddenInput, min_value=1, max_value=MAX_PLACE_ID
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Bootstrap classes on the widgets: the page renders fields with a small template of its own, because
        # crispy-forms took about 25 ms of a 30 ms page for these eighteen fields (measured, 2026-11).
        for bound in self.form:
            css = WIDGET_CLASSES.get(bound.widget_type)
            if css:
                bound.field.widget.attrs["class"] = css
            if bound.errors:
                bound.field.widget.attrs["aria-invalid"] = "true"

    def filter_text(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.search(value)

    def filter_boys_age(self, qs: QuerySet, name: str, value) -> QuerySet:
        # No recorded limit means none is known: such centres stay in, and the page says to call and check.
        return qs.filter(accepts_children=True).filter(Q(boys_max_age__isnull=True) | Q(boys_max_age__gte=value))

    def filter_beds_free(self, qs: QuerySet, name: str, value: bool) -> QuerySet:
        """Places free reported within each country's allowed age; older figures do not count."""
        if not value:
            return qs
        rules = CountryRules.for_countries()
        now = timezone.now()
        fresh = Q()
        for country in Country.values:
            oldest = now - datetime.timedelta(days=rules[country].beds_free_max_age_days)
            fresh |= Q(country=country, beds_free_updated_at__gte=oldest)
        return qs.filter(fresh, beds_free__gt=0)

    def ignore(self, qs: QuerySet, name: str, value) -> QuerySet:
        return qs
