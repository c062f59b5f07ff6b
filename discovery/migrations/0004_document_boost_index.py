"""Search's GIN index holds each paper's boost beside its words (Postgres only).

discovery.fulltext lists a broad query's matches band by band of boost, highest first,
from this index alone; btree_gin lets a GIN index hold the boost. The index replaces the
one on the document: it answers the same queries.
"""

from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations

FORWARDS = """
CREATE INDEX IF NOT EXISTS disc_idx_document_boost ON discovery_paperindex
    USING gin (document, boost);
DROP INDEX IF EXISTS disc_idx_document;
"""

BACKWARDS = """
CREATE INDEX IF NOT EXISTS disc_idx_document ON discovery_paperindex
    USING gin (document);
DROP INDEX IF EXISTS disc_idx_document_boost;
"""


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("discovery", "0003_sqlite_trigram_terms")]

    operations = [
        BtreeGinExtension(),
        migrations.RunPython(_run(FORWARDS), _run(BACKWARDS)),
    ]
