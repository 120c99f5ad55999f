"""The roles as permissions (centres/roles.py): the new "centre staff" group, and the editor's and advocate's
groups granted the permissions that replace checks of their names."""

from django.db import migrations


def grant(apps, schema_editor):
    from centres.roles import sync_groups

    sync_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0014_published_staff_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
