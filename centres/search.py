"""The public text search (DESIGN.md section 5): every word typed must begin a word of the centre's name, of its
operator's, or of one of its town's or region's names, folded alike on SQLite and PostgreSQL (`text.words`).

A centre's `search_words` hold all those names' words (`derived.py` writes them); each database indexes them its
own way (`text_index.py`) and `AllWordsBegin` asks that index for every word as a prefix, in one condition.
"""

from django.db.models import BooleanField, F, Func, QuerySet

from centres.models import Centre
from centres.text import words
from centres.text_index import TABLE

MAX_SEARCH_WORDS = 10
# The matches' ids are read first when they are at most this many; beyond, a page of them is found soon walking
# the centres in the list's order (a common word matches one centre in ten, a page of twenty within 200 centres).
ID_LIMIT = 500


def text_search(centres: QuerySet, query: str) -> QuerySet:
    """The centres of `centres` that every word of `query` (the first ten) matches; `query` without a word (only
    punctuation, "%" or "№") matches nothing, an empty one everything.

    Neither planner can tell how many centres a prefix matches. Asked for a list in name order, PostgreSQL walks the
    name index and tests every centre against a rare word (150 ms at 100,000 centres), so the matches are counted
    first, in the text index, up to a limit: when they are few, their ids are read and the list is read from them;
    when they are many, walking in the list's order fills a page soon."""
    found = words(query)[:MAX_SEARCH_WORDS]
    if not found:
        return centres.none() if query.strip() else centres
    matching = Centre.objects.filter(AllWordsBegin(found)).order_by()
    if matching[: ID_LIMIT + 1].count() <= ID_LIMIT:  # counted in the index, no row read
        return centres.filter(pk__in=list(matching.values_list("pk", flat=True)))
    return centres.filter(AllWordsBegin(found))


class AllWordsBegin(Func):
    """Every one of `found` (folded words, `text.words`) begins a word of the centre's search words, asked of the
    database's text index (`text_index.py`): on PostgreSQL a tsquery of prefixes (`'алм':* & 'центр':*`) cast, not
    parsed, against `search_vector`; on SQLite an FTS5 query of prefixes (`"алм"* "центр"*`) against the FTS5
    table, whose rows are the centres' rows. The words are ours and hold letters, digits and "_" only."""

    output_field = BooleanField()

    def __init__(self, found: list[str]):
        super().__init__(F("search_words"))
        self.found = found

    def _table_prefix(self, compiler, connection) -> tuple[str, list]:
        """The centres' table as this query names it (`"centres_centre".`), from its search_words column."""
        column, params = compiler.compile(self.source_expressions[0])
        words_column = connection.ops.quote_name("search_words")
        if not column.endswith(words_column):
            raise ValueError(f"expected the search_words column, got {column}")
        return column.removesuffix(words_column), params

    def as_postgresql(self, compiler, connection, **extra_context):
        table, params = self._table_prefix(compiler, connection)
        tsquery = " & ".join(f"'{word}':*" for word in self.found)
        return f"{table}{connection.ops.quote_name('search_vector')} @@ %s::tsquery", [*params, tsquery]

    def as_sqlite(self, compiler, connection, **extra_context):
        table, params = self._table_prefix(compiler, connection)
        query = " ".join(f'"{word}"*' for word in self.found)
        # `table` is the query's own alias of the centres' table; the words travel as a parameter.
        return f"{table}rowid IN (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s)", [*params, query]  # noqa: S608

    def as_sql(self, compiler, connection, **extra_context):
        raise NotImplementedError(f"no text index on {connection.vendor}")
