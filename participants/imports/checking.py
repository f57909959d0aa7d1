"""Checking a file: each kind's rows parsed and validated, then matched against the
academy's records to plan what is created, updated or left unchanged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import models
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from academy.models import Academy, Membership, User
from academy.permissions import Role
from academy.rules import NOTE_MAX, phone_shown

from ..models import (
    ImportRun,
    Outcome,
    Participant,
    ParticipantCohort,
    SkillsActionPlan,
    Support,
)
from .cells import _Row, _show
from .columns import (
    MAX_START_AHEAD,
    PROGRESS_EVERY,
    Problem,
    Progress,
    Value,
    _codes,
    _header,
)
from .plans import ImportPlan, Listing, ParsedRow, Update
from .reading import Table


@dataclass(frozen=True)
class _Context:
    today: dt.date
    people: Mapping[str, int]  # reference -> participant id, for the other kinds
    members: Mapping[str, int] = field(default_factory=dict)  # e-mail -> user id
    coordinator_id: int | None = None  # new people's, when the row names nobody

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
    optional: dict[str, Value] = {
        "date_of_birth": row.date("date_of_birth", latest=context.not_future),
        "postcode": row.postcode("postcode"),
        "email": row.email("email"),
        "phone": row.phone("phone"),
        "source": row.choice("source", Participant.Source),
        "has_consent_to_share": row.yes_no("consent_to_share"),
        "coordinator_id": row.member("coordinator", context.members),
    }
    fields.update({k: v for k, v in optional.items() if v not in ("", None)})
    create = {"reference": reference, **fields}
    create.setdefault("coordinator_id", context.coordinator_id)
    cohorts = row.cohorts("cohorts") if row.cells.get("cohorts") else None
    if not row.is_valid:
        return None
    return ParsedRow(row.number, (reference,), create, fields, cohorts)


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


def import_check(
    *,
    academy: Academy,
    kind: str,
    table: Table,
    today: dt.date | None = None,
    progress: Progress | None = None,
    accepted: frozenset[str] = frozenset(),
    coordinator_id: int | None = None,
) -> ImportPlan:
    """Check every row of a file and plan its import, reading but writing nothing.

    `accepted` holds the references whose conflicts or likely duplicates the user has
    ticked to import anyway; `coordinator_id` is new people's coordinator unless a row
    names another.
    """
    spec = _SPECS[kind]
    positions, ignored, problems = _header(table.header, kind)
    if problems:
        return ImportPlan(kind, academy, 0, ignored, tuple(problems), (), (), 0)
    people: dict[str, int] = {}
    members: dict[str, int] = {}
    if kind == ImportRun.Kind.PARTICIPANTS:
        members = {
            email.lower(): pk
            for email, pk in Membership.objects.active()
            .filter(academy=academy, role__in=[Role.COORDINATOR, Role.ADMIN])
            .values_list("user__email", "user_id")
        }
    else:
        people = dict(
            Participant.objects.for_academy(academy).values_list("reference", "pk")
        )
    context = _Context(today or timezone.localdate(), people, members, coordinator_id)
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
    base = ImportPlan(
        kind, academy, count, ignored, (), (), (), 0, tuple(parsed), accepted
    )
    return import_rematch(base)


def import_rematch(plan: ImportPlan) -> ImportPlan:
    """Match a checked file's rows against the records as they are now (again, just
    before writing, under the academy's import lock)."""
    spec = _SPECS[plan.kind]
    match = _Matcher(spec, plan.academy, plan.accepted)
    for row in plan.parsed:
        match.row(row)
    return replace(
        plan,
        creates=tuple(match.creates),
        updates=tuple(match.updates),
        unchanged=match.unchanged,
        held=match.held,
        conflicts=tuple(match.conflicts),
        duplicates=tuple(match.duplicates),
        changes=tuple(match.changes),
    )


