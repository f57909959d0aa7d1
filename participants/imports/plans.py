"""What checking a file yields: its parsed rows, the plan of its import, and the
summary of what the import does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from academy.models import Academy

from .columns import Problem, Value


@dataclass(frozen=True)
class ParsedRow:
    """One valid row: what identifies its record, and the values the file gives."""

    number: int
    key: tuple[Any, ...]
    create: dict[str, Value]  # every field a new record gets from the row
    update: dict[str, Value]  # the fields an existing record takes from the row
    cohorts: frozenset[str] | None = None  # participants, when the column is there


@dataclass(frozen=True)
class Update:
    """An existing record and the changes the file makes to it."""

    pk: int
    current: dict[str, Any]
    changes: dict[str, Value]
    cohorts: frozenset[str] | None  # the new set, only when it differs


@dataclass(frozen=True)
class ImportSummary:
    """What a file does (or would do): counts per outcome, and ignored columns."""

    kind: str
    rows: int
    created: int
    updated: int
    unchanged: int
    ignored_columns: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "ignored_columns": list(self.ignored_columns),
        }


@dataclass(frozen=True)
class ImportPlan:
    """A checked file: its problems, or the records to create and update."""

    kind: str
    academy: Academy
    rows: int
    ignored_columns: tuple[str, ...]
    problems: tuple[Problem, ...]
    creates: tuple[ParsedRow, ...]
    updates: tuple[Update, ...]
    unchanged: int

    @property
    def summary(self) -> ImportSummary:
        return ImportSummary(
            kind=self.kind,
            rows=self.rows,
            created=len(self.creates),
            updated=len(self.updates),
            unchanged=self.unchanged,
            ignored_columns=self.ignored_columns,
        )


@dataclass(frozen=True)
class ImportResult:
    """The outcome of importing a file: written, or not (problems or a dry run)."""

    summary: ImportSummary
    problems: tuple[Problem, ...]
    is_written: bool
