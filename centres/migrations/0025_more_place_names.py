"""More Kyrgyz, Tajik and Uzbek names of the 200 largest places (centres/data/place_names.csv, source
"editorial-transliterated": spelled by us from the local name), loaded by the same load as 0023 and `manage.py
load_gazetteer`, which also makes them search names and reindexes the centres of the places it changed."""

from django.db import migrations


def load(apps, schema_editor):
    from centres.geo import load_places

    load_places(apps.get_model("centres", "Place"), apps.get_model("centres", "Region"))


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0024_texts_per_language"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
