"""Rate limits: searches, near me, exports, logins and corrections sent, per client (its hashed address), shared
by every worker.

Over the limit, the answer is 429 with a page in the visitor's language that still lists the hotlines: whoever is
slowed down may be someone who needs help now.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django_ratelimit.core import is_ratelimited

from centres.clients import rate_limit_key


def limited(request: HttpRequest, kind: str) -> bool:
    """Count this request against the client's `kind` limit (settings.RATE_LIMITS); True when it is over."""
    return is_ratelimited(
        request, group=f"centres.{kind}", key=rate_limit_key, rate=settings.RATE_LIMITS[kind], increment=True
    )


def period_seconds(kind: str) -> int:
    """How long the `kind` limit counts over (settings.RATE_LIMITS: "60/m" a minute, "5/h" an hour): what an
    answer over it says to wait."""
    _count, _slash, period = settings.RATE_LIMITS[kind].partition("/")
    number, unit = period[:-1] or "1", period[-1]
    return int(number) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]


def is_search(request: HttpRequest) -> bool:
    """A list request that searches or filters (any parameter but the page), as opposed to the plain list any
    visitor opens, which the page cache serves."""
    return any(any(values) for name, values in request.GET.lists() if name != "page")


def is_post(request: HttpRequest) -> bool:
    """A form sent (a password or a code tried), as opposed to the form opened."""
    return request.method == "POST"


def rate_limited(kind: str, *, applies: Callable[[HttpRequest], bool] | None = None):
    """Answer 429 once the client is over its `kind` limit; `applies(request)` says which requests count."""

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if (applies is None or applies(request)) and limited(request, kind):
                return too_many_requests(request, kind)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def too_many_requests(request: HttpRequest, kind: str) -> HttpResponse:
    from centres.public.views import public_page  # the public pages import this module

    # The page links to itself in each language: without what was asked (a position, a search), which this answer
    # does not carry further.
    request.GET = QueryDict()
    request.META["QUERY_STRING"] = ""
    response = public_page(request, "429.html", {})
    response.status_code = 429
    response["Retry-After"] = str(period_seconds(kind))
    return response
