"""Corrections suggested by the public, queued for editors; editors granted the queue (centres/roles.py). The
grants are written out as they are with this migration, as 0015 wrote out its own."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


GRANTS = {
    "editor": [
        "add_centre", "change_centre", "view_centre", "add_centrephone", "change_centrephone", "view_centrephone",
        "add_compliance", "change_compliance", "view_compliance", "add_operator", "change_operator", "view_operator",
        "add_countryrules", "change_countryrules", "view_countryrules", "add_hotline", "change_hotline",
        "view_hotline", "add_staffassignment", "change_staffassignment", "view_staffassignment",
        "delete_staffassignment", "view_place", "view_region", "view_exportlog", "import_centres", "publish_centre",
        "view_at_risk", "export_at_risk", "view_correction", "change_correction",
        "delete_correction",
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
        ('centres', '0020_centre_name_key'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Correction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('what', models.CharField(choices=[('phone', 'phone number'), ('address', 'address'), ('hours', 'opening hours'), ('services', 'services'), ('closed_or_moved', 'closed or moved'), ('other', 'something else')], max_length=20, verbose_name='what is wrong')),
                ('correct_value', models.CharField(max_length=1000, verbose_name='what is correct')),
                ('contact', models.CharField(blank=True, max_length=200, verbose_name='contact')),
                ('status', models.CharField(choices=[('new', 'new'), ('accepted', 'accepted'), ('dismissed', 'dismissed')], default='new', max_length=10, verbose_name='status')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='sent at')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                ('centre', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='corrections', to='centres.centre', verbose_name='centre')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by')),
            ],
            options={
                'verbose_name': 'suggested correction',
                'verbose_name_plural': 'suggested corrections',
                'ordering': ['-created_at'],
                'indexes': [models.Index(fields=['centre', 'status'], name='centres_cor_centre__9e67c5_idx')],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
