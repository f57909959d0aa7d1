"""Reads of appointments and the diary: a member's appointments as diary entries (the
source participants registers), the days of a diary page, whose diary a member may
open, and how often a person missed an appointment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from academy.days import local_midnight
from academy.models import Membership, User, membership_active_q
from academy.permissions import CASEWORK, Role

from ..diary import DiaryEntry, diary_entries
from ..models import Appointment, Meeting, Participant
from .day import coordinator_choices

# The caseload's no-shows are counted over this many days.
NO_SHOW_DAYS = 90


def appointment_uid(appointment: Appointment) -> str:
    """The same for every copy, so that a calendar updates the entry it has."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"appointment-{appointment.pk}@{host}"


def appointment_entry(appointment: Appointment) -> DiaryEntry:
    """An appointment as a diary entry. The private title names the kind and the
    person's reference only; a phone number is not a place (it stays off the feed)."""
    person = appointment.participant
    kind = appointment.get_kind_display()
    is_cancelled = appointment.status == Appointment.Status.CANCELLED
    return DiaryEntry(
        uid=appointment_uid(appointment),
        kind="appointment",
        starts_at=appointment.starts_at,
        ends_at=appointment.starts_at + dt.timedelta(minutes=appointment.minutes),
        title=f"{kind} with {person.full_name} ({person.reference})",
        private_title=f"{kind} — {person.reference}",
        place="" if appointment.kind == Meeting.Kind.PHONE else appointment.place,
        url=reverse("participants:detail", args=[person.pk]),
        participant_id=person.pk,
        status=""
        if appointment.status == Appointment.Status.BOOKED
        else appointment.get_status_display(),
        is_cancelled=is_cancelled,
        version=int(appointment.updated_at.timestamp())
        if appointment.updated_at
        else 0,
    )


def appointments_in_diary(
    membership: Membership, start: dt.datetime, end: dt.datetime
) -> Iterable[DiaryEntry]:
    """The appointments in a coordinator's (or admin's) own diary, cancelled ones
    included (a calendar takes them off); nothing for other roles."""
    if membership.role not in CASEWORK:
        return []
    appointments = (
        Appointment.objects.for_membership(membership)
        .filter(coordinator=membership.user_id, starts_at__gte=start, starts_at__lt=end)
        .select_related("participant")
    )
    return [appointment_entry(a) for a in appointments]


def appointment_list(*, membership: Membership) -> QuerySet[Appointment]:
    """The academy's appointments as the member may see them (casework roles)."""
    return Appointment.objects.for_membership(membership).select_related(
        "participant", "coordinator", "meeting"
    )


@dataclass(frozen=True)
class DiaryRow:
    """One line of a diary page: the entry, and its appointment when it is one of
    the diary's own (the page offers its one-tap actions)."""

    entry: DiaryEntry
    appointment: Appointment | None = None


@dataclass(frozen=True)
class DiaryDay:
    """One day of a diary page."""

    day: dt.date
    rows: list[DiaryRow] = field(default_factory=list)

    @property
    def is_today(self) -> bool:
        return self.day == timezone.localdate()


@dataclass(frozen=True)
class DiaryPage:
    days: list[DiaryDay]
    people: list[int]  # whose data the page shows (for the access record)


def diary_page(*, membership: Membership, first: dt.date, days: int) -> DiaryPage:
    """`days` days of `membership`'s diary from `first`, in local days."""
    start, end = local_midnight(first), local_midnight(first + dt.timedelta(days=days))
    entries = diary_entries(membership, start, end)
    appointments = {
        appointment_uid(a): a
        for a in appointment_list(membership=membership).filter(
            coordinator=membership.user_id, starts_at__gte=start, starts_at__lt=end
        )
    }
    by_day: dict[dt.date, list[DiaryRow]] = {
        first + dt.timedelta(days=n): [] for n in range(days)
    }
    for entry in entries:
        row = DiaryRow(entry, appointments.get(entry.uid))
        by_day.setdefault(timezone.localdate(entry.starts_at), []).append(row)
    return DiaryPage(
        days=[DiaryDay(day, rows) for day, rows in sorted(by_day.items())],
        people=sorted({e.participant_id for e in entries if e.participant_id}),
    )


def diary_colleagues(*, membership: Membership) -> QuerySet[User]:
    """Whose diary an admin may open: the academy's coordinators and admins."""
    return coordinator_choices(membership=membership)


def diary_owner(*, membership: Membership, user_id: int | None) -> Membership:
    """The membership whose diary is shown: one's own, or for an admin a colleague's
    (a coordinator or admin of the same academy); anyone else: one's own."""
    if membership.role != Role.ADMIN or not user_id or user_id == membership.user_id:
        return membership
    colleague = (
        Membership.objects.filter(
            membership_active_q(""),
            academy=membership.academy,
            user_id=user_id,
            role__in=[Role.COORDINATOR, Role.ADMIN],
        )
        .select_related("user", "academy")
        .first()
    )
    return colleague or membership


@dataclass(frozen=True)
class AppointmentCounts:
    """How a person's appointments went: those held or missed, and the missed."""

    missed: int
    held_or_missed: int
    upcoming: int


def appointment_counts(*, participant: Participant) -> AppointmentCounts:
    """'Missed 2 of 7 appointments': one query."""
    counts = participant.appointments.aggregate(
        missed=Count("pk", filter=Q(status=Appointment.Status.MISSED)),
        done=Count(
            "pk",
            filter=Q(
                status__in=[Appointment.Status.MISSED, Appointment.Status.ATTENDED]
            ),
        ),
        upcoming=Count(
            "pk",
            filter=Q(status=Appointment.Status.BOOKED, starts_at__gte=timezone.now()),
        ),
    )
    return AppointmentCounts(
        missed=counts["missed"],
        held_or_missed=counts["done"],
        upcoming=counts["upcoming"],
    )


def participant_appointments(
    *, participant: Participant, limit: int = 6
) -> list[Appointment]:
    """The person's appointments still booked (soonest first), then the latest
    others, at most `limit`: one query, however many they have."""
    booked = Q(status=Appointment.Status.BOOKED)
    return list(
        participant.appointments.select_related("coordinator")
        .annotate(
            is_past=Case(When(booked, then=Value(0)), default=Value(1)),
            booked_at=Case(When(booked, then=F("starts_at"))),
            booked_pk=Case(When(booked, then=F("pk"))),
            other_at=Case(When(~booked, then=F("starts_at"))),
            other_pk=Case(When(~booked, then=F("pk"))),
        )
        .order_by(
            "is_past",
            "booked_at",
            "booked_pk",
            F("other_at").desc(nulls_last=True),
            F("other_pk").desc(nulls_last=True),
        )[:limit]
    )


def no_shows_recent(*, days: int = NO_SHOW_DAYS) -> Coalesce:
    """An annotation of a list of people: each one's missed appointments in the last
    `days` days (a subquery, so the list stays one query)."""
    since = timezone.now() - dt.timedelta(days=days)
    missed = (
        Appointment.objects.filter(
            participant=OuterRef("pk"),
            status=Appointment.Status.MISSED,
            starts_at__gte=since,
        )
        .order_by()
        .values("participant")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(missed), Value(0))
