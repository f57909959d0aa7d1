"""Writes of appointments booked with a person: booking, moving, and what happened on
the day (they came: a meeting record; they did not: a reason), or cancelling; and the
confirmations and reminders the person agreed to."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from academy import rules
from academy.days import day_said, moment_said, tomorrow_window
from academy.models import Membership, User, membership_active_q
from academy.notify import notify
from academy.permissions import Role

from ...models import Appointment, Meeting, Participant, Task
from .contact import participant_recipient, reach_us
from .records import meeting_log
from .tasks import next_step_task_add, task_cancel

__all__ = [
    "APPOINTMENT_MINUTES",
    "appointment_attend",
    "appointment_book",
    "appointment_cancel",
    "appointment_change",
    "appointment_miss",
    "appointment_notes_record",
    "appointment_reminders_send",
    "appointment_time_problems",
]

# The lengths a coordinator chooses from (the model allows 5 to 480 minutes).
APPOINTMENT_MINUTES = (15, 30, 45, 60, 90, 120)

# What can be changed of a booked appointment (nothing else of a stale copy is saved).
_CHANGEABLE = ("coordinator", "kind", "starts_at", "minutes", "place", "link")


def _bookable(participant: Participant) -> None:
    if participant.is_erased:
        raise ValidationError("This person was erased: nothing can be booked.")
    if not participant.is_open:
        raise ValidationError(
            "This case is closed: reopen it before booking an appointment."
        )


def _diary_holder(coordinator: User, participant: Participant) -> None:
    """Whose diary: a coordinator or admin of the person's academy."""
    holds = Membership.objects.filter(
        membership_active_q(""),
        user=coordinator,
        academy_id=participant.academy_id,
        role__in=[Role.COORDINATOR, Role.ADMIN],
    ).exists()
    if not holds:
        raise ValidationError({"coordinator": "Choose a coordinator of the academy."})


# Appointments are in the working day (London) and at most a year ahead: a date
# years ahead is a mistyped year, 03:17 a mistyped hour (the person is texted it).
DAY_STARTS, DAY_ENDS = dt.time(7, 0), dt.time(21, 0)


def _a_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day + dt.timedelta(days=365)


def appointment_time_problems(starts_at: dt.datetime, minutes: int) -> dict[str, str]:
    """What is wrong with a booking at `starts_at` for `minutes`, by the booking
    form's field it belongs to ("day" or "time"); empty when nothing is."""
    local = timezone.localtime(starts_at)
    today = timezone.localdate()
    if starts_at <= timezone.now():
        return {
            "time" if local.date() == today else "day": "An appointment is booked "
            "ahead: choose a date and time that has not passed."
        }
    if local.date() > _a_year_after(today):
        return {"day": "That is more than a year ahead: check the year."}
    ends = local + dt.timedelta(minutes=minutes)
    if (
        local.time() < DAY_STARTS
        or ends.date() != local.date()
        or ends.time() > DAY_ENDS
    ):
        return {
            "time": f"Appointments are between {DAY_STARTS:%H:%M} and "
            f"{DAY_ENDS:%H:%M} (UK time): choose a time that starts and ends "
            "within them."
        }
    return {}


def _ahead(starts_at: dt.datetime | None, minutes: int) -> None:
    if starts_at is None:
        return
    problems = appointment_time_problems(starts_at, minutes)
    if problems:
        raise ValidationError({"starts_at": list(problems.values())})


def _context(appointment: Appointment) -> dict[str, Any]:
    """What the messages to the person say: plain values, nothing they cannot know."""
    local = timezone.localtime(appointment.starts_at)
    participant = appointment.participant
    academy = participant.academy
    coordinator = appointment.coordinator
    is_phone = appointment.kind == Meeting.Kind.PHONE
    return {
        "first_name": participant.first_name,
        "kind": appointment.get_kind_display(),
        "when": moment_said(local),
        "day": day_said(local),
        "time": f"{local:%H:%M}",
        "minutes": appointment.minutes,
        "place": appointment.place,
        "is_phone": is_phone,
        # A phone call's place is the number to call (shown as people read it).
        "phone_number": rules.phone_shown(appointment.place) if is_phone else "",
        "video_link": appointment.link,
        "with_name": coordinator.first_name or coordinator.get_full_name(),
        **reach_us(academy, coordinator),
    }


