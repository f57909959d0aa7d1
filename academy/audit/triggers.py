"""Database triggers: the change history of casework, and audit tables that refuse to be
changed.

Each tracked table gets triggers that write a `ChangeRecord` for every row inserted,
changed or deleted, whatever wrote it (the ORM, a bulk update, raw SQL). On PostgreSQL
they are statement-level triggers over transition tables (one INSERT … SELECT per
statement, so a bulk load stays a bulk load); on SQLite, row-level triggers. The audit
tables get triggers that raise on UPDATE and DELETE unless the transaction is inside
`audit_purge()`.

Triggers are (re)installed after every `migrate` (post_migrate), because SQLite drops a
table's triggers whenever a migration rebuilds the table, and a new column must appear
in the SQLite triggers' column lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import ForeignKey, Model

CHANGE_TABLE = "academy_changerecord"
APPEND_ONLY_TABLES = (
    "academy_accessrecord",
    "academy_changerecord",
    "academy_signinevent",
)
# Columns never copied into the history (a password hash is a secret; the last sign-in
# time changes on every sign-in and is kept as sign-in events instead).
NEVER_KEPT = {"password", "last_login"}


@dataclass(frozen=True)
class Tracked:
    label: str  # "app_label.Model"
    # The path from a row to its participant: "id", "participant", "plan__participant".
    person: str
    academy: str = ""  # a column holding the academy's id, if the row has one

    @property
    def model(self) -> type[Model]:
        return apps.get_model(self.label)


TRACKED: tuple[Tracked, ...] = (
    Tracked("participants.Participant", person="id", academy="academy_id"),
    Tracked("participants.ParticipantCohort", person="participant"),
    Tracked("participants.ConsentRecord", person="participant"),
    Tracked("participants.Meeting", person="participant"),
    Tracked("participants.SkillsActionPlan", person="participant"),
    Tracked("participants.PlanAction", person="plan__participant"),
    Tracked("participants.PlanReview", person="plan__participant"),
    Tracked("participants.Support", person="participant"),
    Tracked("participants.Outcome", person="participant"),
    Tracked("participants.SustainmentCheck", person="outcome__participant"),
    Tracked("participants.CaseNote", person="participant"),
    Tracked("participants.Appointment", person="participant"),
    Tracked("participants.Task", person="participant"),
    Tracked("participants.Enquiry", person="participant", academy="academy_id"),
    Tracked("vacancies.Referral", person="participant", academy="academy_id"),
    Tracked("vacancies.ReferralEvent", person="referral__participant"),
    Tracked("academy.Membership", person="", academy="academy_id"),
    Tracked("academy.User", person=""),
)


def tracked_tables() -> set[str]:
    return {t.model._meta.db_table for t in TRACKED}


_TRACKED_CACHE: frozenset[str] | None = None


def touches_tracked_table(sql: str) -> bool:
    global _TRACKED_CACHE
    if _TRACKED_CACHE is None:
        _TRACKED_CACHE = frozenset(tracked_tables())
    return any(table in sql for table in _TRACKED_CACHE)


def _person_sql(model: type[Model], path: str, row: str) -> str:
    """SQL for the participant id of `row` (an alias of the tracked table's row)."""
    if not path:
        return "NULL"
    if path == "id":
        return f"{row}.id"
    first, _, rest = path.partition("__")
    field = model._meta.get_field(first)
    related = field.related_model
    if not isinstance(field, ForeignKey) or not isinstance(related, type):
        raise TypeError(f"{model.__name__}.{first} is not a foreign key")
    if not rest:
        return f"{row}.{field.column}"
    inner = _person_sql(related, rest, "t")
    # Table and column names from the models, never from input.
    return (
        f"(SELECT {inner} FROM {related._meta.db_table} t "  # noqa: S608  # nosec B608
        f"WHERE t.{related._meta.pk.column} = {row}.{field.column})"
    )


def _academy_sql(tracked: Tracked, row: str) -> str:
    """SQL for the academy of `row` when the context names none: the row's own academy
    column, else its participant's academy (so that every change to an academy's
    people carries the academy, and the audit page reads one academy's records by an
    index); evaluated only when needed (COALESCE stops at the first value)."""
    model = tracked.model
    candidates = [f"{row}.{tracked.academy}"] if tracked.academy else []
    if tracked.person:
        person = _person_sql(model, tracked.person, row)
        candidates.append(
            "(SELECT pp.academy_id FROM participants_participant pp "  # noqa: S608  # nosec B608
            f"WHERE pp.id = {person})"
        )
    if len(candidates) > 1:
        return f"COALESCE({', '.join(candidates)})"
    return candidates[0] if candidates else "NULL"


def _columns(model: type[Model], *, significant: bool = False) -> list[str]:
    """The columns kept; `significant`: without those a save alone changes (auto_now),
    so that a save that changes nothing else writes no history."""
    return [
        str(f.column)
        for f in model._meta.concrete_fields
        if f.column not in NEVER_KEPT
        and not (significant and getattr(f, "auto_now", False))
    ]


# ---- PostgreSQL ---------------------------------------------------------------------

_PG_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION academy_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('academy.purge', true) = 'on' THEN
    RETURN COALESCE(NEW, OLD);
  END IF;
  RAISE EXCEPTION 'The audit trail cannot be changed or deleted (%).', TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;
"""


def _pg_row_json(model: type[Model], alias: str, *, significant: bool = False) -> str:
    kept = set(_columns(model, significant=significant))
    json = f"to_jsonb({alias})"
    for field in model._meta.concrete_fields:
        if field.column not in kept:
            json += f" - '{field.column}'"
    return json


def _pg_install(cursor: Any, tracked: Tracked) -> None:
    model = tracked.model
    table = model._meta.db_table
    for op, new_or_old, select in (
        ("insert", "NEW TABLE AS n", "FROM n"),
        ("delete", "OLD TABLE AS o", "FROM o"),
        ("update", "NEW TABLE AS n OLD TABLE AS o", "FROM n JOIN o ON o.id = n.id"),
    ):
        row = "o" if op == "delete" else "n"
        old = _pg_row_json(model, "o") if op != "insert" else "NULL::jsonb"
        new = _pg_row_json(model, "n") if op != "delete" else "NULL::jsonb"
        where = (
            f"WHERE {_pg_row_json(model, 'o', significant=True)} IS DISTINCT FROM "
            f"{_pg_row_json(model, 'n', significant=True)}"
            if op == "update"
            else ""
        )
        function = f"academy_history_{table}_{op}"[:63]
        cursor.execute(
            f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {CHANGE_TABLE}
    (at, table_name, row_id, operation, participant_id, academy_id, actor_id,
     request_id, old, new)
  SELECT clock_timestamp(), '{table}', {row}.id, '{op}',
    {_person_sql(model, tracked.person, row)},
    COALESCE(NULLIF(current_setting('academy.academy_id', true), '')::int,
             {_academy_sql(tracked, row)}),
    NULLIF(current_setting('academy.actor_id', true), '')::int,
    COALESCE(current_setting('academy.request_id', true), ''),
    {old}, {new}
  {select} {where};
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS {function} ON {table};
CREATE TRIGGER {function} AFTER {op.upper()} ON {table}
  REFERENCING {new_or_old} FOR EACH STATEMENT EXECUTE FUNCTION {function}();
"""
        )


