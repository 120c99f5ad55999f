"""The query strings of the lists, each read once, here (DESIGN.md section 5).

`PublicSearch` reads the public search's every parameter — the text, the filters, a place or a position and its
radius, the page — and `advocacy.filters.AtRiskFilter`, built on the same `CentreFilter`, the at-risk list's.
Everything downstream (the selectors, the redirect that rounds a position, the exports) takes their cleaned result;
the links that change one parameter (the next page, a place chosen from a list) take the query as given, less that
parameter; the page cache and the export log ask here (`plain_page`, `logged_filters`) what they may keep.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

import django_filters
from django import forms
from django.core.validators import MaxValueValidator
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from centres import widgets
from centres.geo import Resolution, resolve_place
from centres.models import Centre, CountryRules, Place
from centres.nearest import MAX_RADIUS_KM, Origin
from centres.paging import LAST_PAGE
from centres.search import text_search
from centres.vocabularies import (
    AddressVisibility,
    Audience,
    Country,
    DocumentsNeeded,
    Language,
    OperatorKind,
    Service,
)

# Bounded: a larger id overflows the database's integer and would answer with an error page.
MAX_PLACE_ID = 2_147_483_647
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")


# -- parameters that are never an error ------------------------------------------------------------------------


class Lenient(forms.Field):
    """A parameter that is never an error, and never rendered: what cannot be read reads as None."""

    widget = widgets.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)


class PageField(Lenient):
    """`page`: a whole number, or None for anything else, which shows the first page; a number past the last page
    (or below the first) shows the last one. A hand-made page number never makes the search invalid."""

    def to_python(self, value) -> int | None:
        text = str(value or "").strip()
        if not (text.isascii() and _WHOLE_NUMBER.fullmatch(text)):
            return None
        return int(text) if len(text) <= 12 else 10**12  # int() refuses numbers of thousands of digits


class PlaceIdField(Lenient):
    """A gazetteer place chosen from a list of candidates: its id, or None for anything that cannot be one."""

    def to_python(self, value) -> int | None:
        text = str(value or "").strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 10:  # "²" is a digit to isdigit(), not to int()
            return None
        return int(text) if 1 <= int(text) <= MAX_PLACE_ID else None


class CoordinateField(Lenient):
    """A browser's latitude or longitude, rounded to two decimals (about a kilometre) whatever precision was sent;
    None when it is not one."""

    def __init__(self, limit: int, **kwargs):
        self.limit = limit
        super().__init__(**kwargs)

    def to_python(self, value) -> float | None:
        try:
            rounded = round(float(Decimal(str(value or "").strip())), 2)
        except (InvalidOperation, ValueError, OverflowError):
            return None
        return rounded if -self.limit <= rounded <= self.limit else None


class PagedForm(forms.Form):
    """A list's form: the filters (added by the FilterSet), the page, and the query without some of them."""

    bound_field_class = widgets.FieldGroup
    page = PageField()
    # Read, never rendered: a new search starts on the first page, and a position goes with the link that set it.
    unrendered = frozenset({"page"})

    def rendered_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.unrendered]

    @cached_property
    def query_without_page(self) -> str:
        return self.query_without("page")

    def query_without(self, *names: str) -> str:
        """The query string as given, less `names`: for links that change only those."""
        query = self.data.copy() if isinstance(self.data, QueryDict) else QueryDict(mutable=True)
        for name in names:
            query.pop(name, None)
        return query.urlencode()

    def logged_filters(self) -> dict[str, list[str]]:
        """The query as an export log keeps it: the parameters this form reads, never a page, a gap page or a
        browser position (where someone sat, not a filter); without NUL characters, which no database column
        stores as text."""
        left_out = {"page", "gap_page", "lat", "lon"}
        return {
            name: [value.replace("\x00", "") for value in self.data.getlist(name)]
            for name in self.fields
            if name in self.data and name not in left_out
        }


def plain_page(params: QueryDict) -> int | None:
    """The page number when `params` hold nothing but a page (1 to the last) of a list before any search, else
    None: what the page cache may keep."""
    if not params:
        return 1
    number = params.getlist("page")
    if list(params) != ["page"] or len(number) != 1 or not (number[0].isdigit() and len(number[0]) <= 4):
        return None
    page = PageField().clean(number[0])
    return page if page is not None and 1 <= page <= LAST_PAGE else None


# -- which centres: the filters the public search and the at-risk list share ------------------------------------


class TickFilter(django_filters.BooleanFilter):
    """A checkbox: ticked narrows the search, unticked leaves it alone (never "must be false")."""

    field_class = forms.BooleanField

    def __init__(self, *args, lookup: dict | None = None, **kwargs):
        self.lookup = lookup
        kwargs.setdefault("widget", widgets.Checkbox)
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if not value:
            return qs
        return qs.filter(**(self.lookup or {self.field_name: True}))


