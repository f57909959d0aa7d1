"""Comparing parsed observations with the stored figures, and writing the difference:
new and changed figures upserted, each change kept in the history.

On PostgreSQL the observations are copied (COPY) into a staging table that lives until
the transaction ends, compared with one join and merged with one statement (insert the
new, update the changed, keep the history of each change). SQLite compares in Python
and writes through the ORM. Both give the same plan, figures and history.
"""

from __future__ import annotations

import datetime as dt
import itertools
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ..models import LabourMarketChange, LabourMarketObservation, RefreshRun
from .config import MEASURES
from .observations import Observation, ParseResult

KEY_FIELDS = (
    "source",
    "area_code",
    "period",
    "measure",
    "sector",
    "service",
    "job_role",
)
VALUE_FIELDS = (
    "area_name",
    "value",
    "status",
    "unit",
    "raw_value",
    "run",
    "updated_at",
)
WRITE_BATCH = 2000
COPY_CHUNK = 5000
CHANGES_SHOWN = 50
Key = tuple[str, str, str, str, str, str, str]
# A row of the diff: the staged figure's place, and the stored figure it changes.
DiffRow = tuple[int, int | None, Decimal | None, str | None]


@dataclass(frozen=True)
class Change:
    """A stored figure the file changes."""

    pk: int
    observation: Observation
    old_value: Decimal | None
    old_status: str


@dataclass(frozen=True)
class Plan:
    """What writing a parsed file would do. `staged`: the observations are in the
    PostgreSQL staging table of this transaction (observations_write reads them)."""

    new: list[Observation]
    changed: list[Change]
    unchanged: int
    staged: bool = False


def uses_copy() -> bool:
    """PostgreSQL stages through COPY and merges in SQL; SQLite uses the ORM."""
    return connection.vendor == "postgresql"


def observations_compare(result: ParseResult) -> Plan:
    """Compare parsed observations with the stored ones, in one query."""
    if not result.observations:
        return Plan([], [], 0)
    if uses_copy():
        return _compare_staged(result.observations)
    sources = {o.source.value for o in result.observations}
    periods = {o.period for o in result.observations}
    stored: dict[Key, tuple[int, Decimal | None, str]] = {
        row[:7]: (row[7], row[8], row[9])
        for row in LabourMarketObservation.objects.filter(
            source__in=sources, period__in=periods
        ).values_list(*KEY_FIELDS, "pk", "value", "status")
    }
    new, changed, unchanged = [], [], 0
    for observation in result.observations:
        found = stored.get(observation.key)
        if found is None:
            new.append(observation)
        elif found[1] == observation.value and found[2] == observation.status:
            unchanged += 1
        else:
            changed.append(Change(found[0], observation, found[1], found[2]))
    return Plan(new, changed, unchanged)


