"""The middleware for signed-in people (signed_in.py): skipped for an anonymous visitor's reads, run for the rest."""

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from simple_history.models import HistoricalRecords

from centres.signed_in import (
    EditHistoryMiddleware,
    SecondFactorStateMiddleware,
    SignedInMessageMiddleware,
    may_be_signed_in,
)


def through_the_chain(request) -> dict:
    seen = {}

    def view(request):
        seen["verification"] = hasattr(request.user, "is_verified")
        seen["messages"] = hasattr(request, "_messages")
        seen["history"] = getattr(HistoricalRecords.context, "request", None) is request
        return HttpResponse()

    request.user = AnonymousUser()
    request.session = SessionStore()
    SecondFactorStateMiddleware(SignedInMessageMiddleware(EditHistoryMiddleware(view)))(request)
    return seen


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "cookie", "runs"),
    [("get", False, False), ("head", False, False), ("get", True, True), ("post", False, True), ("post", True, True)],
)
def test_only_an_anonymous_read_skips_them(rf, method, cookie, runs):
    request = getattr(rf, method)("/ru/")
    if cookie:
        request.COOKIES[settings.SESSION_COOKIE_NAME] = "anything"
    assert may_be_signed_in(request) is runs
    assert through_the_chain(request) == {"verification": runs, "messages": runs, "history": runs}


@pytest.mark.django_db
def test_a_public_page_read_anonymously_is_whole(client):
    response = client.get("/ru/safety/")
    assert response.status_code == 200 and not response.cookies
    assert "style-src 'self'" in response["Content-Security-Policy"]
