"""Counters in the database, for the login lockout and the rate limits when there is no Redis.

`CounterCache` is a Django cache backend that holds whole numbers in one table (`Counter`), so every worker
process on every server counts the same attempts — unlike the per-process memory cache, which let the 12th wrong
password through when four workers each counted three. Its `incr` is one `UPDATE … SET value = value + 1`, atomic on
SQLite and PostgreSQL alike (Django's own database cache reads and rewrites a pickled value, and loses counts when
two requests land together). It holds numbers only: the keys are the lockout's and the rate limits' hashed keys,
never an address.
"""

import contextlib
import logging
import random
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.db import IntegrityError, OperationalError, connections, models, router, transaction
from django.db.models import F, Q

# On about one `add` in this many, rows whose time is up are deleted.
CULL_ONE_IN = 100
# SQLite has one writer at a time: while an import or a save holds the lock, a count waits this long at most, then
# is skipped (logged) — a survivor's search must not wait twenty seconds, nor fail, for a counter.
SQLITE_WAIT_MS = 200
log = logging.getLogger("centres.counters")


@contextlib.contextmanager
def _without_waiting(connection):
    """On SQLite, wait at most SQLITE_WAIT_MS for the write lock (set on the driver's connection, so it is not one of
    the page's queries); elsewhere nothing."""
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    previous = raw.execute("PRAGMA busy_timeout").fetchone()[0]
    raw.execute(f"PRAGMA busy_timeout = {SQLITE_WAIT_MS}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(previous)}")


class CounterCache(BaseCache):
    def __init__(self, location, params):
        super().__init__(params)

    @staticmethod
    def _model():
        from centres.models import Counter

        return Counter

    def _live(self, key: str):
        now = time.time()
        return self._model().objects.filter(Q(expires__isnull=True) | Q(expires__gt=now), key=key)

    def _counting(self, count, skipped):
        """Run `count()` without waiting on SQLite's write lock; when SQLite is too busy, log it and answer
        `skipped` instead (on PostgreSQL an error is an error)."""
        connection = connections[router.db_for_write(self._model())]
        try:
            with _without_waiting(connection):
                return count()
        except OperationalError as error:
            if connection.vendor != "sqlite":
                raise
            log.warning("A login or rate-limit count was skipped: the database was busy (%s).", error)
            return skipped

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        value = self._live(key).values_list("value", flat=True).first()
        return default if value is None else value

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        """Start a counter unless a live one has the key. When the database is too busy to count (SQLite's lock
        held by a long write), the count is skipped and logged: True, as for a first attempt."""
        return self._counting(lambda: self._add(key, value, timeout, version), skipped=True)

    def _add(self, key, value, timeout, version) -> bool:
        """One statement (an upsert that only replaces a counter whose time is up), so a request counted costs two
        (this and `incr`)."""
        key = self.make_and_validate_key(key, version=version)
        value, expires, now = _number(value), self.get_backend_timeout(timeout), time.time()
        if random.randrange(CULL_ONE_IN) == 0:  # noqa: S311 - not for secrets
            self._model().objects.filter(expires__lte=now).delete()
        connection = connections[router.db_for_write(self._model())]
        if not connection.features.can_return_rows_from_bulk_insert:  # SQLite before 3.35: no RETURNING
            return self._add_without_returning(key, value, expires, now)
        table, name = connection.ops.quote_name(self._model()._meta.db_table), connection.ops.quote_name("key")
        sql = (
            f"INSERT INTO {table} ({name}, value, expires) VALUES (%s, %s, %s) "  # noqa: S608 - our own names
            f"ON CONFLICT ({name}) DO UPDATE SET value = excluded.value, expires = excluded.expires "
            f"WHERE {table}.expires IS NOT NULL AND {table}.expires <= %s RETURNING {name}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, value, expires, now])
            return cursor.fetchone() is not None

    def _add_without_returning(self, key, value, expires, now) -> bool:
        Counter = self._model()
        Counter.objects.filter(key=key, expires__lte=now).delete()
        try:
            with transaction.atomic():
                Counter.objects.create(key=key, value=value, expires=expires)
        except IntegrityError:
            return False
        return True

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        key = self.make_and_validate_key(key, version=version)
        self._model().objects.update_or_create(
            key=key, defaults={"value": _number(value), "expires": self.get_backend_timeout(timeout)}
        )

    def incr(self, key, delta=1, version=None) -> int:
        """Add `delta` to a live counter in one atomic statement; ValueError when there is none, as Django's caches
        do. When the database is too busy, skipped and logged (`delta` is returned)."""
        return self._counting(lambda: self._incr(key, delta, version), skipped=delta)

    def _incr(self, key, delta, version) -> int:
        key = self.make_and_validate_key(key, version=version)
        connection = connections[router.db_for_write(self._model())]
        if connection.features.can_return_rows_from_bulk_insert:
            table, name = connection.ops.quote_name(self._model()._meta.db_table), connection.ops.quote_name("key")
            sql = (
                f"UPDATE {table} SET value = value + %s WHERE {name} = %s "  # noqa: S608 - our own names
                "AND (expires IS NULL OR expires > %s) RETURNING value"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, [delta, key, time.time()])
                row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            return row[0]
        with transaction.atomic():
            if not self._live(key).update(value=F("value") + delta):
                raise ValueError(f"Key '{key}' not found")
            return self._model().objects.filter(key=key).values_list("value", flat=True).get()

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return bool(self._live(key).update(expires=self.get_backend_timeout(timeout)))

    def delete(self, key, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        deleted, _by_model = self._model().objects.filter(key=key).delete()
        return bool(deleted)

    def has_key(self, key, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return self._live(key).exists()

    def clear(self) -> None:
        self._model().objects.all().delete()


def _number(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("CounterCache holds whole numbers only")
    return value


class CounterBase(models.Model):
    """The table behind `CounterCache` (declared in models.py as `Counter`)."""

    key = models.CharField(max_length=250, primary_key=True)
    value = models.BigIntegerField()
    expires = models.FloatField(null=True, db_index=True)  # seconds since the epoch, as Django's caches keep it

    class Meta:
        abstract = True
