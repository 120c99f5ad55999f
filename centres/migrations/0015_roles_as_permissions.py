"""The roles as permissions (centres/roles.py): the new "centre staff" group, and the editor's and advocate's
groups granted the permissions that replace checks of their names. The grants are written out here, as they were
when this migration was made: a later change of a role is a migration of its own, calling `sync_groups` again."""

from django.db import migrations

GRANTS = {
    "editor": [
        "add_centre", "change_centre", "view_centre", "add_centrephone", "change_centrephone", "view_centrephone",
        "add_compliance", "change_compliance", "view_compliance", "add_operator", "change_operator", "view_operator",
        "add_countryrules", "change_countryrules", "view_countryrules", "add_hotline", "change_hotline",
        "view_hotline", "add_staffassignment", "change_staffassignment", "view_staffassignment",
        "delete_staffassignment", "view_place", "view_region", "view_exportlog", "import_centres", "publish_centre",
        "view_at_risk", "export_at_risk",
    ],
    "centre staff": ["update_own_centres"],
    "advocate": [
        "view_centre", "view_centrephone", "view_compliance", "view_operator", "view_countryrules", "view_hotline",
        "view_place", "view_region", "view_at_risk", "export_at_risk",
    ],
}  # fmt: skip


def grant(apps, schema_editor):
    from centres.roles import sync_groups

    sync_groups(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0014_published_staff_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
