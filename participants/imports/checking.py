"""Checking a file: each kind's rows parsed and validated, then matched against the
academy's records to plan what is created, updated or left unchanged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import models

from academy import rules
from academy.models import Academy, Membership
from academy.permissions import Role
from academy.rules import NOTE_MAX

from ..models import (
    ImportRun,
    Outcome,
    Participant,
    SkillsActionPlan,
    Support,
)
from .cells import Answers, _Row, _show
from .columns import (
    MAX_START_AHEAD,
    PROGRESS_EVERY,
    Problem,
    Progress,
    Value,
    _codes,
    _header,
)
from .matching import Matcher
from .plans import ImportPlan, ParsedRow
from .reading import Table


@dataclass(frozen=True)
class _Context:
    today: dt.date
    people: Mapping[str, int]  # reference -> participant id, for the other kinds
    members: Mapping[str, int] = field(default_factory=dict)  # e-mail -> user id
    coordinator_id: int | None = None  # new people's, when the row names nobody
    answers: Answers = field(default_factory=dict)  # per distinct cell (_Row.once)

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
    """A participant row. An empty optional cell means "not known here": it never
    erases a stored value (only a value in the cell changes one)."""
    answers, not_future = context.answers, context.not_future
    reference = row.text("reference", 40, required=True)
    fields: dict[str, Value] = {
        "first_name": row.text("first_name", 100, required=True),
        "last_name": row.text("last_name", 100, required=True),
        "registered_on": row.once(
            answers,
            "registered_on",
            lambda r: r.date("registered_on", required=True, latest=not_future),
        ),
        "is_claimant": row.once(
            answers, "claimant", lambda r: r.yes_no("claimant", required=True)
        ),
    }
    if fields["is_claimant"] is False:
        fields["benefit_type"] = ""  # as casework does: only claimants have one
    optional: dict[str, Value] = {
        "date_of_birth": row.once(
            answers,
            "date_of_birth",
            lambda r: r.date("date_of_birth", latest=not_future),
        ),
        "postcode": row.once(answers, "postcode", _postcode),
        "email": row.email("email"),
        "phone": row.phone("phone"),
        "source": row.once(answers, "source", _source),
        "has_consent_to_share": row.once(answers, "consent_to_share", _share),
        "coordinator_id": row.once(
            answers, "coordinator", lambda r: r.member("coordinator", context.members)
        ),
    }
    fields.update({k: v for k, v in optional.items() if v != "" and v is not None})
    create = {"reference": reference, **fields}
    create.setdefault("coordinator_id", context.coordinator_id)
    cohorts = (
        row.once(answers, "cohorts", _cohorts) if row.cells.get("cohorts") else None
    )
    if not row.is_valid:
        return None
    return ParsedRow(row.number, (reference,), create, fields, cohorts)


def _postcode(row: _Row) -> str:
    return row.postcode("postcode")


def _source(row: _Row) -> str:
    return row.choice("source", Participant.Source)


def _share(row: _Row) -> bool | None:
    return row.yes_no("consent_to_share")


def _cohorts(row: _Row) -> frozenset[str]:
    return row.cohorts("cohorts")


def _parse_action_plan(row: _Row, context: _Context) -> ParsedRow | None:
    participant_id = context.participant_id(row)
    agreed_on = row.date("agreed_on", required=True, latest=context.not_future)
    fields: dict[str, Value] = {}
    if row.cells.get("pathway"):
        fields["pathway"] = row.choice("pathway", SkillsActionPlan.Pathway)
    if row.cells.get("target_role"):
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
    if row.cells.get("notes"):
        fields["notes"] = row.text("notes", NOTE_MAX)
    if not row.is_valid:
        return None
    key = {"participant_id": participant_id, "given_on": given_on, "kind": kind}
    return ParsedRow(row.number, tuple(key.values()), {**key, **fields}, fields)


def _parse_outcome(row: _Row, context: _Context) -> ParsedRow | None:
    participant_id = context.participant_id(row)
    kind = row.choice("kind", Outcome.Kind, required=True)
    started_on = row.date("started_on", required=True, latest=context.start_limit)
    fields: dict[str, Value] = {}
    if row.cells.get("sector"):
        fields["sector"] = row.choice("sector", Outcome.Sector)
    # spec/impact-report.md counts employment by sector, so a job must have one.
    if kind == Outcome.Kind.EMPLOYMENT and not row.cells.get("sector"):
        row.problem(
            "sector",
            f"required for employment: one of {_codes(Outcome.Sector.values)}",
        )
    if row.cells.get("employer"):
        fields["employer"] = row.text("employer", 200)
    if row.cells.get("role"):
        fields["role"] = row.text("role", 120)
    if row.cells.get("hours_per_week"):
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
            "coordinator_id",
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


def coordinators(academy: Academy) -> dict[str, int]:
    """The members a participants file may name as coordinator: e-mail -> user id."""
    return {
        email.lower(): pk
        for email, pk in Membership.objects.active()
        .filter(academy=academy, role__in=[Role.COORDINATOR, Role.ADMIN])
        .values_list("user__email", "user_id")
    }


def import_check(
    *,
    academy: Academy,
    kind: str,
    table: Table,
    today: dt.date | None = None,
    progress: Progress | None = None,
    accepted: frozenset[str] = frozenset(),
    coordinator_id: int | None = None,
    members: Mapping[str, int] | None = None,
) -> ImportPlan:
    """Check every row of a file and plan its import, reading but writing nothing.

    `accepted` holds the references whose conflicts or likely duplicates the user has
    ticked to import anyway; `coordinator_id` is new people's coordinator unless a row
    names another; `members` the coordinators a row may name (`coordinators`, read
    here when not given).
    """
    spec = _SPECS[kind]
    positions, ignored, problems = _header(table.header, kind)
    if problems:
        return ImportPlan(kind, academy, 0, ignored, tuple(problems), (), (), 0)
    people: dict[str, int] = {}
    if kind == ImportRun.Kind.PARTICIPANTS:
        members = coordinators(academy) if members is None else members
    else:
        members = {}
        people = dict(
            Participant.objects.for_academy(academy).values_list("reference", "pk")
        )
    context = _Context(
        today or rules.latest_recorded_day(), people, members, coordinator_id
    )
    parsed: list[ParsedRow] = []
    first_rows: dict[tuple[Any, ...], int] = {}
    count = 0
    names, indexes = tuple(positions), tuple(positions.values())
    width = max(indexes, default=-1) + 1
    for count, (number, values) in enumerate(table.rows, start=1):
        if len(values) >= width:
            cells = dict(zip(names, [values[i] for i in indexes], strict=True))
        else:  # a short row: the cells it lacks are empty
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
    base = ImportPlan(
        kind, academy, count, ignored, (), (), (), 0, tuple(parsed), accepted
    )
    return import_rematch(base)


def import_rematch(plan: ImportPlan) -> ImportPlan:
    """Match a checked file's rows against the records as they are now (again, just
    before writing, under the academy's import lock)."""
    spec = _SPECS[plan.kind]
    match = Matcher(spec, plan.academy, plan.accepted)
    for row in plan.parsed:
        match.row(row)
    compares_cohorts = any(row.cohorts is not None for row in plan.parsed)
    if compares_cohorts and match.is_people:
        match.cohorts_loaded()  # what the file leaves of them: unchanged.py
    return replace(
        plan,
        creates=tuple(match.creates),
        updates=tuple(match.updates),
        unchanged=match.unchanged,
        held=match.held,
        conflicts=tuple(match.conflicts),
        duplicates=tuple(match.duplicates),
        changes=tuple(match.changes),
        seen=tuple(match.stored),
        cohorts_seen=(match.cohorts_now or None) if compares_cohorts else None,
    )
