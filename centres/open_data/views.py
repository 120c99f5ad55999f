"""The open-data page: what the directory publishes as open data and what it never does, under which licence, and
how to take it (the HSDS package and the API)."""

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from centres.caching import anonymous_page
from centres.models import today
from centres.open_data.hsds import VERSION
from centres.public.views import public_page

LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
HSDS_URL = "https://docs.openreferral.org/"


@require_safe
@anonymous_page
def open_data(request: HttpRequest) -> HttpResponse:
    api = request.build_absolute_uri("/api/")
    context = {
        "hsds_version": VERSION,
        "package_url": reverse("centres:open_data_hsds"),
        "package_name": f"hsds-{today().isoformat()}.zip",
        "api_url": api,
        "examples": [
            f"{api}services?search=приют&country=KZ",
            f"{api}services?per_page=100&page=2",
            f"{api}services?proximity=43.25,76.95",
            f"{api}taxonomy_terms",
        ],
        "openapi_url": f"{api}openapi.json",
        "licence_url": LICENCE_URL,
        "hsds_url": HSDS_URL,
    }
    return public_page(request, "centres/open_data.html", context)
