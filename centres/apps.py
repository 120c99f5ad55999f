from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _refresh_statistics(sender, using: str, **kwargs) -> None:
    from centres import planner

    planner.refresh_statistics(using)


class CentresConfig(AppConfig):
    name = "centres"
    verbose_name = _("Crisis centres")

    def ready(self) -> None:
        from centres import caching

        post_migrate.connect(_refresh_statistics, sender=self)
        caching.watch_edits()
