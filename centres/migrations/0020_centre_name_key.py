"""Each centre's name as an import matches it (text.match_key), indexed: a row of a file finds its centre by it."""

from django.db import migrations, models

from centres import derived


def fill(apps, schema_editor):
    derived.reindex_centres(parts=["search_text"], apps=apps)


class Migration(migrations.Migration):

    dependencies = [
        ('centres', '0019_judged_risk'),
    ]

    operations = [
        migrations.AddField(
            model_name='centre',
            name='name_key',
            field=models.TextField(blank=True, db_index=True, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
