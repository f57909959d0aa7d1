"""Importing existing records from CSV or XLSX files (spec/import-format.md).

`table_read` turns a file into numbered rows of cells; `import_check` parses every row,
reads the academy's records once per kind and works out what would be created, updated
or left unchanged, writing nothing; `import_apply` writes a checked plan in one
transaction. A plan with any problem must not be applied: imports are all or nothing.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import IO, Any

import openpyxl  # type: ignore[import-untyped]
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone

from academy.models import Academy, User

from .models import (
    Cohort,
    ConsentRecord,
    ImportRun,
    Outcome,
    Participant,
    ParticipantCohort,
    SkillsActionPlan,
    Support,
    SustainmentCheck,
)
from .services.casework import SUSTAINMENT_WEEKS, normalise_postcode

PROGRESS_EVERY = 10_000
BATCH_SIZE = 2_000
SUFFIXES = (".csv", ".xlsx")
# A job start can be booked ahead, up to this far; other dates cannot be in the future.
MAX_START_AHEAD = dt.timedelta(days=90)
XLSX_MAGIC = b"PK\x03\x04"

Cell = str | dt.date
Value = str | bool | dt.date | Decimal | int | None
Progress = Callable[[str], None]
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NOT_UTF8 = (
    "The file is not UTF-8 text. In your spreadsheet, save it as 'CSV UTF-8' "
    "and try again."
)
_NOT_XLSX = "The file is not an Excel workbook (.xlsx). Save it as .xlsx or as CSV."


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
        Column("postcode", ""),
        Column("email", ""),
        Column("phone", ""),
        Column("cohorts", f"codes separated by ';': {_codes(Cohort.values)}"),
        Column("source", _codes(Participant.Source.values)),
        Column("consent_to_share", "consent to share with providers: yes or no"),
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
        Column("notes", ""),
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


@dataclass(frozen=True)
class Table:
    """A file's header and its non-empty data rows, numbered as a spreadsheet does."""

    header: tuple[str, ...]
    rows: Iterator[tuple[int, tuple[Cell, ...]]]


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


# Reading files


