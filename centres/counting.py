"""A count that stops at a cap, as SQL another query can embed: how the lists choose to read a large directory."""

from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet


def capped_count_sql(queryset: QuerySet, cap: int) -> tuple[str, list]:
    """SQL counting the queryset's rows up to `cap`, as a scalar subquery, and its parameters."""
    inner = queryset.order_by()[:cap] if queryset.query.combinator else queryset.order_by().values("pk")[:cap]
    try:
        sql, params = inner.query.get_compiler(using=inner.db).as_sql()
    except EmptyResultSet:  # .none(), e.g. a search for "%" alone: nothing to count
        return "(SELECT 0)", []
    # Django compiled `sql` from the queryset; every value stays in `params`.
    return f"(SELECT COUNT(*) FROM ({sql}) AS capped)", list(params)  # noqa: S608
