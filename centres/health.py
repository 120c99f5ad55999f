"""`/healthz`: whether this server can answer, for a load balancer that asks every second: its database and its
cache each asked once, 200 with a small JSON body when both answer, 503 naming what failed otherwise.

A few lines rather than django-health-check: a balancer reads a status and two words, and that library's checks
(storage, migrations, its own models and admin pages) would cost more per call than the call is worth. The answer
sets no cookie and opens no session; it is not rate limited (a balancer is one client asking often) and leaves no
request log line (PublicPrivacyMiddleware), so a second's polling never floods the logs. A failure is logged once
per call that fails, without the request.
"""

import logging

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

PATH = "/healthz"
PROBE_KEY = "centres:healthz"
log = logging.getLogger(__name__)


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    found = {"database": _database(), "cache": _cache()}
    failed = [name for name, state in found.items() if state != "ok"]
    status = 503 if failed else 200
    return JsonResponse({"status": "ok" if not failed else "failing", **found}, status=status)


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        log.warning("Health check: the database does not answer (%s)", type(error).__name__)
        return "failing"
    return "ok"


def _cache() -> str:
    try:
        cache.set(PROBE_KEY, 1, 10)
        answered = cache.get(PROBE_KEY) == 1
    except Exception as error:  # a cache server refusing raises its client's own errors
        log.warning("Health check: the cache does not answer (%s)", type(error).__name__)
        return "failing"
    return "ok" if answered else "failing"
