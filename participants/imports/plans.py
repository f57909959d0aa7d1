"""What checking a file yields: its parsed rows, the plan of its import, and the
summary of what the import does."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    participant_id: int = 0  # whose timeline notes the change
    described: tuple[tuple[str, str, str], ...] = ()  # (label, old, new) per change
    title: str = ""  # the record, as the timeline names it


# JSON-ready descriptions of what a file would change, for the preview:
# a change:    {"row", "reference", "name", "fields": [[label, old, new]], "conflict"}
# a conflict:  the same, for a reference whose stored name or birth date differs
# a duplicate: {"row", "reference", "name", "matches": [[reference, name, why]],
#               "accepted"}
Listing = dict[str, Any]
# The preview keeps this many changes; the count says how many there are in all.
CHANGES_KEPT = 2_000


@dataclass(frozen=True)
class ImportSummary:
    """What a file does (or would do): counts per outcome, ignored columns, and what
    changes, conflicts or looks like a person already held."""

    kind: str
    rows: int
    created: int
    updated: int
    unchanged: int
    ignored_columns: tuple[str, ...]
    held: int = 0  # rows not applied: conflicts and likely duplicates not ticked
    changes: tuple[Listing, ...] = ()
    conflicts: tuple[Listing, ...] = ()
    duplicates: tuple[Listing, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "held": self.held,
            "ignored_columns": list(self.ignored_columns),
            "changes": list(self.changes[:CHANGES_KEPT]),
            "changes_total": len(self.changes),
            "conflicts": list(self.conflicts),
            "duplicates": list(self.duplicates),
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
    parsed: tuple[ParsedRow, ...] = ()  # every valid row, to match again before writing
    accepted: frozenset[str] = frozenset()
    held: int = 0
    conflicts: tuple[Listing, ...] = ()
    duplicates: tuple[Listing, ...] = ()
    changes: tuple[Listing, ...] = field(default=())
    # The records as matching read them (each a dict of its compared fields), and
    # their cohorts when a row's cohorts were compared (else None): unchanged.py.
    seen: tuple[dict[str, Any], ...] = ()
    cohorts_seen: dict[int, frozenset[str]] | None = None

    @property
    def summary(self) -> ImportSummary:
        return ImportSummary(
            kind=self.kind,
            rows=self.rows,
            created=len(self.creates),
            updated=len(self.updates),
            unchanged=self.unchanged,
            ignored_columns=self.ignored_columns,
            held=self.held,
            changes=self.changes,
            conflicts=self.conflicts,
            duplicates=self.duplicates,
        )


@dataclass(frozen=True)
class ImportResult:
    """The outcome of importing a file: written, or not (problems or a dry run)."""

    summary: ImportSummary
    problems: tuple[Problem, ...]
    is_written: bool
