"""Error reports that leave out what a visitor searched for and where she is (DESIGN.md section 6).

Django's reports include the GET parameters, the query string, the client's address and, in the traceback's local
variables, the request with its full path. A survivor's search ("near=…", "q=…") and address must not reach a
report, a log or an e-mail; the path alone is kept.
"""

from django.http import HttpRequest, QueryDict
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

REMOVED = "[removed]"
PRIVATE_META = {"QUERY_STRING", "REMOTE_ADDR", "REMOTE_HOST", "HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_REFERER"}
PRIVATE_META |= {"REQUEST_URI", "RAW_URI", "HTTP_COOKIE"}


class PrivateExceptionReporterFilter(SafeExceptionReporterFilter):
    def get_safe_request_meta(self, request: HttpRequest) -> dict:
        meta = super().get_safe_request_meta(request)
        return {key: REMOVED if key in PRIVATE_META else value for key, value in meta.items()}

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, _private(value)) for name, value in super().get_traceback_frame_variables(request, tb_frame)]


def _private(value):
    if isinstance(value, HttpRequest):
        return f"<{type(value).__name__}: {value.method} {value.path}>"
    if isinstance(value, QueryDict):
        return REMOVED
    return value


class PrivateExceptionReporter(ExceptionReporter):
    def get_traceback_data(self) -> dict:
        data = super().get_traceback_data()
        if self.request is not None:
            data["request_GET_items"] = []
            data["request_insecure_uri"] = self.request.path
            data["request"] = _private(self.request)
        return data
