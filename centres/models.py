"""The records of the directory (DESIGN.md section 3)."""

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from centres import derived
from centres import opening_hours as schedules
from centres.counters import CounterBase
from centres.fields import CodeListField  # also where migrations 0001 and 0005 name it
from centres.geo import NAME_COLUMNS, distance_km
from centres.languages import PlainQuerySet, TranslatedTexts
from centres.text import fold, latin_slug
from centres.versioning import Versioned
from centres.vocabularies import (
    AddressVisibility,
    Audience,
    CorrectionTopic,
    Country,
    DocumentsNeeded,
    FundingKind,
    HotlinePurpose,
    Language,
    LicenceStatus,
    OperatorKind,
    Service,
    Status,
    Tenure,
)

# Rules and hotlines are read on every public page and change rarely: cached, and dropped from the cache on every
# save (a shared cache such as Redis makes that immediate on every server; a per-process one within a minute).
RULES_CACHE_KEY = "centres:country-rules:v1"
HOTLINES_CACHE_KEY = "centres:hotlines:v1"
CACHE_SECONDS = 60

# A centre's own point is in or near its city: farther than this is a typing error (a swapped sign or digit).
MAX_KM_FROM_CITY = 50

# Derived or bookkeeping columns that history need not keep: they are recomputed on every save.
UNTRACKED = [
    "search_text",
    "name_key",
    "version",
    "updated_at",
    "public_latitude",
    "public_longitude",
    "judged_risk",
    "public_changed_at",
]


class Region(models.Model):
    """A first-level subdivision (ISO 3166-2). Loaded with the gazetteer; not edited by hand."""

    code = models.CharField(_("ISO 3166-2 code"), max_length=6, primary_key=True)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    name_en = models.CharField(_("name in Latin letters"), max_length=120)
    name_ru = models.CharField(_("name in Russian"), max_length=120, blank=True)
    name_kk = models.CharField(_("name in Kazakh"), max_length=120, blank=True)
    name_ky = models.CharField(_("name in Kyrgyz"), max_length=120, blank=True)
    name_tg = models.CharField(_("name in Tajik"), max_length=120, blank=True)
    name_uz = models.CharField(_("name in Uzbek"), max_length=120, blank=True, help_text=_("In Latin letters."))
    search_names = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["country", "name_en"]

    def __str__(self) -> str:
        return self.display_name()

    def display_name(self, language: str | None = None) -> str:
        return _localised_name(self, language)


class PlaceQuerySet(models.QuerySet):
    def named(self, name: str) -> "PlaceQuerySet":
        """Places any of whose names (Russian, Kazakh, Kyrgyz, Tajik, Uzbek, Latin, alternate or our alias) equals
        `name`, folded."""
        key = fold(name)
        if not key or ";" in key:
            return self.none()
        return self.filter(search_names__contains=f";{key};").select_related("region")


