from django.db import migrations, models

SOURCES = [
    ("arxiv", "arXiv"),
    ("bibsonomy", "BibSonomy"),
    ("crossref", "Crossref"),
    ("dblp", "dblp"),
    ("manual", "Manual"),
]


def _fields():
    dblp_key = models.CharField(
        blank=True, max_length=255, verbose_name="DBLP key", default=""
    )
    dblp_key.set_attributes_from_name("dblp_key")
    links = models.JSONField(blank=True, default=list)
    links.set_attributes_from_name("links")
    return dblp_key, links


def add_columns(apps, schema_editor):
    """Add the two columns in place.

    On SQLite, Django would rebuild papers_paper to add a NOT NULL column, and the
    rename at the end of a rebuild fails on the search-index triggers of discovery/,
    which name the table. SQLite adds a NOT NULL column with a constant default in
    place, so that is what happens there.
    """
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "ALTER TABLE papers_paper ADD COLUMN dblp_key varchar(255) "
            "NOT NULL DEFAULT ''"
        )
        schema_editor.execute(
            "ALTER TABLE papers_paper ADD COLUMN links text NOT NULL DEFAULT '[]' "
            "CHECK ((JSON_VALID(links) OR links IS NULL))"
        )
        return
    Paper = apps.get_model("papers", "Paper")
    for field in _fields():
        schema_editor.add_field(Paper, field)


def drop_columns(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("ALTER TABLE papers_paper DROP COLUMN links")
        schema_editor.execute("ALTER TABLE papers_paper DROP COLUMN dblp_key")
        return
    Paper = apps.get_model("papers", "Paper")
    for field in _fields():
        schema_editor.remove_field(Paper, field)


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0003_seed_venues"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="paper",
                    name="dblp_key",
                    field=models.CharField(
                        blank=True, max_length=255, verbose_name="DBLP key"
                    ),
                ),
                migrations.AddField(
                    model_name="paper",
                    name="links",
                    field=models.JSONField(blank=True, default=list),
                ),
            ],
            database_operations=[migrations.RunPython(add_columns, drop_columns)],
        ),
        migrations.AlterField(
            model_name="paper",
            name="source",
            field=models.CharField(choices=SOURCES, default="manual", max_length=20),
        ),
        migrations.AlterField(
            model_name="paperimport",
            name="source",
            field=models.CharField(choices=SOURCES, max_length=20),
        ),
        migrations.AddConstraint(
            model_name="paper",
            constraint=models.UniqueConstraint(
                condition=~models.Q(dblp_key=""),
                fields=("dblp_key",),
                name="paper_unique_dblp_key",
            ),
        ),
    ]
