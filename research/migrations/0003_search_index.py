"""The GIN index of the stored search document, on PostgreSQL (SQLite, the
embedded default, has no GIN and searches without it)."""

from django.db import migrations

INDEX = "resource_search_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON research_resource USING gin (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("research", "0002_topics")]

    operations = [migrations.RunPython(create_index, drop_index)]
