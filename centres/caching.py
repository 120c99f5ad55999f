"""What is kept from one request for the next, and what drops it: the data version, and whole anonymous pages.

`data_version()` is a token that changes whenever a centre, its phones or compliance, an operator, a country's rules,
a hotline or a population figure is saved or deleted; it is part of the key of everything cached from them (the
advocates' dashboard, what-if and coverage figures, anonymous pages), so an edit shows on the next page load: at
once with a shared cache (REDIS_URL), within a minute with a cache per server process.

Whole public pages that every anonymous visitor sees alike are kept for a minute: the home, country, safety and
centre pages, and the list before any search (`?page=N` at most). A search (`q`, `near`, a position, filters) is
never stored: it says where someone is, or what she needs. The pages have a cache of their own
(settings.CACHES["pages"]), so they never push out the login lockout's counters.
"""

import hashlib
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache import cache, caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from centres.filters import plain_page
from centres.models import (
    CACHE_SECONDS,
    Centre,
    CentrePhone,
    Compliance,
    CountryRules,
    Hotline,
    Operator,
    Population,
    today,
)

DATA_VERSION_KEY = "centres:data-version:v1"
COUNTED = (Centre, CentrePhone, Compliance, Operator, CountryRules, Hotline, Population)


def data_version() -> str:
    return cache.get_or_set(DATA_VERSION_KEY, lambda: uuid.uuid4().hex, None)


def new_data_version() -> None:
    """Drop everything cached from the data: for writes that send no signal (bulk loads). A fresh random token,
    not a counter: a cache that lost the key can never bring an old version back."""
    cache.set(DATA_VERSION_KEY, uuid.uuid4().hex, None)


def _new_data_version(sender, **kwargs) -> None:
    transaction.on_commit(new_data_version)


def watch_edits() -> None:
    """Connect the data version to every save and deletion of a record it covers (called once, at start-up)."""
    for model in COUNTED:
        post_save.connect(_new_data_version, sender=model, dispatch_uid=f"data-version-save-{model.__name__}")
        post_delete.connect(_new_data_version, sender=model, dispatch_uid=f"data-version-delete-{model.__name__}")


def current_key(*parts: str) -> str:
    """A cache key that holds `parts`, the language, today's date (pages say what is out of date) and the data
    version: what is kept under it is never served after an edit, a change of day or in another language."""
    identity = "|".join([*parts, get_language() or "", today().isoformat(), data_version()])
    return "centres:" + hashlib.sha256(identity.encode()).hexdigest()


def kept(key: str, compute: Callable[[], Any]) -> Any:
    """The value kept under `key` (a `current_key`) for a minute, computed when missing."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def anonymous_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve the view's page from the page cache for anonymous visitors when its address holds no search."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or user.is_authenticated or plain_page(request.GET) is None:
            return view(request, *args, **kwargs)
        # The host too: a page may name its own address (a referral sheet says where it was printed from).
        key = current_key("page", request.get_host(), request.get_full_path())
        pages = caches["pages"]
        content = pages.get(key)
        if content is not None:
            return HttpResponse(content)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            pages.set(key, response.content, CACHE_SECONDS)
        return response

    return wrapper
