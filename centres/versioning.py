"""Optimistic locking: no edit is ever lost to a save made over it (DESIGN.md section 9)."""

from django.db import models, transaction
from django.db.models import F


class ConcurrentEditError(Exception):
    """Raised when a record changed in the database after the writer read it: its write would lose an edit."""

    def __init__(self, instance: models.Model):
        self.instance = instance
        super().__init__(f"{instance._meta.verbose_name} {instance.pk} was changed meanwhile")


class Versioned(models.Model):
    """A save succeeds only if the row still has the version the writer read.

    `select_for_update()` does nothing on SQLite, so the check is a conditional UPDATE that claims the next version
    in the same transaction as the write. Every writer (admin form, inline, action, import, restore) goes through
    `save()`, so every one of them is covered.
    """

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        with transaction.atomic(using=kwargs.get("using")):
            claimed = type(self)._base_manager.filter(pk=self.pk, version=self.version).update(version=F("version") + 1)
            if not claimed:
                raise ConcurrentEditError(self)
            self.version += 1
            super().save(*args, **kwargs)
