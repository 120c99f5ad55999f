"""The database's own statistics about our tables, which its query planner reads to choose an index.

Without them SQLite guesses that an equality is always the narrowest condition, and reads "near Shymkent" through
the country index (every Kazakh centre) instead of the square around the town. PostgreSQL refreshes its statistics
by itself (autovacuum); SQLite only when asked. So they are refreshed after `migrate`, after an import and after
loading the demo data: the moments a table's size changes most.
"""

import logging

from django.db import DatabaseError, connections, transaction

from centres.models import Centre, CentreOpening, CentrePhone, Compliance

logger = logging.getLogger(__name__)


def refresh_statistics(using: str = "default") -> None:
    """Recount the tables the public search, the API and the at-risk list read (about 2 s for 100,000 centres on
    PostgreSQL, nearly all of it the centres; their phones and opening spans add 0.2 s).

    Called after work that has succeeded (an import, a migration): a failure here is logged, never raised, and
    rolls back only itself."""
    connection = connections[using]
    try:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            # The phones and opening spans too: with their counts unknown after a bulk write, PostgreSQL read a
            # page's phones by scanning all of them (30 ms at 100,000 centres) instead of through their index.
            for model in (Centre, Compliance, CentrePhone, CentreOpening):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    except DatabaseError as error:
        logger.warning("Planner statistics were not refreshed: %s", error)
