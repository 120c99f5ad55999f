"""The public text search (DESIGN.md section 5): every word typed must begin a word of the centre's name, of its
operator's, or of one of its town's or region's names, folded alike on SQLite and PostgreSQL (`text.words`).

On PostgreSQL, one condition on the centre's own words (which hold its operator's, town's and region's names
too), read through a GIN index (`AllWordsBegin`). On SQLite, never a scan of every centre for a rare word: the
centres matching each word are counted (up to a limit, all in one query) from the word index (`CentreWord`) and
from the few operators, places and regions whose names match. When the rarest word matches few, the list is read
from its centres, the other words checked on each. When every word matches many, all are checked centre by centre
in the list's own order, which soon fills a page among so many matches.
"""

from django.db import connections
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, QuerySet

from centres.counting import capped_counts
from centres.models import Centre, CentreWord, Operator, Place, Region
from centres.text import words

MAX_SEARCH_WORDS = 10
SEARCH_ID_LIMIT = 5000  # a text search reads its rarest word's centres if they are at most this many
# PostgreSQL reads the matches' ids first when they are at most this many; beyond, a page of them is found soon
# walking the centres in name order (about one in 200 is a match, so a page of twenty within 4,000 centres).
POSTGRESQL_ID_LIMIT = 500


def text_search(centres: QuerySet, query: str) -> QuerySet:
    """The centres of `centres` that every word of `query` (the first ten) matches; `query` without a word (only
    punctuation, "%" or "№") matches nothing, an empty one everything."""
    found = words(query)[:MAX_SEARCH_WORDS]
    if not found:
        return centres.none() if query.strip() else centres
    if connections[centres.db].vendor == "postgresql":
        return _postgresql_search(centres, found)
    matching = [_centres_matching(word) for word in found]
    counts = capped_counts(matching, SEARCH_ID_LIMIT + 1)
    order = sorted(range(len(found)), key=counts.__getitem__)
    ids, read = None, []
    if counts[order[0]] <= SEARCH_ID_LIMIT:
        ids, read = matching[order[0]], order[:1]
    elif len(order) > 1:
        # Every word is common, yet together they may be rare ("ана үміт"): their centres in common, counted.
        both = matching[order[0]].intersection(matching[order[1]])
        if both[: SEARCH_ID_LIMIT + 1].count() <= SEARCH_ID_LIMIT:
            ids, read = both, order[:2]
    if ids is not None:
        centres = centres.filter(pk__in=ids)
    for n, word in enumerate(found):
        if n not in read:
            centres = centres.filter(_matches(word))
    return centres


def _postgresql_search(centres: QuerySet, found: list[str]) -> QuerySet:
    """The planner cannot tell how many centres a prefix matches. Asked for the list in name order, it walks the
    name index and tests every centre against a rare word (150 ms at 100,000 centres), so the matches' ids are read
    first, from the GIN index alone, up to a limit: when they are few, the list is read from them; when they are
    many, walking in name order fills a page soon."""
    matches = AllWordsBegin(found)
    ids = list(Centre.objects.filter(matches).order_by().values_list("pk", flat=True)[: POSTGRESQL_ID_LIMIT + 1])
    if len(ids) <= POSTGRESQL_ID_LIMIT:
        return centres.filter(pk__in=ids)
    return centres.filter(matches)


class AllWordsBegin(Func):
    """PostgreSQL: every one of `found` begins a word of the centre's search words. It reads `search_vector`, the
    tsvector of those words that the database keeps (migration 0017; a GIN index serves it, and testing one centre
    costs little when the list is walked in name order). The query is a tsquery of prefixes (`'алм':* & 'центр':*`)
    cast, not parsed: the words are ours, folded as the centres' were."""

    output_field = BooleanField()

    def __init__(self, found: list[str]):
        super().__init__(F("search_words"))
        self.tsquery = " & ".join(f"'{word}':*" for word in found)  # words hold letters and digits only

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        words_column = connection.ops.quote_name("search_words")
        if not column.endswith(words_column):
            raise ValueError(f"expected the search_words column, got {column}")
        vector = column.removesuffix(words_column) + connection.ops.quote_name("search_vector")
        return f"{vector} @@ %s::tsquery", [*params, self.tsquery]


def _named(word: str) -> tuple[QuerySet, QuerySet, QuerySet]:
    """The operators, places and regions with a name in which a word begins with `word`."""
    in_names = f" {word}"
    return (
        Operator.objects.filter(search_words__contains=in_names).values("pk"),
        Place.objects.filter(search_words__contains=in_names).values("pk"),
        Region.objects.filter(search_words__contains=in_names).values("pk"),
    )


def _centres_matching(word: str) -> QuerySet:
    """Ids of the centres matching `word`, each part read through an index (a centre may come more than once)."""
    operators, places, regions = _named(word)
    return (
        CentreWord.objects.filter(word__startswith=word)
        .values_list("centre_id", flat=True)
        .union(
            Centre.objects.filter(operator__in=operators).order_by().values_list("pk", flat=True),
            Centre.objects.filter(city__in=places).order_by().values_list("pk", flat=True),
            # Not again those already found by their city (a city region such as Almaty's bears the city's name).
            Centre.objects.filter(region__in=regions).exclude(city__in=places).order_by().values_list("pk", flat=True),
            all=True,
        )
    )


def _matches(word: str) -> Q:
    """The same condition as `_centres_matching`, for one centre at a time."""
    operators, places, regions = _named(word)
    return (
        Q(Exists(CentreWord.objects.filter(centre=OuterRef("pk"), word__startswith=word)))
        | Q(operator__in=operators)
        | Q(city__in=places)
        | Q(region__in=regions)
    )
