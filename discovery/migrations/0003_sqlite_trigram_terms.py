"""SQLite: a trigram index of titles and author names, so search forgives typos.

Postgres corrects a misspelt word against discovery_searchterm with pg_trgm. On SQLite
an FTS5 table with the trigram tokenizer (discovery_trgm, rowid = paper id) holds each
paper's title and authors, kept current by triggers on discovery_paperindex (which the
paper triggers of 0002 write); the engine finds the papers sharing most trigrams with
the unknown word and picks the closest word of their titles and names.

The SQL is written out here (not imported) so that this migration keeps meaning what it
meant when it ran.
"""

from django.db import migrations

TRGM_TABLE = """
CREATE VIRTUAL TABLE IF NOT EXISTS discovery_trgm USING fts5(
    title, authors, tokenize = 'trigram'
)
"""

TRGM_TRIGGERS = [
    """
    CREATE TRIGGER IF NOT EXISTS discovery_trgm_insert
    AFTER INSERT ON discovery_paperindex
    BEGIN
        INSERT INTO discovery_trgm (rowid, title, authors)
        VALUES (NEW.paper_id, NEW.title, NEW.authors);
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS discovery_trgm_update
    AFTER UPDATE OF title, authors ON discovery_paperindex
    BEGIN
        DELETE FROM discovery_trgm WHERE rowid = OLD.paper_id;
        INSERT INTO discovery_trgm (rowid, title, authors)
        VALUES (NEW.paper_id, NEW.title, NEW.authors);
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS discovery_trgm_delete
    AFTER DELETE ON discovery_paperindex
    BEGIN
        DELETE FROM discovery_trgm WHERE rowid = OLD.paper_id;
    END
    """,
]

TRGM_FILL = """
INSERT INTO discovery_trgm (rowid, title, authors)
SELECT paper_id, title, authors FROM discovery_paperindex
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(TRGM_TABLE)
        for trigger in TRGM_TRIGGERS:
            cursor.execute(trigger)
        cursor.execute(TRGM_FILL)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in ("insert", "update", "delete"):
            cursor.execute(f"DROP TRIGGER IF EXISTS discovery_trgm_{name}")
        cursor.execute("DROP TABLE IF EXISTS discovery_trgm")


class Migration(migrations.Migration):
    dependencies = [("discovery", "0002_search_triggers")]

    operations = [migrations.RunPython(forwards, backwards)]