def _pg_protect(cursor: Any) -> None:
    cursor.execute(_PG_APPEND_ONLY)
    for table in APPEND_ONLY_TABLES:
        cursor.execute(
            f"DROP TRIGGER IF EXISTS academy_append_only ON {table};"
            f"CREATE TRIGGER academy_append_only BEFORE UPDATE OR DELETE ON {table}"
            " FOR EACH ROW EXECUTE FUNCTION academy_append_only();"
        )


# ---- SQLite -------------------------------------------------------------------------


def _sqlite_json(model: type[Model], row: str, *, significant: bool = False) -> str:
    columns = _columns(model, significant=significant)
    pairs = ", ".join(f"'{c}', {row}.\"{c}\"" for c in columns)
    return f"json_object({pairs})"


def _sqlite_install(cursor: Any, tracked: Tracked) -> None:
    model = tracked.model
    table = model._meta.db_table
    for op in ("insert", "update", "delete"):
        row = "OLD" if op == "delete" else "NEW"
        old = _sqlite_json(model, "OLD") if op != "insert" else "NULL"
        new = _sqlite_json(model, "NEW") if op != "delete" else "NULL"
        when = (
            f"WHEN {_sqlite_json(model, 'OLD', significant=True)} IS NOT "
            f"{_sqlite_json(model, 'NEW', significant=True)}"
            if op == "update"
            else ""
        )
        academy = _academy_sql(tracked, row)
        name = f"academy_history_{table}_{op}"
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(
            f"""
CREATE TRIGGER {name} AFTER {op.upper()} ON {table} FOR EACH ROW {when}
BEGIN
  INSERT INTO {CHANGE_TABLE}
    (at, table_name, row_id, operation, participant_id, academy_id, actor_id,
     request_id, old, new)
  VALUES (strftime('%Y-%m-%d %H:%M:%f', 'now'), '{table}', {row}.id, '{op}',
    {_person_sql(model, tracked.person, row)},
    COALESCE(academy_academy(), {academy}), academy_actor(),
    COALESCE(academy_request(), ''), {old}, {new});
END
"""  # noqa: S608 - names from the models  # nosec B608
        )


def _sqlite_protect(cursor: Any) -> None:
    for table in APPEND_ONLY_TABLES:
        for op in ("update", "delete"):
            name = f"academy_append_only_{table}_{op}"
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(
                f"CREATE TRIGGER {name} BEFORE {op.upper()} ON {table} FOR EACH ROW"
                " WHEN academy_purge() = 0 BEGIN"
                " SELECT RAISE(ABORT, 'The audit trail cannot be changed or deleted.');"
                " END"
            )


def triggers_install(connection: BaseDatabaseWrapper) -> None:
    """Install (or refresh) every history and append-only trigger. Idempotent."""
    global _TRACKED_CACHE
    _TRACKED_CACHE = None
    existing = set(connection.introspection.table_names())
    if CHANGE_TABLE not in existing:
        return
    install, protect = {
        "postgresql": (_pg_install, _pg_protect),
        "sqlite": (_sqlite_install, _sqlite_protect),
    }.get(connection.vendor, (None, None))
    if install is None or protect is None:
        return
    with connection.cursor() as cursor:
        for tracked in TRACKED:
            if tracked.model._meta.db_table in existing:
                install(cursor, tracked)
        protect(cursor)


def triggers_drop(connection: BaseDatabaseWrapper) -> None:
    """Drop the SQLite history triggers: a migration that rebuilds a table (SQLite
    copies it to a new one and renames it) fails while another table's trigger names
    it. post_migrate installs them again. PostgreSQL's need no such care."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            " AND name LIKE 'academy_history_%'"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def pre_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    if sender.label == "academy":
        triggers_drop(connections[using])


def post_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """After `migrate` (the signal is sent once per app, after every migration has
    run): install once, on the academy app's turn."""
    if sender.label != "academy":
        return
    triggers_install(connections[using])
