"""A small second search vector for ranking (title A; abstract and authors
B), filled for the rows already there, and on PostgreSQL two partial indexes
over a fixed 1-in-50 sample of the rows, from which the counts of a search
with more matches than research.search.CANDIDATES are estimated."""

from django.db import migrations

import research.models

# Must say exactly what research.search.SAMPLE_EVERY says: the planner uses a
# partial index only when the query's condition is the index's.
SAMPLE = "id % 50 = 0"
INDEXES = {
    "resource_sample_search_idx": "gin (search_vector)",
    "resource_sample_newest_idx": "btree (published_on DESC, id DESC)",
}
CONFIG = "(CASE WHEN language = 'es' THEN 'spanish' ELSE 'english' END)::regconfig"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "UPDATE research_resource SET rank_vector = "
        f"setweight(to_tsvector({CONFIG}, COALESCE(title, '')), 'A') || "
        f"setweight(to_tsvector({CONFIG}, COALESCE(abstract, '') || ' ' || "
        "COALESCE(authors, '')), 'B')"
    )
    for name, definition in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON research_resource "
            f"USING {definition} WHERE {SAMPLE}",
            None,  # no parameters: the % is the modulo operator
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("research", "0004_newest_index")]

    operations = [
        migrations.AddField(
            model_name="resource",
            name="rank_vector",
            field=research.models.SearchDocumentField(editable=False, null=True),
        ),
        migrations.RunPython(forwards, backwards),
    ]
