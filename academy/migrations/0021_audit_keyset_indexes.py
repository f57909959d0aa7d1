"""The audit pages at national scale (issue 16). Each lists its academy's records
newest first and pages by keyset on (at, id); on PostgreSQL only (academy/lists.py;
nothing on SQLite) each gets a b-tree index of its filter, then at and id in that
order, so that a page reads its rows and no more: access records and changes to
records by academy_id, sign-in events by the members' user ids.

Changes to records were read as "the academy's, or its people's" (an OR that no
index gives in order); the history triggers now give a change made with no academy in
its context its person's academy, and this fills the records written before the same
way (a bookkeeping column, changed on the audit trail's purge path). Built
CONCURRENTLY, so the migration is not atomic; the fill runs in a transaction of its
own."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from academy.audit.context import audit_purge
from academy.lists import keyset_index

FILL = (
    "UPDATE academy_changerecord SET academy_id = (SELECT p.academy_id FROM "
    "participants_participant p WHERE p.id = academy_changerecord.participant_id) "
    "WHERE academy_id IS NULL AND participant_id IN (SELECT id FROM "
    "participants_participant)"
)


def fill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    with audit_purge(), schema_editor.connection.cursor() as cursor:
        cursor.execute(FILL)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("academy", "0020_refresh_run_load_key"),
        ("participants", "0014_suspecteddoubleoutcome_academy"),
    ]

    operations = [
        migrations.RunPython(
            fill, migrations.RunPython.noop, atomic=True, elidable=True
        ),
        keyset_index(
            "academy_accessrecord",
            "accessrecord_academy_keyset",
            "academy_id, at DESC, id DESC",
        ),
        keyset_index(
            "academy_changerecord",
            "changerecord_academy_keyset",
            "academy_id, at DESC, id DESC",
        ),
        keyset_index(
            "academy_signinevent",
            "signinevent_user_keyset",
            "user_id, at DESC, id DESC",
        ),
    ]
