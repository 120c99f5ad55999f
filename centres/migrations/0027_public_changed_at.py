import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """Every centre starts from the moment of the migration: its last save may have been a change nobody outside
    may know of (a hidden shelter's places free), which its first `last_modified` must not tell."""

    dependencies = [
        ("centres", "0026_population"),
    ]

    operations = [
        migrations.AddField(
            model_name="centre",
            name="public_changed_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False),
        ),
    ]
