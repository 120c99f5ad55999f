"""The roles: each a group of Django permissions (DESIGN.md section 7). Code asks for a permission, never for a
group's name; this module alone says which group holds which.

- editor: adds and changes every record (deletes none but a staff link), imports, publishes, reads the at-risk list,
  and decides the corrections the public suggests (their contacts are personal data: no other role reads them);
- centre staff: updates the contacts, hours and places free of the centres they are linked to, nothing else;
- advocate: reads the at-risk list and the dashboard, and exports them.

Migration 0015 grants them (with the grants written out in it); `sync_groups` is idempotent, so a later migration
that changes a role calls it again with the grants as they then are.
"""

from django.contrib.auth.management import create_permissions

EDITOR = "editor"
CENTRE_STAFF = "centre staff"
ADVOCATE = "advocate"

# What `create_login --role` accepts, and whether the role works in the editor area (is_staff).
ROLES = {"editor": EDITOR, "centre-staff": CENTRE_STAFF, "advocate": ADVOCATE}
IN_EDITOR_AREA = {EDITOR: True, CENTRE_STAFF: True, ADVOCATE: False}

EDITED_MODELS = [
    "centre",
    "centrephone",
    "compliance",
    "operator",
    "countryrules",
    "hotline",
    "staffassignment",
    "population",
]
LOOKED_UP_MODELS = ["place", "region"]
EVIDENCE = ["view_at_risk", "export_at_risk"]
# Suggested by the public, never added by hand; deciding one is changing its status; spam, and a contact nobody
# needs any more, are deleted.
QUEUE = ["view_correction", "change_correction", "delete_correction"]

GRANTS: dict[str, list[str]] = {
    EDITOR: [
        *(f"{action}_{model}" for model in EDITED_MODELS for action in ("add", "change", "view")),
        *(f"view_{model}" for model in LOOKED_UP_MODELS),
        "view_exportlog",
        "delete_staffassignment",
        "import_centres",
        "publish_centre",
        *EVIDENCE,
        *QUEUE,
    ],
    CENTRE_STAFF: ["update_own_centres"],
    # Read-only, as before roles were permissions: the evidence, and (when given an editor-area login) the records.
    ADVOCATE: [
        *(f"view_{model}" for model in EDITED_MODELS if model != "staffassignment"),
        *(f"view_{model}" for model in LOOKED_UP_MODELS),
        *EVIDENCE,
    ],
}


def sync_groups(apps, grants: dict[str, list[str]] = GRANTS) -> None:
    """Make each role's group hold exactly the permissions `grants` gives it (by default the roles as above; on
    `apps`, a migration's historical registry, or the live one)."""
    config = apps.get_app_config("centres")
    models_module = getattr(config, "models_module", None)  # a historical registry's app has none
    config.models_module = models_module or True  # create_permissions skips an app without models
    try:
        create_permissions(config, apps=apps, verbosity=0)
    finally:
        config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in grants.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(content_type__app_label="centres", codename__in=codenames)
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise LookupError(f"no such permissions: {sorted(missing)}")
        group.permissions.set(permissions)
