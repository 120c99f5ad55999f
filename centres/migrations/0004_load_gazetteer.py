"""Load the gazetteer, so that `migrate` alone gives working place names and regions.

Later refreshes of the data run `manage.py load_gazetteer`; undoing this migration leaves the places in place,
as centres may point at them.
"""

from django.db import migrations


def load(apps, schema_editor):
    from centres.geo import load_places

    load_places(apps.get_model("centres", "Place"), apps.get_model("centres", "Region"))


class Migration(migrations.Migration):
    dependencies = [("centres", "0003_rules_and_hotlines")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
