"""Exports as downloads: the web layer between `exports.to_file()` and the browser, and the export log."""

from collections.abc import Iterable, Iterator
from typing import Any

from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import translation
from django.utils.translation import gettext

from centres.exports import Export
from centres.models import ExportLog


def download(export: Export) -> StreamingHttpResponse:
    """Stream the file as an attachment, in the language of the request: a streamed response is written after the
    view (and its request's language) has returned."""
    pieces = in_language(translation.get_language(), export.chunks)
    response = StreamingHttpResponse(pieces, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response


def in_language(language: str, pieces: Iterable) -> Iterator:
    """Yield `pieces` with `language` active while each is made. Nothing is left activated between pieces."""
    iterator = iter(pieces)
    while True:
        with translation.override(language):
            piece = next(iterator, None)
        if piece is None:
            return
        yield piece


def filters_refused() -> HttpResponse:
    """An export of a list whose filters are not valid: say so, in words, and send no file."""
    return HttpResponseBadRequest(
        gettext("These filters could not be applied. Open the list, correct them, and download it again."),
        content_type="text/plain; charset=utf-8",
    )


def record_export(user: Any, kind: str, format: str, filters: dict[str, list[str]]) -> None:
    """Note who exported what with which filters — never the content, and nothing about anonymous visitors."""
    if user.is_authenticated:
        ExportLog.objects.create(user=user, kind=kind, format=format, filters=filters)
