"""Headers that differ between the public site and the pages where logged-in people post forms."""

from django.http import HttpRequest, HttpResponse


class SignedInAreaHeadersMiddleware:
    """Relaxes two public-site headers on the admin and login pages only.

    - With `Referrer-Policy: no-referrer` a browser sends `Origin: null` with a form post, which Django's CSRF check
      rightly refuses; the editor area needs `same-origin`.
    - The Django admin's own templates set a few inline styles; its pages are for logged-in editors only, so they
      may have them. Scripts stay restricted to our own files everywhere.

    Listed after CSPMiddleware so that its response hook runs first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        if match is None:
            return response
        if "admin" in match.namespaces or match.view_name == "centres:login":
            response.headers["Referrer-Policy"] = "same-origin"
        if "admin" in match.namespaces:
            response._csp_update = {"style-src": ["'unsafe-inline'"]}
        return response