class Place(models.Model):
    """A town or city of the gazetteer (GeoNames, at least 1,000 people), plus our aliases."""

    geonameid = models.IntegerField(_("GeoNames id"), primary_key=True)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("region"))
    name_en = models.CharField(_("name in Latin letters"), max_length=120)
    name_ru = models.CharField(_("name in Russian"), max_length=120, blank=True)
    name_kk = models.CharField(_("name in Kazakh"), max_length=120, blank=True)
    name_ky = models.CharField(_("name in Kyrgyz"), max_length=120, blank=True)
    name_tg = models.CharField(_("name in Tajik"), max_length=120, blank=True)
    name_uz = models.CharField(_("name in Uzbek"), max_length=120, blank=True, help_text=_("In Latin letters."))
    alternate_names = models.TextField(_("alternate names"), blank=True)
    population = models.PositiveIntegerField(_("population"), default=0)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    search_names = models.TextField(editable=False, blank=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["-population", "name_en"]
        # A country page walks its towns in this order (selectors.country_centres).
        indexes = [models.Index(fields=["country", "name_en"])]

    def __str__(self) -> str:
        name = self.display_name()
        region = self.region.display_name() if self.region_id else ""
        return f"{name} ({region})" if region and region != name else name

    def display_name(self, language: str | None = None) -> str:
        return _localised_name(self, language)


# The names in Cyrillic letters, nearest first for a reader of each Cyrillic page's language.
_CYRILLIC_NAMES = {
    "ru": ("name_ru", "name_kk", "name_ky", "name_tg"),
    "kk": ("name_kk", "name_ru", "name_ky", "name_tg"),
    "ky": ("name_ky", "name_ru", "name_kk", "name_tg"),
    "tg": ("name_tg", "name_ru", "name_ky", "name_kk"),
}


def _localised_name(obj: Region | Place, language: str | None) -> str:
    """The name in the page's language where we have it, else in the script its reader reads: a Cyrillic page
    (Russian, Kazakh, Kyrgyz, Tajik) falls back to Russian, then to the other Cyrillic names (a Tajik village with
    a Tajik name and no Russian one), and to the Latin one only when there is none; an Uzbek page (Latin) to the
    Latin name, never to a Cyrillic one."""
    language = (language or get_language() or "ru")[:2]
    if language in _CYRILLIC_NAMES:
        return next((name for field in _CYRILLIC_NAMES[language] if (name := getattr(obj, field))), obj.name_en)
    if language == "uz":
        return obj.name_uz or obj.name_en
    return obj.name_en


class Operator(Versioned):
    """An organisation that runs centres: a state body or a civil-society organisation."""

    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=OperatorKind.choices)
    registration_number = models.CharField(
        _("registration number"), max_length=40, blank=True, help_text=_("BIN in Kazakhstan.")
    )
    website = models.URLField(_("website"), blank=True)
    search_text = models.TextField(editable=False, blank=True)

    history = HistoricalRecords(excluded_fields=UNTRACKED)

    class Meta:
        verbose_name = _("operator")
        verbose_name_plural = _("operators")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        adding = self._state.adding
        previous = None if adding else type(self)._base_manager.filter(pk=self.pk).values_list("name", "kind").first()
        for field, value in derived.name_columns(self.name).items():
            setattr(self, field, value)
        super().save(*args, **kwargs)
        if not adding:
            # Its centres' search text holds the operator's name: derived, so no history entry is wanted.
            derived.reindex_centres(self.centres.all(), parts=["search_text"])
            if previous != (self.name, self.kind):  # shown on each of its centres' cards
                self.centres.update(public_changed_at=timezone.now())


phone_number_validator = RegexValidator(
    r"^\+?[0-9][0-9 ()\-]{1,24}[0-9]$",
    _("Enter digits, spaces, brackets or hyphens, optionally starting with +, e.g. 150 or +7 727 000 0000."),
)


# Who is admitted: the card's short facts, the centre page's questions (`presentation.admission_facts`), the open
# data's admission attributes (`open_data.hsds`).
ADMISSION_COLUMNS = (
    "accepts_children",
    "boys_max_age",
    "accepts_pregnant",
    "documents_needed",
    "accepts_non_citizens",
    "referral_needed",
    "max_stay_days",
    "anonymous",
)
# What a public card or centre page shows (`presentation`): `for_cards` reads these columns only. A card that needs
# another must name it here; tests render cards under a zero-query assertion, so a column forgotten here fails.
CARD_COLUMNS = (
    "slug",
    "name",
    "is_demo",
    "status",
    "country",
    "address",
    "address_visibility",
    "public_latitude",
    "public_longitude",
    "services",
    "audiences",
    "languages",
    "beds_free",
    "beds_free_updated_at",
    "last_verified_on",
    "messenger",
    "email",
    "website",
    "hours",
    "opening_hours",
    "open_24_7",
    "free",
    "accessible",
    "public_notes",
    *ADMISSION_COLUMNS,
    "operator__name",
    "operator__kind",
    *(f"city__{name}" for name in NAME_COLUMNS),
    *(f"region__{name}" for name in NAME_COLUMNS),
)