class CodesFilter(django_filters.MultipleChoiceFilter):
    """Repeatable code parameter; with `require_all` every chosen code must be present, else any one."""

    def __init__(self, *args, require_all: bool = True, **kwargs):
        self.require_all = require_all
        kwargs.setdefault("widget", widgets.CheckboxList)
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


class CentreFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        widget=widgets.TextInput(
            attrs={"placeholder": _("Centre, organisation, city or region"), "autocomplete": "off", "type": "search"}
        ),
    )
    country = django_filters.ChoiceFilter(
        label=_("Country"), choices=Country.choices, empty_label=_("All countries"), widget=widgets.Select
    )
    service = CodesFilter(label=_("Help offered (all of)"), field_name="services", choices=Service.choices)
    audience = CodesFilter(label=_("For (all of)"), field_name="audiences", choices=Audience.choices)
    language = CodesFilter(
        label=_("Languages spoken (any of)"), field_name="languages", choices=Language.choices, require_all=False
    )
    with_children = TickFilter(label=_("Takes mothers with children"), field_name="accepts_children")
    boys_age = django_filters.NumberFilter(
        label=_("Age of the oldest boy"),
        method="filter_boys_age",
        widget=widgets.NumberInput(attrs={"min": 0, "max": 18, "autocomplete": "off"}),
    )
    pregnant = TickFilter(label=_("Takes pregnant women"), field_name="accepts_pregnant")
    no_documents = TickFilter(
        label=_("No documents needed"), lookup={"documents_needed": DocumentsNeeded.NONE}, field_name="documents_needed"
    )
    non_citizens = TickFilter(label=_("Takes non-citizens"), field_name="accepts_non_citizens")
    open_24_7 = TickFilter(label=_("Open 24/7"), field_name="open_24_7")
    open_now = TickFilter(label=_("Open now"), method="filter_open_now")
    beds_free = TickFilter(label=_("Places free now"), method="filter_beds_free")
    free = TickFilter(label=_("Free of charge"), field_name="free")
    accessible = TickFilter(label=_("Wheelchair access"), field_name="accessible")
    operator_kind = django_filters.ChoiceFilter(
        label=_("Run by"),
        field_name="operator__kind",
        choices=OperatorKind.choices,
        empty_label=_("Anyone"),
        widget=widgets.Select,
    )
    region = django_filters.CharFilter(field_name="region_id", widget=widgets.HiddenInput)
    city = django_filters.NumberFilter(
        field_name="city_id", widget=widgets.HiddenInput, min_value=1, max_value=MAX_PLACE_ID
    )

    class Meta:
        form = PagedForm

    @property
    def cleaned(self) -> dict:
        """Every parameter's cleaned value: all of them when the query is valid, the valid ones when not."""
        self.is_valid()
        return self.form.cleaned_data

    def filter_queryset(self, queryset: QuerySet, *, leave_out: frozenset[str] = frozenset()) -> QuerySet:
        """Every filter but those in `leave_out`, with its cleaned value; the form's other fields (page, place)
        choose an order or a page, not centres."""
        cleaned = self.form.cleaned_data
        for name, filter_ in self.filters.items():
            if name not in leave_out:
                queryset = filter_.filter(queryset, cleaned.get(name))
        return queryset

    def filter_text(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return text_search(qs, value)

    def filter_boys_age(self, qs: QuerySet, name: str, value) -> QuerySet:
        # No recorded limit means none is known: such centres stay in, and the page says to call and check.
        return qs.filter(accepts_children=True).filter(Q(boys_max_age__isnull=True) | Q(boys_max_age__gte=value))

    def filter_open_now(self, qs: QuerySet, name: str, value: bool) -> QuerySet:
        """Open at this minute by their weekly hours, in each centre's own time zone (`CentreQuerySet.open_at`)."""
        return qs.open_at(timezone.now()) if value else qs

    def filter_beds_free(self, qs: QuerySet, name: str, value: bool) -> QuerySet:
        """Centres at a public address with places free reported within each country's allowed age (older figures
        do not count) — and every shelter whose address is hidden or city-only, whatever its figure: filtering
        those by it would tell anyone watching which hidden shelter has room tonight. Their cards say to call and
        ask (`presentation.places_free_shown`)."""
        if not value:  # unticked (False is no empty value to django-filter)
            return qs
        rules = CountryRules.for_countries()
        now = timezone.now()
        fresh = Q()
        for country in Country.values:
            oldest = now - datetime.timedelta(days=rules[country].beds_free_max_age_days)
            fresh |= Q(country=country, beds_free_updated_at__gte=oldest)
        public_address = Q(address_visibility=AddressVisibility.PUBLIC)
        hidden_shelter = ~public_address & Q(services__contains=f";{Service.SHELTER};")
        return qs.filter((public_address & fresh & Q(beds_free__gt=0)) | hidden_shelter)


# -- the public search: which centres, and nearest to where ------------------------------------------------------


class SearchForm(PagedForm):
    """The public search's own fields: where distances are measured from, how far, and which page."""

    near = forms.CharField(
        label=_("Near a town or city"),
        required=False,
        widget=widgets.TextInput(attrs={"placeholder": _("e.g. Shymkent"), "autocomplete": "off"}),
    )
    radius_km = forms.DecimalField(
        label=_("Within (km)"),
        required=False,
        validators=[MaxValueValidator(1e50)],  # as django-filter's NumberFilter: a number the database can hold
        widget=widgets.NumberInput(attrs={"min": 1, "max": 2000, "autocomplete": "off"}),
    )
    near_place = PlaceIdField()
    lat = CoordinateField(90)
    lon = CoordinateField(180)

    unrendered = frozenset({"page", "near_place", "lat", "lon"})
    # Shown first; the other filters fold away on a small screen until asked for.
    main = ("q", "near", "radius_km")

    def clean(self) -> dict:
        cleaned = super().clean()
        cleaned["origin"], cleaned["resolution"] = (None, None) if self.errors else self._origin(cleaned)
        return cleaned

    def _origin(self, cleaned: dict) -> tuple[Origin | None, Resolution | None]:
        """A browser's position first, then a place chosen from a list, then a place name resolved by our own
        gazetteer (never sent anywhere else); a name that needs asking gives its resolution and no origin."""
        if cleaned.get("lat") is not None and cleaned.get("lon") is not None:
            return Origin(cleaned["lat"], cleaned["lon"]), None
        if cleaned.get("near_place"):
            place = Place.objects.filter(pk=cleaned["near_place"]).first()
            if place is not None:
                return Origin.of_place(place), None
        if not cleaned.get("near"):
            return None, None
        resolution = resolve_place(cleaned["near"], country=cleaned.get("country") or None)
        return (Origin.of_place(resolution.place) if resolution.place else None), resolution

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.main]

    @cached_property
    def more_fields(self) -> list[forms.BoundField]:
        return [field for field in self.rendered_fields() if field.name not in self.main]

    @property
    def more_active(self) -> bool:
        """Whether a folded-away filter is set: then the page shows them unfolded."""
        return any(field.value() not in (None, "", [], False) for field in self.more_fields if not field.is_hidden)

    def summary(self) -> list[str]:
        """What was searched, one short phrase per field that has a value, in the form's order: the line a small
        screen shows above the results instead of the form. Empty when nothing was asked (the plain list)."""
        if not self.is_valid():
            return []
        cleaned, phrases = self.cleaned_data, []
        origin = cleaned.get("origin")
        if cleaned.get("lat") is not None and cleaned.get("lon") is not None:
            phrases.append(str(_("near your location")))
        elif origin is not None and origin.place is not None:
            phrases.append(_("near %(place)s") % {"place": origin.place.display_name()})
        for field in self.rendered_fields():
            value = cleaned.get(field.name)
            # 0 is a value (a boy's age), False and nothing are not
            if field.is_hidden or field.name == "near" or value is None or value is False or value in ("", []):
                continue
            choices = dict(getattr(field.field, "choices", ()))
            if field.name == "q":
                phrases.append(f"«{value}»")
            elif field.name == "radius_km":
                if value > 0:  # as the search applies it: none at 0 or less, at most MAX_RADIUS_KM
                    phrases.append(_("within %(km)s km") % {"km": f"{min(value, MAX_RADIUS_KM):g}"})
            elif isinstance(value, list):
                phrases.extend(str(choices.get(code, code)) for code in dict.fromkeys(value))
            elif value is True:
                phrases.append(str(field.label))
            elif choices:
                phrases.append(str(choices.get(value, value)))
            else:
                phrases.append(f"{field.label}: {value}")
        return phrases

    def rounded_query(self) -> QueryDict | None:
        """The same query with the position as it is kept (two decimals), or None when it already is (or none was
        given): a more precise one is redirected before it reaches the address bar, the history or any link."""
        self.is_valid()  # cleans the query, once
        lat, lon = self.cleaned_data.get("lat"), self.cleaned_data.get("lon")
        if lat is None or lon is None:
            return None
        kept = f"{lat:.2f}", f"{lon:.2f}"
        if (self.data.get("lat"), self.data.get("lon")) == kept:
            return None
        query = self.data.copy()
        query["lat"], query["lon"] = kept
        return query


class PublicSearch(CentreFilter):
    """The public search's query string, read once: `is_valid()`, then `qs` and the cleaned origin and page."""

    class Meta:
        form = SearchForm

    @property
    def origin(self) -> Origin | None:
        return self.cleaned.get("origin")

    @property
    def resolution(self) -> Resolution | None:
        return self.cleaned.get("resolution")

    @property
    def chosen_country(self) -> str | None:
        """The country searched in, when a valid one was chosen: the hotline bar shows its numbers."""
        return self.cleaned.get("country") or None


def public_search(params: QueryDict) -> PublicSearch:
    """The public search of `params`, over the centres the public may see."""
    return PublicSearch(params, queryset=Centre.objects.public().for_cards())
