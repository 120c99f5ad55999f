"""Report a correction: anyone on a centre's public page can tell us that something on it is wrong (issue 12).

Sending one must leave no more trace than reading the page: the form sets no cookie and needs no account. Django's
CSRF protection works with a cookie, so the view is exempt from it and the form carries a token of its own instead:
the centre's id with the time, signed with the site's key (django.core.signing, a salt of its own), good for
`TOKEN_MAX_AGE`. Nobody is logged in, so there is no session for another site to ride on; what the token stops is
a script that posts without opening the form, or posts one form for every centre. An expired or forged token is
answered with the form again, what was typed kept and a fresh token, and nothing stored.

A bot that fills the field people never see (the honeypot) is thanked like anyone else, so it learns nothing, and
nothing is stored; each client may send a few an hour (settings.RATE_LIMITS["correction"]). What is sent is queued
for the editors (`Correction`, admin_corrections.py) and changes nothing public. The answer to a form sent is a
redirect to a thank-you page (POST/redirect/GET) that needs no cookie either: Django's messages would keep one.

What was typed stays out of error reports (`sensitive_post_parameters`, which errors.py honours in every frame too)
and out of the request log, which keeps paths only.
"""

import datetime
from urllib.parse import urlsplit

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from centres.caching import anonymous_page
from centres.limits import limited, period_seconds
from centres.models import Centre, Correction
from centres.public.views import public_page
from centres.vocabularies import CorrectionTopic

SIGNING_SALT = "centres.public.corrections.form"
TOKEN_MAX_AGE = datetime.timedelta(hours=2)
HONEYPOT = "website"  # a name bots fill in and browsers' autofill leaves alone
TYPED = ("correct_value", "contact", HONEYPOT)  # free text: kept out of error reports

EXPIRED = _(
    "This form was open too long or could not be checked, so nothing was sent. What you typed is still below: "
    "please send it again."
)


TOO_MANY = _(
    "Several corrections were sent from this connection lately, so this one was not sent. What you typed is still "
    "below: please send it again in %(minutes)d minutes. If you need help now, call one of the hotlines at the top "
    "of this page."
)


def issue_token(centre: Centre) -> str:
    return signing.dumps(str(centre.pk), salt=SIGNING_SALT)


def token_is_valid(token: str, centre: Centre) -> bool:
    """Issued by us for this centre no longer than `TOKEN_MAX_AGE` ago."""
    try:
        return signing.loads(token, salt=SIGNING_SALT, max_age=TOKEN_MAX_AGE) == str(centre.pk)
    except signing.BadSignature:  # SignatureExpired is one too
        return False


class CorrectionForm(forms.ModelForm):
    """What is wrong, what is correct, and a contact if she wants one. The token is read from the data sent and
    never rendered from it: the page always carries a fresh one (`fresh_token`)."""

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    class Meta:
        model = Correction
        fields = ["what", "correct_value", "contact"]
        labels = {
            "what": _("What is wrong?"),
            "correct_value": _("What is correct?"),
            "contact": _("Your phone or e-mail (optional)"),
        }
        help_texts = {
            "correct_value": _("For example the right phone number, or where the centre moved to."),
            "contact": _("Only if you want us to ask you about it. Only the directory's editors see it."),
        }
        error_messages = {
            "what": {"required": _("Choose what is wrong.")},
            "correct_value": {"required": _("Write what is correct.")},
        }
        widgets = {
            "what": forms.RadioSelect,
            "correct_value": forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
            "contact": forms.TextInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args, centre: Centre, **kwargs):
        super().__init__(*args, instance=Correction(centre=centre), **kwargs)
        # Radios need no empty "---------" choice; as a list of answers, each starts with a capital.
        self.fields["what"].choices = [(code, capfirst(label)) for code, label in CorrectionTopic.choices]
        self.fresh_token = issue_token(centre)

    def is_bot(self) -> bool:
        """Whether the honeypot was filled in: nobody who sees the page as people do can reach it."""
        return bool(self.data.get(HONEYPOT, "").strip())

    def clean(self) -> dict:
        cleaned = super().clean()
        if not token_is_valid(self.data.get("token", ""), self.instance.centre):
            raise ValidationError(EXPIRED, code="expired")
        return cleaned


def reportable_centre(slug: str) -> Centre:
    """A centre the public may see (published, active or temporarily closed), with what these pages show of it;
    any other slug is not found, as on the centre's own page."""
    return get_object_or_404(Centre.objects.public().only("id", "slug", "name", "country"), slug=slug)


@csrf_exempt  # no CSRF cookie: the form's own signed token stands in for it (see above)
@sensitive_post_parameters(*TYPED)
@require_http_methods(["GET", "HEAD", "POST"])
def correction_form(request: HttpRequest, slug: str) -> HttpResponse:
    centre = reportable_centre(slug)
    if request.method != "POST":
        return _form_page(request, centre, CorrectionForm(centre=centre))
    form = CorrectionForm(request.POST, centre=centre)
    if form.is_bot():
        return _thanked(centre)
    if _sent_from_another_site(request):
        # Another site's page making its visitors' browsers post here, each from its own address: refused, with the
        # form shown again as for a token that cannot be checked.
        form.add_error(None, EXPIRED)
        return _form_page(request, centre, form, status=403)
    if not form.is_valid():
        return _form_page(request, centre, form, status=400)
    # Only a suggestion that would be stored counts against the limit; over it, the form comes back with what
    # was typed, saying when to try again.
    if limited(request, "correction"):
        form.add_error(None, TOO_MANY % {"minutes": period_seconds("correction") // 60})
        response = _form_page(request, centre, form, status=429)
        response["Retry-After"] = str(period_seconds("correction"))
        return response
    form.save()
    return _thanked(centre)


@require_safe
@anonymous_page
def correction_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    centre = reportable_centre(slug)
    return public_page(request, "centres/correction_thanks.html", _about(centre), country=centre.country)


def _sent_from_another_site(request: HttpRequest) -> bool:
    """What the browser says of where the form was sent from: another site (`Sec-Fetch-Site`), or an `Origin`
    whose host is not this one. A browser that says nothing is not refused: the token still has to hold."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return True
    origin = request.headers.get("Origin")
    return bool(origin) and origin != "null" and urlsplit(origin).netloc != request.get_host()


def _about(centre: Centre) -> dict:
    """What both pages say of the centre: its name, and the way back to its page."""
    return {"centre_name": centre.name, "centre_url": reverse("centres:centre_detail", args=[centre.slug])}


def _form_page(request: HttpRequest, centre: Centre, form: CorrectionForm, *, status: int = 200) -> HttpResponse:
    context = {**_about(centre), "form": form, "form_url": reverse("centres:correction", args=[centre.slug])}
    response = public_page(request, "centres/correction_form.html", context, country=centre.country)
    response.status_code = status
    return response


def _thanked(centre: Centre) -> HttpResponse:
    return HttpResponseRedirect(reverse("centres:correction_thanks", args=[centre.slug]))
