"""Centre staff in the editor area: their own centres only, and on those only contacts, hours and places free.

Editors hold Django's model permissions on centres; a centre-staff login holds `update_own_centres` alone, which
`CentreStaffScope` turns into object permissions on the centres it is linked to (`StaffAssignment`). Everything else
— compliance, verification, address and its visibility, status, publishing, history, restore, import, actions, other
centres — needs the model permissions, which staff do not have. Fields left out of a staff member's form are not
in the form at all, so posting them changes nothing.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy

from centres import languages
from centres.access import CHANGE_ANY_CENTRE, UPDATE_OWN_CENTRES, staffed_centre_ids
from centres.models import StaffAssignment

STAFF_FIELDSETS = [
    (None, {"fields": ["name", "seen_version"]}),
    (
        gettext_lazy("Contact"),
        {"fields": [("messenger", "email"), "website", (languages.main("hours"), "open_24_7"), "opening_hours"]},
    ),
    (
        gettext_lazy("Opening hours in other languages"),
        {"fields": languages.others("hours"), "classes": ["collapse"]},
    ),
    (gettext_lazy("Places free"), {"fields": [("beds_free", "beds_free_updated_at")]}),
]
STAFF_READ_ONLY = ["name", "beds_free_updated_at"]
STAFF_LIST_DISPLAY = ["name", "city", "beds_free", "beds_free_updated_at"]


def staff_only(request) -> bool:
    """A login that may update its own centres but not centres at large."""
    return not request.user.has_perm(CHANGE_ANY_CENTRE) and bool(staffed_centre_ids(request.user))


def staffs(request, centre) -> bool:
    """Whether the logged-in user is staff of `centre` (a Centre, or None for "some centre")."""
    ids = staffed_centre_ids(request.user)
    return bool(ids) if centre is None else centre.pk in ids


class CentreStaffScope:
    """Mixed into the centre admin: narrows every view to a staff member's own centres and fields."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.filter(pk__in=staffed_centre_ids(request.user)) if staff_only(request) else queryset

    def get_object(self, request, object_id, from_field=None):
        found = super().get_object(request, object_id, from_field)
        if found is None and staff_only(request):
            raise Http404  # another centre: not found, as one that does not exist
        return found

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) or staffs(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) or staffs(request, obj)

    def has_view_history_or_change_history_permission(self, request, obj=None) -> bool:
        # A centre's history holds its compliance and addresses: editors only.
        return request.user.has_perm("centres.view_centre")

    def history_view(self, request, object_id, extra_context=None):
        if not self.has_view_history_or_change_history_permission(request):
            raise PermissionDenied  # before looking the centre up: the answer says nothing of whether it exists
        return super().history_view(request, object_id, extra_context)

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        # A filter in the list's address (?address__startswith=…) would answer yes or no about a field staff may
        # not read, a letter at a time.
        if request is not None and staff_only(request):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_fieldsets(self, request, obj=None):
        return STAFF_FIELDSETS if staff_only(request) else super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if staff_only(request):
            return STAFF_READ_ONLY
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if request.user.has_perm("centres.publish_centre") else [*readonly, "published"]

    def get_inlines(self, request, obj):
        inlines = super().get_inlines(request, obj)
        if staff_only(request):
            return [inline for inline in inlines if getattr(inline, "staff_may_edit", False)]
        return inlines

    def get_actions(self, request):
        return {} if staff_only(request) else super().get_actions(request)

    def get_list_display(self, request):
        return STAFF_LIST_DISPLAY if staff_only(request) else super().get_list_display(request)

    def get_list_filter(self, request):
        return [] if staff_only(request) else super().get_list_filter(request)


class StaffPhoneAccess:
    """Mixed into the phones inline: a centre's staff keep its phone numbers up to date. `obj` is the centre (None
    when Django asks about the inline's queryset, which the formset then narrows to the centre on the page, one
    the staff member was already allowed to open)."""

    staff_may_edit = True

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) or staffs(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request, obj) or staffs(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) or staffs(request, obj)


class StaffAssignmentInline(admin.TabularInline):
    """Editors link centre-staff logins to the centre; only logins in the centre-staff group are offered."""

    model = StaffAssignment
    extra = 0
    fields = ["user"]
    verbose_name = gettext_lazy("centre staff login")
    verbose_name_plural = gettext_lazy("Centre staff: logins that update this centre's contacts and places free")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            staff = get_user_model().objects.filter(
                groups__permissions__codename=UPDATE_OWN_CENTRES.split(".")[1], is_active=True
            )
            kwargs["queryset"] = staff.distinct().order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
