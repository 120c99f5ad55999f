"""The staff page: a centre's own staff set tonight's places free from a phone, in two taps after logging in.

Each centre the login works for (`StaffAssignment`) has its figure with big − and + buttons and "Save". A save
carries the version the page showed: if anyone changed the centre meanwhile, nothing is written and the page shows
the current figure. The model stamps the figure's time itself (`Centre.save`).
"""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from centres.access import UPDATE_OWN_CENTRES, permission_required, staffed_centre_ids
from centres.models import Centre
from centres.public.presentation import just_now
from centres.versioning import ConcurrentEditError

CHANGE_REASON = gettext_lazy("Places free updated on the staff page")


class PlacesFreeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    beds_free = forms.IntegerField(label=gettext_lazy("Places free tonight"), min_value=0, max_value=10_000)


def staff_home(user) -> str | None:
    """Where a centre-staff login lands after logging in: its page, if it works for any centre."""
    return reverse("centres:staff") if staffed_centre_ids(user) else None


@never_cache
@require_http_methods(["GET", "POST"])
@permission_required(UPDATE_OWN_CENTRES)
def places_tonight(request: HttpRequest) -> HttpResponse:
    ids = staffed_centre_ids(request.user)
    if request.method == "POST":
        return _save(request, ids)
    return render(request, "staff/places.html", {"centres": [(centre, _form(centre)) for centre in _own(ids)]})


def _own(ids: set):
    """The login's centres, as the page lists them."""
    return Centre.objects.filter(pk__in=ids).select_related("city").order_by("name")


def _form(centre: Centre, data=None) -> PlacesFreeForm:
    centre.figure_just_now = just_now(centre.beds_free_updated_at)
    initial = {"version": centre.version, "beds_free": centre.beds_free or 0}
    return PlacesFreeForm(data, initial=initial, prefix=str(centre.pk))


def _save(request: HttpRequest, ids: set) -> HttpResponse:
    centre_id = request.POST.get("centre", "")
    try:
        centre = Centre.objects.get(pk__in=ids, pk=forms.UUIDField().clean(centre_id))
    except (forms.ValidationError, Centre.DoesNotExist):
        raise Http404 from None  # another centre, or none: the same answer, so nothing is learnt of others
    form = _form(centre, request.POST)
    if not form.is_valid():
        return _again(request, centre, form)
    figure = form.cleaned_data["beds_free"]
    if centre.beds is not None and figure > centre.beds:
        form.add_error(
            "beds_free",
            _("%(centre)s has %(beds)d beds: places free cannot be more.")
            % {"centre": centre.name, "beds": centre.beds},
        )
        return _again(request, centre, form)
    if form.cleaned_data["version"] != centre.version:
        return _changed_meanwhile(request, centre)
    centre.beds_free = figure
    centre._change_reason = str(CHANGE_REASON)
    try:
        centre.save()
    except ConcurrentEditError:
        return _changed_meanwhile(request, centre)
    saved_at = time_format(timezone.localtime(centre.beds_free_updated_at))
    messages.success(
        request,
        _("Saved: %(count)d places free at %(centre)s, at %(time)s.")
        % {"count": figure, "centre": centre.name, "time": saved_at},
    )
    return HttpResponseRedirect(reverse("centres:staff"))


def _again(request: HttpRequest, centre: Centre, form: PlacesFreeForm) -> HttpResponse:
    pairs = [
        (other, form if other.pk == centre.pk else _form(other)) for other in _own(staffed_centre_ids(request.user))
    ]
    return render(request, "staff/places.html", {"centres": pairs}, status=400)


def _changed_meanwhile(request: HttpRequest, centre: Centre) -> HttpResponse:
    messages.error(
        request,
        _(
            "%(centre)s was changed by someone else since this page was opened, so your figure was not saved. "
            "The page now shows the current figure: check it and save again."
        )
        % {"centre": centre.name},
    )
    return HttpResponseRedirect(reverse("centres:staff"))
