"""What the directory logs, and how a line looks: `LOG_FORMAT=plain` (the default) or `json`, one object a line.

Every request is logged once, by `RequestLogMiddleware`: its method, its path without the query string (which holds
what someone searched for and where she stands), its status, how long the app took and a request id — never the
client's address, a query string, a form value, a cookie, the referrer or the browser. The request id is the proxy's
`X-Request-ID` when it sends a well-formed one (deploy/nginx/ sends nginx's `$request_id`, so the proxy's line and
ours can be matched), a new one otherwise; every other line logged while the request runs carries it too.

Both formats write only the fields named here. That matters for JSON: a JSON formatter would otherwise write every
attribute a library puts on a record, and Django puts the whole request on its own ("Not Found: …" carries
`request`, whose text is the full URL with its query string).
"""

import contextvars
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

from centres.health import PATH as HEALTH_PATH

FORMATS = ("plain", "json")
REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is taken only when it looks like one: letters, digits and dashes, at most 64 (nginx's is 32 hex).
WELL_FORMED_ID = re.compile(r"[A-Za-z0-9-]{8,64}")
# The fields a request's own line adds to the common ones.
REQUEST_FIELDS = ("method", "path", "status", "duration_ms")

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
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
        token = request_id.set(_request_id(request))
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id.get()
            if request.path != HEALTH_PATH:
                duration = round((time.monotonic() - started) * 1000)
                request_log.info(
                    "%s %s %s %d ms",
                    request.method,
                    request.path,
                    response.status_code,
                    duration,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": duration,
                    },
                )
            return response
        finally:
            request_id.reset(token)


def _request_id(request: HttpRequest) -> str:
    sent = request.headers.get(REQUEST_ID_HEADER, "")
    return sent if WELL_FORMED_ID.fullmatch(sent) else uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts the request id (or "-" outside a request) on every record, for both formats."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class PlainFormatter(logging.Formatter):
    """`LEVEL [request id] logger: message`, and the traceback of an exception. No timestamp: journald and every
    log shipper add their own."""

    def __init__(self):
        super().__init__("%(levelname)s [%(request_id)s] %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):  # a record from a handler without the filter
            record.request_id = request_id.get()
        return super().format(record)


class JsonFormatter(BaseJsonFormatter):
    """One JSON object a line: time (UTC), level, logger, message and request id, a request's own fields on its
    line, and an exception's traceback as `exc_info`. Nothing else a record carries is written."""

    def add_fields(self, log_data: dict, record: logging.LogRecord, message_dict: dict) -> None:
        log_data["time"] = datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        log_data["message"] = record.message
        log_data["request_id"] = getattr(record, "request_id", None) or request_id.get()
        for field in REQUEST_FIELDS:
            if hasattr(record, field):
                log_data[field] = getattr(record, field)
        for field in ("exc_info", "stack_info"):
            if message_dict.get(field):
                log_data[field] = message_dict[field]


def formatter(kind: str) -> logging.Formatter:
    """The formatter of `LOG_FORMAT` (for handlers set up outside Django's LOGGING, as gunicorn's)."""
    return JsonFormatter() if kind == "json" else PlainFormatter()
