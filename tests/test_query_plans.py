"""Query plans: these tests guard performance, not behaviour. Each reads the plan the database chose (EXPLAIN, or
SQLite's EXPLAIN QUERY PLAN) and checks that it reads the intended index; the results of the same queries are
tested elsewhere. A failure here means a page has become slow, not wrong."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict

from centres.filters import public_search
from centres.models import Centre, Place
from centres.nearest import Nearest
from centres.search import AllWordsBegin, text_search
from centres.selectors import search_queryset
from tests.conftest import make_centre

pytestmark = pytest.mark.django_db

SHYMKENT, ALMATY = 1518980, 1526384


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_near_a_town_reads_the_square_not_the_country_once_counted():
    shymkent, almaty = Place.objects.get(pk=SHYMKENT), Place.objects.get(pk=ALMATY)
    for n in range(60):
        make_centre(name=f"Centre {n}", city=shymkent if n % 4 == 0 else almaty)
    call_command("migrate", verbosity=0)
    search = public_search(QueryDict("near=Шымкент"))
    queryset = search_queryset(search=search)
    rows = Nearest(queryset, search.origin)
    rows.capped_count(1000)
    square = queryset.filter(search.origin.box(rows._square_km * rows.WIDEN))
    sql, params = square.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "public_latitude>?" in plan and "country=?" not in plan, plan


def test_word_search_reads_its_index():
    """SQLite: the FTS5 table. PostgreSQL: the GIN index of the centres' words (text_index.py)."""
    make_centre(name="Центр Ана")
    # The ids are read first (then the list is read by them): that read, as the search makes it.
    searched = Centre.objects.filter(AllWordsBegin(["ана", "центр"])).order_by().values("pk")
    assert list(text_search(Centre.objects.all(), "ана центр").values_list("name", flat=True)) == ["Центр Ана"]
    sql, params = searched.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A handful of test rows would otherwise be scanned, or read in name order and filtered.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    on_postgresql = connection.vendor == "postgresql"
    assert ("centres_centre_search_vector_gin" if on_postgresql else "VIRTUAL TABLE INDEX") in plan, plan


def test_an_at_risk_tier_reads_the_index_of_the_stored_risks(thresholds):
    """Both databases: a tier of the at-risk list, the stored risks being today's, walks its index (judging.py)."""
    from centres import judging, planner
    from centres.advocacy.filters import AtRiskFilter
    from centres.models import CountryRules, today

    for n in range(120):  # one in twenty at high risk: the tier's index is the narrow way in
        make_centre(name=f"Centre {n}", compliance={"licence_status": "revoked" if n % 20 == 0 else "licensed"})
    judging.judge()
    planner.refresh_statistics()
    filters = AtRiskFilter(QueryDict("severity=high&service=shelter"), rules=CountryRules.for_countries(), on=today())
    assert filters.is_valid()
    tier = filters.risks(2).order_by("name", "pk")[:20]
    assert len(tier) == 6
    sql, params = tier.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a hundred rows would otherwise be read whole
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "centres_centre_judged_risk" in plan, plan
    if connection.vendor == "sqlite":  # the tier's rank, then its index's name order: no sort of the tier
        assert "judged_risk=?" in plan and "TEMP B-TREE" not in plan, plan
