"""Each database's own index of the centres' search words (`Centre.search_words`, written by `derived.py` alone):
what the text search reads (`search.py`).

- PostgreSQL keeps a `tsvector` of the words in a stored generated column, `search_vector`, with a GIN index
  (migration 0017). The vector is made from our folded words (`array_to_tsvector`), never by PostgreSQL's parser,
  whose idea of a letter depends on the cluster's locale.
- SQLite keeps an FTS5 table over the same column (`centres_centre_fts`, external content: it stores no copy of the
  words, only the index), filled and kept in step by triggers on the centres' table, as PostgreSQL keeps its column.
  Its tokenizer splits where `text.words` does (letters and digits of any script, and "_") and changes nothing
  else: the words arrive folded.

SQLite's FTS5 table refers to the centres' rows by `rowid`, and a table that a migration rebuilds on SQLite (Django
copies it into a new one) loses its triggers and may renumber its rows. So `ensure_index()` runs after every
`migrate`: it puts back what is missing and, when it had to, rebuilds the index from the column (a second for
100,000 centres).
"""

from django.db import connections

TABLE = "centres_centre_fts"
CREATE_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS centres_centre_fts USING fts5(search_words, content='centres_centre', "
    "content_rowid='rowid', tokenize=\"unicode61 remove_diacritics 0 tokenchars '_'\")"
)
# The FTS5 documentation's pattern for an external-content table: the old words out, the new ones in.
TRIGGERS = {
    "centres_centre_fts_insert": """
        CREATE TRIGGER centres_centre_fts_insert AFTER INSERT ON centres_centre BEGIN
            INSERT INTO centres_centre_fts(rowid, search_words) VALUES (new.rowid, new.search_words);
        END""",
    "centres_centre_fts_delete": """
        CREATE TRIGGER centres_centre_fts_delete AFTER DELETE ON centres_centre BEGIN
            INSERT INTO centres_centre_fts(centres_centre_fts, rowid, search_words)
            VALUES ('delete', old.rowid, old.search_words);
        END""",
    "centres_centre_fts_update": """
        CREATE TRIGGER centres_centre_fts_update AFTER UPDATE OF search_words ON centres_centre BEGIN
            INSERT INTO centres_centre_fts(centres_centre_fts, rowid, search_words)
            VALUES ('delete', old.rowid, old.search_words);
            INSERT INTO centres_centre_fts(rowid, search_words) VALUES (new.rowid, new.search_words);
        END""",
}
REBUILD = "INSERT INTO centres_centre_fts(centres_centre_fts) VALUES ('rebuild')"


def ensure_index(using: str = "default") -> bool:
    """SQLite: create the FTS5 table and its triggers where missing, and rebuild the index if anything was; returns
    whether it rebuilt. Nothing to do on PostgreSQL, whose generated column survives any migration."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE %s", [TABLE + "%"])
        present = {name for (name,) in cursor.fetchall()}
        if TABLE in present and present >= set(TRIGGERS):
            return False
        cursor.execute(CREATE_TABLE)
        for name, sql in TRIGGERS.items():
            if name not in present:
                cursor.execute(sql)
        cursor.execute(REBUILD)
    return True


def drop_index(using: str = "default") -> None:
    """SQLite: remove the FTS5 table and its triggers (the migration's way back)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute("DROP TABLE IF EXISTS centres_centre_fts")
