"""What people signed up to an event are told, through academy/notify.py: their place
(with the event for their calendar) or their place on the waiting list, a place that
frees up for them, a new date or time, a cancellation, and a reminder the day before.
Only those who agreed to be contacted are written to: a member of the public who
ticked the box when signing up; someone the academy booked by the contact preference
on their record (`participant_recipient`: e-mail or text message, or nothing).

The services in events.py call these inside their transaction, so nothing is sent for
a change that rolls back; this module is the one place that decides who is told what.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from academy.days import tomorrow_window
from academy.notify import Attachment, Recipient, link, notify
from participants.services import participant_recipient, reach_us

from ..calendars import ICS_MIMETYPE, calendar_bytes, event_place, event_vevent
from ..models.events import Event, SignUp

__all__ = [
    "event_reminders_send",
    "events_cancelled_tell",
    "events_changed_tell",
    "signup_confirm",
    "signups_promoted_tell",
]

# Told of a change or a cancellation: everyone still holding or waiting for a place.
STILL_COMING = (SignUp.Status.BOOKED, SignUp.Status.WAITING)


def signup_urls(signup: SignUp) -> tuple[str, str]:
    """The event's public page and the sign-up's cancel page, as absolute links."""
    event = signup.event
    page = link(
        reverse("vacancies:event-board-detail", args=[event.academy.slug, event.pk])
    )
    cancel = link(reverse("vacancies:booking-cancel", args=[signup.cancel_token]))
    return page, cancel


def _calendar_file(signup: SignUp) -> Attachment:
    page, cancel = signup_urls(signup)
    note = f"Can't come? Cancel your place so that someone else can have it: {cancel}"
    entry = event_vevent(
        signup.event,
        url=page,
        description="\n\n".join(p for p in (signup.event.description, note) if p),
    )
    return Attachment("event.ics", calendar_bytes([entry]), ICS_MIMETYPE)


def _recipient(signup: SignUp) -> Recipient:
    """Whom a sign-up's messages go to: a person the academy booked as their record
    says they agreed to be contacted; anyone else as they agreed when signing up."""
    if signup.source == SignUp.Source.STAFF and signup.participant is not None:
        return participant_recipient(signup.participant)
    return Recipient(
        name=signup.full_name,
        email=signup.email,
        phone=str(signup.phone or ""),
        has_agreed=signup.has_consented,
    )


# Told of a booking or a place once per sign-up; a reminder once per start time.
KEYS: dict[str, str] = {
    "event_booked": "signup:{pk}:booked",
    "event_place_freed": "signup:{pk}:place",
    "event_reminder": "signup:{pk}:reminder:{starts}",
}


def _tell(signup: SignUp, template: str, *, with_calendar: bool) -> bool:
    """Send `template` to the person of `signup`; whether it goes."""
    event = signup.event
    academy = event.academy
    page, cancel = signup_urls(signup)
    person = signup.participant
    context: dict[str, Any] = {
        **reach_us(academy, person.coordinator if person else None),
        "signup": signup,
        "event": event,
        "academy": academy,
        "starts": timezone.localtime(event.starts_at),
        "ends": timezone.localtime(event.ends_at),
        "place": event_place(event),
        "event_url": page,
        "cancel_url": cancel,
        "events_url": link(reverse("vacancies:event-board", args=[academy.slug])),
    }
    key = KEYS.get(template, "").format(
        pk=signup.pk, starts=event.starts_at.isoformat()
    )
    channel = notify(
        to=_recipient(signup),
        template=template,
        context=context,
        academy=academy,
        key=key,
        participant=signup.participant,
        attachments=[_calendar_file(signup)] if with_calendar else [],
        reply_to=[academy.public_email],
    )
    return channel is not None


def _confirmed(signup: SignUp) -> None:
    signup.confirmed_at = timezone.now()
    signup.save(update_fields=["confirmed_at", "updated_at"])


def signup_confirm(*, signup: SignUp) -> None:
    """A new sign-up is told that they have a place (the event attached for their
    calendar), or that they are on the waiting list."""
    if signup.status == SignUp.Status.BOOKED:
        if _tell(signup, "event_booked", with_calendar=True):
            _confirmed(signup)
    elif signup.status == SignUp.Status.WAITING:
        _tell(signup, "event_waiting", with_calendar=False)


def signups_promoted_tell(*, signups: Iterable[SignUp]) -> None:
    """People given a place from the waiting list are told it is theirs."""
    for signup in signups:
        if _tell(signup, "event_place_freed", with_calendar=True):
            _confirmed(signup)


def events_changed_tell(*, events: Sequence[Event]) -> None:
    """Those signed up to events whose date, time or place changed are told (the
    calendar entry they have is replaced); the reminder is sent again for the new
    date."""
    for event in events:
        signups = SignUp.objects.filter(event=event, status__in=STILL_COMING)
        signups.update(reminded_at=None)
        for signup in signups.select_related("event__academy"):
            is_booked = signup.status == SignUp.Status.BOOKED
            _tell(signup, "event_changed", with_calendar=is_booked)


def events_cancelled_tell(*, events: Sequence[Event]) -> None:
    """Those signed up to events now cancelled are told why (a booked person's
    calendar entry is marked cancelled)."""
    for event in events:
        signups = SignUp.objects.filter(event=event, status__in=STILL_COMING)
        for signup in signups.select_related("event__academy"):
            is_booked = signup.status == SignUp.Status.BOOKED
            _tell(signup, "event_cancelled", with_calendar=is_booked)


def event_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind everyone booked on an event that starts tomorrow (London), once each:
    the sign-up is marked reminded in the same transaction that queues its e-mail, so
    a second run, or a run again after a worker was lost, sends nothing twice. Someone
    whose confirmation went today is not reminded. Returns how many were reminded."""
    now = now or timezone.now()
    start, end = tomorrow_window(now)
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    due = SignUp.objects.filter(
        event__starts_at__gte=start,
        event__starts_at__lt=end,
        event__status=Event.Status.SCHEDULED,
        status=SignUp.Status.BOOKED,
        reminded_at=None,
    ).filter(
        # The public: as they agreed; those the academy booked: their record decides.
        Q(has_consented=True)
        | Q(source=SignUp.Source.STAFF, participant__isnull=False),
        Q(confirmed_at=None) | Q(confirmed_at__lt=today),
    )
    sent = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            # Two runs at once: the second skips the row the first holds.
            signup = (
                due.filter(pk=pk)
                .select_related("event__academy", "participant")
                .select_for_update(skip_locked=True, of=("self",))
                .first()
            )
            if signup is None or not _tell(
                signup, "event_reminder", with_calendar=False
            ):
                continue
            signup.reminded_at = now
            signup.save(update_fields=["reminded_at", "updated_at"])
            sent += 1
    return sent
