"""What every adapter returns: typed observations, rejected rows, and the one error."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

TOTAL = "all"


class Source(enum.StrEnum):
    """The sources an adapter reads; the values are the command's --source names."""

    SKILLS_FOR_CARE = "skills-for-care"
    LG_INFORM = "lg-inform"
    NOMIS_CLAIMANT_COUNT = "nomis-claimant-count"


class Status(enum.StrEnum):
    PUBLISHED = "published"
    SUPPRESSED = "suppressed"


class Unit(enum.StrEnum):
    """The unit a figure was published in; rates are stored as fractions anyway."""

    COUNT = "count"
    PERCENT = "%"
    FRACTION = "fraction"
    DAYS = "days"


class SourceFileError(Exception):
    """The file cannot be loaded at all: its message says why, in plain words."""


Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class Breakdown:
    """Which part of the workforce a figure covers; `all` for a total."""

    sector: str = TOTAL
    service: str = TOTAL
    job_role: str = TOTAL

    def __str__(self) -> str:
        parts = [
            f"{name}={value}"
            for name, value in (
                ("sector", self.sector),
                ("service", self.service),
                ("job_role", self.job_role),
            )
            if value != TOTAL
        ]
        return ";".join(parts) or TOTAL


@dataclass(frozen=True, slots=True)
class Observation:
    """One published number: its key, its value (None when suppressed) and unit."""

    source: Source
    area_code: str
    area_name: str
    period: str
    measure: str
    breakdown: Breakdown
    value: Decimal | None
    status: Status
    unit: Unit
    raw: str

    @property
    def key(self) -> tuple[str, str, str, str, str, str, str]:
        """What a refresh compares on: source, area, period, measure, breakdown."""
        b = self.breakdown
        return (
            self.source.value,
            self.area_code,
            self.period,
            self.measure,
            b.sector,
            b.service,
            b.job_role,
        )


@dataclass(frozen=True, slots=True)
class Rejected:
    """A row left out of the load, with the reason shown to the person loading it."""

    row: int
    reason: str


@dataclass(frozen=True)
class ParseResult:
    """Everything an adapter made of a file."""

    observations: list[Observation]
    rejected: list[Rejected] = field(default_factory=list)
    rows: int = 0
    units: dict[str, str] = field(default_factory=dict)


class Adapter(Protocol):
    """Parses one source's file into observations; knows nothing of the database.

    Raises SourceFileError when the file as a whole cannot be loaded (an unknown or
    missing header, a file cut off half way); a bad row is returned as Rejected.
    `period` is the operator's, for a file that does not say (sources whose files
    carry their periods ignore it).
    """

    source: Source

    def parse(
        self,
        data: bytes,
        filename: str,
        *,
        period: str | None = None,
        progress: Progress | None = None,
    ) -> ParseResult: ...
