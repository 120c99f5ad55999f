"""Kazakhstan's rule set and the known hotline numbers.

The Social Code (No. 224-VII of 20 April 2023) made licensing compulsory from 2025-01-01. The law's area figures
were not found in public sources, so the thresholds start empty and an editor sets them. Every hotline number is
loaded unverified (no verification date): editors confirm each one.
"""

import datetime

from django.db import migrations

HOTLINES = [
    # country, number, purpose, run by, hours, 24/7, main, source
    ("KZ", "111", "domestic_violence", "State contact centre", "", True, True,
     "State contact centre for domestic violence; to be verified."),
    ("KZ", "150", "crisis_centres", "Union of Crisis Centres", "", False, False,
     "Union of Crisis Centres helpline, children and youth first; to be verified."),
    ("KG", "117", "social", "Ministry of Labour", "", False, True, "Ministry of Labour helpline; to be verified."),
    ("KG", "111", "children", "", "", False, False, "Children's helpline; to be verified."),
    ("UZ", "1146", "women", "", "", True, True, "Helpline for women; to be verified."),
    ("TJ", "1313", "domestic_violence", "", "", False, True,
     "Launched in 2018; current operation not confirmed; to be verified."),
]
EMERGENCY = [("102", "police"), ("112", "emergency")]


def load(apps, schema_editor):
    CountryRules = apps.get_model("centres", "CountryRules")
    Hotline = apps.get_model("centres", "Hotline")
    CountryRules.objects.get_or_create(
        country="KZ",
        defaults={
            "licensing_effective_from": datetime.date(2025, 1, 1),
            "legal_basis": "Social Code of the Republic of Kazakhstan No. 224-VII of 20 April 2023: licensing of "
            "special social services compulsory from 1 January 2025.",
            "source_url": "https://adilet.zan.kz/rus/docs/K2300000224",
        },
    )
    position = 0
    for country, number, purpose, run_by, hours, open_24_7, is_main, source in HOTLINES:
        position += 1
        Hotline.objects.get_or_create(
            country=country,
            number=number,
            defaults={
                "purpose": purpose, "run_by": run_by, "hours": hours, "open_24_7": open_24_7,
                "is_main": is_main, "source": source, "position": position, "free_to_call": True,
            },
        )
    for country in ["KZ", "KG", "UZ", "TJ"]:
        for number, purpose in EMERGENCY:
            position += 1
            Hotline.objects.get_or_create(
                country=country,
                number=number,
                defaults={
                    "purpose": purpose, "open_24_7": True, "free_to_call": True, "position": 100 + position,
                    "source": "National emergency number; to be verified.",
                },
            )


class Migration(migrations.Migration):
    dependencies = [("centres", "0002_groups")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