class CentreQuerySet(PlainQuerySet):
    def public(self) -> "CentreQuerySet":
        """What the public may see: published centres, active or temporarily closed, never closed, archived or a
        draft."""
        return self.filter(published=True, archived=False, status__in=[Status.ACTIVE, Status.TEMPORARILY_CLOSED])

    def for_cards(self) -> "CentreQuerySet":
        """With what a public card shows (`presentation.centre_view`) and nothing else: its operator, town, region
        and phones in their order. A public list never reads a centre's exact position, internal notes or search
        document, and a page of twenty reads a third of the columns a whole row would."""
        return (
            self.select_related("operator", "city", "region")
            .only(*CARD_COLUMNS)
            .prefetch_related(models.Prefetch("phones", queryset=CentrePhone.objects.order_by("position", "pk")))
        )

    def judged(self) -> "CentreQuerySet":
        """Centres that eligibility judges (neither closed nor archived), with what their judgement reads."""
        return (
            self.exclude(status=Status.CLOSED)
            .filter(archived=False, published=True)
            .select_related("operator", "city__region", "region", "compliance")
        )

    def open_at(self, moment: datetime.datetime) -> "CentreQuerySet":
        """Centres open at `moment` by their weekly hours, each judged in its own time zone
        (`opening_hours.zone_of`); without weekly hours, those recorded as open 24/7. By appointment is not open:
        nobody can say."""
        condition = Q(opening_hours=schedules.ALWAYS) | Q(opening_hours="", open_24_7=True)
        for zone, where in schedules.zones():
            local = moment.astimezone(zone)
            minute = local.hour * 60 + local.minute
            spans = CentreOpening.objects.filter(
                centre=OuterRef("pk"), day=local.weekday(), opens__lte=minute, closes__gt=minute
            )
            condition |= where & Exists(spans)
        return self.filter(condition)

    def at_risk(self, rules: dict[str, "CountryRules"], on: datetime.date) -> "CentreQuerySet":
        """Centres with at least one risk flag on `on`, each annotated with `risk_rank` (2 high, 1 medium)."""
        from centres.eligibility import at_risk  # eligibility reads these models: imported when first asked

        return at_risk(self, rules, on)