def file_check(source: IO[bytes], *, name: str) -> None:
    """Raise ImportFileError unless `source` is a readable CSV (UTF-8) or XLSX file."""
    suffix = _suffix(name)
    source.seek(0)
    if suffix == ".csv":
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        try:
            for chunk in iter(lambda: source.read(64 * 1024), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            raise ImportFileError(_NOT_UTF8) from error
    else:
        if source.read(4) != XLSX_MAGIC:
            raise ImportFileError(_NOT_XLSX)
        source.seek(0)
        _workbook(source).close()
    source.seek(0)


def _suffix(name: str) -> str:
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in SUFFIXES:
        raise ImportFileError("Only .csv and .xlsx files can be imported.")
    return suffix


def _workbook(source: IO[bytes]) -> Any:
    try:
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise ImportFileError(_NOT_XLSX) from error
    if not workbook.worksheets:
        workbook.close()
        raise ImportFileError("The workbook has no sheets.")
    return workbook


def table_read(source: IO[bytes], *, name: str) -> Table:
    """Open a CSV or XLSX file as a Table; rows are read as they are consumed."""
    if _suffix(name) == ".csv":
        return _csv_table(source)
    return _xlsx_table(source)


def _csv_table(source: IO[bytes]) -> Table:
    reader = csv.reader(codecs.iterdecode(source, "utf-8-sig"))
    number = 1
    try:
        header = tuple(next(reader, ()))
    except (UnicodeDecodeError, csv.Error) as error:
        raise ImportFileError(_NOT_UTF8) from error

    def rows() -> Iterator[tuple[int, tuple[Cell, ...]]]:
        nonlocal number
        try:
            for number, cells in enumerate(reader, start=2):
                stripped = tuple(cell.strip() for cell in cells)
                if any(stripped):
                    yield number, stripped
        except UnicodeDecodeError as error:
            raise ImportFileError(f"{_NOT_UTF8} (Near row {number + 1}.)") from error
        except csv.Error as error:
            raise ImportFileError(
                f"Row {number + 1} cannot be read: {error}"
            ) from error

    return Table(header=tuple(h.strip() for h in header), rows=rows())


def _xlsx_table(source: IO[bytes]) -> Table:
    workbook = _workbook(source)
    lines = workbook.worksheets[0].iter_rows(values_only=True)
    header = tuple(_xlsx_text(value) for value in next(lines, ()))

    def rows() -> Iterator[tuple[int, tuple[Cell, ...]]]:
        try:
            for number, values in enumerate(lines, start=2):
                cells = tuple(_xlsx_cell(value) for value in values)
                if any(cells):
                    yield number, cells
        finally:
            workbook.close()

    return Table(header=header, rows=rows())


def _xlsx_cell(value: object) -> Cell:
    if isinstance(value, dt.datetime):
        return value.date()  # date cells arrive as midnight datetimes
    if isinstance(value, dt.date):
        return value
    return _xlsx_text(value)


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    return str(value).strip()


# Parsing cells


def _show(value: str) -> str:
    return f"'{value[:37]}...'" if len(value) > 40 else f"'{value}'"


class _Row:
    """The cells of one row, read one column at a time, collecting problems."""

    __slots__ = ("cells", "number", "problems", "start")

    def __init__(
        self, number: int, cells: Mapping[str, Cell], problems: list[Problem]
    ) -> None:
        self.number = number
        self.cells = cells
        self.problems = problems
        self.start = len(problems)

    @property
    def is_valid(self) -> bool:
        return len(self.problems) == self.start

    def has(self, column: str) -> bool:
        return column in self.cells

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.number, column, message))

    def text(self, column: str, max_length: int, *, required: bool = False) -> str:
        value = self.cells.get(column, "")
        if isinstance(value, dt.date):
            value = value.isoformat()
        if not value and required:
            self.problem(column, "required, but empty")
        elif len(value) > max_length:
            self.problem(column, f"longer than {max_length} characters")
        return value

    def date(
        self,
        column: str,
        *,
        required: bool = False,
        latest: tuple[dt.date, str] | None = None,
    ) -> dt.date | None:
        """A YYYY-MM-DD date (or a date cell); `latest` is the last allowed day and
        what to say about a later one."""
        value = self.cells.get(column, "")
        if isinstance(value, dt.date):
            day = value
        elif not value:
            if required:
                self.problem(column, "required, but empty")
            return None
        elif not _DATE.fullmatch(value):
            self.problem(column, f"{_show(value)} is not a date in the form YYYY-MM-DD")
            return None
        else:
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                self.problem(column, f"{_show(value)} is not a real date")
                return None
        if latest is not None and day > latest[0]:
            self.problem(column, f"'{day}' {latest[1]}")
        return day

    def yes_no(self, column: str, *, required: bool = False) -> bool | None:
        value = self.cells.get(column, "")
        text = value.lower() if isinstance(value, str) else str(value)
        if text in ("yes", "no"):
            return text == "yes"
        if text:
            self.problem(column, f"{_show(text)} is not yes or no")
        elif required:
            self.problem(column, "required, but empty")
        return None

    def choice(
        self, column: str, choices: type[models.TextChoices], *, required: bool = False
    ) -> str:
        value = self.cells.get(column, "")
        if isinstance(value, dt.date):
            value = value.isoformat()
        code = value.lower()
        if code in _allowed(choices):
            return code
        if code:
            self.problem(
                column, f"{_show(value)} is not one of: {_codes(choices.values)}"
            )
        elif required:
            self.problem(column, "required, but empty")
        return ""

    def cohorts(self, column: str) -> frozenset[str]:
        value = self.text(column, 1000)
        codes = frozenset(c.strip().lower() for c in value.split(";") if c.strip())
        for code in sorted(codes - _allowed(Cohort)):
            self.problem(
                column,
                f"{_show(code)} is not a cohort; use codes separated by ';' from: "
                f"{_codes(Cohort.values)}",
            )
        return codes

    def email(self, column: str) -> str:
        value = self.text(column, 254).lower()
        if value:
            try:
                validate_email(value)
            except ValidationError:
                self.problem(column, f"{_show(value)} is not an e-mail address")
        return value

    def hours(self, column: str) -> Decimal | None:
        value = self.text(column, 20)
        if not value:
            return None
        try:
            hours = Decimal(value)
        except InvalidOperation:
            hours = Decimal("NaN")
        if not hours.is_finite() or not Decimal(0) <= hours <= Decimal(80):
            self.problem(
                column, f"{_show(value)} is not a number of hours from 0 to 80"
            )
        elif hours != hours.quantize(Decimal("0.1")):
            self.problem(column, f"{_show(value)} has more than one decimal place")
        return hours


