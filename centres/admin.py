"""The editor area: the Django admin, configured for the Union's editors.

Every edit path (change form with its inlines, actions, restore) carries the version the editor saw, so a save over
someone else's newer edit is refused instead of silently overwriting it.
"""

import datetime
from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from centres import languages, leaks
from centres.access import CHANGE_ANY_CENTRE
from centres.admin_corrections import CorrectionsWaiting
from centres.admin_imports import import_view
from centres.admin_staff import CentreStaffScope, StaffAssignmentInline, StaffPhoneAccess
from centres.columns import PUBLIC_FIELDS
from centres.eligibility import findings, risk_of
from centres.history import AddressInPublicText, restore_centre, snapshot_after
from centres.limits import is_post, rate_limited
from centres.models import (
    Centre,
    CentrePhone,
    Compliance,
    CountryRules,
    ExportLog,
    Hotline,
    Operator,
    Place,
    Population,
    Region,
    today,
)
from centres.text import fold
from centres.versioning import ConcurrentEditError
from centres.vocabularies import AddressVisibility

admin.site.site_header = gettext_lazy("Crisis Centre Directory — editor area")
admin.site.site_title = gettext_lazy("Crisis Centre Directory")
admin.site.index_title = gettext_lazy("Records")
# The editor area's login counts against the same limit as the site's (centres/limits.py).
admin.site.login = rate_limited("login", applies=is_post)(admin.site.login)


def changed_meanwhile_message(instance) -> str:
    """Who changed a record after the editor opened it, and when, in words an editor can act on."""
    last = instance.history.select_related("history_user").first() if hasattr(instance, "history") else None
    if last is not None and last.history_user is not None:
        return _(
            "%(record)s was changed by %(user)s at %(time)s while you were editing it. Your changes were not "
            "saved and nothing of the other edit was overwritten. Reload the page to see the current version, "
            "then make your changes again."
        ) % {
            "record": instance,
            "user": last.history_user,
            "time": date_format(timezone.localtime(last.history_date), "DATETIME_FORMAT"),
        }
    return _(
        "%(record)s was changed by someone else while you were editing it. Your changes were not saved and "
        "nothing of the other edit was overwritten. Reload the page to see the current version, then make your "
        "changes again."
    ) % {"record": instance}


# Above the other languages' columns of a translated text (centres/languages.py).
IN_OTHER_LANGUAGES = gettext_lazy(
    "Shown on the pages in that language; a page with nothing here shows the Russian text. A change of the Russian "
    "text clears what was written for the old one here, unless you change it too."
)


