"""The two groups: editors change every record (but delete nothing); advocates only read."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITED_MODELS = ["centre", "centrephone", "compliance", "operator", "countryrules", "hotline"]
READ_ONLY_MODELS = ["place", "region"]


def create_groups(apps, schema_editor):
    app_config = apps.get_app_config("centres")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="centres")

    editor, _ = Group.objects.get_or_create(name="editor")
    editor_codenames = [f"{action}_{model}" for model in EDITED_MODELS for action in ("add", "change", "view")]
    editor_codenames += [f"view_{model}" for model in READ_ONLY_MODELS]
    editor.permissions.add(*perms.filter(codename__in=editor_codenames))

    advocate, _ = Group.objects.get_or_create(name="advocate")
    advocate.permissions.add(
        *perms.filter(codename__in=[f"view_{model}" for model in EDITED_MODELS + READ_ONLY_MODELS])
    )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["editor", "advocate"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
