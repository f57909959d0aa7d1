"""Writes of what happens on a case: meetings, support, outcomes and their sustainment
checks, and closing and reopening it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from academy import rules
from academy.models import User

from ...models import (
    Appointment,
    CaseNote,
    Meeting,
    Outcome,
    Participant,
    Support,
    SustainmentCheck,
)
from .tasks import (
    CASE_CLOSED,
    check_task_done,
    check_tasks_add,
    next_step_task_add,
    tasks_close_for_case,
    tasks_reopen_for_case,
)

SUSTAINMENT_WEEKS = (13, 26)


def _dated(day: dt.date | None, field: str, what: str) -> None:
    """The record's day has happened (academy/rules.py), said on its field."""
    try:
        rules.date_not_future(day, what=what)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


def contact_record(*, participant_ids: Collection[int], at: dt.datetime) -> int:
    """A contact with these people at `at` (a meeting, an event they came to): each
    one's last contact moves forward to it, never back. Returns how many moved."""
    if not participant_ids:
        return 0
    # One conditional UPDATE: two contacts recorded at once cannot move it backwards.
    return int(
        Participant.objects.filter(pk__in=participant_ids)
        .filter(Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=at))
        .update(last_contact_at=at, updated_at=timezone.now())
    )


@transaction.atomic
def meeting_log(*, participant: Participant, by: User, **fields: Any) -> Meeting:
    """Log a meeting and move the participant's last contact forward; a next step
    with a date becomes a task (which stays open whatever is logged after it)."""
    meeting = Meeting(participant=participant, recorded_by=by, **fields)
    meeting.full_clean()
    meeting.save()
    next_step_task_add(meeting=meeting, by=by)
    if contact_record(participant_ids=[participant.pk], at=meeting.held_at):
        participant.last_contact_at = meeting.held_at
    return meeting


def support_record(*, participant: Participant, by: User, **fields: Any) -> Support:
    """Record support given."""
    support = Support(participant=participant, recorded_by=by, **fields)
    _dated(support.given_on, "given_on", "The date of the support")
    support.full_clean()
    support.save()
    return support


@transaction.atomic
def outcome_record(
    *, participant: Participant, by: User | None, **fields: Any
) -> Outcome:
    """Record an outcome; an employment start also schedules its sustainment checks."""
    outcome = Outcome(participant=participant, recorded_by=by, **fields)
    if outcome.kind == Outcome.Kind.EMPLOYMENT and not outcome.sector:
        raise ValidationError(
            {
                "sector": "Choose the sector of the job: health or social care, "
                "or another."
            }
        )
    if outcome.kind != Outcome.Kind.EMPLOYMENT:
        outcome.sector = outcome.sector if outcome.sector else ""
    outcome.full_clean()
    outcome.save()
    if outcome.kind == Outcome.Kind.EMPLOYMENT:
        sustainment_checks_schedule(outcome=outcome)
    return outcome


def sustainment_checks_schedule(*, outcome: Outcome) -> list[SustainmentCheck]:
    """Create the 13- and 26-week checks of an employment start (once)."""
    sustainment_checks_schedule_many(outcomes=[outcome])
    return list(outcome.sustainment_checks.order_by("weeks"))


def sustainment_checks_schedule_many(*, outcomes: Sequence[Outcome]) -> int:
    """Create the 13- and 26-week checks of the employment starts among `outcomes`,
    in bulk (imports use this too); a check that exists already is left as it is.
    Returns how many were created."""
    today = timezone.localdate()
    checks = []
    for outcome in outcomes:
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
    created = SustainmentCheck.objects.bulk_create(
        checks, batch_size=2_000, ignore_conflicts=True
    )
    due = SustainmentCheck.objects.filter(
        outcome_id__in=[o.pk for o in outcomes], status=SustainmentCheck.Status.DUE
    )
    check_tasks_add(check_ids=list(due.values_list("pk", flat=True)))
    return len(created)


