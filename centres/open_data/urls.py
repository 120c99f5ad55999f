"""The open-data API's addresses (centres/open_data/api.py), under /api/ for every language."""

from django.urls import path

app_name = "api"
urlpatterns: list = []
