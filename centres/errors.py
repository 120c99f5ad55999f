"""Error reports that leave out what a visitor searched for and where she is (DESIGN.md section 6).

Django's reports include the GET parameters, the query string, the client's address and, in the traceback's local
variables, the request with its full path. A survivor's search ("near=…", "q=…") and address must not reach a
report, a log or an e-mail; the path alone is kept. Nor may what she typed into a form: the fields a view marks
with `sensitive_post_parameters` are masked in the report's POST list (as Django does) and in every frame.
"""

import math
import re

from django.http import HttpRequest, QueryDict
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

REMOVED = "[removed]"
PRIVATE_META = {"QUERY_STRING", "REMOTE_ADDR", "REMOTE_HOST", "HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_REFERER"}
PRIVATE_META |= {"REQUEST_URI", "RAW_URI", "HTTP_COOKIE"}
TICKS = {"on", "true", "false", "yes", "no"}


class PrivateExceptionReporterFilter(SafeExceptionReporterFilter):
    def get_safe_request_meta(self, request: HttpRequest) -> dict:
        meta = super().get_safe_request_meta(request)
        return {key: REMOVED if key in PRIVATE_META else value for key, value in meta.items()}

    def get_traceback_frame_variables(self, request, tb_frame):
        typed = sent_values(request)
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [(name, _private(value, typed)) for name, value in variables]


def sent_values(request: HttpRequest | None) -> set[str]:
    """What the visitor sent in the query string, and in the form fields a view marked sensitive
    (`sensitive_post_parameters`: what a correction says, a password), folded: a local variable holding any of it
    (the place name she typed, a `Resolution` of it, the place found, the parameters of an INSERT) is left out of
    the report. Checkbox values say nothing."""
    if request is None:
        return set()
    values = {value.strip().casefold() for _key, values in request.GET.lists() for value in values}
    values |= {value.strip().casefold() for value in _sensitive_post_values(request)}
    # A number as Python writes it too: a position sent as "43.00" is held as 43.0 in an Origin.
    values |= {str(float(value)) for value in values if _is_number(value)}
    # Text as a variable's repr shows it (a textarea sends "\r\n", which repr escapes, as it escapes tabs, quotes
    # and backslashes), and each of its pieces between such characters: a variable holding any of it is left out.
    values |= {repr(value)[1:-1] for value in values} | {
        piece.strip() for value in values for piece in _ESCAPED_BY_REPR.split(value)
    }
    return {value for value in values if len(value) >= 2 and value not in TICKS}


_ESCAPED_BY_REPR = re.compile(r"[\x00-\x1f\x7f\\'\"]+")


def _sensitive_post_values(request: HttpRequest) -> list[str]:
    marked = getattr(request, "sensitive_post_parameters", None)
    if not marked or request.method != "POST":
        return []
    names = request.POST.keys() if marked == "__ALL__" else marked
    return [value for name in names for value in request.POST.getlist(name)]


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def mentions(value, typed: set[str]) -> bool:
    if not typed:
        return False
    try:
        text = value if isinstance(value, str) else repr(value)
    except Exception:  # a broken repr is Django's to report; it shows no value then
        return False
    text = text.casefold()
    return any(sent in text for sent in typed)


def _private(value, typed: set[str] = frozenset()):
    if isinstance(value, HttpRequest):
        return f"<{type(value).__name__}: {value.method} {value.path}>"
    if isinstance(value, QueryDict) or mentions(value, typed):
        return REMOVED
    return value


class PrivateExceptionReporter(ExceptionReporter):
    def get_traceback_data(self) -> dict:
        data = super().get_traceback_data()
        if self.request is not None:
            data["request_GET_items"] = []
            data["request_insecure_uri"] = self.request.path
            data["request"] = _private(self.request)
            if mentions(data.get("exception_value", ""), sent_values(self.request)):
                data["exception_value"] = REMOVED
        return data
