from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _after_migrate(sender, using: str, **kwargs) -> None:
    from centres import judging, planner, text_index

    text_index.ensure_index(using)  # a migration that rebuilt the centres' table on SQLite dropped its triggers
    if using == "default":
        judging.judge_after_migrate()
    planner.refresh_statistics(using)


class CentresConfig(AppConfig):
    name = "centres"
    verbose_name = _("Crisis centres")

    def ready(self) -> None:
        from centres import caching, judging

        post_migrate.connect(_after_migrate, sender=self)
        caching.watch_edits()
        judging.watch_edits()