def _diary_free(
    *,
    coordinator: User,
    by: User,
    starts_at: dt.datetime,
    minutes: int,
    moving: Appointment | None = None,
) -> None:
    """Refuse a time that overlaps another appointment booked in the same diary,
    naming it (a moved appointment is not checked against itself)."""
    # Bookings in one diary wait for each other, so two at once cannot both pass.
    User.objects.select_for_update().filter(pk=coordinator.pk).first()
    ends_at = starts_at + dt.timedelta(minutes=minutes)
    longest = dt.timedelta(minutes=480)  # the model's longest appointment
    nearby = (
        Appointment.objects.filter(
            coordinator=coordinator,
            status=Appointment.Status.BOOKED,
            starts_at__gt=starts_at - longest,
            starts_at__lt=ends_at,
        )
        .select_related("participant")
        .order_by("starts_at")
    )
    if moving is not None:
        nearby = nearby.exclude(pk=moving.pk)
    for other in nearby:
        other_ends = other.starts_at + dt.timedelta(minutes=other.minutes)
        if other_ends <= starts_at:
            continue
        kind = other.get_kind_display()
        article = "an" if kind[0].lower() in "aeiou" else "a"
        who = (
            "You already have"
            if by.pk == coordinator.pk
            else f"{coordinator.get_full_name() or coordinator.email} already has"
        )
        start, end = timezone.localtime(other.starts_at), timezone.localtime(other_ends)
        raise ValidationError(
            {
                "starts_at": f"{who} {article} {kind} {start:%H:%M}\N{EN DASH}"
                f"{end:%H:%M} with {other.participant.reference} that day. Choose "
                "another time."
            }
        )


def _tell(appointment: Appointment, template: str, key: str, **extra: Any) -> None:
    participant = appointment.participant
    notify(
        to=participant_recipient(participant),
        template=template,
        context={**_context(appointment), **extra},
        academy=participant.academy,
        key=f"appointment:{appointment.pk}:{key}",
        participant=participant,
    )


def _locked(appointment: Appointment) -> Appointment:
    """The appointment's row, locked until the transaction ends: two taps at once
    act one after the other, and the second sees what the first did."""
    return (
        Appointment.objects.select_for_update()
        .select_related("participant__academy", "coordinator")
        .get(pk=appointment.pk)
    )


def _booked(appointment: Appointment, doing: str) -> None:
    if appointment.status != Appointment.Status.BOOKED:
        raise ValidationError(
            f"This appointment is {appointment.get_status_display().lower()} "
            f"already: it cannot be {doing}."
        )


@transaction.atomic
def appointment_book(
    *,
    participant: Participant,
    coordinator: User,
    by: User,
    kind: str,
    starts_at: dt.datetime,
    minutes: int = 30,
    place: str = "",
    link: str = "",
) -> Appointment:
    """Book an appointment ahead in `coordinator`'s diary; the person gets a
    confirmation when they agreed to messages."""
    _bookable(participant)
    _ahead(starts_at, minutes)
    _diary_holder(coordinator, participant)
    _diary_free(coordinator=coordinator, by=by, starts_at=starts_at, minutes=minutes)
    appointment = Appointment(
        participant=participant,
        coordinator=coordinator,
        booked_by=by,
        kind=kind,
        starts_at=starts_at,
        minutes=minutes,
        place=place,
        link=link,
    )
    appointment.full_clean()
    appointment.save()
    _tell(appointment, "appointment_booked", f"booked:{starts_at.isoformat()}")
    return appointment


@transaction.atomic
def appointment_change(
    *, appointment: Appointment, by: User, **fields: Any
) -> Appointment:
    """Change a booked appointment (time, length, kind, place, whose diary). A new
    time, or the same time with another kind, place or link, is told to the person."""
    row = _locked(appointment)
    _booked(row, "changed")
    _bookable(row.participant)
    unknown = set(fields) - set(_CHANGEABLE)
    if unknown:
        raise ValueError(f"Not changeable: {sorted(unknown)}")
    was = (row.starts_at, row.minutes)
    details = _details(row)
    for name, value in fields.items():
        setattr(row, name, value)
    if (row.starts_at, row.minutes) != was:
        _ahead(row.starts_at, row.minutes)
    if "coordinator" in fields:
        _diary_holder(row.coordinator, row.participant)
    _diary_free(
        coordinator=row.coordinator,
        by=by,
        starts_at=row.starts_at,
        minutes=row.minutes,
        moving=row,
    )
    row.full_clean()
    row.save(update_fields=[*fields, "updated_at"])
    if row.starts_at != was[0]:
        # The old time is said to be off, not left for them to work out.
        _tell(
            row,
            "appointment_changed",
            f"booked:{row.starts_at.isoformat()}",
            was=moment_said(was[0]),
        )
    elif _details(row) != details:
        # The same time, another kind or place (a call instead of a visit): said too.
        digest = hashlib.sha256("|".join(_details(row)).encode()).hexdigest()[:12]
        _tell(
            row,
            "appointment_changed",
            f"changed:{row.starts_at.isoformat()}:{digest}",
            was="",
        )
    return row


