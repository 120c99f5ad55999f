"""Counts that stop at a cap, several in one query: what the lists use to choose how to read a large directory."""

from django.core.exceptions import EmptyResultSet
from django.db import connections
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


def capped_counts(querysets: list[QuerySet], cap: int) -> list[int]:
    """How many rows each queryset has, each count stopping at `cap`: one query, however many querysets."""
    parts, params = [], []
    for queryset in querysets:
        sql, part_params = capped_count_sql(queryset, cap)
        parts.append(sql)
        params.extend(part_params)
    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return list(cursor.fetchone())
