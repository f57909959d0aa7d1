"""Comparing parsed observations with the stored figures, and writing the difference:
new and changed figures upserted, each change kept in the history.

On PostgreSQL the observations are copied (COPY) into a staging table that lives until
the transaction ends, compared with one join and merged with one statement (insert the
new, update the changed, keep the history of each change). SQLite compares in Python
and writes through the ORM. Both give the same plan, figures and history.
"""

from __future__ import annotations

import zlib
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
CHANGES_SHOWN = 50
Key = tuple[str, str, str, str, str, str, str]


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
_SAME_KEY = " AND ".join(f"o.{f} = s.{f}" for f in KEY_FIELDS)
# A stored figure that differs from the staged one (the file's value or status).
_DIFF = f"""
SELECT s.*, o.id AS stored_id, o.value AS old_value, o.status AS old_status
FROM {_STAGE} s LEFT JOIN {_OBSERVATIONS} o ON {_SAME_KEY}
WHERE o.id IS NULL OR o.value IS DISTINCT FROM s.value OR o.status <> s.status
"""  # noqa: S608  # nosec B608 - table and column names from the models


def _stage(observations: list[Observation], indexes: range | list[int]) -> None:
    """COPY the observations (numbered by their place in the parse) into a staging
    table dropped when the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_STAGE}")
        cursor.execute(
            f"CREATE TEMP TABLE {_STAGE} ON COMMIT DROP AS SELECT 0 AS idx, "  # noqa: S608  # nosec B608
            f"{', '.join(_STAGE_COLUMNS[1:])} FROM {_OBSERVATIONS} WITH NO DATA"
        )
        with cursor.cursor.copy(
            f"COPY {_STAGE} ({', '.join(_STAGE_COLUMNS)}) FROM STDIN"
        ) as copy:
            for index in indexes:
                o = observations[index]
                b = o.breakdown
                copy.write_row(
                    (
                        index,
                        o.source.value,
                        o.area_code,
                        o.period,
                        o.measure,
                        b.sector,
                        b.service,
                        b.job_role,
                        o.area_name[:200],
                        o.value,
                        o.status.value,
                        o.unit.value,
                        o.raw[:40],
                    )
                )
        cursor.execute(f"ANALYZE {_STAGE}")


def _compare_staged(observations: list[Observation]) -> Plan:
    """Stage every observation and compare with one join. Inside a transaction the
    staging table stays for observations_write; outside, it goes at once."""
    kept = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        _stage(observations, range(len(observations)))
        cursor.execute(
            f"SELECT idx, stored_id, old_value, old_status FROM ({_DIFF}) d "  # noqa: S608  # nosec B608
            "ORDER BY idx"
        )
        new: list[Observation] = []
        changed: list[Change] = []
        for index, stored_id, old_value, old_status in cursor.fetchall():
            if stored_id is None:
                new.append(observations[index])
            else:
                changed.append(
                    Change(stored_id, observations[index], old_value, old_status)
                )
    unchanged = len(observations) - len(new) - len(changed)
    return Plan(new, changed, unchanged, staged=kept)


def _write_staged(plan: Plan, run: RefreshRun) -> None:
    """Insert the new figures, update the changed ones and keep each change's history,
    in one statement from the staging table."""
    if not plan.new and not plan.changed:
        return
    if not plan.staged:
        observations = [*plan.new, *(c.observation for c in plan.changed)]
        _stage(observations, range(len(observations)))
    values = ("area_name", "value", "status", "unit", "raw_value")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
WITH diff AS MATERIALIZED ({_DIFF}),
history AS (
  INSERT INTO {_CHANGES}
    (observation_id, run_id, old_value, old_status, new_value, new_status, changed_at)
  SELECT stored_id, %(run)s, old_value, old_status, value, status, %(now)s
  FROM diff WHERE stored_id IS NOT NULL
),
changed AS (
  UPDATE {_OBSERVATIONS} o
  SET {", ".join(f"{f} = d.{f}" for f in values)}, run_id = %(run)s,
      updated_at = %(now)s
  FROM diff d WHERE o.id = d.stored_id
)
INSERT INTO {_OBSERVATIONS}
  ({", ".join(KEY_FIELDS)}, {", ".join(values)}, run_id, updated_at)
SELECT {", ".join(KEY_FIELDS)}, {", ".join(values)}, %(run)s, %(now)s
FROM diff WHERE stored_id IS NULL
""",  # noqa: S608  # nosec B608 - table and column names from the models
            {"run": run.pk, "now": timezone.now()},
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


def plan_summary(result: ParseResult, plan: Plan) -> dict[str, Any]:
    observations = result.observations
    source = observations[0].source.value if observations else ""
    stored_areas = set(
        LabourMarketObservation.objects.filter(source=source)
        .values_list("area_code", flat=True)
        .distinct()
    )
    stored_periods = set(
        LabourMarketObservation.objects.filter(source=source)
        .values_list("period", flat=True)
        .distinct()
    )
    new_areas = {
        o.area_code: f"{o.area_name} ({o.area_code})"
        for o in plan.new
        if o.area_code not in stored_areas
    }
    return {
        "new_areas": sorted(new_areas.values())[:CHANGES_SHOWN],
        "new_areas_count": len(new_areas),
        "new_periods": sorted({o.period for o in plan.new} - stored_periods),
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
