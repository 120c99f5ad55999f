"""Middleware that only the requests of people signed in (or signing in) need, left out of an anonymous visitor's.

A survivor reading the public pages carries no session cookie and sends no form; her request can be nobody's who is
signed in. For it, django-otp's verification state, the messages shown after an action and the edit history's
request context are work for nothing — together about a third of the time of a page served from the cache. Every
other request (a session cookie, or a form sent: a login, a second-factor code, an edit) gets them all, unchanged.
The login lockout (django-axes) and the CSRF check always run.
"""

from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.http import HttpRequest, HttpResponse
from django_otp.middleware import OTPMiddleware
from simple_history.middleware import HistoryRequestMiddleware

READING = ("GET", "HEAD")


def may_be_signed_in(request: HttpRequest) -> bool:
    """Whether `request` can come from someone signed in or signing in: it carries a session cookie, or it is not a
    plain read (GET or HEAD). Without a session nobody is signed in."""
    return request.method not in READING or settings.SESSION_COOKIE_NAME in request.COOKIES


class SecondFactorStateMiddleware(OTPMiddleware):
    """django-otp's (`request.user.is_verified()`, the device used), for requests that may be signed in."""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if may_be_signed_in(request):
            return super().__call__(request)
        return self.get_response(request)


class SignedInMessageMiddleware(MessageMiddleware):
    """Django's messages ("saved", "logged out"), for requests that may be signed in; an anonymous page shows none."""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if may_be_signed_in(request):
            return super().__call__(request)
        return self.get_response(request)


class EditHistoryMiddleware:
    """django-simple-history's request context (who made an edit), for requests that may be signed in."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.with_history = HistoryRequestMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if may_be_signed_in(request):
            return self.with_history(request)
        return self.get_response(request)