@dataclass(frozen=True)
class _Context:
    today: dt.date
    people: Mapping[str, int]  # reference -> participant id, for the other kinds

    @property
    def not_future(self) -> tuple[dt.date, str]:
        return self.today, "is in the future"

    @property
    def start_limit(self) -> tuple[dt.date, str]:
        days = MAX_START_AHEAD.days
        return self.today + MAX_START_AHEAD, f"is more than {days} days ahead"

    def participant_id(self, row: _Row) -> int | None:
        reference = row.text("participant_reference", 40, required=True)
        if reference and reference not in self.people:
            row.problem(
                "participant_reference",
                f"no participant with reference {_show(reference)} in this academy",
            )
        return self.people.get(reference)


def _parse_participant(row: _Row, context: _Context) -> ParsedRow | None:
    reference = row.text("reference", 40, required=True)
    fields: dict[str, Value] = {
        "first_name": row.text("first_name", 100, required=True),
        "last_name": row.text("last_name", 100, required=True),
        "registered_on": row.date(
            "registered_on", required=True, latest=context.not_future
        ),
        "is_claimant": row.yes_no("claimant", required=True),
    }
    if fields["is_claimant"] is False:
        fields["benefit_type"] = ""  # as casework does: only claimants have one
    if row.has("date_of_birth"):
        fields["date_of_birth"] = row.date("date_of_birth", latest=context.not_future)
    if row.has("postcode"):
        postcode = normalise_postcode(row.text("postcode", 20))
        if len(postcode) > 10:
            row.problem("postcode", f"{_show(postcode)} is too long for a postcode")
        fields["postcode"] = postcode
    if row.has("email"):
        fields["email"] = row.email("email")
    if row.has("phone"):
        fields["phone"] = row.text("phone", 32)
    if row.has("source"):
        fields["source"] = row.choice("source", Participant.Source)
    if row.cells.get("consent_to_share"):
        fields["has_consent_to_share"] = row.yes_no("consent_to_share")
    cohorts = row.cohorts("cohorts") if row.has("cohorts") else None
    if not row.is_valid:
        return None
    return ParsedRow(
        row.number, (reference,), {"reference": reference, **fields}, fields, cohorts
    )


def _parse_action_plan(row: _Row, context: _Context) -> ParsedRow | None:
    participant_id = context.participant_id(row)
    agreed_on = row.date("agreed_on", required=True, latest=context.not_future)
    fields: dict[str, Value] = {}
    if row.has("pathway"):
        fields["pathway"] = row.choice("pathway", SkillsActionPlan.Pathway)
    if row.has("target_role"):
        fields["target_role"] = row.text("target_role", 120)
    if row.cells.get("status"):  # empty: active for a new plan, unchanged otherwise
        fields["status"] = row.choice("status", SkillsActionPlan.Status)
    if not row.is_valid:
        return None
    key = {"participant_id": participant_id, "agreed_on": agreed_on}
    return ParsedRow(row.number, tuple(key.values()), {**key, **fields}, fields)


def _parse_support(row: _Row, context: _Context) -> ParsedRow | None:
    participant_id = context.participant_id(row)
    given_on = row.date("date", required=True, latest=context.not_future)
    kind = row.choice("kind", Support.Kind, required=True)
    fields: dict[str, Value] = {}
    if row.has("notes"):
        fields["notes"] = row.text("notes", 10_000)
    if not row.is_valid:
        return None
    key = {"participant_id": participant_id, "given_on": given_on, "kind": kind}
    return ParsedRow(row.number, tuple(key.values()), {**key, **fields}, fields)


