"""Load about 60 fictional centres for trying the directory out (DESIGN.md section 6: demo data rules).

Running it again changes nothing on the same day: records are found by their fixed ids (or operators by name) and
saved only when a value differs, so no duplicate and no new history entry appears.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centres import demo, judging, planner
from centres.models import Centre, CodeListField, Compliance, CountryRules, Operator, Place

CHANGE_REASON = "Demo data (load_demo_data)"


class Command(BaseCommand):
    help = (
        "Load fictional demo centres (marked DEMO, without phone numbers). Refuses when real centres exist or "
        "DEBUG is off, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even when DEBUG is off or real (non-demo) centres exist.",
        )

    def handle(self, *args, force: bool, **options):
        if not force:
            if not settings.DEBUG:
                raise CommandError(
                    _("DEBUG is off: demo data could be mistaken for real help on a live site. Use --force to load it.")
                )
            real = Centre.objects.filter(is_demo=False).count()
            if real:
                raise CommandError(
                    _(
                        "%(count)d real (non-demo) centre(s) exist: demo data would mix with them. "
                        "Use --force to load it anyway."
                    )
                    % {"count": real}
                )
        today = timezone.localdate()
        records = demo.demo_centres(today)
        cities = self._cities()
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        with transaction.atomic():
            operators = {key: self._operator(name, kind, counts) for key, (name, kind) in demo.OPERATORS.items()}
            for record in records:
                self._centre(record, cities[record["city"]], operators.get(record["operator"]), counts)
            thresholds = self._thresholds()
        judging.judge()  # the demo thresholds were saved: every centre judged again with them
        planner.refresh_statistics()
        self.stdout.write(
            f"Demo data: {len(records)} centres and {len(operators)} operators — "
            f"{counts['created']} records created, {counts['updated']} updated, {counts['unchanged']} unchanged."
        )
        self.stdout.write(thresholds)

    def _cities(self) -> dict[str, Place]:
        found, missing = {}, []
        for key, (country, name, geonameid) in demo.CITIES.items():
            matches = Place.objects.named(name).filter(country=country)
            place = (
                matches.filter(pk=geonameid).first()
                or matches.first()
                or Place.objects.filter(pk=geonameid, country=country).first()
            )
            if place is None:
                missing.append(f"{name} ({country})")
            else:
                found[key] = place
        if missing:
            raise CommandError(
                _("These cities are not in the gazetteer: %(cities)s. Run manage.py load_gazetteer first.")
                % {"cities": ", ".join(missing)}
            )
        return found

    def _operator(self, name: str, kind: str, counts: dict[str, int]) -> Operator:
        operator = Operator.objects.filter(name=name).order_by("pk").first()
        if operator is None:
            operator = Operator(name=name, kind=kind)
            return self._save(operator, counts, "created")
        if operator.kind != kind:
            operator.kind = kind
            return self._save(operator, counts, "updated")
        counts["unchanged"] += 1
        return operator

    def _centre(self, record: dict[str, Any], city: Place, operator: Operator | None, counts: dict[str, int]) -> None:
        values = {**record["centre"], "city": city, "operator": operator, "published": True}  # checked fiction
        centre = Centre.objects.filter(pk=demo.centre_id(record["key"])).first()
        if centre is None:
            centre = Centre(id=demo.centre_id(record["key"]), **values)
            self._save(centre, counts, "created")
        else:
            self._update(centre, values, counts)
        compliance = Compliance.objects.filter(centre=centre).first()
        if compliance is None:
            self._save(Compliance(centre=centre, **record["compliance"]), counts, "created")
        else:
            self._update(compliance, record["compliance"], counts)

    def _thresholds(self) -> str:
        rules = CountryRules.objects.filter(country="KZ").first()
        if rules is None:
            return "Kazakhstan has no rules record: thresholds not set."
        if rules.min_premises_area_m2 is not None or rules.min_area_per_bed_m2 is not None:
            label = " (demo values)" if rules.thresholds_are_demo else ""
            return (
                f"Kazakhstan's thresholds already set{label}, left as they are: "
                f"{rules.min_premises_area_m2} m², {rules.min_area_per_bed_m2} m² per bed."
            )
        rules.min_premises_area_m2 = demo.DEMO_MIN_PREMISES_AREA_M2
        rules.min_area_per_bed_m2 = demo.DEMO_MIN_AREA_PER_BED_M2
        rules.thresholds_are_demo = True
        rules._change_reason = CHANGE_REASON
        rules.save()
        return (
            f"Kazakhstan's thresholds set to DEMO values (not the law's figures): "
            f"{rules.min_premises_area_m2} m², {rules.min_area_per_bed_m2} m² per bed."
        )

    def _update(self, instance: models.Model, values: dict[str, Any], counts: dict[str, int]) -> None:
        changed = False
        for name, value in values.items():
            field = instance._meta.get_field(name)
            if isinstance(field, CodeListField):
                value = field.canonical(value)
            if field.is_relation:
                current, value = getattr(instance, field.attname), (value.pk if value is not None else None)
                attribute = field.attname
            else:
                current, attribute = getattr(instance, name), name
            if current != value:
                setattr(instance, attribute, value)
                changed = True
        if changed:
            self._save(instance, counts, "updated")
        else:
            counts["unchanged"] += 1

    def _save(self, instance: models.Model, counts: dict[str, int], outcome: str) -> Any:
        try:
            instance.full_clean()
        except ValidationError as error:  # a mistake in centres/demo.py, not in the user's data
            raise CommandError(
                _("Demo record %(record)s is invalid: %(errors)s") % {"record": instance, "errors": error.message_dict}
            ) from error
        instance._change_reason = CHANGE_REASON
        instance.save()
        counts[outcome] += 1
        return instance
