"""The public's suggested corrections in the editor area: the queue, and how many wait beside each centre.

Only editors see any of it (roles.py grants `view_correction` and `change_correction` to them alone): a suggestion's
contact is personal data. Deciding one records who decided and when; making the edit itself is an ordinary change
of the centre, with its history and version check.
"""

from django.contrib import admin, messages
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy, ngettext

from centres.models import Correction

VIEW_CORRECTIONS = "centres.view_correction"


def queue_url(**filters: str) -> str:
    """The queue's list, filtered as its own links filter it (`?status__exact=new`, `?centre=<id>`)."""
    query = "&".join(f"{name}={value}" for name, value in filters.items())
    url = reverse("admin:centres_correction_changelist")
    return f"{url}?{query}" if query else url


def decide(status: str, description, message):
    """An action of the queue that gives each selected suggestion `status`, with who decided and when; one UPDATE
    (a suggestion has no history of its own to keep)."""

    def action(modeladmin, request: HttpRequest, queryset: QuerySet) -> None:
        count = queryset.exclude(status=status).update(
            status=status, decided_by=request.user, decided_at=timezone.now()
        )
        modeladmin.message_user(request, message(count) % {"count": count}, messages.SUCCESS)

    action.__name__ = f"mark_{status}"
    return admin.action(description=description, permissions=["change"])(action)


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "centre_link", "what", "correct_value", "contact", "status", "decided_by"]
    list_display_links = ["created_at"]
    list_filter = ["status", "what"]
    list_select_related = ["centre", "decided_by"]
    date_hierarchy = "created_at"
    fields = ["centre_link", "created_at", "what", "correct_value", "contact", "status", "decided_by", "decided_at"]
    readonly_fields = ["centre_link", "created_at", "what", "correct_value", "contact", "decided_by", "decided_at"]
    actions = ["mark_accepted", "mark_dismissed"]
    mark_accepted = decide(
        Correction.Status.ACCEPTED,
        gettext_lazy("Mark accepted (the centre's page was corrected)"),
        lambda n: ngettext("Marked %(count)d suggestion accepted.", "Marked %(count)d suggestions accepted.", n),
    )
    mark_dismissed = decide(
        Correction.Status.DISMISSED,
        gettext_lazy("Mark dismissed"),
        lambda n: ngettext("Marked %(count)d suggestion dismissed.", "Marked %(count)d suggestions dismissed.", n),
    )

    @admin.display(description=gettext_lazy("centre"), ordering="centre__name")
    def centre_link(self, correction: Correction) -> str:
        url = reverse("admin:centres_centre_change", args=[correction.centre_id])
        return format_html('<a href="{}">{}</a>', url, correction.centre.name)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # suggestions come from the public page only

    def save_model(self, request: HttpRequest, obj: Correction, form, change: bool) -> None:
        if "status" in form.changed_data:
            obj.decided_by, obj.decided_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)


class CorrectionsWaiting:
    """Mixed into the centre admin: for editors, the number of new suggestions beside each centre, linked to them
    in the queue, and the whole queue's count above the list. Counted in the list's own query (a subquery per row
    shown, on the index of centre and status), never with a query per row."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if not request.user.has_perm(VIEW_CORRECTIONS):
            return queryset
        waiting = (
            Correction.objects.filter(centre=OuterRef("pk"), status=Correction.Status.NEW)
            .order_by()
            .values("centre")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return queryset.annotate(corrections_waiting=Coalesce(Subquery(waiting, output_field=IntegerField()), Value(0)))

    def get_list_display(self, request: HttpRequest):
        shown = list(super().get_list_display(request))
        if not request.user.has_perm(VIEW_CORRECTIONS):
            return shown
        return [shown[0], "suggestions_waiting", *shown[1:]]  # beside the name: the list is wider than a screen

    @admin.display(description=gettext_lazy("suggestions waiting"))
    def suggestions_waiting(self, centre) -> str:
        count = getattr(centre, "corrections_waiting", 0)
        if not count:
            return ""
        return format_html('<a href="{}">{}</a>', queue_url(centre=centre.pk, status__exact="new"), count)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        if request.user.has_perm(VIEW_CORRECTIONS):
            waiting = Correction.objects.filter(status=Correction.Status.NEW).count()
            extra_context = {
                **(extra_context or {}),
                "corrections_waiting": waiting,
                "corrections_queue_url": queue_url(status__exact="new"),
            }
        return super().changelist_view(request, extra_context)
