"""The editor area's import page: upload a CSV or XLSX file, look at what it would do, confirm.

The same engine as `manage.py import_centres` (`imports.validate`, `imports.write`). The uploaded file waits in
the database (`PendingImport`) between the preview and the confirmation, which plans it again: if the plan is not
the one the preview showed (someone changed a centre meanwhile), nothing is written and the new preview is shown.
"""

import datetime
import uuid

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centres import imports
from centres.import_plan import ImportPlan
from centres.models import PendingImport
from centres.spreadsheets import too_large

KEPT_FOR = datetime.timedelta(days=1)


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (CSV or XLSX)"))
    sheet = forms.CharField(
        label=gettext_lazy("Sheet"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("For a workbook with several sheets; the first one when left empty."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(too_large(upload.size))
        return upload


def import_view(modeladmin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("centres.import_centres"):
        raise PermissionDenied
    PendingImport.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()
    if request.method == "POST" and "pending" in request.POST:
        return _confirm(modeladmin, request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        PendingImport.objects.filter(user=request.user).delete()  # one preview at a time: the newest file
        upload = form.cleaned_data["file"]
        pending = PendingImport.objects.create(
            user=request.user,
            filename=upload.name[:255],
            sheet=form.cleaned_data["sheet"],
            data=b"".join(upload.chunks()),
        )
        return _preview(modeladmin, request, pending, _plan(pending, ()))
    return _page(modeladmin, request, {"form": form})


def _confirm(modeladmin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    pending = get_object_or_404(PendingImport, pk=_uuid(request.POST["pending"]), user=request.user)
    overwrite = [int(row) for row in request.POST.getlist("overwrite") if row.isascii() and row.isdigit()]
    plan = _plan(pending, overwrite)
    if imports.fingerprint(plan) != request.POST.get("fingerprint"):
        messages.error(
            request,
            _(
                "The directory changed since the preview was made, so nothing was written. Here is the file against "
                "the directory as it is now: check it, then confirm again."
            ),
        )
        return _preview(modeladmin, request, pending, plan)
    if not plan.writable:
        if plan.conflicts:
            messages.error(request, _("Tick each row to overwrite, or correct the file and upload it again."))
        return _preview(modeladmin, request, pending, plan)
    try:
        imports.write(plan, user=request.user)
    except imports.ImportConflict as error:
        messages.error(request, str(error))
        return _preview(modeladmin, request, pending, _plan(pending, overwrite))
    pending.delete()
    messages.success(request, _("%(file)s imported: %(summary)s") % {"file": plan.filename, "summary": plan.summary()})
    return HttpResponseRedirect(reverse("admin:centres_centre_changelist"))


def _plan(pending: PendingImport, overwrite) -> ImportPlan:
    data = bytes(pending.data)
    return imports.validate(data, filename=pending.filename, sheet=pending.sheet or None, overwrite=overwrite)


def _preview(modeladmin: admin.ModelAdmin, request: HttpRequest, pending: PendingImport, plan: ImportPlan):
    context = {
        "form": ImportForm(),
        "pending": pending,
        "plan": plan,
        "fingerprint": imports.fingerprint(plan),
        "errors_by_row": _errors_by_row(plan),
        "writing": [item for item in plan.centres if item.changed],
        "operators": [item for item in plan.operators if item.changed],
        "conflicted_rows": {conflict.row for conflict in plan.conflicts},
    }
    return _page(modeladmin, request, context)


def _errors_by_row(plan: ImportPlan) -> list[tuple[int | None, list]]:
    rows: dict[int | None, list] = {}
    for error in plan.errors:
        rows.setdefault(error.row, []).append(error)
    return sorted(rows.items(), key=lambda pair: (pair[0] is not None, pair[0] or 0))


def _page(modeladmin: admin.ModelAdmin, request: HttpRequest, context: dict) -> TemplateResponse:
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Import centres from a file"),
        "opts": modeladmin.model._meta,
        "changelist_url": reverse("admin:centres_centre_changelist"),
        **context,
    }
    return TemplateResponse(request, "admin/centres/centre/import.html", context)


def _uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise PermissionDenied from None