# How a field is named in a preview and on the timeline.
_LABELS = {
    "first_name": "first name",
    "last_name": "last name",
    "registered_on": "registered on",
    "is_claimant": "claimant",
    "benefit_type": "benefit",
    "date_of_birth": "date of birth",
    "email": "e-mail",
    "has_consent_to_share": "consent to share",
    "coordinator_id": "coordinator",
    "hours_per_week": "hours a week",
    "target_role": "target role",
}
# A reference whose stored person differs in these is probably someone else.
_IDENTITY = ("first_name", "last_name", "date_of_birth")


def _plain(value: Any) -> Any:
    """A stored value as the file gives it (phone numbers as E.164 text)."""
    return str(value) if isinstance(value, PhoneNumber) else value


class _Matcher:
    """Splits rows into new records, changed records (held back when they conflict)
    and unchanged ones, reading the academy's records once."""

    def __init__(self, spec: _Spec, academy: Academy, accepted: frozenset[str]) -> None:
        self.spec = spec
        self.accepted = accepted
        self.is_people = spec.model is Participant
        self.existing: dict[tuple[Any, ...], dict[str, Any]] = {}
        # One query per kind; a key the database holds twice matches its oldest record.
        extra = ("first_name", "last_name") if self.is_people else ("participant_id",)
        for values in (
            spec.model._default_manager.filter(**{spec.academy_path: academy})
            .order_by("pk")
            .values("pk", *spec.key_fields, *spec.fields, *extra)
        ):
            values = {k: _plain(v) for k, v in values.items()}
            self.existing.setdefault(tuple(values[f] for f in spec.key_fields), values)
        self.names: dict[int, str] = {}
        self.references: dict[int, str] = {}
        if not self.is_people:
            for pk, reference in Participant.objects.for_academy(academy).values_list(
                "pk", "reference"
            ):
                self.references[pk] = reference
        self.cohorts_now: dict[int, frozenset[str]] = {}
        self.people_index: _PeopleIndex | None = None
        self.academy = academy
        self.creates: list[ParsedRow] = []
        self.updates: list[Update] = []
        self.unchanged = 0
        self.held = 0
        self.conflicts: list[Listing] = []
        self.duplicates: list[Listing] = []
        self.changes: list[Listing] = []

    def _cohorts(self, pk: int) -> frozenset[str]:
        if not self.cohorts_now:
            codes: dict[int, set[str]] = {}
            for participant_id, code in ParticipantCohort.objects.filter(
                participant__academy=self.academy
            ).values_list("participant_id", "code"):
                codes.setdefault(participant_id, set()).add(code)
            self.cohorts_now = {k: frozenset(v) for k, v in codes.items()}
            self.cohorts_now.setdefault(0, frozenset())  # loaded, even when empty
        return self.cohorts_now.get(pk, frozenset())

    def _show(self, name: str, value: Any) -> str:
        if value in ("", None):
            return "(empty)"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if name == "phone":
            return phone_shown(value)
        if name == "coordinator_id":
            if not self.names:
                self.names = {
                    user.pk: str(user)
                    for user in User.objects.filter(
                        memberships__academy=self.academy
                    ).distinct()
                }
            return self.names.get(value, "someone else")
        if isinstance(value, dt.date):
            return f"{value:%-d %b %Y}"
        return str(value)

    def row(self, row: ParsedRow) -> None:
        current = self.existing.get(row.key)
        if current is None:
            self._new(row)
            return
        changes = {f: v for f, v in row.update.items() if current[f] != v}
        cohorts = row.cohorts
        if cohorts is not None and cohorts == self._cohorts(current["pk"]):
            cohorts = None
        if not changes and cohorts is None:
            self.unchanged += 1
            return
        described = [
            (
                _LABELS.get(f, f.replace("_", " ")),
                self._show(f, current[f]),
                self._show(f, v),
            )
            for f, v in changes.items()
        ]
        if cohorts is not None:
            before = ", ".join(sorted(self._cohorts(current["pk"]))) or "(none)"
            described.append(("cohorts", before, ", ".join(sorted(cohorts))))
        reference, name, title = self._identify(row, current)
        listing: Listing = {
            "row": row.number,
            "reference": reference,
            "name": name,
            "fields": [list(d) for d in described],
            "conflict": False,
        }
        if self.is_people:
            clash = [
                f
                for f in _IDENTITY
                if f in changes
                and current[f] not in ("", None)
                and str(current[f]).strip().lower() != str(changes[f]).strip().lower()
            ]
            if clash:
                listing["conflict"] = True
                listing["accepted"] = reference in self.accepted
                self.conflicts.append(listing)
                if reference not in self.accepted:
                    self.held += 1
                    return
        self.changes.append(listing)
        participant_id = current["pk"] if self.is_people else current["participant_id"]
        self.updates.append(
            Update(
                current["pk"],
                current,
                changes,
                cohorts,
                participant_id,
                tuple(described),
                title,
            )
        )

    def _identify(
        self, row: ParsedRow, current: dict[str, Any]
    ) -> tuple[str, str, str]:
        """(reference, name, the record as the timeline names it)."""
        if self.is_people:
            name = f"{current['first_name']} {current['last_name']}"
            return str(current["reference"]), name, "Details"
        reference = self.references.get(current["participant_id"], "")
        title = str(self.spec.model._meta.verbose_name).capitalize()
        when = next((v for v in row.key if isinstance(v, dt.date)), None)
        if when is not None:
            title = f"{title} of {when:%-d %b %Y}"
        return reference, title, title

    def _new(self, row: ParsedRow) -> None:
        if not self.is_people:
            self.creates.append(row)
            return
        if self.people_index is None:
            self.people_index = _PeopleIndex(self.academy)
        reference = str(row.create["reference"])
        matches = self.people_index.matches(row.create)
        if matches:
            accepted = reference in self.accepted
            self.duplicates.append(
                {
                    "row": row.number,
                    "reference": reference,
                    "name": f"{row.create['first_name']} {row.create['last_name']}",
                    "matches": [list(m) for m in matches],
                    "accepted": accepted,
                }
            )
            if not accepted:
                self.held += 1
                return
        self.creates.append(row)