def source_lock(source: str) -> None:
    """Let one refresh of a source write at a time (PostgreSQL; SQLite locks anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(source.encode())]
            )


def observations_write(plan: Plan, run: RefreshRun) -> None:
    """Upsert the new and changed figures and record the history of the changed."""
    if uses_copy():
        _write_staged(plan, run)
        return
    now = timezone.now()
    rows = [
        LabourMarketObservation(
            source=o.source.value,
            area_code=o.area_code,
            area_name=o.area_name[:200],
            period=o.period,
            measure=o.measure,
            sector=o.breakdown.sector,
            service=o.breakdown.service,
            job_role=o.breakdown.job_role,
            value=o.value,
            status=o.status.value,
            unit=o.unit.value,
            raw_value=o.raw[:40],
            run_id=run.pk,
            updated_at=now,
        )
        for o in [*plan.new, *(c.observation for c in plan.changed)]
    ]
    LabourMarketObservation.objects.bulk_create(
        rows,
        batch_size=WRITE_BATCH,
        update_conflicts=True,
        unique_fields=KEY_FIELDS,
        update_fields=VALUE_FIELDS,
    )
    LabourMarketChange.objects.bulk_create(
        [
            LabourMarketChange(
                observation_id=c.pk,
                run_id=run.pk,
                old_value=c.old_value,
                old_status=c.old_status,
                new_value=c.observation.value,
                new_status=c.observation.status.value,
                changed_at=now,
            )
            for c in plan.changed
        ],
        batch_size=WRITE_BATCH,
    )


# ---- PostgreSQL: COPY into staging, compare and merge in SQL ------------------------

_STAGE = "lmi_stage"
_STAGE_COLUMNS = (
    "idx",
    *KEY_FIELDS,
    "area_name",
    "value",
    "status",
    "unit",
    "raw_value",
)
_OBSERVATIONS = LabourMarketObservation._meta.db_table
_CHANGES = LabourMarketChange._meta.db_table
_DIFF_TABLE = "lmi_diff"
_SAME_KEY = " AND ".join(f"o.{f} = s.{f}" for f in KEY_FIELDS)
# The staged figures that are new or differ from the stored (value or status), with
# the stored figure's id, value and status. Only the stored figures of the file's
# source, areas and periods are read (the index on area, source and period), and
# joined by hashing: probing an index per staged figure goes wrong when the table's
# statistics are stale (an index of three of the seven key columns looks as good).
_DIFF = f"""
CREATE TEMP TABLE {_DIFF_TABLE} ON COMMIT DROP AS
SELECT s.*, o.id AS stored_id, o.value AS old_value, o.status AS old_status
FROM {_STAGE} s LEFT JOIN (
  SELECT * FROM {_OBSERVATIONS}
  WHERE area_code = ANY(%s) AND source = %s AND period = ANY(%s)
) o ON {_SAME_KEY}
WHERE o.id IS NULL OR o.value IS DISTINCT FROM s.value OR o.status <> s.status
"""  # noqa: S608  # nosec B608 - table and column names from the models
# Whether any figure of the file's source, areas and periods is stored.
_ANY_STORED = f"""
SELECT EXISTS (
  SELECT 1 FROM {_OBSERVATIONS}
  WHERE area_code = ANY(%s) AND source = %s AND period = ANY(%s)
)
"""  # noqa: S608  # nosec B608 - table and column names from the models
_VALUES = ("area_name", "value", "status", "unit", "raw_value")


def _copy_text(text: str) -> str:
    """A value as COPY's text format reads it."""
    return (
        text.replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def _copy_lines(
    observations: list[Observation],
    indexes: range | list[int],
    *,
    numbered: bool = True,
    end: str = "\n",
) -> Iterator[str]:
    """Each observation as a line of COPY text in _STAGE_COLUMNS' order (after its
    index if `numbered`), ending with `end`. A file repeats its areas, labels and
    values, so each distinct text is escaped once, and the key of a row's figures
    (one after another) is written once."""
    texts: dict[str, str] = {}
    values: dict[Decimal | None, str] = {None: "\\N"}

    def text(value: str) -> str:
        found = texts.get(value)
        if found is None:
            found = texts[value] = _copy_text(value)
        return found

    last: Observation | None = None
    head = tail = ""
    for index in indexes:
        o = observations[index]
        b = o.breakdown
        # The same objects as the figure before: the same row (else written anew).
        if (
            last is None
            or b is not last.breakdown
            or o.area_code is not last.area_code
            or o.area_name is not last.area_name
            or o.period is not last.period
            or o.source is not last.source
        ):
            head = f"{text(o.source)}\t{text(o.area_code)}\t{text(o.period)}\t"
            tail = (
                f"\t{text(b.sector)}\t{text(b.service)}\t{text(b.job_role)}\t"
                f"{text(o.area_name[:200])}\t"
            )
        value = values.get(o.value)
        if value is None:
            value = values[o.value] = format(o.value, "f")
        last = o
        start = f"{index}\t" if numbered else ""
        yield (
            f"{start}{head}{text(o.measure)}{tail}{value}\t{text(o.status)}\t"
            f"{text(o.unit)}\t{text(o.raw[:40])}{end}"
        )


def _copy(
    cursor: Any, table: str, columns: Iterable[str], lines: Iterator[str]
) -> None:
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        while chunk := "".join(itertools.islice(lines, COPY_CHUNK)):
            copy.write(chunk)


def _stage(observations: list[Observation], indexes: range | list[int]) -> None:
    """COPY the observations (numbered by their place in the parse) into a staging
    table dropped when the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_STAGE}")
        cursor.execute(
            f"CREATE TEMP TABLE {_STAGE} ON COMMIT DROP AS SELECT 0 AS idx, "  # noqa: S608  # nosec B608
            f"{', '.join(_STAGE_COLUMNS[1:])} FROM {_OBSERVATIONS} WITH NO DATA"
        )
        _copy(cursor, _STAGE, _STAGE_COLUMNS, _copy_lines(observations, indexes))


def _where(observations: list[Observation]) -> list[str | list[str]]:
    """The observations' areas, source and periods, as _ANY_STORED and _DIFF ask."""
    return [
        sorted({o.area_code for o in observations}),
        observations[0].source.value,
        sorted({o.period for o in observations}),
    ]


def _any_stored(observations: list[Observation]) -> bool:
    """Whether any figure of the observations' source, areas and periods is stored."""
    with connection.cursor() as cursor:
        cursor.execute(_ANY_STORED, _where(observations))
        return bool(cursor.fetchone()[0])


def _diff(observations: list[Observation]) -> list[DiffRow]:
    """Compare the staged observations with the stored ones in one join, keeping the
    new and changed in a table for the write; return them in staged order."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_DIFF_TABLE}")
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(_DIFF, _where(observations))
        cursor.execute("SET LOCAL enable_nestloop TO DEFAULT")
        cursor.execute(
            f"SELECT idx, stored_id, old_value, old_status FROM {_DIFF_TABLE}"  # noqa: S608  # nosec B608
        )
        return sorted(cursor.fetchall())


def _compare_staged(observations: list[Observation]) -> Plan:
    """Compare with one join of the staged observations. When none of their source,
    areas and periods is stored, all are new: nothing is staged (the write copies
    them into the table). Inside a transaction the staging table stays for
    observations_write; outside, it goes at once."""
    if not _any_stored(observations):
        return Plan(list(observations), [], 0)
    kept = connection.in_atomic_block
    with transaction.atomic():
        _stage(observations, range(len(observations)))
        rows = _diff(observations)
    new: list[Observation] = []
    changed: list[Change] = []
    for index, stored_id, old_value, old_status in rows:
        if stored_id is None:
            new.append(observations[index])
        else:
            changed.append(
                Change(stored_id, observations[index], old_value, old_status or "")
            )
    unchanged = len(observations) - len(new) - len(changed)
    return Plan(new, changed, unchanged, staged=kept)


def _write_staged(plan: Plan, run: RefreshRun) -> None:
    """Copy new figures straight into the table when there is nothing else to do;
    otherwise insert the new figures, update the changed ones and keep each change's
    history, in one statement from the diff table."""
    if not plan.new and not plan.changed:
        return
    now = timezone.now()
    if not plan.staged and not plan.changed:
        with connection.cursor() as cursor:
            _copy(
                cursor,
                _OBSERVATIONS,
                (*_STAGE_COLUMNS[1:], "run_id", "updated_at"),
                _copy_lines(
                    plan.new,
                    range(len(plan.new)),
                    numbered=False,
                    end=f"\t{run.pk}\t{now.isoformat()}\n",
                ),
            )
        return
    if not plan.staged:
        observations = [*plan.new, *(c.observation for c in plan.changed)]
        _stage(observations, range(len(observations)))
        _diff(observations)
    params: dict[str, int | dt.datetime] = {"run": run.pk, "now": now}
    keys, values = ", ".join(KEY_FIELDS), ", ".join(_VALUES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
WITH history AS (
  INSERT INTO {_CHANGES}
    (observation_id, run_id, old_value, old_status, new_value, new_status, changed_at)
  SELECT stored_id, %(run)s, old_value, old_status, value, status, %(now)s
  FROM {_DIFF_TABLE} WHERE stored_id IS NOT NULL
),
changed AS (
  UPDATE {_OBSERVATIONS} o
  SET {", ".join(f"{f} = d.{f}" for f in _VALUES)}, run_id = %(run)s,
      updated_at = %(now)s
  FROM {_DIFF_TABLE} d WHERE o.id = d.stored_id
)
INSERT INTO {_OBSERVATIONS} ({keys}, {values}, run_id, updated_at)
SELECT {keys}, {values}, %(run)s, %(now)s FROM {_DIFF_TABLE} WHERE stored_id IS NULL
""",  # noqa: S608  # nosec B608 - table and column names from the models
            params,
        )


