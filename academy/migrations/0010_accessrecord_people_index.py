"""On PostgreSQL, a GIN index answers "who saw this person?" without reading every
access record (jsonb containment). SQLite needs none at its scale."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS academy_accessrecord_people_gin"
            " ON academy_accessrecord USING gin (participant_ids jsonb_path_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS academy_accessrecord_people_gin")


class Migration(migrations.Migration):
    dependencies = [("academy", "0009_audit_trail")]

    operations = [migrations.RunPython(forwards, backwards)]
