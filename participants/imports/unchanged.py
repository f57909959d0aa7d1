"""Knowing, without reading its rows, that a file of participants imported again
finds every row unchanged.

A written import of participants records its load key (the file's bytes and name,
every option it was imported with, the coordinators its rows were read with, this
importer's code and the settings it reads) and a digest of the academy's people (and
their cohorts, when the file compares cohorts) in the fields an import compares, as
it leaves them: the records matching read, with its own changes and new people,
recorded only when every row was applied (none held back). A later import of a file
with the same key, while the academy's people (summed line by line in parallel on
PostgreSQL: one statement for the people, one for their cohorts) give that digest,
is recorded as reading it would: the records hold every row's values (each row's
record was written from the row or found equal to it), so every row is unchanged;
the same bytes, code and coordinators read as the same rows,
ignored columns and no problems ("in the future" only admits more as days pass). The
test is of the records as they are, not of a history of changes: a change by any
path (casework, another import, a merge, an erasure, SQL, one made while the import
wrote) is seen, and none is needed to have been recorded against the academy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, models

from academy.models import Academy

from ..models import Participant, ParticipantCohort
from .checking import _SPECS
from .matching import _E164, _stored
from .plans import ImportPlan

# The fields an import of people compares, and the order a digest takes them in.
COMPARED = ("reference", *_SPECS["participants"].fields)
# What a file's outcome depends on besides its bytes and the records: the importer.
_CODE = (
    "participants/imports/*.py",
    "participants/models/participant.py",
    "academy/rules.py",
    "academy/csv_files.py",
)


@cache
def _code_digest() -> str:
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256()
    for pattern in _CODE:
        for path in sorted(root.glob(pattern)):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def file_digest(source: IO[bytes]) -> str:
    digest = hashlib.sha256()
    source.seek(0)
    while chunk := source.read(1 << 20):
        digest.update(chunk)
    source.seek(0)
    return digest.hexdigest()


def load_key(
    *,
    file: str,
    file_name: str,
    kind: str,
    by_id: int | None,
    coordinator_id: int | None,
    accepted: Iterable[str],
    coordinators: Mapping[str, int],
) -> str:
    """What a written import of a file reads as: the same key, the same reading."""
    parts = [
        file,
        file_name,
        kind,
        repr(by_id),
        repr(coordinator_id),
        repr(sorted(accepted)),
        repr(sorted(coordinators.items())),
        # The settings reading depends on: the limits, and the zone of "today".
        repr(
            (
                settings.IMPORT_MAX_ROWS,
                settings.IMPORT_XLSX_MAX_UNPACKED_BYTES,
                settings.TIME_ZONE,
            )
        ),
        _code_digest(),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _text(value: Any) -> str:
    """A value as the digest writes it (and `_sql` does on PostgreSQL): NULL as \\N,
    text after its length and a colon (so that any character may be in it), the
    others in forms without tabs; tab-separated, one line a person."""
    write = _WRITERS.get(type(value))
    if write is not None:
        return write(value)
    if isinstance(value, bool):  # a subclass of one of these (a choice's value)
        return "t" if value else "f"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str):
        return f"{len(value)}:{value}"
    raise TypeError(f"no digest of {type(value).__name__}")


_WRITERS: dict[type, Callable[[Any], str]] = {
    type(None): lambda value: "\\N",
    bool: lambda value: "t" if value else "f",
    int: str,
    dt.date: dt.date.isoformat,
    str: lambda value: f"{len(value)}:{value}",
}


def _row_hash(line: str) -> int:
    """A line's share of a digest: the first 8 bytes of its SHA-256, as a signed
    64-bit number (as `_sql_summed` reads them on PostgreSQL)."""
    return int.from_bytes(
        hashlib.sha256(line.encode()).digest()[:8], "big", signed=True
    )


def _folded(people: tuple[int, int], cohorts: tuple[int, int] | None) -> str:
    """The digest of the counts and sums of the people's and cohorts' lines."""
    parts = [f"{people[0]}:{people[1]}"]
    if cohorts is not None:
        parts.append(f"{cohorts[0]}:{cohorts[1]}")
    return hashlib.sha256(" ".join(parts).encode()).hexdigest()


def _digest(
    people: Iterable[Mapping[str, Any]],
    cohorts: Mapping[int, frozenset[str]] | None,
) -> str:
    """The people as a set of lines (each its id, then the compared fields; each
    cohort a line of its own), summed line by line: the same whatever the order, so
    PostgreSQL reads it in parallel and sorts nothing."""
    count = total = 0
    codes = codes_total = 0
    for person in people:
        pk = int(person["pk"])
        cells = [str(pk), *(_text(person[name]) for name in COMPARED)]
        count += 1
        total += _row_hash("\t".join(cells))
        if cohorts is not None:
            for code in cohorts.get(pk, ()):
                codes += 1
                codes_total += _row_hash(f"{pk}\t{code}")
    return _folded((count, total), None if cohorts is None else (codes, codes_total))


def _sql_cell(field: Any) -> str:
    column = f"p.{connection.ops.quote_name(field.column)}"
    if isinstance(field, models.BooleanField):
        return f"CASE WHEN {column} THEN 't' WHEN NOT {column} THEN 'f' END"
    if isinstance(field, models.DateField):
        return f"to_char({column}, 'YYYY-MM-DD')"
    if isinstance(field, models.ForeignKey | models.IntegerField):
        return f"{column}::text"
    return f"length({column}) || ':' || {column}"


def _sql_summed(line: str, rows: str) -> str:
    """The count and sum of `_row_hash` of each `line` of `rows`, in SQL (a
    statement PostgreSQL runs in parallel: nothing to sort or join in order)."""
    hashed = (
        "('x' || encode(substring(sha256(convert_to("
        f"{line}, 'UTF8')) FROM 1 FOR 8), 'hex'))::bit(64)::bigint"
    )
    return f"SELECT count(*), coalesce(sum({hashed}), 0) FROM {rows}"  # noqa: S608  # nosec B608


def _sql() -> str:
    """The academy's people's lines, as `_digest` writes them."""
    fields = [
        next(f for f in Participant._meta.concrete_fields if f.attname == name)
        for name in COMPARED
    ]
    cells = ["p.id::text"]
    cells += [f"coalesce({_sql_cell(field)}, '\\N')" for field in fields]
    return _sql_summed(
        " || E'\\t' || ".join(cells),
        f"{Participant._meta.db_table} p WHERE p.academy_id = %(academy)s",
    )


def _sql_cohorts() -> str:
    """Their cohorts' lines."""
    return _sql_summed(
        "pc.participant_id::text || E'\\t' || pc.code",
        f"{ParticipantCohort._meta.db_table} pc "
        f"JOIN {Participant._meta.db_table} p ON p.id = pc.participant_id "
        "WHERE p.academy_id = %(academy)s",
    )