@transaction.atomic
def sustainment_checks_raise(*, today: dt.date) -> int:
    """Mark scheduled checks whose day has come as due, each with a task for the
    person's coordinator; return how many. Safe to run twice."""
    raised = SustainmentCheck.objects.filter(
        status=SustainmentCheck.Status.SCHEDULED, due_on__lte=today
    ).update(status=SustainmentCheck.Status.DUE)
    check_tasks_add()
    return raised


@transaction.atomic
def sustainment_check_record(
    *,
    check: SustainmentCheck,
    by: User,
    is_in_work: bool,
    confirmed_how: str,
    confirmed_by: str,
    checked_on: dt.date,
) -> SustainmentCheck:
    """Record the answer of a sustainment check (its task is done with it)."""
    _dated(checked_on, "checked_on", "The date of the check")
    if checked_on < check.outcome.started_on:
        raise ValidationError(
            {"checked_on": "A check cannot be made before the job started."}
        )
    check.is_in_work = is_in_work
    check.confirmed_how = confirmed_how
    check.confirmed_by = confirmed_by
    check.checked_on = checked_on
    check.checked_by = by
    check.status = SustainmentCheck.Status.DONE
    check.full_clean()
    check.save()
    check_task_done(check=check, by=by)
    return check


def _note(participant: Participant, text: str, by: User | None) -> CaseNote:
    return CaseNote.objects.create(
        participant=participant, text=text, written_by=by, written_at=timezone.now()
    )


# What closing and reopening change (nothing else of a possibly stale copy is saved).
_CLOSING = ("status", "closed_on", "close_reason", "close_note")


@transaction.atomic
def case_close(
    *,
    participant: Participant,
    by: User,
    reason: str,
    note: str = "",
    on: dt.date | None = None,
) -> Participant:
    """Close a case with a reason: its open tasks and the appointments booked ahead
    are cancelled ("Case closed")."""
    if not participant.is_open:
        raise ValidationError("This case is already closed.")
    participant.status = Participant.Status.CLOSED
    participant.closed_on = on or timezone.localdate()
    participant.close_reason = reason
    participant.close_note = note
    participant.full_clean()
    participant.save(update_fields=[*_CLOSING, "updated_at"])
    case_work_stop(participant=participant, by=by)
    label = Participant.CloseReason(reason).label
    _note(participant, f"Case closed: {label}." + (f" {note}" if note else ""), by)
    return participant


def case_work_stop(*, participant: Participant, by: User | None) -> None:
    """Nobody works on a closed (or erased) case: its open tasks and the appointments
    booked ahead are cancelled ("Case closed"). The person is not told: a closed case
    is sent nothing (participant_recipient)."""
    tasks_close_for_case(participant=participant, by=by)
    Appointment.objects.filter(
        participant=participant,
        status=Appointment.Status.BOOKED,
        starts_at__gt=timezone.now(),
    ).update(
        status=Appointment.Status.CANCELLED,
        reason=CASE_CLOSED,
        updated_at=timezone.now(),
    )


@transaction.atomic
def case_reopen(*, participant: Participant, by: User, note: str = "") -> Participant:
    """Reopen a closed case: the tasks closing it cancelled are open again, and its
    due sustainment checks have tasks."""
    if participant.is_erased:
        raise ValidationError(
            "This person was erased: their record cannot be reopened."
        )
    if participant.is_open:
        raise ValidationError("This case is already open.")
    participant.status = Participant.Status.OPEN
    participant.closed_on = None
    participant.close_reason = ""
    participant.close_note = ""
    participant.save(update_fields=[*_CLOSING, "updated_at"])
    tasks_reopen_for_case(participant=participant)
    checks = SustainmentCheck.objects.filter(outcome__participant=participant)
    check_tasks_add(check_ids=list(checks.values_list("pk", flat=True)))
    _note(participant, "Case reopened." + (f" {note}" if note else ""), by)
    return participant
