"""Writing a checked plan on PostgreSQL: the file's records are copied (COPY) into a
staging table that is dropped when the transaction ends, then merged with set-based
SQL: one INSERT … SELECT for the new records, and for new people one each for their
consent ledger, cohorts and timeline note; one UPDATE … FROM for changed records.

The database state is the same as `writing.import_apply`'s ORM path writes on SQLite
(tests/participants/test_import_copy.py compares them). The change history is kept by
the audit triggers (academy/audit/triggers.py), which see set-based writes as they see
the ORM's. Encrypted columns are encrypted here, in Python, before COPY.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models
from django.db.models.fields.related import ForeignKey

from academy.crypto import EncryptedCharField, EncryptedTextField, text_encrypt
from academy.models import Academy, User

from ..models import (
    CaseNote,
    ConsentRecord,
    Outcome,
    Participant,
    ParticipantCohort,
)
from ..services.casework import sustainment_checks_schedule_many
from .plans import ParsedRow, Update

_STAGE = "import_stage"
# Types psycopg writes as they are; any other field converts through Django.
_PLAIN = (
    models.CharField,
    models.TextField,
    models.DateField,
    models.BooleanField,
    models.IntegerField,
    models.DecimalField,
    ForeignKey,
)


def _is_plain(field: models.Field[Any, Any]) -> bool:
    encrypted = isinstance(field, EncryptedCharField | EncryptedTextField)
    return isinstance(field, _PLAIN) and not encrypted and not _is_phone(field)


def _db(field: models.Field[Any, Any], value: Any) -> Any:
    if _is_plain(field) or (_is_phone(field) and _is_e164(value)):
        return value
    return field.get_db_prep_save(value, connection)


def _is_phone(field: models.Field[Any, Any]) -> bool:
    return type(field).__name__ == "PhoneField"


def _is_e164(value: Any) -> bool:
    """A number as checking leaves it (E.164 text), which needs no parsing again."""
    return type(value) is str and (value == "" or value.startswith("+"))


# Memory for the merges' sorts (the file's rows in its order, joined to their people):
# the default 4 MB sorts 100,000 staged rows on disk.
_SORT_MEMORY = "64MB"


@contextmanager
def sort_memory() -> Iterator[None]:
    """Give the merge statements `_SORT_MEMORY` to sort in, until they are done (the
    setting is the transaction's, so it is put back afterwards)."""
    (before,) = _execute("SELECT set_config('work_mem', %s, true)", [_SORT_MEMORY])[0]
    try:
        yield
    finally:
        _execute("SELECT set_config('work_mem', %s, true)", [before])


def _execute(sql: str, params: Any = ()) -> list[Any]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _stage(table: str, columns: dict[str, str], rows: Iterable[Sequence[Any]]) -> None:
    """A staging table of `columns` (name -> SQL type), filled by COPY."""
    _execute(f"DROP TABLE IF EXISTS {table}")
    body = ", ".join(f"{_q(name)} {kind}" for name, kind in columns.items())
    _execute(f"CREATE TEMP TABLE {table} ({body}) ON COMMIT DROP")
    with connection.cursor() as cursor:
        names = ", ".join(_q(name) for name in columns)
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(f"ANALYZE {table}")


def _field(model: type[models.Model], attname: str) -> models.Field[Any, Any]:
    return next(f for f in model._meta.concrete_fields if f.attname == attname)


def _col(field: models.Field[Any, Any]) -> str:
    return str(field.column)


def _q(name: str) -> str:
    return str(connection.ops.quote_name(name))


def _column_type(field: models.Field[Any, Any]) -> str:
    return str(field.db_type(connection) or "text").replace("serial", "integer")


def creates_copy(
    *,
    model: type[models.Model],
    rows: Sequence[ParsedRow],
    extra: dict[str, Any],
    now: dt.datetime,
) -> None:
    """Insert the new records of a plan from a staging table, which stays until the
    transaction ends (for people, `ledger_copy` reads it next)."""
    if not rows:
        return
    template = model(**extra)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    given = {name for row in rows for name in row.create}
    constants: dict[str, Any] = {}
    for field in fields:
        if field.attname in given:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            constants[_col(field)] = now
        else:
            constants[_col(field)] = field.get_db_prep_save(
                getattr(template, field.attname), connection
            )
    given_fields = [f for f in fields if f.attname in given]
    defaults = {f.attname: getattr(template, f.attname) for f in given_fields}
    # Which columns psycopg writes as they are, worked out once, not per cell.
    plain = [(f.attname, defaults[f.attname]) for f in given_fields if _is_plain(f)]
    converted = [f for f in given_fields if not _is_plain(f)]
    varying = [*(f for f in given_fields if _is_plain(f)), *converted]
    is_people = model is Participant
    columns = {"row_number": "integer"}
    columns.update({_col(f): _column_type(f) for f in varying})
    if is_people:
        columns.update(share="boolean", cohorts="text[]")

    def staged() -> Iterable[tuple[Any, ...]]:
        for row in rows:
            create = row.create
            values: list[Any] = [row.number]
            values.extend([create.get(name, default) for name, default in plain])
            for field in converted:
                value = create.get(field.attname, defaults[field.attname])
                values.append(_db(field, value))
            if is_people:
                values.append(row.create.get("has_consent_to_share"))
                values.append(sorted(row.cohorts or ()))
            yield tuple(values)

    _stage(_STAGE, columns, staged())
    table = model._meta.db_table
    names = [_q(c) for c in [*constants, *(_col(f) for f in varying)]]
    placeholders = ["%s"] * len(constants) + [f"s.{_q(_col(f))}" for f in varying]
    # Outcomes need their ids back for their sustainment checks; nothing else does.
    keys = [_field(model, k) for k in _key_attnames(model)] if model is Outcome else []
    returning = f" RETURNING id, {', '.join(_q(_col(k)) for k in keys)}" if keys else ""
    returned = _execute(
        f"INSERT INTO {table} ({', '.join(names)}) "  # noqa: S608  # nosec B608
        f"SELECT {', '.join(placeholders)} FROM {_STAGE} s ORDER BY s.row_number"
        + returning,
        list(constants.values()),
    )
    if model is Outcome:
        ids = {tuple(values[1:]): values[0] for values in returned}
        sustainment_checks_schedule_many(
            outcomes=[model(pk=ids[row.key], **row.create, **extra) for row in rows]
        )


def _key_attnames(model: type[models.Model]) -> tuple[str, ...]:
    from .checking import _SPECS

    return next(s.key_fields for s in _SPECS.values() if s.model is model)


def ledger_copy(
    *, academy: Academy, by: User | None, now: dt.datetime, source: str, note: str
) -> None:
    """The new people's consent entries (to hold their data; to share, as the file
    states it), cohorts and 'Registered by' timeline note, each in one statement."""
    people = Participant._meta.db_table
    joined = (
        f"FROM {_STAGE} s JOIN {people} p "
        "ON p.academy_id = %(academy)s AND p.reference = s.reference"
    )
    params = {
        "academy": academy.pk,
        "by": by.pk if by else None,
        "now": now,
        # The same text on every row: one token, as a save of an unchanged note
        # writes its token again (academy/crypto.py).
        "note": text_encrypt(note),
        "registered": text_encrypt(f"Registered by {source}."),
        "import": ConsentRecord.Source.IMPORT,
        "hold": ConsentRecord.Kind.HOLD_DATA,
        "share": ConsentRecord.Kind.SHARE_WITH_PROVIDERS,
    }
    _execute(
        f"INSERT INTO {ConsentRecord._meta.db_table} "  # nosec B608
        "(participant_id, kind, is_given, source, recorded_by_id, recorded_at, note) "
        "SELECT p.id, x.kind, x.is_given, %(import)s, NULL, %(now)s, %(note)s "
        f"{joined} CROSS JOIN LATERAL (VALUES (1, %(hold)s, true), "
        "(2, %(share)s, s.share)) x(n, kind, is_given) "
        "WHERE x.is_given IS NOT NULL ORDER BY s.row_number, x.n",
        params,
    )
    _execute(
        f"INSERT INTO {ParticipantCohort._meta.db_table} "  # nosec B608
        f"(participant_id, code) SELECT p.id, c.code {joined} "
        "CROSS JOIN LATERAL unnest(s.cohorts) c(code) ORDER BY s.row_number, c.code",
        params,
    )
    _execute(
        f"INSERT INTO {CaseNote._meta.db_table} "  # nosec B608
        "(participant_id, text, written_by_id, written_at) "
        f"SELECT p.id, %(registered)s, %(by)s, %(now)s {joined} ORDER BY s.row_number",
        params,
    )


def updates_copy(
    *, model: type[models.Model], updates: Sequence[Update], now: dt.datetime
) -> None:
    """Write the changed records with one UPDATE … FROM a staging table: the fields
    changed anywhere in the file, as `writing._update` writes them with the ORM."""
    if not updates:
        return
    names = sorted({name for update in updates for name in update.changes})
    if not names:
        return
    fields = [_field(model, name) for name in names]
    has_updated_at = any(f.name == "updated_at" for f in model._meta.fields)
    columns = {"pk": "integer"}
    columns.update({_col(f): _column_type(f) for f in fields})

    def staged() -> Iterable[tuple[Any, ...]]:
        for update in updates:
            values = {**update.current, **update.changes}
            yield (update.pk, *(_db(f, values[f.attname]) for f in fields))

    _stage(f"{_STAGE}_changes", columns, staged())
    sets = [f"{_q(_col(f))} = s.{_q(_col(f))}" for f in fields]
    params: list[Any] = []
    if has_updated_at:
        sets.append("updated_at = %s")  # auto_now is not applied by an UPDATE
        params.append(now)
    _execute(
        f"UPDATE {model._meta.db_table} t SET {', '.join(sets)} "  # noqa: S608  # nosec B608
        f"FROM {_STAGE}_changes s WHERE t.id = s.pk",
        params,
    )
