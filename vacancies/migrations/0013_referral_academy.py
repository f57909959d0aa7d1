"""Referrals carry their academy (issue 16): the participant's, filled here for the
referrals there are, then required. Every read of referrals starts from one
academy's by an index leading with it (diaries and a provider's interviews, the
referral list's order, the impact report's period); events get one for a diary's
week.

On PostgreSQL a national deployment has about a million referrals, and nothing here
keeps them from being read or written for longer than a moment: the column is added
empty (instant) with its foreign key NOT VALID (checked for new rows only); the fill
runs in batches of ids, a transaction each; the column is required through a CHECK
constraint validated without locking anyone out, which lets SET NOT NULL skip its
scan (PostgreSQL 12+); the indexes are built CONCURRENTLY. So the migration is not
atomic, and each step can run again if one fails. On SQLite (a small academy's
database) Django's own operations do it simply.

The fill is not change history (nothing about the person changed): on PostgreSQL the
table's history triggers are off in each batch's transaction (which keeps writers out
of referrals for that batch, not readers); on SQLite `migrate` has dropped them
(academy/audit/triggers.py) until it has finished."""

from typing import Any

from django.db import migrations, models, transaction
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState, StateApps

from academy.lists import keyset_index

BATCH = 10_000
# Django's own name for the key, so that a later migration altering the field finds it.
FOREIGN_KEY = "vacancies_referral_academy_id_de91e574_fk_academy_academy_id"
GIVEN = "referral_academy_given"
FILL = (
    "UPDATE vacancies_referral SET academy_id = (SELECT p.academy_id FROM "
    "participants_participant p WHERE p.id = vacancies_referral.participant_id) "
    "WHERE academy_id IS NULL"
)


class OnSqlite(Operation):
    """Django's operation, run on any database but PostgreSQL (which gets the same
    schema from the SQL beside it); the model state changes on every database."""

    def __init__(self, operation: Operation) -> None:
        self.operation = operation

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__name__, [self.operation], {})

    def describe(self) -> str:
        return f"{self.operation.describe()} (not on PostgreSQL)"

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        self.operation.state_forwards(app_label, state)

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            self.operation.database_forwards(
                app_label, schema_editor, from_state, to_state
            )

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            self.operation.database_backwards(
                app_label, schema_editor, from_state, to_state
            )


def _is_postgres(schema_editor: BaseDatabaseSchemaEditor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def column_add(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Empty, so instant; the key checks new rows only until it is validated."""
    if not _is_postgres(schema_editor):
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE vacancies_referral ADD COLUMN IF NOT EXISTS academy_id bigint"
        )
        cursor.execute(
            f"ALTER TABLE vacancies_referral DROP CONSTRAINT IF EXISTS {FOREIGN_KEY}, "
            f"ADD CONSTRAINT {FOREIGN_KEY} FOREIGN KEY (academy_id) "
            "REFERENCES academy_academy (id) DEFERRABLE INITIALLY DEFERRED NOT VALID"
        )


def column_drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if not _is_postgres(schema_editor):
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE vacancies_referral DROP COLUMN IF EXISTS academy_id"
        )


def fill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Every referral gets its participant's academy: on PostgreSQL BATCH ids at a
    time, each batch its own transaction with the history triggers off."""
    connection = schema_editor.connection
    if not _is_postgres(schema_editor):
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(FILL)
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(id), MAX(id) FROM vacancies_referral")
        first, last = cursor.fetchone()
    if first is None:
        return
    for start in range(first, last + 1, BATCH):
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("ALTER TABLE vacancies_referral DISABLE TRIGGER USER")
            cursor.execute(f"{FILL} AND id >= %s AND id < %s", [start, start + BATCH])
            # The key's deferred checks now: a table with pending checks cannot be
            # altered (its triggers enabled again).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE vacancies_referral ENABLE TRIGGER USER")


def require(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """NOT NULL without a scan under the exclusive lock: a CHECK constraint, added
    NOT VALID (instant; new rows must have an academy from here), then validated
    (a scan that lets others read and write), proves the column has no NULL, so SET
    NOT NULL takes its lock only for a moment. A referral written without an academy
    between the fill and the CHECK (by code from before this release) is filled
    first. Each statement is its own transaction (the migration is not atomic)."""
    if not _is_postgres(schema_editor):
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE vacancies_referral DROP CONSTRAINT IF EXISTS {GIVEN}, "
            f"ADD CONSTRAINT {GIVEN} CHECK (academy_id IS NOT NULL) NOT VALID"
        )
        cursor.execute(FILL)
        cursor.execute(f"ALTER TABLE vacancies_referral VALIDATE CONSTRAINT {GIVEN}")
        cursor.execute(
            f"ALTER TABLE vacancies_referral VALIDATE CONSTRAINT {FOREIGN_KEY}"
        )
        cursor.execute(
            "ALTER TABLE vacancies_referral ALTER COLUMN academy_id SET NOT NULL"
        )
        cursor.execute(f"ALTER TABLE vacancies_referral DROP CONSTRAINT {GIVEN}")


def unrequire(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if not _is_postgres(schema_editor):
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE vacancies_referral ALTER COLUMN academy_id DROP NOT NULL"
        )


def _index(
    model_name: str, fields: list[str], name: str, table: str, columns: str
) -> list[Operation]:
    """The model's index: Django's on SQLite, built CONCURRENTLY on PostgreSQL (the
    same columns and order)."""
    index = models.Index(fields=fields, name=name)
    return [
        OnSqlite(migrations.AddIndex(model_name=model_name, index=index)),
        keyset_index(table, name, columns),
    ]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("academy", "0019_search_trigram"),
        ("participants", "0013_enquiry_status_index"),
        ("vacancies", "0012_search_trigram"),
    ]

    operations = [
        OnSqlite(
            migrations.AddField(
                model_name="referral",
                name="academy",
                field=models.ForeignKey(
                    db_index=False,
                    null=True,
                    on_delete=models.deletion.PROTECT,
                    related_name="+",
                    to="academy.academy",
                ),
            )
        ),
        migrations.RunPython(column_add, column_drop, atomic=True),
        migrations.RunPython(
            fill, migrations.RunPython.noop, atomic=False, elidable=True
        ),
        OnSqlite(
            migrations.AlterField(
                model_name="referral",
                name="academy",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=models.deletion.PROTECT,
                    related_name="+",
                    to="academy.academy",
                ),
            )
        ),
        migrations.RunPython(require, unrequire, atomic=False),
        *_index(
            "event",
            ["academy", "starts_at"],
            "event_academy_starts",
            "vacancies_event",
            "academy_id, starts_at",
        ),
        *_index(
            "referral",
            ["academy", "interview_at"],
            "referral_academy_interview",
            "vacancies_referral",
            "academy_id, interview_at",
        ),
        *_index(
            "referral",
            ["academy", "-updated_at", "-id"],
            "referral_academy_list",
            "vacancies_referral",
            "academy_id, updated_at DESC, id DESC",
        ),
        *_index(
            "referral",
            ["academy", "created_at"],
            "referral_academy_created",
            "vacancies_referral",
            "academy_id, created_at",
        ),
    ]
