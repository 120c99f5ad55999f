"""The open-data API's addresses (centres/open_data/api.py), under /api/ for every language: HSDS 3.1's own paths,
read-only, and the official schemas the OpenAPI document points at. Any other address under /api/ is a 404 in
JSON."""

from django.urls import path, re_path

from centres.open_data import api

app_name = "api"
urlpatterns = [
    path("", api.root, name="root"),
    path("openapi.json", api.openapi, name="openapi"),
    path("schemas/<str:name>.json", api.schema, name="schema"),
    path("services", api.services, name="services"),
    path("services/<str:identifier>", api.service, name="service"),
    path("organizations", api.organizations, name="organizations"),
    path("organizations/<str:identifier>", api.organization, name="organization"),
    path("taxonomies", api.taxonomies, name="taxonomies"),
    path("taxonomies/<str:identifier>", api.taxonomy, name="taxonomy"),
    path("taxonomy_terms", api.taxonomy_terms, name="taxonomy_terms"),
    path("taxonomy_terms/<str:identifier>", api.taxonomy_term, name="taxonomy_term"),
    re_path(r"^(?P<rest>.*)$", api.nothing_here, name="nothing_here"),
]
