"""Comparing parsed observations with the stored figures, and writing the difference:
new and changed figures upserted, each change kept in the history."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
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
    """What writing a parsed file would do."""

    new: list[Observation]
    changed: list[Change]
    unchanged: int


def observations_compare(result: ParseResult) -> Plan:
    """Compare parsed observations with the stored ones, in one query."""
    if not result.observations:
        return Plan([], [], 0)
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


def value_text(value: Decimal | None) -> str:
    return "suppressed" if value is None else format(value.normalize(), "f")


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