def value_text(value: Decimal | None) -> str:
    return "suppressed" if value is None else format(value.normalize(), "f")


def summary_unchanged(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary of a file read again when nothing has changed since: the same
    rows, figures, areas, periods and units; nothing new or changed."""
    return {
        **summary,
        "new_areas": [],
        "new_areas_count": 0,
        "new_periods": [],
        "changes": [],
    }


def plan_summary(
    result: ParseResult, plan: Plan, *, written: bool = False
) -> dict[str, Any]:
    """What a run's page says of a file. Areas and periods of its new figures not
    stored before are named; once `written`, every one of them is stored."""
    observations = result.observations
    source = observations[0].source.value if observations else ""
    candidates = [] if written else plan.new
    stored = LabourMarketObservation.objects.filter(source=source)
    new_areas = {
        code: name
        for code, name in {
            o.area_code: f"{o.area_name} ({o.area_code})" for o in candidates
        }.items()
        if not stored.filter(area_code=code).exists()
    }
    new_periods = {
        period
        for period in {o.period for o in candidates}
        if not stored.filter(period=period).exists()
    }
    return {
        "new_areas": sorted(new_areas.values())[:CHANGES_SHOWN],
        "new_areas_count": len(new_areas),
        "new_periods": sorted(new_periods),
        "rows": result.rows,
        "observations": len(observations),
        "periods": sorted({o.period for o in observations}),
        "areas": len({o.area_code for o in observations}),
        "units": [
            [MEASURES[m].label if m in MEASURES else m, unit]
            for m, unit in result.units.items()
        ],
        "changes": [
            {
                "area": f"{c.observation.area_name} ({c.observation.area_code})",
                "period": c.observation.period,
                "measure": c.observation.measure,
                "breakdown": str(c.observation.breakdown),
                "old": value_text(c.old_value),
                "new": value_text(c.observation.value),
            }
            for c in plan.changed[:CHANGES_SHOWN]
        ],
    }
