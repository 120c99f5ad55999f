"""Whole public pages that every anonymous visitor sees alike, kept for a minute.

Only pages whose address carries nothing of the visitor: the home, country, safety and centre pages, and the
list before any search (`?page=N` at most). A search (`q`, `near`, a position, filters) is never stored: it says
where someone is, or what she needs. The key holds the address, the language, today's date (the pages say what
is out of date) and `data_version()`, which every save of a centre, its phones, its licensing, an operator, a
country's rules or a hotline changes: with a shared cache (REDIS_URL) an edit shows on the next page load; with a
cache per server process, within a minute. The pages have a cache of their own (settings.CACHES["pages"]), so they
never push out the login lockout's counters.
"""

import hashlib
from collections.abc import Callable
from functools import wraps

from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from centres.models import CACHE_SECONDS, data_version, today
from centres.selectors import LAST_PAGE, page_number


def _cacheable(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is None or user.is_authenticated:
        return False
    if not request.GET:
        return True
    # A page number past the last shows the last page: not kept again under another address.
    number = page_number(request.GET)
    return set(request.GET) == {"page"} and number is not None and 1 <= number <= LAST_PAGE


def anonymous_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve the view's page from the cache for anonymous visitors when its address holds no search."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        identity = f"{request.get_full_path()}|{get_language()}|{today().isoformat()}|{data_version()}"
        key = "centres:page:" + hashlib.sha256(identity.encode()).hexdigest()
        pages = caches["pages"]
        content = pages.get(key)
        if content is not None:
            return HttpResponse(content)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            pages.set(key, response.content, CACHE_SECONDS)
        return response

    return wrapper