class _PeopleIndex:
    """The academy's people by the keys registration warns of duplicates on: the same
    name and date of birth, the same e-mail, the same phone number."""

    def __init__(self, academy: Academy) -> None:
        self.by_name: dict[tuple[str, str, dt.date], list[tuple[str, str]]] = {}
        self.by_email: dict[str, list[tuple[str, str]]] = {}
        self.by_phone: dict[str, list[tuple[str, str]]] = {}
        for reference, first, last, born, email, phone in Participant.objects.filter(
            academy=academy
        ).values_list(
            "reference", "first_name", "last_name", "date_of_birth", "email", "phone"
        ):
            who = (reference, f"{first} {last}")
            if born is not None:
                key = (first.strip().lower(), last.strip().lower(), born)
                self.by_name.setdefault(key, []).append(who)
            if email:
                self.by_email.setdefault(email.lower(), []).append(who)
            if phone:
                self.by_phone.setdefault(str(phone), []).append(who)

    def matches(self, person: Mapping[str, Any]) -> list[tuple[str, str, str]]:
        found: dict[str, tuple[str, str, str]] = {}
        born = person.get("date_of_birth")
        if isinstance(born, dt.date):
            key = (
                str(person["first_name"]).strip().lower(),
                str(person["last_name"]).strip().lower(),
                born,
            )
            for ref, name in self.by_name.get(key, []):
                found.setdefault(ref, (ref, name, "same name and date of birth"))
        for ref, name in self.by_email.get(str(person.get("email") or "").lower(), []):
            found.setdefault(ref, (ref, name, "same e-mail address"))
        for ref, name in self.by_phone.get(str(person.get("phone") or ""), []):
            found.setdefault(ref, (ref, name, "same phone number"))
        found.pop(str(person.get("reference")), None)
        return list(found.values())
