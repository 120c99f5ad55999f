from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from centres.access import may_see_advocacy


def language_links(request: HttpRequest) -> dict:
    """The language switch: plain links to the same page in each language (no form, no cookie)."""
    current = get_language()
    path = request.get_full_path()
    links = [
        {"code": code, "name": name, "url": _in_language(path, current, code), "current": code == current}
        for code, name in settings.LANGUAGES
    ]
    return {"language_links": links}


def _in_language(path: str, current: str, code: str) -> str:
    """`path` in language `code`. Our paths are the same in every language after their prefix (/ru/centres/,
    /kk/centres/), so the prefix alone is swapped; any other path goes through Django's `translate_url`, which
    resolves and reverses it (0.5 ms for the six languages of every page)."""
    prefix = f"/{current}/"
    if path.startswith(prefix):
        return f"/{code}/{path.removeprefix(prefix)}"
    return translate_url(path, code)


def advocacy_links(request: HttpRequest) -> dict:
    """Whether to show the advocates' links (at-risk list, dashboard): no query for anonymous visitors, and for
    logged-in people only when a page's template asks."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"may_see_advocacy": False}
    return {"may_see_advocacy": SimpleLazyObject(lambda: may_see_advocacy(user))}
