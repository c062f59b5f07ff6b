"""Keep discovery_paperindex current from the database itself, on Postgres and SQLite.

Papers reach the database through bulk_create/bulk_update (imports), which send no
Django signals, so the paper part of the index is written by triggers on the paper,
authorship, author, keyword and paper-keyword tables:

- Postgres: statement-level triggers with transition tables call one set-based function,
  so a bulk insert of 10,000 papers indexes them in one statement; full-text search reads
  a GIN index on the weighted document, and the words of titles and author names go to
  discovery_searchterm, whose pg_trgm index corrects typos.
- SQLite: row-level triggers keep an FTS5 table (discovery_fts, rowid = paper id) with
  one column per field, ranked with bm25 weights in the same order as Postgres's A-D.

The SQL is written out here (not imported) so that this migration keeps meaning what it
meant when it ran.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# --- Postgres ---------------------------------------------------------------------------

PG_INDEX_FUNCTION = """
CREATE OR REPLACE FUNCTION discovery_index_papers(ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO discovery_paperindex AS d (
        paper_id, title, authors, venue_id, year, document,
        summary_count, summary_score, request_count
    )
    SELECT p.id, p.title, coalesce(a.names, ''), p.venue_id, p.year,
           setweight(to_tsvector('english', p.title), 'A')
           || setweight(to_tsvector('english', coalesce(a.names, '')), 'B')
           || setweight(to_tsvector('english', coalesce(k.names, '')), 'C')
           || setweight(to_tsvector('english', p.abstract), 'C'),
           0, 0, 0
    FROM (SELECT DISTINCT unnest(ids) AS id) AS t
    JOIN papers_paper p ON p.id = t.id
    LEFT JOIN LATERAL (
        SELECT string_agg(au.name, ', ' ORDER BY s.position) AS names
        FROM papers_authorship s JOIN papers_author au ON au.id = s.author_id
        WHERE s.paper_id = p.id
    ) AS a ON true
    LEFT JOIN LATERAL (
        SELECT string_agg(kw.name, ', ' ORDER BY kw.name) AS names
        FROM papers_paper_keywords pk JOIN papers_keyword kw ON kw.id = pk.keyword_id
        WHERE pk.paper_id = p.id
    ) AS k ON true
    ON CONFLICT (paper_id) DO UPDATE SET
        title = EXCLUDED.title,
        authors = EXCLUDED.authors,
        venue_id = EXCLUDED.venue_id,
        year = EXCLUDED.year,
        -- The summary text (weight D) stays as index_summaries wrote it.
        document = EXCLUDED.document || ts_filter(d.document, '{d}')
    -- Imports rewrite rows with the values they already had; skip those writes.
    WHERE (d.title, d.authors, d.venue_id, d.year, ts_filter(d.document, '{a,b,c}'))
          IS DISTINCT FROM
          (EXCLUDED.title, EXCLUDED.authors, EXCLUDED.venue_id, EXCLUDED.year,
           EXCLUDED.document);

    INSERT INTO discovery_searchterm (word)
    SELECT DISTINCT w
    FROM discovery_paperindex d,
         regexp_split_to_table(lower(d.title || ' ' || d.authors), '[^[:alnum:]]+') AS w
    WHERE d.paper_id = ANY(ids) AND length(w) BETWEEN 3 AND 100
    ON CONFLICT (word) DO NOTHING;
$$;
"""

# (trigger name, table, event, transition tables, SQL selecting the paper ids to index)
PG_TRIGGERS = [
    (
        "paper_insert",
        "papers_paper",
        "INSERT",
        "NEW TABLE AS new_rows",
        "SELECT id FROM new_rows",
    ),
    (
        "paper_update",
        "papers_paper",
        "UPDATE",
        "NEW TABLE AS new_rows OLD TABLE AS old_rows",
        "SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id"
        " WHERE (n.title, n.abstract, n.venue_id, n.year)"
        " IS DISTINCT FROM (o.title, o.abstract, o.venue_id, o.year)",
    ),
    (
        "authorship_insert",
        "papers_authorship",
        "INSERT",
        "NEW TABLE AS new_rows",
        "SELECT paper_id FROM new_rows",
    ),
    (
        "authorship_update",
        "papers_authorship",
        "UPDATE",
        "NEW TABLE AS new_rows OLD TABLE AS old_rows",
        "SELECT paper_id FROM new_rows UNION SELECT paper_id FROM old_rows",
    ),
    (
        "authorship_delete",
        "papers_authorship",
        "DELETE",
        "OLD TABLE AS old_rows",
        "SELECT paper_id FROM old_rows",
    ),
    (
        "author_update",
        "papers_author",
        "UPDATE",
        "NEW TABLE AS new_rows OLD TABLE AS old_rows",
        "SELECT s.paper_id FROM papers_authorship s JOIN new_rows n ON n.id = s.author_id"
        " JOIN old_rows o ON o.id = n.id WHERE n.name IS DISTINCT FROM o.name",
    ),
    (
        "paper_keyword_insert",
        "papers_paper_keywords",
        "INSERT",
        "NEW TABLE AS new_rows",
        "SELECT paper_id FROM new_rows",
    ),
    (
        "paper_keyword_delete",
        "papers_paper_keywords",
        "DELETE",
        "OLD TABLE AS old_rows",
        "SELECT paper_id FROM old_rows",
    ),
    (
        "keyword_update",
        "papers_keyword",
        "UPDATE",
        "NEW TABLE AS new_rows OLD TABLE AS old_rows",
        "SELECT pk.paper_id FROM papers_paper_keywords pk"
        " JOIN new_rows n ON n.id = pk.keyword_id JOIN old_rows o ON o.id = n.id"
        " WHERE n.name IS DISTINCT FROM o.name",
    ),
]


def _pg_trigger_sql(name, table, event, referencing, ids_sql):
    return f"""
CREATE OR REPLACE FUNCTION discovery_on_{name}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM discovery_index_papers(ARRAY({ids_sql}));
    RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS discovery_{name} ON {table};
CREATE TRIGGER discovery_{name} AFTER {event} ON {table}
    REFERENCING {referencing}
    FOR EACH STATEMENT EXECUTE FUNCTION discovery_on_{name}();
"""


PG_PAPER_DELETE = """
CREATE OR REPLACE FUNCTION discovery_on_paper_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM discovery_paperindex WHERE paper_id IN (SELECT id FROM old_rows);
    RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS discovery_paper_delete ON papers_paper;
CREATE TRIGGER discovery_paper_delete AFTER DELETE ON papers_paper
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION discovery_on_paper_delete();
"""

# Ranking reads whole documents; LZ4 unpacks them several times faster than the default
# pglz. Servers built without LZ4 keep pglz.
PG_COMPRESSION = """
DO $$
BEGIN
    ALTER TABLE discovery_paperindex ALTER COLUMN document SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    NULL;
END
$$;
"""

PG_INDEXES = """
CREATE INDEX IF NOT EXISTS disc_idx_document ON discovery_paperindex
    USING gin (document);
CREATE INDEX IF NOT EXISTS disc_term_trgm ON discovery_searchterm
    USING gin (word gin_trgm_ops);
"""

PG_DROP = """
DROP INDEX IF EXISTS disc_idx_document;
DROP INDEX IF EXISTS disc_term_trgm;
DROP TRIGGER IF EXISTS discovery_paper_delete ON papers_paper;
DROP FUNCTION IF EXISTS discovery_on_paper_delete();
"""


def _postgres_forwards(cursor):
    cursor.execute(PG_INDEX_FUNCTION)
    for trigger in PG_TRIGGERS:
        cursor.execute(_pg_trigger_sql(*trigger))
    cursor.execute(PG_PAPER_DELETE)
    cursor.execute(PG_COMPRESSION)
    cursor.execute(PG_INDEXES)
    cursor.execute(
        "SELECT discovery_index_papers(ARRAY(SELECT id FROM papers_paper))"
    )


def _postgres_backwards(cursor):
    cursor.execute(PG_DROP)
    for name, table, *_ in PG_TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS discovery_{name} ON {table}")
        cursor.execute(f"DROP FUNCTION IF EXISTS discovery_on_{name}()")
    cursor.execute("DROP FUNCTION IF EXISTS discovery_index_papers(bigint[])")


# --- SQLite -----------------------------------------------------------------------------

SQLITE_FTS = """
CREATE VIRTUAL TABLE IF NOT EXISTS discovery_fts USING fts5(
    title, authors, keywords, abstract, summaries,
    tokenize = 'porter unicode61 remove_diacritics 2'
)
"""

_SQLITE_AUTHORS = """coalesce((
    SELECT group_concat(name, ', ') FROM (
        SELECT au.name AS name FROM papers_authorship s
        JOIN papers_author au ON au.id = s.author_id
        WHERE s.paper_id = {paper} ORDER BY s.position
    )
), '')"""

_SQLITE_KEYWORDS = """coalesce((
    SELECT group_concat(name, ', ') FROM (
        SELECT kw.name AS name FROM papers_paper_keywords pk
        JOIN papers_keyword kw ON kw.id = pk.keyword_id
        WHERE pk.paper_id = {paper} ORDER BY kw.name
    )
), '')"""


def _sqlite_reindex(ids_sql: str) -> str:
    """Return the trigger body that re-indexes the papers whose ids `ids_sql` selects."""
    return f"""
    INSERT INTO discovery_paperindex (
        paper_id, title, authors, venue_id, year, document,
        summary_count, summary_score, request_count
    )
    SELECT p.id, p.title, {_SQLITE_AUTHORS.format(paper="p.id")}, p.venue_id, p.year,
           '', 0, 0, 0
    FROM papers_paper p WHERE p.id IN ({ids_sql})
    ON CONFLICT (paper_id) DO UPDATE SET
        title = excluded.title, authors = excluded.authors,
        venue_id = excluded.venue_id, year = excluded.year;
    UPDATE discovery_fts SET
        title = (SELECT title FROM papers_paper WHERE id = discovery_fts.rowid),
        authors = {_SQLITE_AUTHORS.format(paper="discovery_fts.rowid")},
        keywords = {_SQLITE_KEYWORDS.format(paper="discovery_fts.rowid")},
        abstract = (SELECT abstract FROM papers_paper WHERE id = discovery_fts.rowid)
    WHERE rowid IN ({ids_sql});
    INSERT INTO discovery_fts (rowid, title, authors, keywords, abstract, summaries)
    SELECT p.id, p.title, {_SQLITE_AUTHORS.format(paper="p.id")},
           {_SQLITE_KEYWORDS.format(paper="p.id")}, p.abstract, ''
    FROM papers_paper p
    WHERE p.id IN ({ids_sql})
      AND NOT EXISTS (SELECT 1 FROM discovery_fts f WHERE f.rowid = p.id);
"""


# (trigger name, timing clause, SQL selecting the paper ids to index)
SQLITE_TRIGGERS = [
    ("paper_insert", "AFTER INSERT ON papers_paper", "NEW.id"),
    (
        "paper_update",
        "AFTER UPDATE OF title, abstract, venue_id, year ON papers_paper",
        "NEW.id",
    ),
    ("authorship_insert", "AFTER INSERT ON papers_authorship", "NEW.paper_id"),
    (
        "authorship_update",
        "AFTER UPDATE ON papers_authorship",
        "NEW.paper_id, OLD.paper_id",
    ),
    ("authorship_delete", "AFTER DELETE ON papers_authorship", "OLD.paper_id"),
    (
        "author_update",
        "AFTER UPDATE OF name ON papers_author",
        "SELECT paper_id FROM papers_authorship WHERE author_id = NEW.id",
    ),
    ("paper_keyword_insert", "AFTER INSERT ON papers_paper_keywords", "NEW.paper_id"),
    ("paper_keyword_delete", "AFTER DELETE ON papers_paper_keywords", "OLD.paper_id"),
    (
        "keyword_update",
        "AFTER UPDATE OF name ON papers_keyword",
        "SELECT paper_id FROM papers_paper_keywords WHERE keyword_id = NEW.id",
    ),
]

SQLITE_PAPER_DELETE = """
CREATE TRIGGER IF NOT EXISTS discovery_paper_delete AFTER DELETE ON papers_paper
BEGIN
    DELETE FROM discovery_paperindex WHERE paper_id = OLD.id;
    DELETE FROM discovery_fts WHERE rowid = OLD.id;
END
"""


def _sqlite_forwards(cursor):
    cursor.execute(SQLITE_FTS)
    for name, timing, ids_sql in SQLITE_TRIGGERS:
        cursor.execute(
            f"CREATE TRIGGER IF NOT EXISTS discovery_{name} {timing}\n"
            f"BEGIN{_sqlite_reindex(ids_sql)}END"
        )
    cursor.execute(SQLITE_PAPER_DELETE)
    for statement in _sqlite_reindex("SELECT id FROM papers_paper").split(";"):
        if statement.strip():
            cursor.execute(statement)


def _sqlite_backwards(cursor):
    for name, *_ in [*SQLITE_TRIGGERS, ("paper_delete",)]:
        cursor.execute(f"DROP TRIGGER IF EXISTS discovery_{name}")
    cursor.execute("DROP TABLE IF EXISTS discovery_fts")


# --- Both -------------------------------------------------------------------------------

# The home page's "popular" and "trending" lists read the votes of the last seven days.
# summaries/ owns the table; when its migrations settle, this index belongs in Vote.Meta.
VOTE_INDEX = (
    "CREATE INDEX IF NOT EXISTS disc_vote_created_at ON summaries_vote (created_at)"
)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            _postgres_forwards(cursor)
        elif vendor == "sqlite":
            _sqlite_forwards(cursor)
        cursor.execute(VOTE_INDEX)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            _postgres_backwards(cursor)
        elif vendor == "sqlite":
            _sqlite_backwards(cursor)
        cursor.execute("DROP INDEX IF EXISTS disc_vote_created_at")


class Migration(migrations.Migration):
    dependencies = [
        ("discovery", "0001_initial"),
        ("papers", "0003_seed_venues"),
        ("summaries", "0001_initial"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(forwards, backwards),
    ]