class VersionedForm(forms.ModelForm):
    """Carries the version of the record the editor opened; a stale version is a validation error."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version
        for name, field in self.fields.items():
            field.label = languages.label(self._meta.model, name) or field.label

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.instance._state.adding:
            seen = cleaned.get("seen_version")
            current = type(self.instance)._base_manager.filter(pk=self.instance.pk).values_list("version", flat=True)
            if seen is None or current.first() != seen:
                raise ValidationError(changed_meanwhile_message(self.instance), code="stale")
            # Saved with the version the editor saw: if another save lands between this check and the write,
            # the model's conditional update still refuses it.
            self.instance.version = seen
        return cleaned


class VersionedAdmin(SimpleHistoryAdmin):
    """History, version-checked saves, and deletion for superusers alone (editors archive instead)."""

    form = VersionedForm

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ConcurrentEditError as error:
            # Lost the race after validation: the admin's transaction rolled everything back.
            self.message_user(request, changed_meanwhile_message(error.instance), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser


def save_each(modeladmin, request, queryset: QuerySet, values: dict, reason: str, success_message) -> None:
    """Set `values` on each selected record and save it with the version it was read at, recording `reason`.

    A record that another editor changed after it was read is left alone and named in an error message.
    """
    done, refused = 0, []
    for obj in queryset:
        for field, value in values.items():
            setattr(obj, field, value)
        obj._change_reason = reason
        try:
            obj.save()
        except ConcurrentEditError:
            refused.append(str(obj))
        else:
            done += 1
    if done:
        modeladmin.message_user(request, success_message(done) % {"count": done}, messages.SUCCESS)
    if refused:
        modeladmin.message_user(
            request,
            _("Not changed, because someone else changed them meanwhile (reload and try again): %(names)s")
            % {"names": ", ".join(refused)},
            messages.ERROR,
        )


def saving_action(
    name: str, description, values: Callable[[], dict], reason, message: Callable[[int], str], permission="change"
):
    """An action, `name` in the admin's list, that sets `values()` on each selected record and saves it with
    `reason` in its history (`save_each`); `message(n)` says what was done. Offered to whoever the admin's
    `has_<permission>_permission` allows."""

    def action(modeladmin, request, queryset) -> None:
        save_each(modeladmin, request, queryset, values(), str(reason), message)

    action.__name__ = name
    return admin.action(description=description, permissions=[permission])(action)


def verified_today(message: Callable[[int], str]):
    """The "mark verified today" action of a model with `last_verified_on`."""
    return saving_action(
        "mark_verified_today",
        gettext_lazy("Mark verified today"),
        lambda: {"last_verified_on": today()},
        gettext_lazy("Marked verified"),
        message,
    )


class FoldedSearchMixin:
    """Search that folds case in every script (Cyrillic and Kazakh included) on SQLite and PostgreSQL alike."""

    search_fields = ["search_text"]  # shows the search box; the matching itself is below
    folded_field = "search_text"

    def get_search_results(self, request, queryset, search_term):
        for word in fold(search_term).split():
            queryset = queryset.filter(**{f"{self.folded_field}__contains": word})
        return queryset, False


class LastVerifiedFilter(admin.SimpleListFilter):
    title = gettext_lazy("last verified")
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [
            ("90", gettext_lazy("in the last 3 months")),
            ("365", gettext_lazy("in the last year")),
            ("stale", gettext_lazy("more than a year ago")),
            ("never", gettext_lazy("never")),
        ]

    def queryset(self, request, queryset):
        year_ago = today() - datetime.timedelta(days=365)
        if self.value() in {"90", "365"}:
            return queryset.filter(last_verified_on__gte=today() - datetime.timedelta(days=int(self.value())))
        if self.value() == "stale":
            return queryset.filter(last_verified_on__lt=year_ago)
        if self.value() == "never":
            return queryset.filter(last_verified_on__isnull=True)
        return queryset


class PhoneFormSet(forms.BaseInlineFormSet):
    """A phone's label shows on public pages: it may not hold a hidden or city-only address."""

    def clean(self):
        super().clean()
        index, own = None, object()
        for form in self.forms:
            if "label" not in form.changed_data or not form.cleaned_data.get("label"):
                continue
            if index is None:
                index = leaks.non_public_addresses(leaving_out=self.instance.pk)
                if self.instance.address_visibility != AddressVisibility.PUBLIC and self.instance.address:
                    index.add(self.instance.address, own)
            message = leaks.own_or_other_address(index, form.cleaned_data["label"], own)
            if message:
                form.add_error("label", message)


