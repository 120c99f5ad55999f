"""How a log line looks (`LOG_FORMAT=plain` or `json`), and what no line may say — for the app's logging and for
gunicorn's error log alike.

This module imports nothing of Django's: gunicorn's master process loads it (directory/gunicorn_logging.py), and a
master that had imported Django would hand its modules, old ones after an upgrade, to every worker a reload starts.
What a request's own line holds is written by `centres.logs.RequestLogMiddleware`.

No line says what a visitor sent beyond the path of a page that exists:

- JSON lines hold only the fields named here: a JSON formatter would otherwise write every attribute a library puts
  on a record, and Django puts the whole request on its own ("Not Found: …" carries `request`, whose text is the
  full URL with its query string).
- A path that matches no page is free text — whatever someone typed after the address, `%3F` and all — and is
  never written: the request's line and Django's "Not Found" say `UNMATCHED` instead.
- Django's CSRF refusals name the referring page in full ("Referer checking failed - https://…?q=… does not
  match"): only its site is kept.
- Control characters in a path are written escaped, so that a path cannot start a forged line of its own.
- Django's refusals of an unknown Host are not logged (`settings.LOGGING`): the request's own line says 400.
"""

import contextvars
import logging
import re
from datetime import UTC, datetime

from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

FORMATS = ("plain", "json")
# The fields a request's own line adds to the common ones.
REQUEST_FIELDS = ("method", "path", "status", "duration_ms")
UNMATCHED = "(a path that matches no page)"

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# An address in a message, up to its path: what is kept of it is its site.
_ADDRESS = re.compile(r"\b([a-z][a-z0-9+.-]*://[^/\s?#'\"]*)[^\s'\"]*", re.IGNORECASE)


def printable(text: str) -> str:
    """`text` with its control characters written as `\\xNN`."""
    return _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


class PrivateRecords(logging.Filter):
    """Puts the request id on every record (the request's own, from the record's request when Django logs after the
    request is done), and takes out of Django's messages what the module's docstring says no line may say. A record
    that several handlers pass is changed once."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "private", False):
            return True
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", None) or request_id.get()
        if record.name == "django.request" and request is not None and _unmatched(request, record):
            record.msg, record.args = f"{_reason(record)}: {UNMATCHED}", ()
        elif record.name == "django.security.csrf":
            record.msg, record.args = _ADDRESS.sub(r"\1", record.getMessage()), ()
        record.private = True
        return True


def _unmatched(request, record: logging.LogRecord) -> bool:
    return getattr(record, "status_code", None) == 404 and getattr(request, "resolver_match", None) is None


def _reason(record: logging.LogRecord) -> str:
    """Django's reason ("Not Found"), from its "Not Found: %s" or its ("%s: %s", "Not Found", path)."""
    if record.msg == "%s: %s" and isinstance(record.args, tuple) and record.args:
        return str(record.args[0])
    return str(record.msg).split(":", 1)[0]


class PlainFormatter(logging.Formatter):
    """`LEVEL [request id] logger: message`, and the traceback of an exception. No timestamp: journald and every
    log shipper add their own."""

    def __init__(self):
        super().__init__("%(levelname)s [%(request_id)s] %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):  # a record from a handler without the filter (gunicorn's)
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
