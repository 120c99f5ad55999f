"""Load the committed gazetteer (centres/data/places.json and place_aliases.csv) into the database."""

from django.core.management.base import BaseCommand

from centres.caching import new_data_version
from centres.geo import load_places
from centres.models import Place, Region


class Command(BaseCommand):
    help = "Create or update regions and places from the committed gazetteer; safe to run again."

    def handle(self, *args, **options) -> None:
        counts = load_places(Place, Region)
        new_data_version()  # what is kept from the places (the coverage map, town names on pages) is drawn anew
        self.stdout.write(
            f"Regions: {counts.regions_created} created, {counts.regions_updated} updated. "
            f"Places: {counts.places_created} created, {counts.places_updated} updated, {counts.places_total} in all."
        )