class CentrePhoneInline(StaffPhoneAccess, admin.TabularInline):
    model = CentrePhone
    formset = PhoneFormSet
    extra = 1
    fields = ["label", "number", "answers_24_7", "position"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Removing a phone from a centre is an ordinary edit, kept in history and restorable.
        return self.has_change_permission(request, obj)


class ComplianceInline(admin.StackedInline):
    model = Compliance
    can_delete = False
    max_num = 1
    verbose_name_plural = gettext_lazy("Licensing, premises and funding (never public)")
    fieldsets = [
        (
            gettext_lazy("Licence"),
            {
                "fields": [
                    "licence_status",
                    ("licence_number", "licence_authority"),
                    ("licence_applied_on", "licence_issued_on", "licence_decided_on", "licence_expires_on"),
                ]
            },
        ),
        (gettext_lazy("Premises"), {"fields": ["premises_area_m2", ("premises_tenure", "lease_ends_on")]}),
        (gettext_lazy("Funding"), {"fields": [("funding_kind", "funding_ends_on")]}),
    ]


class CentreForm(VersionedForm):
    """The centre's page. No public text may be saved holding a hidden or city-only address (`leaks`), and a check
    of the model about a field this form leaves out (a centre-staff member's form has few) shows as an error of
    the whole form, naming the field, instead of failing."""

    def clean(self):
        cleaned = super().clean()
        self._refuse_addresses_in_public_text(cleaned)
        return cleaned

    def _refuse_addresses_in_public_text(self, cleaned: dict) -> None:
        public = [name for name in PUBLIC_FIELDS if name in self.fields]
        if not {"address", "address_visibility"} & set(self.changed_data):
            public = [name for name in public if name in self.changed_data]
        if not public:
            return
        index, own = leaks.non_public_addresses(leaving_out=self.instance.pk), object()
        address = cleaned.get("address", self.instance.address)
        if cleaned.get("address_visibility", self.instance.address_visibility) != AddressVisibility.PUBLIC and address:
            index.add(address, own)
        for name in public:
            message = leaks.own_or_other_address(index, cleaned.get(name), own)
            if message:
                self.add_error(name, message)

    def _update_errors(self, errors: ValidationError) -> None:
        if hasattr(errors, "error_dict"):
            kept: dict[str, list] = {}
            for name, found in errors.error_dict.items():
                if name == NON_FIELD_ERRORS or name in self.fields:
                    kept.setdefault(name, []).extend(found)
                    continue
                try:
                    label = capfirst(self.instance._meta.get_field(name).verbose_name)
                except FieldDoesNotExist:
                    label = name
                for error in found:
                    kept.setdefault(NON_FIELD_ERRORS, []).extend(
                        ValidationError(f"{label}: {message}") for message in error.messages
                    )
            errors = ValidationError(kept)
        super()._update_errors(errors)

    class Meta:
        model = Centre
        fields = "__all__"  # noqa: DJ007 - the admin narrows it to the fieldsets
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "closure_reason": forms.Textarea(attrs={"rows": 2}),
            "source": forms.Textarea(attrs={"rows": 2}),
            **{name: forms.Textarea(attrs={"rows": 3}) for name in languages.every_language("public_notes")},
            "internal_notes": forms.Textarea(attrs={"rows": 3}),
        }


