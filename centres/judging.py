"""Every centre's risk judged ahead and kept on its row (`Centre.judged_risk`), so that the at-risk list reads each
tier through an index (`judged_risk, name`) instead of judging every centre at each request: a page's cost then no
longer grows with the directory (on PostgreSQL the live judgement read the whole table: 180 ms at 100,000 centres).

The stored risks are only ever read while they are today's: `RiskJudgement` holds the day they were judged for, and
`stored_for(on)` says whether they may be read. Otherwise the list judges live, as it always could (eligibility.py),
so a missed midnight or a rule change makes the list slower, never wrong.

- `judge()` judges every centre (three statements, each writing only the rows whose risk changed) and records the
  day: after `migrate`, `load_demo_data`, `generate_centres`, and nightly with `manage.py judge_centres`.
- A centre or its licensing record saved or deleted is judged again at once, in the same transaction, when the
  stored judgement is today's (`watch_edits`); within `deferred()` (an import), all together at its end.
- A country's rules saved remove the record: the next `judge()` uses them.

One window remains: an edit committed while a full `judge()` runs may be overwritten by the rank that judgement
read before it, until the centre's next edit or the next night's run (at night, when edits are fewest).
"""

import datetime
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, transaction
from django.db.models.signals import post_delete, post_save

from centres.eligibility import FLAGS, HIGH, MEDIUM, SEVERITY_RANK, any_q
from centres.models import Centre, Compliance, CountryRules, RiskJudgement, today

NONE = 0
BATCH_SIZE = 2000
logger = logging.getLogger(__name__)


def stored_for(on: datetime.date) -> bool:
    """Whether the stored risks are those of `on`, with the rules in force."""
    return RiskJudgement.objects.filter(on=on).exists()


def judge(centre_ids: list | None = None, *, on: datetime.date | None = None) -> None:
    """Store the risk of the centres with `centre_ids` (every centre when None, and then record the day) as of `on`
    (today), with the rules in force. Each statement writes only the rows whose risk changed."""
    on = on or today()
    rules = CountryRules.for_countries()
    # Every part is narrowed to the centres asked for: judging one centre reads one centre.
    scope = Centre._base_manager.all() if centre_ids is None else Centre._base_manager.filter(pk__in=centre_ids)
    judged = Centre.objects.judged().order_by()
    judged = judged if centre_ids is None else judged.filter(pk__in=centre_ids)
    high = judged.filter(any_q(FLAGS, rules, on, HIGH)).values("pk")
    medium = judged.filter(any_q(FLAGS, rules, on, MEDIUM)).values("pk")
    with transaction.atomic():
        scope.filter(pk__in=high).exclude(judged_risk=SEVERITY_RANK[HIGH]).update(judged_risk=SEVERITY_RANK[HIGH])
        scope.filter(pk__in=medium).exclude(pk__in=high).exclude(judged_risk=SEVERITY_RANK[MEDIUM]).update(
            judged_risk=SEVERITY_RANK[MEDIUM]
        )
        scope.exclude(pk__in=high).exclude(pk__in=medium).exclude(judged_risk=NONE).update(judged_risk=NONE)
        if centre_ids is None:
            RiskJudgement.objects.all().delete()
            RiskJudgement.objects.create(on=on)


def judge_after_migrate() -> None:
    """`judge()` after `migrate`, which may have left the database at a migration before the stored risks: then
    nothing is judged, and that is logged, never raised."""
    try:
        with transaction.atomic():
            judge()
    except DatabaseError as error:
        logger.warning("The centres' risks were not judged: %s", error)


_deferred = threading.local()


@contextmanager
def deferred() -> Iterator[None]:
    """Within it, the centres saved are judged together at the end, a few thousand a statement, instead of one by
    one as each is saved: for an import."""
    outer = getattr(_deferred, "ids", None)
    _deferred.ids = set() if outer is None else outer
    try:
        yield
        if outer is None and _deferred.ids and stored_for(today()):
            ids = list(_deferred.ids)
            for start in range(0, len(ids), BATCH_SIZE):
                judge(ids[start : start + BATCH_SIZE])
    finally:
        if outer is None:
            _deferred.ids = None


def _judge_again(sender, instance, **kwargs) -> None:
    centre_id = instance.pk if sender is Centre else instance.centre_id
    waiting = getattr(_deferred, "ids", None)
    if waiting is not None:
        waiting.add(centre_id)
    elif stored_for(today()):
        judge([centre_id])


def _rules_changed(sender, **kwargs) -> None:
    RiskJudgement.objects.all().delete()


def watch_edits() -> None:
    """Judge a centre again when it or its licensing record is saved or deleted, and forget the stored risks when
    a country's rules change (called once, at start-up)."""
    post_save.connect(_judge_again, sender=Centre, dispatch_uid="judge-centre-saved")
    post_save.connect(_judge_again, sender=Compliance, dispatch_uid="judge-compliance-saved")
    post_delete.connect(_judge_again, sender=Compliance, dispatch_uid="judge-compliance-deleted")
    post_save.connect(_rules_changed, sender=CountryRules, dispatch_uid="judge-rules-saved")
    post_delete.connect(_rules_changed, sender=CountryRules, dispatch_uid="judge-rules-deleted")
