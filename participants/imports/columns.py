"""The format of an import file (spec/import-format.md): the columns of each kind,
how a header maps to them, the limits, and the problems a file can have."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.db import models

from academy import rules

from ..models import (
    Cohort,
    ImportRun,
    Outcome,
    Participant,
    SkillsActionPlan,
    Support,
)

PROGRESS_EVERY = 10_000
BATCH_SIZE = 2_000
SUFFIXES = (".csv", ".xlsx")
# A job start can be booked ahead, up to this far; other dates cannot be in the future
# (academy/rules.py: the same limits as the forms and services).
MAX_START_AHEAD = rules.START_AHEAD
XLSX_MAGIC = b"PK\x03\x04"

Cell = str | dt.date
Value = str | bool | dt.date | Decimal | int | None
Progress = Callable[[str], None]


class ImportFileError(Exception):
    """The file cannot be read at all: wrong format, not UTF-8, not a workbook."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, where a spreadsheet user will find it."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.column}: {self.message}"

    @classmethod
    def parse(cls, line: str) -> Problem:
        """Read back a problem stored as text (`row N: column: message`)."""
        row, column, message = [*line.split(": ", 2), "", ""][:3]
        number = row.removeprefix("row ")
        return cls(int(number) if number.isdigit() else 0, column, message)


@dataclass(frozen=True)
class Column:
    """A column a file of some kind may have."""

    name: str
    help: str
    is_required: bool = False


def _codes(choices: Iterable[str]) -> str:
    return ", ".join(choices)


@cache
def _allowed(choices: type[models.TextChoices]) -> frozenset[str]:
    return frozenset(choices.values)  # `values` is rebuilt on every access


COLUMNS: dict[str, tuple[Column, ...]] = {
    ImportRun.Kind.PARTICIPANTS: (
        Column("reference", "the academy's own id, unique in the academy", True),
        Column("first_name", "", True),
        Column("last_name", "", True),
        Column("registered_on", "YYYY-MM-DD", True),
        Column("claimant", "benefit claimant: yes or no", True),
        Column("date_of_birth", "YYYY-MM-DD"),
        Column("postcode", "a whole UK postcode, like PL4 6AB"),
        Column("email", ""),
        Column("phone", "a UK number, or international starting with +"),
        Column("cohorts", f"codes separated by ';': {_codes(Cohort.values)}"),
        Column("source", _codes(Participant.Source.values)),
        Column("consent_to_share", "consent to share with providers: yes or no"),
        Column(
            "coordinator",
            "e-mail of the coordinator or admin whose caseload they join; empty: "
            "the one chosen when uploading",
        ),
    ),
    ImportRun.Kind.ACTION_PLANS: (
        Column("participant_reference", "", True),
        Column("agreed_on", "YYYY-MM-DD", True),
        Column("pathway", _codes(SkillsActionPlan.Pathway.values)),
        Column("target_role", ""),
        Column("status", f"{_codes(SkillsActionPlan.Status.values)}; default active"),
    ),
    ImportRun.Kind.SUPPORT: (
        Column("participant_reference", "", True),
        Column("date", "YYYY-MM-DD", True),
        Column("kind", _codes(Support.Kind.values), True),
        Column("notes", "up to 10,000 characters"),
    ),
    ImportRun.Kind.OUTCOMES: (
        Column("participant_reference", "", True),
        Column("kind", _codes(Outcome.Kind.values), True),
        Column("started_on", "YYYY-MM-DD; up to 90 days ahead", True),
        Column(
            "sector",
            f"{_codes(Outcome.Sector.values)}; required for employment",
        ),
        Column("employer", ""),
        Column("role", ""),
        Column("hours_per_week", "a number from 0 to 80"),
    ),
}


def _header(
    header: Sequence[str], kind: str
) -> tuple[dict[str, int], tuple[str, ...], list[Problem]]:
    """Known columns by position, ignored column names, and header problems."""
    known = {column.name for column in COLUMNS[kind]}
    positions: dict[str, int] = {}
    ignored: list[str] = []
    problems: list[Problem] = []
    for index, title in enumerate(header):
        name = title.strip().lower()
        if not name:
            continue
        if name not in known:
            ignored.append(title.strip())
        elif name in positions:
            problems.append(Problem(1, name, "column appears more than once"))
        else:
            positions[name] = index
    if not any(name for name in header):
        problems.append(
            Problem(1, "header", "the first row must name the columns; it is empty")
        )
    else:
        problems.extend(
            Problem(1, column.name, "required column is missing")
            for column in COLUMNS[kind]
            if column.is_required and column.name not in positions
        )
    return positions, tuple(ignored), problems


def template_header(kind: str) -> list[str]:
    """The column names of a kind, for a template file."""
    return [column.name for column in COLUMNS[kind]]