def _parse_outcome(row: _Row, context: _Context) -> ParsedRow | None:
    participant_id = context.participant_id(row)
    kind = row.choice("kind", Outcome.Kind, required=True)
    started_on = row.date("started_on", required=True, latest=context.start_limit)
    fields: dict[str, Value] = {}
    if row.has("sector"):
        fields["sector"] = row.choice("sector", Outcome.Sector)
    # spec/impact-report.md counts employment by sector, so a job must have one.
    if kind == Outcome.Kind.EMPLOYMENT and not row.cells.get("sector"):
        row.problem(
            "sector",
            f"required for employment: one of {_codes(Outcome.Sector.values)}",
        )
    if row.has("employer"):
        fields["employer"] = row.text("employer", 200)
    if row.has("role"):
        fields["role"] = row.text("role", 120)
    if row.has("hours_per_week"):
        fields["hours_per_week"] = row.hours("hours_per_week")
    if not row.is_valid:
        return None
    key = {"participant_id": participant_id, "kind": kind, "started_on": started_on}
    return ParsedRow(row.number, tuple(key.values()), {**key, **fields}, fields)


@dataclass(frozen=True)
class _Spec:
    model: type[models.Model]
    academy_path: str
    key_column: str  # the column named when a row repeats another
    key_fields: tuple[str, ...]  # model fields that identify a record
    fields: tuple[str, ...]  # model fields a file may change
    same: str  # what two rows share when they are the same record, for messages
    parse: Callable[[_Row, _Context], ParsedRow | None]


_SPECS: dict[str, _Spec] = {
    ImportRun.Kind.PARTICIPANTS: _Spec(
        Participant,
        "academy",
        "reference",
        ("reference",),
        (
            "first_name",
            "last_name",
            "registered_on",
            "is_claimant",
            "benefit_type",
            "date_of_birth",
            "postcode",
            "email",
            "phone",
            "source",
            "has_consent_to_share",
        ),
        "reference",
        _parse_participant,
    ),
    ImportRun.Kind.ACTION_PLANS: _Spec(
        SkillsActionPlan,
        "participant__academy",
        "participant_reference",
        ("participant_id", "agreed_on"),
        ("pathway", "target_role", "status"),
        "participant and agreed_on",
        _parse_action_plan,
    ),
    ImportRun.Kind.SUPPORT: _Spec(
        Support,
        "participant__academy",
        "participant_reference",
        ("participant_id", "given_on", "kind"),
        ("notes",),
        "participant, date and kind",
        _parse_support,
    ),
    ImportRun.Kind.OUTCOMES: _Spec(
        Outcome,
        "participant__academy",
        "participant_reference",
        ("participant_id", "kind", "started_on"),
        ("sector", "employer", "role", "hours_per_week"),
        "participant, kind and started_on",
        _parse_outcome,
    ),
}


# Checking a file


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