def records_digest(academy: Academy, *, with_cohorts: bool) -> str:
    """The academy's people as they are now, as matching reads them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:

            def summed(sql: str) -> tuple[int, int]:
                cursor.execute(sql, {"academy": academy.pk})
                count, total = cursor.fetchone()
                return int(count), int(total)

            return _folded(
                summed(_sql()), summed(_sql_cohorts()) if with_cohorts else None
            )
    records = Participant._default_manager.filter(academy=academy).order_by()
    people = _stored(records, Participant, ("pk", *COMPARED))
    cohorts: dict[int, frozenset[str]] | None = None
    if with_cohorts:
        codes: dict[int, set[str]] = {}
        for pk, code in ParticipantCohort.objects.filter(
            participant__academy=academy
        ).values_list("participant_id", "code"):
            codes.setdefault(pk, set()).add(code)
        cohorts = {pk: frozenset(found) for pk, found in codes.items()}
    return _digest(people, cohorts)


def written_digest(plan: ImportPlan) -> str | None:
    """The academy's people as a written plan leaves them: as matching read them,
    with its changes and new people. None when not every row was applied."""
    if plan.held or plan.problems:
        return None
    people = {values["pk"]: dict(values) for values in plan.seen}
    cohorts = None if plan.cohorts_seen is None else dict(plan.cohorts_seen)
    for update in plan.updates:
        people[update.pk].update(update.changes)
        if cohorts is not None and update.cohorts is not None:
            cohorts[update.pk] = update.cohorts
    template = Participant(academy=plan.academy, has_consent_to_hold=True)
    defaults = {name: getattr(template, name) for name in COMPARED}
    ids: dict[str, list[int]] = {}
    if plan.creates:  # the ids the new people were given, in the digest's order
        for reference, pk in Participant._default_manager.filter(
            academy=plan.academy
        ).values_list("reference", "pk"):
            ids.setdefault(reference, []).append(pk)
    for row in plan.creates:
        given = ids.get(str(row.create["reference"]), [])
        if len(given) != 1 or given[0] in people:
            return None
        new = {**defaults, **row.create, "pk": given[0]}
        people[given[0]] = new
        if cohorts is not None:
            cohorts[given[0]] = row.cohorts or frozenset()
    if any(not _as_stored(person["phone"]) for person in people.values()):
        return None  # a number read otherwise than its stored text
    try:
        return _digest(people.values(), cohorts)
    except TypeError:  # a value of a kind the digest does not write
        return None


def _as_stored(phone: object) -> bool:
    """Whether a number matching reads is its stored text (E.164, or none)."""
    return phone in ("", None) or (
        isinstance(phone, str) and bool(_E164.fullmatch(phone))
    )
