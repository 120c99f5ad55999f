"""The open-data page (to be written)."""

from django.http import Http404, HttpRequest, HttpResponse


def open_data(request: HttpRequest) -> HttpResponse:
    raise Http404
