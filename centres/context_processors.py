from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language


def language_links(request: HttpRequest) -> dict:
    """The language switch: plain links to the same page in each language (no form, no cookie)."""
    current = get_language()
    path = request.get_full_path()
    links = [
        {"code": code, "name": name, "url": translate_url(path, code), "current": code == current}
        for code, name in settings.LANGUAGES
    ]
    return {"language_links": links}
