"""The HSDS 3.1 tabular package (to be written)."""

from django.http import Http404, HttpRequest, HttpResponse


def hsds_zip(request: HttpRequest) -> HttpResponse:
    raise Http404
