"""One log line for each request: its method, its path without the query string (which holds what someone searched
for and where she stands), its status, how long the app took and a request id — never the client's address, a query
string, a form value, a cookie, the referrer or the browser. How lines look, and what no line may say, is
directory/log_format.py's (`LOG_FORMAT=plain` or `json`).

The request id is the proxy's `X-Request-ID` when it sends a well-formed one (deploy/nginx/ sends nginx's
`$request_id`, so the proxy's line and ours can be matched), a new one otherwise; every other line logged for the
request carries it too, and the response says it back in `X-Request-ID`.
"""

import logging
import re
import time
import uuid

from django.http import HttpRequest, HttpResponse

from centres.health import PATH as HEALTH_PATH
from directory.log_format import UNMATCHED, printable, request_id

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is taken only when it looks like one: letters, digits and dashes, at most 64 (nginx's is 32 hex).
WELL_FORMED_ID = re.compile(r"[A-Za-z0-9-]{8,64}")

request_log = logging.getLogger("centres.requests")


class RequestLogMiddleware:
    """One log line for each request, when its response is ready (first in MIDDLEWARE, so static files, redirects
    and refusals are logged too). `/healthz`, asked every second by a load balancer, leaves none.

    The duration is the app's: until the response is returned, not until a streamed one is sent.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        request.request_id = _request_id(request)  # for the lines Django writes once the response is done
        token = request_id.set(request.request_id)
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request.request_id
            if request.path != HEALTH_PATH:
                duration = round((time.monotonic() - started) * 1000)
                path = logged_path(request, response)
                request_log.info(
                    "%s %s %s %d ms",
                    request.method,
                    path,
                    response.status_code,
                    duration,
                    extra={
                        "method": request.method,
                        "path": path,
                        "status": response.status_code,
                        "duration_ms": duration,
                    },
                )
            return response
        finally:
            request_id.reset(token)


def logged_path(request: HttpRequest, response: HttpResponse) -> str:
    """The path as a log may say it: a page's, with any control character escaped; `UNMATCHED` for a path that
    matches no page (free text: whatever was typed after the address)."""
    if response.status_code == 404 and getattr(request, "resolver_match", None) is None:
        return UNMATCHED
    return printable(request.path)


def _request_id(request: HttpRequest) -> str:
    sent = request.headers.get(REQUEST_ID_HEADER, "")
    return sent if WELL_FORMED_ID.fullmatch(sent) else uuid.uuid4().hex
