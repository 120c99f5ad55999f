"""Each database's own text index replaces the word table and the operators', places' and regions' word columns:
the centres' search words hold all their names (migration 0017). On SQLite, an FTS5 table kept by triggers
(text_index.py); PostgreSQL's tsvector column exists since 0017."""

from django.db import migrations

from centres import text_index


def add_index(apps, schema_editor):
    text_index.ensure_index(schema_editor.connection.alias)


def drop_index(apps, schema_editor):
    text_index.drop_index(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0017_centre_search_words"),
    ]

    operations = [
        migrations.RunPython(add_index, drop_index),
        migrations.DeleteModel(name="CentreWord"),
        migrations.RemoveField(model_name="operator", name="search_words"),
        migrations.RemoveField(model_name="place", name="search_words"),
        migrations.RemoveField(model_name="region", name="search_words"),
    ]
