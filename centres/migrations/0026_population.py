"""Population per country and region, for shelter coverage (centres/advocacy/coverage.py): the model, with history,
the figures of centres/data/population.csv (see population.ORIGIN.md beside it), and the editor's and advocate's
groups granted the records (centres/roles.py; the grants written out as they are with this migration, as 0015 and
0021 wrote out theirs).

Loading is idempotent: a country or region that already has a record keeps it. A row whose region code is not in
the gazetteer's Region table is skipped and reported, not loaded.
"""

import csv
import datetime
import sys
from pathlib import Path

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

CSV = Path(__file__).resolve().parent.parent / "data" / "population.csv"
LOADED_FROM = "Loaded from centres/data/population.csv"

GRANTS = {
    "editor": [
        "add_centre", "change_centre", "view_centre", "add_centrephone", "change_centrephone", "view_centrephone",
        "add_compliance", "change_compliance", "view_compliance", "add_operator", "change_operator", "view_operator",
        "add_countryrules", "change_countryrules", "view_countryrules", "add_hotline", "change_hotline",
        "view_hotline", "add_staffassignment", "change_staffassignment", "view_staffassignment",
        "add_population", "change_population", "view_population", "view_place", "view_region", "view_exportlog",
        "delete_staffassignment", "import_centres", "publish_centre", "view_at_risk", "export_at_risk",
        "view_correction", "change_correction", "delete_correction",
    ],
    "centre staff": ["update_own_centres"],
    "advocate": [
        "view_centre", "view_centrephone", "view_compliance", "view_operator", "view_countryrules", "view_hotline",
        "view_population", "view_place", "view_region", "view_at_risk", "export_at_risk",
    ],
}  # fmt: skip


def load_rows(apps, rows) -> list[str]:
    """Create the records of `rows` (dicts of the CSV's columns) that do not exist yet, each with its first history
    entry; return a sentence for each row skipped."""
    Population = apps.get_model("centres", "Population")
    HistoricalPopulation = apps.get_model("centres", "HistoricalPopulation")
    Region = apps.get_model("centres", "Region")
    regions = set(Region.objects.values_list("code", flat=True))
    skipped = []
    for line, row in enumerate(rows, start=2):
        code = (row.get("region_iso") or "").strip() or None
        if code is not None and code not in regions:
            skipped.append(f"population.csv line {line}: region {code} is not in the Region table; skipped")
            continue
        country = row["country"].strip()
        if Population.objects.filter(country=country, region_id=code).exists():
            continue
        record = Population.objects.create(
            country=country,
            region_id=code,
            population=int(row["population"]),
            women=int(row["women"]) if (row.get("women") or "").strip() else None,
            as_of=datetime.date.fromisoformat(row["as_of"].strip()),
            source_publisher=row["source_publisher"].strip(),
            source_url=(row.get("source_url") or "").strip(),
        )
        HistoricalPopulation.objects.create(
            id=record.id,
            country=record.country,
            region_id=record.region_id,
            population=record.population,
            women=record.women,
            as_of=record.as_of,
            source_publisher=record.source_publisher,
            source_url=record.source_url,
            history_date=timezone.now(),
            history_type="+",
            history_change_reason=LOADED_FROM,
        )
    return skipped


def load(apps, schema_editor):
    with CSV.open(encoding="utf-8", newline="") as file:
        skipped = load_rows(apps, csv.DictReader(file))
    for sentence in skipped:
        sys.stderr.write(sentence + "\n")


def grant(apps, schema_editor):
    from centres.roles import sync_groups

    sync_groups(apps, GRANTS)



class Migration(migrations.Migration):

    dependencies = [
        ('centres', '0025_more_place_names'),
        ('centres', '0004_load_gazetteer'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalPopulation',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('country', models.CharField(choices=[('KZ', 'Kazakhstan'), ('KG', 'Kyrgyzstan'), ('UZ', 'Uzbekistan'), ('TJ', 'Tajikistan')], max_length=2, verbose_name='country')),
                ('population', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='population')),
                ('women', models.PositiveIntegerField(blank=True, null=True, verbose_name='of whom women')),
                ('as_of', models.DateField(verbose_name='as of')),
                ('source_publisher', models.CharField(help_text='Who published the figure.', max_length=300, verbose_name='source')),
                ('source_url', models.URLField(blank=True, max_length=500, verbose_name='source link')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('region', models.ForeignKey(blank=True, db_constraint=False, help_text='Empty for the whole country.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='centres.region', verbose_name='region')),
            ],
            options={
                'verbose_name': 'historical population',
                'verbose_name_plural': 'historical population',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Population',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('country', models.CharField(choices=[('KZ', 'Kazakhstan'), ('KG', 'Kyrgyzstan'), ('UZ', 'Uzbekistan'), ('TJ', 'Tajikistan')], max_length=2, verbose_name='country')),
                ('population', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='population')),
                ('women', models.PositiveIntegerField(blank=True, null=True, verbose_name='of whom women')),
                ('as_of', models.DateField(verbose_name='as of')),
                ('source_publisher', models.CharField(help_text='Who published the figure.', max_length=300, verbose_name='source')),
                ('source_url', models.URLField(blank=True, max_length=500, verbose_name='source link')),
                ('region', models.ForeignKey(blank=True, help_text='Empty for the whole country.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='populations', to='centres.region', verbose_name='region')),
            ],
            options={
                'verbose_name': 'population',
                'verbose_name_plural': 'population',
                'ordering': ['country', 'region'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('region__isnull', False)), fields=('country', 'region'), name='population_one_per_region', violation_error_message='This region already has a population record.'), models.UniqueConstraint(condition=models.Q(('region__isnull', True)), fields=('country',), name='population_one_per_country', violation_error_message='This country already has a population record for the whole country.')],
            },
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