def import_check(
    *,
    academy: Academy,
    kind: str,
    table: Table,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> ImportPlan:
    """Check every row of a file and plan its import, reading but writing nothing."""
    spec = _SPECS[kind]
    positions, ignored, problems = _header(table.header, kind)
    if problems:
        return ImportPlan(kind, academy, 0, ignored, tuple(problems), (), (), 0)
    people: dict[str, int] = {}
    if kind != ImportRun.Kind.PARTICIPANTS:
        people = dict(
            Participant.objects.for_academy(academy).values_list("reference", "pk")
        )
    context = _Context(today or timezone.localdate(), people)
    parsed: list[ParsedRow] = []
    first_rows: dict[tuple[Any, ...], int] = {}
    count = 0
    for count, (number, values) in enumerate(table.rows, start=1):
        cells = {
            name: values[index] if index < len(values) else ""
            for name, index in positions.items()
        }
        row = spec.parse(_Row(number, cells, problems), context)
        if row is not None:
            first = first_rows.setdefault(row.key, number)
            if first != number:
                problems.append(
                    Problem(
                        number,
                        spec.key_column,
                        f"repeats row {first} (same {spec.same})",
                    )
                )
            else:
                parsed.append(row)
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(f"checked {count:,} rows")
    if problems:
        return ImportPlan(kind, academy, count, ignored, tuple(problems), (), (), 0)
    creates, updates, unchanged = _match(spec, academy, parsed)
    return ImportPlan(
        kind, academy, count, ignored, (), tuple(creates), tuple(updates), unchanged
    )


def _match(
    spec: _Spec, academy: Academy, rows: list[ParsedRow]
) -> tuple[list[ParsedRow], list[Update], int]:
    """Split rows into new records, changed records and unchanged ones."""
    existing: dict[tuple[Any, ...], dict[str, Any]] = {}
    # One query per kind; a key the database holds twice matches its oldest record.
    for values in (
        spec.model._default_manager.filter(**{spec.academy_path: academy})
        .order_by("pk")
        .values("pk", *spec.key_fields, *spec.fields)
    ):
        existing.setdefault(tuple(values[f] for f in spec.key_fields), values)
    cohorts_now: dict[int, frozenset[str]] = {}
    if any(row.cohorts is not None for row in rows):
        codes: dict[int, set[str]] = {}
        for participant_id, code in ParticipantCohort.objects.filter(
            participant__academy=academy
        ).values_list("participant_id", "code"):
            codes.setdefault(participant_id, set()).add(code)
        cohorts_now = {pk: frozenset(found) for pk, found in codes.items()}
    creates: list[ParsedRow] = []
    updates: list[Update] = []
    unchanged = 0
    for row in rows:
        current = existing.get(row.key)
        if current is None:
            creates.append(row)
            continue
        changes = {f: v for f, v in row.update.items() if current[f] != v}
        cohorts = row.cohorts
        if cohorts is not None and cohorts == cohorts_now.get(
            current["pk"], frozenset()
        ):
            cohorts = None
        if changes or cohorts is not None:
            updates.append(Update(current["pk"], current, changes, cohorts))
        else:
            unchanged += 1
    return creates, updates, unchanged


# Writing a checked plan


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _fill_pks(spec: _Spec, academy: Academy, objects: list[Any], rows: Any) -> None:
    """Give created records their ids where the database did not return them."""
    if all(obj.pk is not None for obj in objects):
        return
    ids = {
        tuple(values[f] for f in spec.key_fields): values["pk"]
        for values in spec.model._default_manager.filter(
            **{spec.academy_path: academy}
        ).values("pk", *spec.key_fields)
    }
    for obj, row in zip(objects, rows, strict=True):
        obj.pk = ids[row.key]


@transaction.atomic
def import_apply(
    *,
    plan: ImportPlan,
    by: User | None,
    file_name: str,
    progress: Progress | None = None,
) -> ImportSummary:
    """Write a checked plan: create, update, and their consents, cohorts and checks.

    Works through the plan in chunks, so that memory stays flat on large files.
    """
    if plan.problems:
        raise ValueError("a plan with problems cannot be applied")
    spec = _SPECS[plan.kind]
    log = _Ledger(by=by, note=f"Imported from {file_name}"[:300], now=timezone.now())
    extra: dict[str, Any] = {}
    if plan.kind == ImportRun.Kind.PARTICIPANTS:
        # The academy already holds these people's data: consent to hold it is given.
        extra = {"academy": plan.academy, "has_consent_to_hold": True}
    elif plan.kind in (ImportRun.Kind.SUPPORT, ImportRun.Kind.OUTCOMES):
        extra = {"recorded_by": by}
    total = len(plan.creates) + len(plan.updates)
    done = 0
    for rows in _chunks(plan.creates, PROGRESS_EVERY):
        created: list[Any] = [spec.model(**row.create, **extra) for row in rows]
        spec.model._default_manager.bulk_create(created, batch_size=BATCH_SIZE)
        _fill_pks(spec, plan.academy, created, rows)
        if plan.kind == ImportRun.Kind.PARTICIPANTS:
            log.participants_created(zip(created, rows, strict=True))
        elif plan.kind == ImportRun.Kind.OUTCOMES:
            _sustainment_checks(created)
        done += len(rows)
        if progress is not None:
            progress(f"wrote {done:,} of {total:,} records")
    for updates in _chunks(plan.updates, PROGRESS_EVERY):
        _update(spec, updates, log.now)
        if plan.kind == ImportRun.Kind.PARTICIPANTS:
            log.participants_updated(updates)
        done += len(updates)
        if progress is not None:
            progress(f"wrote {done:,} of {total:,} records")
    return plan.summary


def _update(spec: _Spec, updates: Sequence[Update], now: dt.datetime) -> None:
    """Save changed records, writing only the fields that changed in this chunk."""
    fields = {name for update in updates for name in update.changes}
    has_updated_at = any(f.name == "updated_at" for f in spec.model._meta.fields)
    if has_updated_at:
        fields.add("updated_at")  # auto_now is not applied by bulk_update
    if not fields:
        return
    objects = []
    for update in updates:
        values = {**update.current, **update.changes}
        if has_updated_at:
            values["updated_at"] = now
        objects.append(spec.model(**values))
    spec.model._default_manager.bulk_update(objects, sorted(fields), batch_size=500)


@dataclass(frozen=True)
class _Ledger:
    """Writes the consent ledger rows and cohorts that go with imported participants."""

    by: User | None
    note: str
    now: dt.datetime

    def _consent(self, participant_id: int, kind: str, is_given: bool) -> ConsentRecord:
        return ConsentRecord(
            participant_id=participant_id,
            kind=kind,
            is_given=is_given,
            recorded_by=self.by,
            recorded_at=self.now,
            note=self.note,
        )

    def participants_created(
        self, created: Iterable[tuple[Participant, ParsedRow]]
    ) -> None:
        consents: list[ConsentRecord] = []
        cohorts: list[ParticipantCohort] = []
        for participant, row in created:
            consents.append(
                self._consent(participant.pk, ConsentRecord.Kind.HOLD_DATA, True)
            )
            if "has_consent_to_share" in row.create:
                share = bool(row.create["has_consent_to_share"])
                consents.append(
                    self._consent(
                        participant.pk, ConsentRecord.Kind.SHARE_WITH_PROVIDERS, share
                    )
                )
            cohorts.extend(
                ParticipantCohort(participant_id=participant.pk, code=code)
                for code in sorted(row.cohorts or ())
            )
        ConsentRecord.objects.bulk_create(consents, batch_size=BATCH_SIZE)
        ParticipantCohort.objects.bulk_create(cohorts, batch_size=BATCH_SIZE)

    def participants_updated(self, updates: Sequence[Update]) -> None:
        consents = [
            self._consent(
                update.pk,
                ConsentRecord.Kind.SHARE_WITH_PROVIDERS,
                bool(update.changes["has_consent_to_share"]),
            )
            for update in updates
            if "has_consent_to_share" in update.changes
        ]
        ConsentRecord.objects.bulk_create(consents, batch_size=BATCH_SIZE)
        replaced = [update for update in updates if update.cohorts is not None]
        for chunk in _chunks(replaced, BATCH_SIZE):
            ParticipantCohort.objects.filter(
                participant_id__in=[update.pk for update in chunk]
            ).delete()
        ParticipantCohort.objects.bulk_create(
            [
                ParticipantCohort(participant_id=update.pk, code=code)
                for update in replaced
                for code in sorted(update.cohorts or ())
            ],
            batch_size=BATCH_SIZE,
        )


def _sustainment_checks(created: list[Outcome]) -> None:
    """The 13- and 26-week checks of new employment starts (as casework schedules)."""
    today = timezone.localdate()
    checks = []
    for outcome in created:
        if outcome.kind != Outcome.Kind.EMPLOYMENT:
            continue
        for weeks in SUSTAINMENT_WEEKS:
            due_on = outcome.started_on + dt.timedelta(weeks=weeks)
            status = (
                SustainmentCheck.Status.DUE
                if due_on <= today
                else SustainmentCheck.Status.SCHEDULED
            )
            checks.append(
                SustainmentCheck(
                    outcome_id=outcome.pk, weeks=weeks, due_on=due_on, status=status
                )
            )
    SustainmentCheck.objects.bulk_create(checks, batch_size=BATCH_SIZE)


def template_header(kind: str) -> list[str]:
    """The column names of a kind, for a template file."""
    return [column.name for column in COLUMNS[kind]]
