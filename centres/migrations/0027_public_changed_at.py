import django.utils.timezone
from django.db import migrations, models


def from_last_save(apps, schema_editor):
    """Until now every save was the last change anyone could know of: each centre starts from its last save."""
    Centre = apps.get_model("centres", "Centre")
    Centre._base_manager.update(public_changed_at=models.F("updated_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0026_population"),
    ]

    operations = [
        migrations.AddField(
            model_name="centre",
            name="public_changed_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False),
        ),
        migrations.RunPython(from_last_save, migrations.RunPython.noop),
    ]
