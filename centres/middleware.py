"""Response headers that keep visitors safe, and the few that differ where logged-in people work."""

from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponse

from centres.signed_in import may_be_signed_in


class BrowserPolicyMiddleware:
    """What the browser may do for a page, on every response — static files too (listed before WhiteNoise):

    - `Permissions-Policy`: every powerful feature off, and geolocation allowed to our own origin only on the pages
      whose "Use my location" button asks for it (nothing is ever asked without a click);
    - `Cross-Origin-Resource-Policy: same-origin`: no other site may embed our pages, images or scripts; only the
      open-data API (/api/), which any site may read, says `cross-origin`.
    (`Cross-Origin-Opener-Policy: same-origin` comes from Django's SecurityMiddleware.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        asks = match is not None and match.view_name in ASKS_FOR_LOCATION
        response.headers["Permissions-Policy"] = ", ".join(
            [f"geolocation={'(self)' if asks else '()'}", *(f"{feature}=()" for feature in FEATURES_OFF)]
        )
        open_data = match is not None and "api" in match.namespaces
        response.headers["Cross-Origin-Resource-Policy"] = "cross-origin" if open_data else "same-origin"
        return response


# The pages with the "Use my location" button (templates/includes/_search_box.html, _locate.html).
ASKS_FOR_LOCATION = {"centres:home", "centres:centre_list"}
FEATURES_OFF = (
    "accelerometer",
    "autoplay",
    "browsing-topics",
    "camera",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "gyroscope",
    "hid",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "picture-in-picture",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "sync-xhr",
    "usb",
    "xr-spatial-tracking",
)


class ContentSecurityPolicyMiddleware:
    """The `Content-Security-Policy` header of settings.CONTENT_SECURITY_POLICY (django-csp's format), on every
    response that has none, with a response's `_csp_update` (the admin's, below) added to it.

    django-csp's own middleware builds the policy anew for every response, a fifth of the time of a page served from
    the cache. Ours are fixed — one for the public pages, one for the admin — so each is built once. There is no
    nonce: every script and style is one of our own files, and no page asks for `request.csp_nonce`. Django's debug
    pages (404 and 500 with DEBUG on) are left without the header, as django-csp leaves them, for their inline styles.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.built: dict[tuple, str] = {}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" in response or (settings.DEBUG and response.status_code in (404, 500)):
            return response
        update = getattr(response, "_csp_update", None)
        key = (id(settings.CONTENT_SECURITY_POLICY), repr(sorted(update.items())) if update else "")
        policy = self.built.get(key)
        if policy is None:
            policy = self.built[key] = build_policy(update=update)
        response.headers["Content-Security-Policy"] = policy
        return response


class SignedInAreaHeadersMiddleware:
    """Relaxes two public-site headers on the admin and login pages only.

    - With `Referrer-Policy: no-referrer` a browser sends `Origin: null` with a form post, which Django's CSRF check
      rightly refuses; the login page, the editor area and every page a logged-in person sees (they carry the
      logout form) need `same-origin`. Anonymous visitors of public pages keep `no-referrer`.
    - The Django admin's own templates set a few inline styles; its pages are for logged-in editors only, so they
      may have them. Scripts stay restricted to our own files everywhere.

    Listed after ContentSecurityPolicyMiddleware so that its response hook runs first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        if match is None:
            return response
        signed_in = may_be_signed_in(request) and request.user.is_authenticated
        if signed_in or "admin" in match.namespaces or match.view_name == "centres:login":
            response.headers["Referrer-Policy"] = "same-origin"
        if "admin" in match.namespaces:
            response._csp_update = {"style-src": ["'unsafe-inline'"]}
        return response


class PublicPrivacyMiddleware:
    """The survivor-safety guarantees of DESIGN.md section 6 that hold for every response.

    - Nothing is cached: `Cache-Control: no-store` on every page (a shared or stolen phone keeps no copy).
    - Anonymous visitors get no cookie on any response, 404s and quick exit included. Only the login pages, which
      need a CSRF cookie to post the form, may set one.
    (Requests are logged by path only, by centres.logs.RequestLogMiddleware.)

    Listed first among our middleware so that it sees every response last.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not getattr(response, "streaming", False) or "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        user = getattr(request, "user", None)
        if response.cookies and not (user is not None and user.is_authenticated) and not _may_set_cookies(request):
            response.cookies.clear()
        return response


def _may_set_cookies(request: HttpRequest) -> bool:
    match = request.resolver_match
    return match is not None and ("admin" in match.namespaces or match.view_name in COOKIE_VIEWS)


COOKIE_VIEWS = {"centres:login", "centres:logout"}
