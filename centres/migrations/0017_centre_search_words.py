"""The words of each centre's search text, and on PostgreSQL their tsvector in a column the database keeps in step
(a stored generated column, unknown to Django's model), with a GIN index; the text search reads them (search.py).
The tsvector is made from our own folded words (`array_to_tsvector`), never by PostgreSQL's parser, whose idea of a
letter depends on the database's locale."""

from django.db import migrations, models

from centres import derived

INDEX = "centres_centre_search_vector_gin"
COLUMN_SQL = (
    "ALTER TABLE centres_centre ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (array_to_tsvector(string_to_array(btrim(search_words), ' '))) STORED"
)
INDEX_SQL = f"CREATE INDEX {INDEX} ON centres_centre USING gin (search_vector)"


def fill(apps, schema_editor):
    derived.reindex_centres(parts=["search_text"], apps=apps)


def add_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(COLUMN_SQL)
        schema_editor.execute(INDEX_SQL)


def drop_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE centres_centre DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0016_counters"),
    ]

    operations = [
        migrations.AddField(
            model_name="centre",
            name="search_words",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(add_vector, drop_vector),
    ]
