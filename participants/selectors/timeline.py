"""A participant's timeline: everything that happened to them, newest first, with
entries other apps add through `timeline_hooks`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from academy.models import User
from academy.registry import Registry

from ..models import Appointment, Participant, PlanReview, SustainmentCheck


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened to a participant, for the timeline."""

    at: dt.datetime
    kind: str
    title: str
    detail: str = ""
    by: str = ""
    link: str = ""


def _day(value: dt.date, created: dt.datetime | None = None) -> dt.datetime:
    """When a dated record happened: the moment it was typed in if that was on the
    same day (so today's entries keep their order), else 09:00 that day."""
    if created is not None and timezone.localtime(created).date() == value:
        return created
    return timezone.make_aware(dt.datetime.combine(value, dt.time(9, 0)))


# Functions (participant) -> iterable of TimelineEntry that other apps register (the
# vacancies app adds referrals), so that participants never imports them.
timeline_hooks: Registry[Callable[[Participant], list[TimelineEntry]]] = Registry(
    "participant timeline"
)


def participant_timeline(*, participant: Participant) -> list[TimelineEntry]:
    """Everything that happened to a participant, newest first."""
    entries: list[TimelineEntry] = [
        TimelineEntry(
            _day(participant.registered_on, participant.created_at),
            "registered",
            "Registered",
            participant.get_source_display() if participant.source else "",
        )
    ]
    for m in participant.meetings.select_related("recorded_by"):
        detail = m.notes
        if m.next_step:
            on = m.next_step_on
            when = f" by {on.day} {on:%b %Y}" if on else ""
            detail = f"{detail}\nNext step: {m.next_step}{when}".strip()
        title = m.get_kind_display() + (f" at {m.location}" if m.location else "")
        entries.append(
            TimelineEntry(m.held_at, "meeting", title, detail, _by(m.recorded_by))
        )
    entries.extend(_appointments(participant))
    for plan in participant.plans.select_related("agreed_by"):
        detail = ", ".join(
            x for x in (plan.get_pathway_display(), plan.target_role) if x
        )
        entries.append(
            TimelineEntry(
                _day(plan.agreed_on, plan.updated_at),
                "plan",
                "Skills action plan agreed",
                detail,
                _by(plan.agreed_by),
            )
        )
    for review in PlanReview.objects.filter(
        plan__participant=participant
    ).select_related("reviewed_by"):
        entries.append(
            TimelineEntry(
                _day(review.reviewed_on),
                "plan",
                "Plan reviewed",
                review.summary,
                _by(review.reviewed_by),
            )
        )
    for s in participant.support.select_related("recorded_by", "referred_to"):
        detail = s.notes + (f"\nReferred to {s.referred_to}" if s.referred_to else "")
        entries.append(
            TimelineEntry(
                _day(s.given_on, s.created_at),
                "support",
                f"{s.get_kind_display()} support",
                detail.strip(),
                _by(s.recorded_by),
            )
        )
    for o in participant.outcomes.select_related("recorded_by"):
        parts = [o.role, o.employer, o.get_sector_display() if o.sector else ""]
        entries.append(
            TimelineEntry(
                _day(o.started_on, o.created_at),
                "outcome",
                f"Started {o.get_kind_display().lower()}",
                ", ".join(p for p in parts if p),
                _by(o.recorded_by),
            )
        )
    for c in SustainmentCheck.objects.filter(
        outcome__participant=participant, status=SustainmentCheck.Status.DONE
    ).select_related("checked_by"):
        answer = "still in work" if c.is_in_work else "no longer in work"
        entries.append(
            TimelineEntry(
                _day(c.checked_on or c.due_on),
                "outcome",
                f"{c.weeks}-week check: {answer}",
                f"{c.get_confirmed_how_display()} {c.confirmed_by}".strip(),
                _by(c.checked_by),
            )
        )
    for r in participant.consents.select_related("recorded_by"):
        verb = "given" if r.is_given else "withdrawn"
        entries.append(
            TimelineEntry(
                r.recorded_at,
                "consent",
                f"Consent {verb}",
                r.get_kind_display(),
                _by(r.recorded_by),
            )
        )
    for n in participant.case_notes.select_related("written_by"):
        entries.append(
            TimelineEntry(n.written_at, "note", n.text, "", _by(n.written_by))
        )
    for e in participant.enquiries.all():
        entries.append(
            TimelineEntry(
                e.created_at,
                "enquiry",
                "Registered interest through the campaign",
                e.interest,
                "",
                reverse("participants:enquiry-detail", args=[e.pk]),
            )
        )
    for message in participant.messages.all():  # academy.Message: what we sent
        channel = message.get_channel_display()
        state = message.get_status_display()
        if message.sent_at and message.status != message.Status.SENT:
            state += f"; sent {timezone.localtime(message.sent_at):%d %b %Y %H:%M}"
        elif message.sent_at:
            state += f" {timezone.localtime(message.sent_at):%d %b %Y %H:%M}"
        entries.append(
            TimelineEntry(
                message.created_at,
                "message",
                f"{channel}: {message.subject or message.template}",
                state,
            )
        )
    for hook in timeline_hooks:
        entries.extend(hook(participant))
    return sorted(entries, key=lambda e: e.at, reverse=True)


def _appointments(participant: Participant) -> list[TimelineEntry]:
    """Appointments still ahead, missed (with why) and cancelled (with why); one
    attended is on the timeline as the meeting it became."""
    appointments = participant.appointments.filter(
        Q(status=Appointment.Status.BOOKED, starts_at__gte=timezone.now())
        | Q(status__in=[Appointment.Status.MISSED, Appointment.Status.CANCELLED])
    ).select_related("coordinator", "booked_by")
    entries = []
    for a in appointments:
        kind = a.get_kind_display()
        if a.status == Appointment.Status.BOOKED:
            title, by = f"{kind} booked", a.booked_by
            detail = ", ".join(x for x in (f"{a.minutes} minutes", a.place) if x)
        else:
            # Read as a line of its own: "Phone call cancelled", not "…: cancelled".
            missed = a.status == Appointment.Status.MISSED
            title = f"{kind}: did not attend" if missed else f"{kind} cancelled"
            detail, by = a.reason, a.coordinator
        entries.append(
            TimelineEntry(a.starts_at, "appointment", title, detail, _by(by))
        )
    return entries


def _by(user: User | None) -> str:
    return str(user) if user else ""