def _details(appointment: Appointment) -> tuple[str, str, str]:
    """What the person is told of an appointment besides its time."""
    return (appointment.kind, appointment.place, appointment.link)


@transaction.atomic
def appointment_attend(*, appointment: Appointment, by: User) -> Meeting:
    """The person came: the appointment becomes a meeting record held at its start
    (moving their last contact forward). Done once, however often it is asked."""
    row = _locked(appointment)
    _booked(row, "marked attended")
    if row.starts_at > timezone.now():
        raise ValidationError(
            "This appointment has not started yet: mark it attended once it has."
        )
    meeting = meeting_log(
        participant=row.participant,
        by=by,
        kind=row.kind,
        held_at=row.starts_at,
        location=row.place or ("Video call" if row.link else ""),
    )
    row.meeting = meeting
    row.status = Appointment.Status.ATTENDED
    row.save(update_fields=["meeting", "status", "updated_at"])
    appointment.meeting, appointment.status = meeting, row.status
    return meeting


@transaction.atomic
def appointment_notes_record(
    *,
    appointment: Appointment,
    by: User,
    notes: str = "",
    next_step: str = "",
    next_step_on: dt.date | None = None,
) -> Meeting:
    """What was said at an attended appointment's meeting, and the next step."""
    if appointment.meeting_id is None:
        raise ValidationError("Only an attended appointment has a meeting's notes.")
    meeting = Meeting.objects.select_for_update().get(pk=appointment.meeting_id)
    meeting.notes = notes
    meeting.next_step = next_step
    meeting.next_step_on = next_step_on
    meeting.full_clean()
    meeting.save(update_fields=["notes", "next_step", "next_step_on"])
    # The next step is a task, as it is of a meeting logged by hand; written again,
    # the open task follows it rather than a second one being made.
    task = meeting.tasks.filter(
        source=Task.Source.NEXT_STEP, status=Task.Status.OPEN
    ).first()
    if task is None:
        next_step_task_add(meeting=meeting, by=by)
    elif meeting.next_step and meeting.next_step_on:
        task.title, task.due_on = meeting.next_step, meeting.next_step_on
        task.save(update_fields=["title", "due_on"])
    else:
        task_cancel(task=task, by=by, reason="The next step was taken off the meeting.")
    return meeting


@transaction.atomic
def appointment_miss(*, appointment: Appointment, by: User, reason: str) -> Appointment:
    """The person did not come; `reason` says why, as far as it is known."""
    row = _locked(appointment)
    _booked(row, "marked as not attended")
    if row.starts_at > timezone.now():
        raise ValidationError(
            "This appointment has not started yet: it can be marked as not "
            "attended once its time has come. To call it off, cancel it."
        )
    if not reason.strip():
        raise ValidationError({"reason": "Say why they did not come, if known."})
    row.status = Appointment.Status.MISSED
    row.reason = reason.strip()
    row.save(update_fields=["status", "reason", "updated_at"])
    appointment.status, appointment.reason = row.status, row.reason
    return row


@transaction.atomic
def appointment_cancel(
    *, appointment: Appointment, by: User, reason: str
) -> Appointment:
    """Call a booked appointment off, with a reason; the person is told when it had
    not started yet and they agreed to messages."""
    row = _locked(appointment)
    _booked(row, "cancelled")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the appointment is cancelled."})
    row.status = Appointment.Status.CANCELLED
    row.reason = reason.strip()
    row.save(update_fields=["status", "reason", "updated_at"])
    appointment.status, appointment.reason = row.status, row.reason
    if row.starts_at > timezone.now():
        _tell(row, "appointment_cancelled", f"cancelled:{row.starts_at.isoformat()}")
    return row


def appointment_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind each person booked for tomorrow (their local date) who agreed to
    messages. The key names the appointment and its time, so running twice sends
    once and a moved appointment is reminded again. Returns how many were asked."""
    now = now or timezone.now()
    start, end = tomorrow_window(now)
    appointments = (
        Appointment.objects.filter(
            status=Appointment.Status.BOOKED,
            starts_at__gte=start,
            starts_at__lt=end,
            participant__status=Participant.Status.OPEN,
        )
        .exclude(participant__contact_by=Participant.ContactBy.NONE)
        .select_related("participant__academy", "coordinator")
    )
    sent = 0
    for appointment in appointments:
        with transaction.atomic():
            _tell(
                appointment,
                "appointment_reminder",
                f"reminder:{appointment.starts_at.isoformat()}",
            )
        sent += 1
    return sent
