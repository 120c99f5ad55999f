"""The second factor (TOTP, django-otp): required of every editor, superuser and centre-staff login — advocates too
when `SECOND_FACTOR_FOR_ADVOCATES` is on — before any page beyond the public ones opens.

After the password, `SecondFactorMiddleware` sends such a login to `/<lang>/second-factor/`: a code from the
authenticator app, or one of ten backup codes (each works once). A login without an app yet enrols there first:
the QR code is drawn on our server (segno, as an inline SVG; no request leaves for another site), confirmed with
a first code, and the backup codes are shown once. `manage.py reset_second_factor NAME` removes a login's app and
codes, for someone who lost their phone.
"""

import base64
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from centres.access import UPDATE_OWN_CENTRES, VIEW_AT_RISK
from centres.limits import is_post, rate_limited
from centres.signed_in import may_be_signed_in
from centres.staff import staff_home

BACKUP_CODES = 10
PENDING_SESSION_KEY = "centres_second_factor_pending"
# What a login that still owes its second factor may open: these pages, logging out, and the quick exit.
OPEN_BEFORE_SECOND_FACTOR = {"centres:second_factor", "centres:second_factor_enrol", "centres:logout", "admin:logout"}


def must_verify(user) -> bool:
    """Whether this login needs a second factor: anyone in the editor area (editors, centre staff, superusers),
    and advocates when the setting says so."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_staff or user.is_superuser or user.has_perm(UPDATE_OWN_CENTRES):
        return True
    return settings.SECOND_FACTOR_FOR_ADVOCATES and user.has_perm(VIEW_AT_RISK)


class SecondFactorMiddleware:
    """Sends a login that owes its second factor to the second-factor page, from every page but those above and
    the public quick exit. Runs after django-otp's middleware, which tells whether the session is verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if not may_be_signed_in(request):
            return None
        user = request.user
        if not must_verify(user) or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and (match.view_name in OPEN_BEFORE_SECOND_FACTOR or match.url_name == "quick_exit"):
            return None
        target = reverse("centres:second_factor")
        if request.method == "GET":
            target += "?" + _next_query(request.get_full_path())
        return HttpResponseRedirect(target)


def code_page(view):
    """What both second-factor pages are: never cached, for a logged-in login, GET or POST, and the codes sent
    counted against the login rate limit."""
    view = rate_limited("login", applies=is_post)(view)
    return never_cache(login_required(require_http_methods(["GET", "POST"])(view)))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text=gettext_lazy("The six digits your authenticator app shows now, or one of your backup codes."),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split())


@code_page
def verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return HttpResponseRedirect(reverse("centres:second_factor_enrol") + "?" + _next_query(_next(request)))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    _("You used a backup code; %(left)d are left. Each works once.") % {"left": left},
                )
            return HttpResponseRedirect(_next(request))
        form.add_error(
            "code",
            _(
                "That code is not right, or it has expired. Enter the code your app shows now (it changes every "
                "30 seconds). After several wrong codes, wait a little before the next try."
            ),
        )
    return render(request, "registration/second_factor.html", {"form": form, "next": _next(request)})


@code_page
def enrol(request: HttpRequest) -> HttpResponse:
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        # Already enrolled: a stolen password must not be enough to enrol another phone.
        return HttpResponseRedirect(reverse("centres:second_factor") + "?" + _next_query(_next(request)))
    device = _pending_device(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save()
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            request.session.pop(PENDING_SESSION_KEY, None)
            codes = _new_backup_codes(user)
            otp_login(request, device)
            return render(request, "registration/backup_codes.html", {"codes": codes, "next": _next(request)})
        form.add_error("code", _("That code is not right. Scan the QR code again, then enter the code it shows now."))
    context = {
        "form": form,
        "next": _next(request),
        "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2),
        "secret": base64.b32encode(device.bin_key).decode(),
    }
    return render(request, "registration/second_factor_enrol.html", context)


def _pending_device(request: HttpRequest) -> TOTPDevice:
    """The app being enrolled in this session, with a key of its own: a key shown in another session (someone else
    who knows the password, say) is dropped, so it can never become a second copy of this login's factor."""
    pending = request.session.get(PENDING_SESSION_KEY)
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False, pk=pending).first() if pending else None
    if device is None:
        TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=request.user, confirmed=False, name=_("Authenticator app"))
        request.session[PENDING_SESSION_KEY] = device.pk
    return device


def reset(user) -> int:
    """Remove a login's authenticator app and backup codes; it enrols again at its next login."""
    removed, _by_model = TOTPDevice.objects.filter(user=user).delete()
    removed_static, _by_model = StaticDevice.objects.filter(user=user).delete()
    return removed + removed_static


def _new_backup_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("Backup codes"), confirmed=True)
    codes = [StaticToken.random_token() for _n in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _next(request: HttpRequest) -> str:
    """Where to go once verified: the page asked for, if it is ours, else the login's own start page."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, require_https=request.is_secure()):
        return wanted
    if request.user.is_staff:
        return staff_home(request.user) or reverse("admin:index")
    return reverse("centres:home")


def _next_query(path: str) -> str:
    return urlencode({"next": path})
