from django.db import migrations, models


def _field():
    field = models.TextField(blank=True, verbose_name="arXiv comment", default="")
    field.set_attributes_from_name("arxiv_comment")
    return field


def add_column(apps, schema_editor):
    """Add the column in place (see 0004_dblp_key_and_links: on SQLite, a rebuild of
    papers_paper fails on the search-index triggers that name the table)."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "ALTER TABLE papers_paper ADD COLUMN arxiv_comment text NOT NULL DEFAULT ''"
        )
        return
    schema_editor.add_field(apps.get_model("papers", "Paper"), _field())


def drop_column(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("ALTER TABLE papers_paper DROP COLUMN arxiv_comment")
        return
    schema_editor.remove_field(apps.get_model("papers", "Paper"), _field())


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0006_merge_20261201_0447"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="paper",
                    name="arxiv_comment",
                    field=models.TextField(blank=True, verbose_name="arXiv comment"),
                ),
            ],
            database_operations=[migrations.RunPython(add_column, drop_column)],
        ),
    ]