@admin.register(Centre)
class CentreAdmin(CentreStaffScope, CorrectionsWaiting, FoldedSearchMixin, VersionedAdmin):
    form = CentreForm
    inlines = [CentrePhoneInline, ComplianceInline, StaffAssignmentInline]
    list_display = [
        "name",
        "city",
        "operator",
        "operator_kind",
        "published",
        "status",
        "licence_status",
        "last_verified_on",
        "is_demo",
        "archived",
    ]
    list_select_related = ["city__region", "operator", "compliance"]
    list_filter = [
        "country",
        "operator__kind",
        "published",
        "status",
        "compliance__licence_status",
        LastVerifiedFilter,
        "archived",
        "is_demo",
    ]
    search_help_text = gettext_lazy("Centre, operator, city or region name, in any script and any case.")
    autocomplete_fields = ["operator", "city"]
    readonly_fields = ["eligibility", "id", "slug", "created_at", "updated_at"]
    actions = ["mark_verified_today", "publish", "unpublish", "archive", "unarchive"]
    mark_verified_today = verified_today(
        lambda n: ngettext("Marked %(count)d centre verified today.", "Marked %(count)d centres verified today.", n)
    )
    publish = saving_action(
        "publish",
        gettext_lazy("Publish (checked: show to the public)"),
        lambda: {"published": True},
        gettext_lazy("Published"),
        lambda n: ngettext("Published %(count)d centre.", "Published %(count)d centres.", n),
        permission="publish",
    )
    unpublish = saving_action(
        "unpublish",
        gettext_lazy("Unpublish (back to draft)"),
        lambda: {"published": False},
        gettext_lazy("Unpublished"),
        lambda n: ngettext("Unpublished %(count)d centre.", "Unpublished %(count)d centres.", n),
        permission="publish",
    )
    archive = saving_action(
        "archive",
        gettext_lazy("Archive (entered in error or a duplicate)"),
        lambda: {"archived": True},
        gettext_lazy("Archived"),
        lambda n: ngettext("Archived %(count)d centre.", "Archived %(count)d centres.", n),
    )
    unarchive = saving_action(
        "unarchive",
        gettext_lazy("Bring back from the archive"),
        lambda: {"archived": False},
        gettext_lazy("Brought back from the archive"),
        lambda n: ngettext("Brought back %(count)d centre.", "Brought back %(count)d centres.", n),
    )
    list_per_page = 50
    # "N of M" would count the whole table again on every page of a large directory.
    show_full_result_count = False
    history_list_display = ["status", "archived"]
    object_history_template = "admin/centres/centre/object_history.html"
    change_list_template = "admin/centres/centre/change_list.html"
    fieldsets = [
        (None, {"fields": ["name", "operator", "is_demo", "seen_version"]}),
        (gettext_lazy("Eligibility today"), {"fields": ["eligibility"]}),
        (
            gettext_lazy("Place"),
            {"fields": ["country", "city", "region", "address", "address_visibility", ("latitude", "longitude")]},
        ),
        (
            gettext_lazy("Contact"),
            {"fields": [("messenger", "email"), "website", (languages.main("hours"), "open_24_7"), "opening_hours"]},
        ),
        (
            gettext_lazy("Help"),
            {
                "fields": [
                    "services",
                    "audiences",
                    "languages",
                    ("beds", "beds_free", "beds_free_updated_at"),
                    ("accessible", "free"),
                ]
            },
        ),
        (
            gettext_lazy("Who is admitted"),
            {
                "fields": [
                    ("accepts_children", "boys_max_age"),
                    "accepts_pregnant",
                    "documents_needed",
                    "accepts_non_citizens",
                    "referral_needed",
                    "max_stay_days",
                    "anonymous",
                ]
            },
        ),
        (
            pgettext_lazy("centre page section: status, archive, verification", "State"),
            {
                "fields": [
                    "published",
                    ("status", "status_since"),
                    "closure_reason",
                    "archived",
                    "last_verified_on",
                    "source",
                ]
            },
        ),
        (gettext_lazy("Notes"), {"fields": [languages.main("public_notes"), "internal_notes"]}),
        (
            gettext_lazy("In other languages"),
            {
                "fields": [
                    (languages.column("hours", code), languages.column("public_notes", code))
                    for code in languages.OTHERS
                ],
                "classes": ["collapse"],
                "description": IN_OTHER_LANGUAGES,
            },
        ),
        (gettext_lazy("Record"), {"fields": ["id", "slug", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    @admin.display(description=gettext_lazy("risk flags and data gaps"))
    def eligibility(self, centre: Centre) -> str:
        """The same flags and gaps as the advocates' list, judged today against the current rules."""
        if centre.pk is None:
            return "—"
        found = findings(centre, CountryRules.for_countries(), today())
        if not found:
            return _("No risk flag and no data gap.")
        risk = {"high": _("High risk"), "medium": _("Medium risk"), "none": _("No risk flag")}[risk_of(found)]
        items = format_html_join(
            "",
            "<li>{}{}</li>",
            ((_("Data gap: ") if finding.kind == "gap" else "", finding.reason) for finding in found),
        )
        return format_html("<strong>{}</strong><ul>{}</ul>", risk, items)

    @admin.display(description=gettext_lazy("operator kind"), ordering="operator__kind")
    def operator_kind(self, centre: Centre) -> str:
        return centre.operator.get_kind_display() if centre.operator else "—"

    @admin.display(description=gettext_lazy("licence status"), ordering="compliance__licence_status")
    def licence_status(self, centre: Centre) -> str:
        compliance = getattr(centre, "compliance", None)
        return compliance.get_licence_status_display() if compliance else "—"

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("centres.publish_centre")

    def revert_disabled(self, request, obj=None) -> bool:
        # simple-history's revert brings back the main row only; the restore view below brings back the page.
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":  # the revert a hidden button would send: refused, see revert_disabled
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_urls(self):
        restore = path(
            "<uuid:object_id>/restore/<int:history_id>/",
            self.admin_site.admin_view(self.restore_view),
            name="centres_centre_restore",
        )
        upload = path(
            "import/",
            self.admin_site.admin_view(lambda request: import_view(self, request)),
            name="centres_centre_import",
        )
        return [restore, upload, *super().get_urls()]

    def history_view(self, request, object_id, extra_context=None):
        extra_context = {**(extra_context or {}), "related_changes": self._related_changes(object_id)}
        return super().history_view(request, object_id, extra_context)

    def _related_changes(self, centre_id) -> list:
        """History of the centre's phones and compliance, newest first, for the history page."""
        records = [
            *CentrePhone.history.filter(centre_id=centre_id).select_related("history_user")[:200],
            *Compliance.history.filter(centre_id=centre_id).select_related("history_user")[:200],
        ]
        records.sort(key=lambda record: record.history_date, reverse=True)
        for record in records:
            previous = record.prev_record
            record.delta = record.diff_against(previous).changes if previous else []
        return records

    def restore_view(self, request: HttpRequest, object_id, history_id: int) -> HttpResponse:
        if not request.user.has_perm(CHANGE_ANY_CENTRE):  # a restore writes every field: editors only
            raise PermissionDenied
        centre = get_object_or_404(Centre, pk=object_id)
        record = get_object_or_404(Centre.history, history_id=history_id, id=centre.pk)
        snapshot = snapshot_after(record)
        change_url = reverse("admin:centres_centre_change", args=[centre.pk])
        if request.method == "POST":
            try:
                # A version that is no number (a tampered form) is no version the centre has: refused as stale.
                sent = request.POST.get("version", "")
                restore_centre(snapshot, expected_version=int(sent) if sent.isascii() and sent.isdigit() else -1)
            except ConcurrentEditError:
                self.message_user(request, changed_meanwhile_message(centre), messages.ERROR)
                return HttpResponseRedirect(request.get_full_path())
            except AddressInPublicText as refused:
                message = _("Nothing was restored: the page as it was would show an address that is not public.")
                self.message_user(request, " ".join([message, *refused.problems]), messages.ERROR)
                return HttpResponseRedirect(request.get_full_path())
            self.message_user(
                request,
                _("Restored %(centre)s as it was at %(time)s.")
                % {"centre": centre, "time": date_format(timezone.localtime(record.history_date), "DATETIME_FORMAT")},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Restore %(centre)s") % {"centre": centre},
            "opts": self.model._meta,
            "original": centre,
            "record": record,
            "snapshot": snapshot,
            "changes": _differences(centre, snapshot),
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/centres/centre/restore.html", context)


def _differences(centre: Centre, snapshot) -> list[tuple[str, str, str]]:
    """(what, now, then) for every value that a restore would change."""
    rows = []
    for field in Centre._meta.concrete_fields:
        # A text written per language shows as its columns, each labelled with its language (centres/languages.py).
        if field.editable and field.name != "slug" and field.name not in Centre.TRANSLATED:
            now, then = field.value_from_object(centre), field.value_from_object(snapshot.centre)
            if now != then:
                rows.append((field.verbose_name, _display(centre, field, now), _display(centre, field, then)))
    compliance = getattr(centre, "compliance", None)
    for field in Compliance._meta.concrete_fields:
        if field.name in {"id", "centre"}:
            continue
        now = field.value_from_object(compliance) if compliance else None
        then = field.value_from_object(snapshot.compliance) if snapshot.compliance else None
        if now != then:
            rows.append((field.verbose_name, _display(compliance, field, now), _display(compliance, field, then)))
    phones_now = "; ".join(str(phone) for phone in centre.phones.all())
    phones_then = "; ".join(str(phone) for phone in snapshot.phones)
    if phones_now != phones_then:
        rows.append((CentrePhone._meta.verbose_name_plural, phones_now, phones_then))
    return rows


def _display(obj, field, value) -> str:
    if value in (None, "", []):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        return str(field.related_model._base_manager.filter(pk=value).first() or value)
    if isinstance(value, list):
        return ", ".join(str(dict(field.codes.choices).get(code, code)) for code in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


@admin.register(Operator)
class OperatorAdmin(FoldedSearchMixin, VersionedAdmin):
    list_display = ["name", "kind", "registration_number", "website"]
    list_filter = ["kind"]
    search_help_text = gettext_lazy("Name, in any script and any case.")
    fields = ["name", "kind", "registration_number", "website", "seen_version"]


@admin.register(CountryRules)
class CountryRulesAdmin(VersionedAdmin):
    list_display = [
        "country",
        "licensing_effective_from",
        "min_premises_area_m2",
        "min_area_per_bed_m2",
        "thresholds_are_demo",
    ]
    fieldsets = [
        (None, {"fields": ["country", "licensing_effective_from", "seen_version"]}),
        (
            gettext_lazy("Thresholds (empty means not set)"),
            {"fields": ["min_premises_area_m2", "min_area_per_bed_m2", "thresholds_are_demo"]},
        ),
        (
            gettext_lazy("Warning windows and ages"),
            {
                "fields": [
                    "licence_warning_days",
                    "lease_warning_days",
                    "funding_warning_days",
                    "verification_max_age_days",
                    "beds_free_max_age_days",
                ]
            },
        ),
        (gettext_lazy("Legal basis"), {"fields": ["legal_basis", "source_url"]}),
    ]


@admin.register(Hotline)
class HotlineAdmin(VersionedAdmin):
    list_display = ["number", "country", "purpose", "open_24_7", "is_main", "last_verified_on"]
    list_filter = ["country", "purpose", "is_main"]
    search_fields = ["number", *languages.every_language("run_by")]
    actions = ["mark_verified_today"]
    mark_verified_today = verified_today(
        lambda n: ngettext("Marked %(count)d hotline verified today.", "Marked %(count)d hotlines verified today.", n)
    )
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "country",
                    "number",
                    "purpose",
                    languages.main("run_by"),
                    (languages.main("hours"), "open_24_7"),
                    "free_to_call",
                    "is_main",
                    "position",
                    "source",
                    "last_verified_on",
                    "seen_version",
                ]
            },
        ),
        (
            gettext_lazy("In other languages"),
            {
                "fields": [
                    (languages.column("run_by", code), languages.column("hours", code)) for code in languages.OTHERS
                ],
                "classes": ["collapse"],
                "description": IN_OTHER_LANGUAGES,
            },
        ),
    ]


@admin.register(Population)
class PopulationAdmin(VersionedAdmin):
    """What shelter coverage is measured against (the coverage page); each edit kept in history."""

    list_display = ["__str__", "country", "population", "women", "as_of", "source_publisher"]
    list_filter = ["country"]
    list_select_related = ["region"]
    search_fields = ["region__code", "region__name_en", "region__name_ru", "region__name_kk"]
    fields = ["country", "region", "population", "women", "as_of", "source_publisher", "source_url", "seen_version"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Gazetteer data: built by a command, looked up by editors, never edited by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Place)
class PlaceAdmin(FoldedSearchMixin, ReadOnlyAdmin):
    folded_field = "search_names"
    search_fields = ["search_names"]
    list_display = ["name_ru", "name_kk", "name_en", "region", "country", "population"]
    list_filter = ["country", "region"]
    list_select_related = ["region"]
    ordering = ["-population"]


@admin.register(Region)
class RegionAdmin(FoldedSearchMixin, ReadOnlyAdmin):
    folded_field = "search_names"
    search_fields = ["search_names"]
    list_display = ["code", "name_ru", "name_kk", "name_en", "country"]
    list_filter = ["country"]


@admin.register(ExportLog)
class ExportLogAdmin(ReadOnlyAdmin):
    """Who downloaded which list with which filters: read only, for superusers and editors."""

    list_display = ["created_at", "user", "kind", "format", "filters"]
    list_filter = ["kind", "format"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    date_hierarchy = "created_at"
    fields = ["created_at", "user", "kind", "format", "filters"]
    readonly_fields = fields