class Centre(TranslatedTexts, Versioned):
    """One facility: a crisis centre, shelter or help point."""

    TRANSLATED = ("hours", "public_notes")  # written per language (centres/languages.py)

    # identity
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(
        _("URL slug"),
        max_length=100,
        unique=True,
        blank=True,
        help_text=_("Set once from the name; kept after."),
    )
    name = models.CharField(_("name"), max_length=300)
    operator = models.ForeignKey(
        Operator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="centres",
        verbose_name=_("operator"),
        db_index=False,  # indexed with the id below
    )
    is_demo = models.BooleanField(_("demo data"), default=False, help_text=_("Fictional record for trying out."))

    # place
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("region"),
        help_text=_("Filled from the city when left empty."),
        db_index=False,  # indexed with the city and id below
    )
    city = models.ForeignKey(
        Place, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("city"), db_index=False
    )
    address = models.TextField(_("address"), blank=True)
    address_visibility = models.CharField(
        _("address visibility"),
        max_length=10,
        choices=AddressVisibility.choices,
        default=AddressVisibility.HIDDEN,
        help_text=_("Hidden: the public sees 'address given by phone'. City: only the city is shown."),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_("Filled from the city when left empty."),
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    # contact
    messenger = models.CharField(_("messenger contact"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    opening_hours = models.CharField(
        _("opening hours by weekday"),
        max_length=300,
        blank=True,
        validators=[schedules.validate],
        help_text=_(
            "One line, such as “Mo-Fr 09:00-18:00; Sa 10:00-14:00”, “24/7” or “by appointment”: what “open now” "
            "reads, in the centre's own time zone. The opening hours above stay a note."
        ),
    )
    open_24_7 = models.BooleanField(_("open 24/7"), null=True, blank=True)

    # help
    services = CodeListField(_("services"), codes=Service)
    audiences = CodeListField(_("audiences"), codes=Audience)
    languages = CodeListField(_("languages"), codes=Language)
    beds = models.PositiveIntegerField(_("beds"), null=True, blank=True)
    beds_free = models.PositiveIntegerField(_("places free"), null=True, blank=True)
    beds_free_updated_at = models.DateTimeField(_("places free updated at"), null=True, blank=True)
    accessible = models.BooleanField(_("wheelchair access"), null=True, blank=True)
    free = models.BooleanField(_("free of charge"), null=True, blank=True)

    # admission
    accepts_children = models.BooleanField(_("accepts mothers with children"), null=True, blank=True)
    boys_max_age = models.PositiveSmallIntegerField(
        _("age limit for boys"),
        null=True,
        blank=True,
        help_text=_("Oldest age of a boy admitted with his mother; empty if no limit or unknown."),
    )
    accepts_pregnant = models.BooleanField(_("accepts pregnant women"), null=True, blank=True)
    documents_needed = models.CharField(
        _("documents needed"), max_length=20, choices=DocumentsNeeded.choices, blank=True
    )
    accepts_non_citizens = models.BooleanField(_("accepts non-citizens"), null=True, blank=True)
    referral_needed = models.BooleanField(
        _("referral needed"), null=True, blank=True, help_text=_("No means people may come on their own.")
    )
    max_stay_days = models.PositiveIntegerField(_("longest stay (days)"), null=True, blank=True)
    anonymous = models.BooleanField(_("anonymous help possible"), null=True, blank=True)

    # state
    published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("A new centre is a draft, seen by nobody outside the editor area, until an editor checks it."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_since = models.DateField(_("status since"), null=True, blank=True)
    closure_reason = models.TextField(
        _("reason for closure or suspension"), blank=True, help_text=_("Required when closed or suspended.")
    )
    archived = models.BooleanField(
        _("archived"), default=False, help_text=_("Entered in error or a duplicate; not a closure.")
    )
    last_verified_on = models.DateField(_("last verified on"), null=True, blank=True)
    source = models.TextField(_("source"), blank=True, help_text=_("A link, or a note such as 'phoned the centre'."))
    public_notes = models.TextField(_("public notes"), blank=True)
    internal_notes = models.TextField(_("internal notes"), blank=True, help_text=_("Never shown to the public."))

    search_text = models.TextField(editable=False, blank=True)
    # The name as an import compares it (text.match_key), indexed: a row of a file finds its centre by it.
    name_key = models.TextField(editable=False, blank=True, db_index=True)
    # The words of search_text as " a b c" (text.word_text), which each database indexes for the text search
    # (text_index.py).
    search_words = models.TextField(editable=False, blank=True)
    # Where the public may place the centre: its own point only when its address is public, else its city's
    # centre. Distances are computed from these alone, so nobody can triangulate a hidden shelter.
    public_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, editable=False)
    public_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, editable=False)
    # Its risk as judged for the day of the stored judgement (2 high, 1 medium, 0 none): what the at-risk list
    # reads its tiers by, through an index, while that judgement is today's (judging.py). Never shown as such.
    judged_risk = models.PositiveSmallIntegerField(default=0, editable=False)
    # When what the public sees of the centre last changed (`public_fields`, and its phones): the open data's
    # `last_modified`. Unlike `updated_at`, a hidden shelter's new figure of places free, its internal notes or its
    # licensing never move it: nobody outside can tell that someone at a hidden shelter was at work tonight.
    public_changed_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # History is registered in centres/translation.py, once each language's column of a translated text exists.
    objects = CentreQuerySet.as_manager()

    class Meta:
        verbose_name = _("centre")
        verbose_name_plural = _("centres")
        ordering = ["name"]
        # Roles are these permissions (and Django's add/change/view ones), granted to groups by migration 0014.
        permissions = [
            ("view_at_risk", _("Can view the at-risk list and the dashboard")),
            ("export_at_risk", _("Can export the at-risk list")),
            ("import_centres", _("Can import centres from a file")),
            ("publish_centre", _("Can publish a draft centre or unpublish one")),
            ("update_own_centres", _("Can update the contacts, hours and places free of their own centres")),
        ]
        indexes = [
            models.Index(fields=["country", "status", "archived"]),
            models.Index(fields=["last_verified_on"]),
            models.Index(fields=["public_latitude", "public_longitude"]),
            # The public list's order: lets the database read the first page without sorting the table.
            models.Index(fields=["name", "id"]),
            # A text search reads the ids of the centres of the operators, towns and regions it matched from
            # these alone, without reading each centre's row (search.text_search).
            models.Index(fields=["operator", "id"]),
            models.Index(fields=["city", "id"]),
            models.Index(fields=["region", "city", "id"]),
            # ...and sorts them by name, public ones only, from this one (paging.ByName).
            models.Index(fields=["id", "archived", "status", "name"]),
            # The at-risk list's tiers, each in name order (judging.py).
            models.Index(fields=["judged_risk", "name", "id"], name="centres_centre_judged_risk"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = self._unique_slug()
        fields = public_fields()
        previous = None
        if not self._state.adding:
            previous = type(self)._base_manager.filter(pk=self.pk).values(*fields).first()
        previous_city_id, previous_free, previous_stamp = (
            (previous["city_id"], previous["beds_free"], previous["beds_free_updated_at"]) if previous else (None,) * 3
        )
        # A new figure of places free is as of now, unless whoever changed it set its time on purpose.
        new_figure = self.beds_free is not None and self.beds_free != previous_free
        if new_figure and self.beds_free_updated_at in (previous_stamp, None):
            self.beds_free_updated_at = timezone.now()
        previous_city = (
            Place.objects.filter(pk=previous_city_id).first()
            if previous_city_id and previous_city_id != self.city_id
            else None
        )
        self.fill_from_city(previous_city)
        city = self.city if self.city_id else None
        region = self.region if self.region_id else None
        self.search_text = derived.centre_search_text(
            self.name,
            self.operator.name if self.operator_id else None,
            city.search_names if city else None,
            region.search_names if region else None,
        )
        self.search_words = derived.search_words(self.search_text)
        self.name_key = derived.name_key(self.name)
        self.public_latitude, self.public_longitude = derived.public_point(
            self.address_visibility,
            self.latitude,
            self.longitude,
            (city.latitude, city.longitude) if city else (None, None),
        )
        self.opening_hours = schedules.normalised(self.opening_hours)
        if previous is None or _shown(previous) != _shown({name: getattr(self, name) for name in fields}):
            self.public_changed_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "public_changed_at"}
        super().save(*args, **kwargs)
        if self.opening_hours != getattr(self, "_opening_hours_in_db", ""):
            derived.write_openings(self.pk, self.opening_hours)
            self._opening_hours_in_db = self.opening_hours

    @classmethod
    def from_db(cls, db, field_names, values):
        """Remember the weekly hours as read, so that `save()` rewrites the centre's openings only when they
        change (a deferred field reads as unknown: rewritten)."""
        instance = super().from_db(db, field_names, values)
        instance._opening_hours_in_db = instance.__dict__.get("opening_hours")
        return instance

    def clean(self) -> None:
        errors = {}
        if self.city_id and self.city.country != self.country:
            errors["city"] = _("This city is not in the chosen country.")
        if self.region_id and self.region.country != self.country:
            errors["region"] = _("This region is not in the chosen country.")
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude"] = _("Give both latitude and longitude, or neither.")
        elif self.city_id and self.latitude is not None and abs(self.latitude) <= 90 and abs(self.longitude) <= 180:
            away = distance_km(self.latitude, self.longitude, self.city.latitude, self.city.longitude)
            if away > MAX_KM_FROM_CITY:
                errors["latitude"] = _(
                    "This point is %(km)d km from %(city)s: more than %(limit)d km. Check the coordinates or the city."
                ) % {"km": away, "city": self.city.display_name(), "limit": MAX_KM_FROM_CITY}
        if self.status == Status.CLOSED and not self.closure_reason.strip():
            errors["closure_reason"] = _("Say why the centre closed.")
        if self.beds is not None and self.beds_free is not None and self.beds_free > self.beds:
            errors["beds_free"] = _("Places free cannot exceed the number of beds.")
        if errors:
            raise ValidationError(errors)

    def fill_from_city(self, previous_city: Place | None = None) -> None:
        """A city lies in one region, so the region always follows the city. Coordinates come from the city when
        empty, and follow a change of city when they were the previous city's (filled in, not measured)."""
        if not self.city_id:
            return
        if self.city.region_id and self.city.region_id != self.region_id:
            self.region = self.city.region  # the object itself: no query to read it again
        if previous_city is not None and (self.latitude, self.longitude) == (
            previous_city.latitude,
            previous_city.longitude,
        ):
            self.latitude = self.longitude = None
        if self.latitude is None and self.longitude is None:
            self.latitude, self.longitude = self.city.latitude, self.city.longitude

    def _unique_slug(self) -> str:
        base = latin_slug(self.name) or "centre"
        slug, n = base, 1
        while Centre.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            n += 1
            slug = f"{base}-{n}"
        return slug


def public_fields() -> list[str]:
    """The columns of a centre that a public card or page, or the open data, show (`CARD_COLUMNS` of the centre
    itself, each language of its translated texts, and its operator, town and region)."""
    from centres.languages import every_language

    found = ["operator_id", "city_id", "region_id", "published", "archived"]  # published or not: shown or not
    for name in CARD_COLUMNS:
        if "__" in name:
            continue
        found.extend(every_language(name) if name in Centre.TRANSLATED else [name])
    return found


# What the public never sees of a centre whose address is hidden or city-only (`presentation.centre_view`).
NOT_SHOWN_UNLESS_PUBLIC = ("address", "beds_free", "beds_free_updated_at")


def _shown(values: dict) -> dict:
    """What of `values` (a centre's `public_fields`) the public sees: its street and places free only at a public
    address. (Its own point is not among them: the public sees its town's.)"""
    if values["address_visibility"] != AddressVisibility.PUBLIC:
        return {name: value for name, value in values.items() if name not in NOT_SHOWN_UNLESS_PUBLIC}
    return values


def _phones_changed(sender, instance: "CentrePhone", **kwargs) -> None:
    """A phone saved or deleted is a public change of its centre (`Centre.public_changed_at`)."""
    Centre._base_manager.filter(pk=instance.centre_id).update(public_changed_at=timezone.now())


class CentreOpening(models.Model):
    """One span of a centre's week when it is open, within one day, in the centre's own time zone: derived from
    `Centre.opening_hours` (`derived.write_openings`, called by `Centre.save()` alone) and read by "open now"
    (`CentreQuerySet.open_at`)."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="openings")
    day = models.PositiveSmallIntegerField()  # 0 Monday … 6 Sunday
    opens = models.PositiveSmallIntegerField()  # minutes since midnight
    closes = models.PositiveSmallIntegerField()  # up to 1440

    class Meta:
        indexes = [models.Index(fields=["centre", "day", "opens"], name="centres_opening_day")]

    def __str__(self) -> str:
        opens, closes = divmod(self.opens, 60), divmod(self.closes, 60)
        return f"{schedules.DAYS[self.day]} {opens[0]:02}:{opens[1]:02}-{closes[0]:02}:{closes[1]:02}"


class StaffAssignment(models.Model):
    """A centre-staff login and a centre it works for: what the staff page lists and the editor area lets them
    update (contacts, hours, places free). Editors make and remove these on the centre's page."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_assignments", verbose_name=_("login")
    )
    centre = models.ForeignKey(
        Centre, on_delete=models.CASCADE, related_name="staff_assignments", verbose_name=_("centre")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("centre staff member")
        verbose_name_plural = _("centre staff")
        constraints = [models.UniqueConstraint(fields=["user", "centre"], name="one_assignment_per_centre")]

    def __str__(self) -> str:
        return f"{self.user} — {self.centre}"


class CentrePhone(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="phones", verbose_name=_("centre"))
    label = models.CharField(
        _("label"),
        max_length=100,
        blank=True,
        validators=[
            RegexValidator(r"[;\[\]]", _("A label cannot contain ';', '[' or ']'."), inverse_match=True),
        ],
    )
    number = models.CharField(_("number"), max_length=30, validators=[phone_number_validator])
    answers_24_7 = models.BooleanField(_("answers 24/7"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phone")
        verbose_name_plural = _("phones")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.label}: {self.number}" if self.label else self.number


models.signals.post_save.connect(_phones_changed, sender=CentrePhone, dispatch_uid="centre-phone-public-change")
models.signals.post_delete.connect(_phones_changed, sender=CentrePhone, dispatch_uid="centre-phone-public-delete")


class Compliance(models.Model):
    """Licensing, premises and funding of one centre. Editors and advocates only; never public."""

    centre = models.OneToOneField(Centre, on_delete=models.CASCADE, related_name="compliance", verbose_name=_("centre"))
    licence_status = models.CharField(
        _("licence status"), max_length=20, choices=LicenceStatus.choices, default=LicenceStatus.UNKNOWN
    )
    licence_number = models.CharField(_("licence number"), max_length=60, blank=True)
    licence_authority = models.CharField(_("licensing authority"), max_length=200, blank=True)
    licence_applied_on = models.DateField(_("applied on"), null=True, blank=True)
    licence_issued_on = models.DateField(_("issued on"), null=True, blank=True)
    licence_decided_on = models.DateField(_("decided on"), null=True, blank=True)
    licence_expires_on = models.DateField(_("expires on"), null=True, blank=True)
    premises_area_m2 = models.DecimalField(
        _("premises area (m²)"),
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    premises_tenure = models.CharField(
        _("premises tenure"), max_length=10, choices=Tenure.choices, default=Tenure.UNKNOWN
    )
    lease_ends_on = models.DateField(_("lease ends on"), null=True, blank=True)
    funding_kind = models.CharField(
        _("funding"), max_length=20, choices=FundingKind.choices, default=FundingKind.UNKNOWN
    )
    funding_ends_on = models.DateField(_("funding ends on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("compliance")
        verbose_name_plural = _("compliance")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name.capitalize()}: {self.get_licence_status_display()}"


class CountryRules(Versioned):
    """Eligibility rules of one country. Thresholds start empty ('not set') until an editor sets them."""

    country = models.CharField(_("country"), max_length=2, choices=Country.choices, unique=True)
    licensing_effective_from = models.DateField(_("licensing compulsory from"), null=True, blank=True)
    min_premises_area_m2 = models.DecimalField(
        _("minimum premises area (m²)"),
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Empty means not set: no premises flag is raised."),
    )
    min_area_per_bed_m2 = models.DecimalField(
        _("minimum area per bed (m²)"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    licence_warning_days = models.PositiveIntegerField(_("licence expiry warning (days)"), default=90)
    lease_warning_days = models.PositiveIntegerField(_("lease end warning (days)"), default=180)
    funding_warning_days = models.PositiveIntegerField(_("funding end warning (days)"), default=90)
    verification_max_age_days = models.PositiveIntegerField(_("verification may be this old (days)"), default=365)
    beds_free_max_age_days = models.PositiveIntegerField(_("places free may be this old (days)"), default=7)
    thresholds_are_demo = models.BooleanField(
        _("demo thresholds"), default=False, help_text=_("Set by the demo data; not the law's figures.")
    )
    legal_basis = models.TextField(_("legal basis"), blank=True)
    source_url = models.URLField(_("source"), blank=True)

    history = HistoricalRecords(excluded_fields=UNTRACKED)

    class Meta:
        verbose_name = _("country rules")
        verbose_name_plural = _("country rules")
        ordering = ["country"]

    def __str__(self) -> str:
        return str(self.get_country_display())

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        transaction.on_commit(lambda: cache.delete(RULES_CACHE_KEY))

    @classmethod
    def for_countries(cls) -> dict[str, "CountryRules"]:
        """Every country's rules; a country without a record gets the defaults (verification and places-free ages)."""
        saved = cache.get(RULES_CACHE_KEY)
        if saved is None:
            saved = {rules.country: rules for rules in cls.objects.all()}
            cache.set(RULES_CACHE_KEY, saved, CACHE_SECONDS)
        return {country: saved.get(country) or cls(country=country) for country in Country.values}


class Population(Versioned):
    """How many people live in a country (the record without a region) or in one of its regions, as of a date,
    with its source: what shelter coverage is measured against (centres/advocacy/coverage.py)."""

    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="populations",
        verbose_name=_("region"),
        help_text=_("Empty for the whole country."),
    )
    population = models.PositiveIntegerField(_("population"), validators=[MinValueValidator(1)])
    women = models.PositiveIntegerField(_("of whom women"), null=True, blank=True)
    as_of = models.DateField(_("as of"))
    source_publisher = models.CharField(_("source"), max_length=300, help_text=_("Who published the figure."))
    source_url = models.URLField(_("source link"), max_length=500, blank=True)

    history = HistoricalRecords(excluded_fields=UNTRACKED)

    class Meta:
        verbose_name = _("population")
        verbose_name_plural = _("population")
        ordering = ["country", "region"]
        constraints = [
            # NULLs are distinct in a unique index, so the country's total needs a constraint of its own.
            models.UniqueConstraint(
                fields=["country", "region"],
                condition=Q(region__isnull=False),
                name="population_one_per_region",
                violation_error_message=_("This region already has a population record."),
            ),
            models.UniqueConstraint(
                fields=["country"],
                condition=Q(region__isnull=True),
                name="population_one_per_country",
                violation_error_message=_("This country already has a population record for the whole country."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.region) if self.region_id else str(self.get_country_display())

    def clean(self) -> None:
        super().clean()
        if self.region_id and self.region.country != self.country:
            raise ValidationError({"region": _("This region is not in the chosen country.")})
        if self.women is not None and self.population is not None and self.women > self.population:
            raise ValidationError({"women": _("Cannot be more than the population.")})


class Hotline(TranslatedTexts, Versioned):
    TRANSLATED = ("run_by", "hours")  # written per language (centres/languages.py)
    objects = PlainQuerySet.as_manager()

    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    number = models.CharField(_("number"), max_length=30, validators=[phone_number_validator])
    purpose = models.CharField(_("what it is for"), max_length=30, choices=HotlinePurpose.choices)
    run_by = models.CharField(_("run by"), max_length=200, blank=True)
    hours = models.CharField(_("hours"), max_length=100, blank=True)
    open_24_7 = models.BooleanField(_("24/7"), default=False)
    free_to_call = models.BooleanField(_("free to call"), null=True, blank=True)
    is_main = models.BooleanField(
        _("main number"), default=False, help_text=_("Shown first, and on every page of this country.")
    )
    source = models.TextField(_("source"), blank=True)
    last_verified_on = models.DateField(
        _("last verified on"), null=True, blank=True, help_text=_("Empty: still to be verified.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    # History: see Centre.

    class Meta:
        verbose_name = _("hotline")
        verbose_name_plural = _("hotlines")
        ordering = ["country", "position", "number"]

    def __str__(self) -> str:
        return f"{self.country} {self.number}"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        transaction.on_commit(lambda: cache.delete(HOTLINES_CACHE_KEY))

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        transaction.on_commit(lambda: cache.delete(HOTLINES_CACHE_KEY))
        return result

    @classmethod
    def by_country(cls) -> dict[str, list["Hotline"]]:
        """Each country's hotlines, main numbers first, in the country list's order (Kazakhstan first)."""
        grouped = cache.get(HOTLINES_CACHE_KEY)
        if grouped is None:
            grouped = {country: [] for country in Country.values}
            for hotline in cls.objects.order_by("-is_main", "position", "number"):
                grouped[hotline.country].append(hotline)
            cache.set(HOTLINES_CACHE_KEY, grouped, CACHE_SECONDS)
        return grouped

    def is_stale(self, rules: "CountryRules", on: datetime.date) -> bool:
        return is_stale(self.last_verified_on, rules.verification_max_age_days, on)


def is_stale(verified_on: datetime.date | None, max_age_days: int, on: datetime.date) -> bool:
    """Never verified, or verified longer ago than allowed."""
    return verified_on is None or (on - verified_on).days > max_age_days


def today() -> datetime.date:
    """Today in the directory's time zone (Asia/Almaty by default)."""
    return timezone.localdate()


class ExportLog(models.Model):
    """One web export by a logged-in person: who, when, which list, which format and which filters — never the
    content. Anonymous visitors' exports are not recorded: we keep no data about visitors."""

    class Kind(models.TextChoices):
        PUBLIC = "public", _("public directory")
        AT_RISK = "at_risk", _("centres at risk")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        JSON = "json", "JSON"

    # PROTECT: the record of who took which data outlives a wish to delete the account; deactivate it instead.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exports", verbose_name=_("user")
    )
    created_at = models.DateTimeField(_("exported at"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("list"), max_length=10, choices=Kind.choices)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True, help_text=_("The query parameters used."))

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("export log")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()} · {self.format} · {self.created_at:%Y-%m-%d %H:%M}"


class PendingImport(models.Model):
    """A file an editor uploaded and is looking at in the import preview. Kept in the database, never on a server's
    disk (several servers share no disk), until it is written, replaced, or a day old; only its uploader reads it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=255)
    sheet = models.CharField(max_length=100, blank=True)
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("import being previewed")
        verbose_name_plural = _("imports being previewed")

    def __str__(self) -> str:
        return self.filename


class Counter(CounterBase):
    """A number the login lockout or a rate limit counts, shared by every worker (`counters.CounterCache`)."""

    def __str__(self) -> str:
        return self.key


class RiskJudgement(models.Model):
    """The day for which every centre's `judged_risk` was judged, with the rules of that day: one row, or none.

    Only while it is today's does the at-risk list read the stored risks (judging.py); a change of rules removes it,
    and the passing of midnight outdates it, until `manage.py judge_centres` (nightly) judges again."""

    on = models.DateField()

    class Meta:
        verbose_name = _("risk judgement")
        verbose_name_plural = _("risk judgements")

    def __str__(self) -> str:
        return self.on.isoformat()


class Correction(models.Model):
    """A correction suggested by anyone on a public centre page (centres/public/corrections.py), waiting for an
    editor. It changes nothing public by itself: an editor who accepts it makes the edit on the centre's page.

    What the visitor typed is all that is kept: no address, no browser, no cookie. The contact is personal data,
    so the queue is for editors alone (roles.py grants it to no other role)."""

    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("status of a suggested correction", "new")
        ACCEPTED = "accepted", pgettext_lazy("status of a suggested correction", "accepted")
        DISMISSED = "dismissed", pgettext_lazy("status of a suggested correction", "dismissed")

    centre = models.ForeignKey(
        Centre,
        on_delete=models.CASCADE,
        related_name="corrections",
        verbose_name=_("centre"),
        db_index=False,  # indexed with the status below
    )
    what = models.CharField(_("what is wrong"), max_length=20, choices=CorrectionTopic.choices)
    correct_value = models.CharField(_("what is correct"), max_length=1000)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("suggested correction")
        verbose_name_plural = _("suggested corrections")
        ordering = ["-created_at"]
        # The editor area's centre list counts each centre's waiting suggestions from this alone
        # (admin_corrections.CorrectionsWaiting).
        indexes = [models.Index(fields=["centre", "status"])]

    def __str__(self) -> str:
        # Never what was typed: this shows in the editor area's messages and history.
        return f"{self.centre} — {self.get_what_display()}"
