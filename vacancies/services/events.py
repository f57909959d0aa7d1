"""Events: creating one or a series, changing or cancelling dates, signing up (with a
waiting list that never lets a place be taken twice), and taking attendance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from academy import rules
from academy.models import Academy, Organisation, User
from participants.models import Enquiry, Participant
from participants.services import contact_record, enquiry_from_event

from ..models.events import Event, EventSeries, SignUp
from . import event_notices

__all__ = [
    "EVENT_FIELDS",
    "SignUpResult",
    "attendance_contact_record",
    "attendance_mark",
    "attendance_mark_all",
    "check_in_closed_reason",
    "event_cancel",
    "event_create",
    "event_update",
    "local_datetime",
    "merge_signups",
    "self_check_in",
    "series_create",
    "series_dates",
    "signup_cancel",
    "signup_create",
    "signup_link_participant",
    "signup_promote",
    "signup_to_enquiry",
    "walk_in_add",
]

LONDON = ZoneInfo(settings.TIME_ZONE)
# What a coordinator sets on an event (and on every date of a series).
EVENT_FIELDS = (
    "kind",
    "title",
    "description",
    "audience",
    "venue",
    "address",
    "postcode",
    "online_url",
    "capacity",
    "is_public",
)
SERIES_MAX_DATES = 104  # two years of weekly dates


def local_datetime(day: dt.date, time: dt.time) -> dt.datetime:
    """A wall-clock time in London on `day`, as an aware datetime (10:00 stays 10:00
    local on both sides of the clocks changing)."""
    return dt.datetime.combine(day, time, tzinfo=LONDON)


def _check_place(fields: dict[str, Any]) -> None:
    if not (fields.get("venue") or fields.get("address") or fields.get("online_url")):
        raise ValidationError(
            {"venue": "Say where it is: a venue or address, or an online link."}
        )
    if fields.get("postcode"):
        fields["postcode"] = rules.postcode_clean(fields["postcode"])


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The end must be after the start."})
    if ends_at - starts_at > dt.timedelta(days=3):
        raise ValidationError({"ends_at": "An event lasts three days at most."})


def _hosts_of(academy: Academy, hosts: Iterable[Organisation]) -> list[Organisation]:
    chosen = list(hosts)
    if any(o.academy_id != academy.pk for o in chosen):
        raise ValidationError({"hosts": "Choose organisations of this academy."})
    return chosen


@transaction.atomic
def event_create(
    *,
    academy: Academy,
    by: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    hosts: Iterable[Organisation] = (),
    series: EventSeries | None = None,
    **fields: Any,
) -> Event:
    """One event on one date."""
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"not event fields: {sorted(unknown)}")
    _check_place(fields)
    _check_times(starts_at, ends_at)
    chosen = _hosts_of(academy, hosts)
    event = Event(
        academy=academy,
        created_by=by,
        starts_at=starts_at,
        ends_at=ends_at,
        series=series,
        **fields,
    )
    event.full_clean()
    event.save()
    event.hosts.set(chosen)
    return event


def series_dates(*, first: dt.date, until: dt.date, frequency: str) -> list[dt.date]:
    """The dates of a series from `first` to `until` (both included)."""
    if until < first:
        raise ValidationError({"until": "The last date must be on or after the first."})
    step = dt.timedelta(
        weeks=2 if frequency == EventSeries.Frequency.FORTNIGHTLY else 1
    )
    dates = []
    day = first
    while day <= until:
        dates.append(day)
        day += step
    if len(dates) > SERIES_MAX_DATES:
        raise ValidationError(
            {"until": f"A series has {SERIES_MAX_DATES} dates at most: end it sooner."}
        )
    return dates


@transaction.atomic
def series_create(
    *,
    academy: Academy,
    by: User,
    frequency: str,
    first: dt.date,
    until: dt.date,
    starts: dt.time,
    ends: dt.time,
    hosts: Sequence[Organisation] = (),
    **fields: Any,
) -> EventSeries:
    """Every date of a weekly or fortnightly series, each at the same local time."""
    dates = series_dates(first=first, until=until, frequency=frequency)
    if ends <= starts:
        raise ValidationError({"ends": "The end must be after the start."})
    series = EventSeries.objects.create(
        academy=academy, frequency=frequency, created_by=by
    )
    for day in dates:
        event_create(
            academy=academy,
            by=by,
            starts_at=local_datetime(day, starts),
            ends_at=local_datetime(day, ends),
            hosts=hosts,
            series=series,
            **fields,
        )
    return series


def _following(event: Event) -> list[Event]:
    if event.series_id is None:
        return [event]
    return list(
        Event.objects.filter(
            series_id=event.series_id, starts_at__gte=event.starts_at
        ).select_for_update()
    )


@transaction.atomic
def event_update(
    *,
    event: Event,
    by: User,
    following: bool = False,
    starts: dt.time | None = None,
    ends: dt.time | None = None,
    day: dt.date | None = None,
    hosts: Iterable[Organisation] | None = None,
    **fields: Any,
) -> list[Event]:
    """Change one date, or it and every later date of its series (`following`). New
    local start and end times apply on each date; a new day only to this one. Returns
    the events changed, whose signed-up people the caller tells."""
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"not event fields: {sorted(unknown)}")
    events = _following(event) if following else [event]
    chosen = _hosts_of(event.academy, hosts) if hosts is not None else None
    before = {one.pk: _when_and_where(one) for one in events}
    for one in events:
        for name, value in fields.items():
            setattr(one, name, value)
        check = {name: getattr(one, name) for name in EVENT_FIELDS}
        _check_place(check)
        one.postcode = check["postcode"]
        local_start = timezone.localtime(one.starts_at, LONDON)
        local_end = timezone.localtime(one.ends_at, LONDON)
        on = day if (day is not None and one.pk == event.pk) else local_start.date()
        one.starts_at = local_datetime(on, starts or local_start.time())
        one.ends_at = local_datetime(on, ends or local_end.time())
        _check_times(one.starts_at, one.ends_at)
        one.full_clean()
        one.save()
        if chosen is not None:
            one.hosts.set(chosen)
        if one.capacity is not None:
            _promote(one)  # more places: the waiting list moves up
    event_notices.events_changed_tell(
        events=[one for one in events if _when_and_where(one) != before[one.pk]]
    )
    return events


def _when_and_where(event: Event) -> tuple[object, ...]:
    """What those signed up are told of when it changes."""
    return (
        event.starts_at,
        event.ends_at,
        event.venue,
        event.address,
        event.postcode,
        event.online_url,
    )


@transaction.atomic
def event_cancel(
    *, event: Event, by: User, reason: str, following: bool = False
) -> list[Event]:
    """Cancel one date (or it and those that follow); returns the events cancelled."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why, for the people signed up."})
    events = _following(event) if following else [event]
    newly = [one for one in events if not one.is_cancelled]
    for one in events:
        one.status = Event.Status.CANCELLED
        one.cancel_reason = reason.strip()
        one.save(update_fields=["status", "cancel_reason", "updated_at"])
    event_notices.events_cancelled_tell(events=newly)
    return events


# ---- signing up ---------------------------------------------------------------------


@dataclass(frozen=True)
class SignUpResult:
    signup: SignUp
    is_new: bool  # False: the person was already signed up (the same one is returned)

    @property
    def is_waiting(self) -> bool:
        return self.signup.status == SignUp.Status.WAITING


def _lock(event: Event) -> Event:
    """Re-read the event under a row lock: sign-ups to one event queue behind it, so the
    last place is taken once however many ask at the same moment."""
    return Event.objects.select_for_update().get(pk=event.pk)


def _places_taken(event: Event) -> int:
    return int(SignUp.objects.filter(event=event).holding_places().count())


def _same_person(event: Event, email: str, phone: str, participant_id: int | None) -> Q:
    same = Q()
    if email:
        same |= Q(email__iexact=email)
    if phone:
        same |= Q(phone=phone)
    if participant_id:
        same |= Q(participant_id=participant_id)
    return same


@transaction.atomic
def signup_create(
    *,
    event: Event,
    first_name: str,
    last_name: str = "",
    email: str = "",
    phone: str = "",
    has_consented: bool = False,
    source: str = SignUp.Source.PUBLIC,
    participant_id: int | None = None,
    by: User | None = None,
) -> SignUpResult:
    """Book a place, or a place on the waiting list when the event is full. The same
    person (e-mail, phone or record) signing up twice gets their first sign-up back."""
    event = _lock(event)
    if event.is_cancelled:
        raise ValidationError("This event is cancelled.")
    if event.ends_at <= timezone.now():
        raise ValidationError("This event is over.")
    email = email.strip().lower()
    if not (email or phone or participant_id):
        raise ValidationError("Give an e-mail address or a phone number.")
    same = _same_person(event, email, phone, participant_id)
    existing = (
        SignUp.objects.filter(event=event)
        .exclude(status=SignUp.Status.CANCELLED)
        .filter(same)
        .first()
    )
    if existing is not None:
        return SignUpResult(existing, is_new=False)
    full = event.capacity is not None and _places_taken(event) >= event.capacity
    signup = SignUp(
        event=event,
        participant_id=participant_id,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
        phone=phone,
        has_consented=has_consented,
        source=source,
        status=SignUp.Status.WAITING if full else SignUp.Status.BOOKED,
        recorded_by=by,
    )
    signup.full_clean()
    signup.save()
    event_notices.signup_confirm(signup=signup)
    return SignUpResult(signup, is_new=True)


def _promote(event: Event) -> list[SignUp]:
    """Give each free place to the first person waiting (in the order they signed
    up); returns those promoted, for the caller to tell. Call with the event locked."""
    if event.capacity is None:
        waiting = list(SignUp.objects.filter(event=event, status=SignUp.Status.WAITING))
    else:
        free = event.capacity - _places_taken(event)
        if free <= 0:
            return []
        waiting = list(
            SignUp.objects.filter(event=event, status=SignUp.Status.WAITING).order_by(
                "created_at", "pk"
            )[:free]
        )
    for signup in waiting:
        signup.status = SignUp.Status.BOOKED
        signup.save(update_fields=["status", "updated_at"])
    event_notices.signups_promoted_tell(signups=waiting)
    return waiting


@transaction.atomic
def signup_cancel(*, signup: SignUp) -> list[SignUp]:
    """Cancel a sign-up; its place goes to the first person waiting. Returns those
    promoted (at most one)."""
    event = _lock(signup.event)
    signup.refresh_from_db()
    if signup.status == SignUp.Status.CANCELLED:
        return []
    signup.status = SignUp.Status.CANCELLED
    signup.save(update_fields=["status", "updated_at"])
    return _promote(event)


@transaction.atomic
def signup_promote(*, signup: SignUp, by: User) -> SignUp:
    """A coordinator gives a free place to this person on the waiting list, ahead of
    others; never beyond the event's places."""
    event = _lock(signup.event)
    signup.refresh_from_db()
    if signup.status != SignUp.Status.WAITING:
        raise ValidationError("Only someone on the waiting list can be given a place.")
    if event.capacity is not None and _places_taken(event) >= event.capacity:
        raise ValidationError(
            "Every place is taken. Cancel a booking, or add places to the event."
        )
    signup.status = SignUp.Status.BOOKED
    signup.recorded_by = by
    signup.save(update_fields=["status", "recorded_by", "updated_at"])
    event_notices.signups_promoted_tell(signups=[signup])
    return signup


# ---- at the door --------------------------------------------------------------------


def attendance_contact_record(*, signups: Iterable[SignUp]) -> int:
    """An event someone came to counts as a contact (the coordinator's "no contact for
    30 days"): each attendee linked to a participant has their last contact moved
    forward to the event's start, never back and never past now. Call it also after
    linking an attendee to a participant. Returns how many records moved."""
    now = timezone.now()
    at_times: dict[dt.datetime, set[int]] = {}
    for signup in signups:
        if signup.status == SignUp.Status.ATTENDED and signup.participant_id:
            at = min(signup.event.starts_at, now)
            at_times.setdefault(at, set()).add(signup.participant_id)
    return sum(
        contact_record(participant_ids=ids, at=at) for at, ids in at_times.items()
    )


def _register_open(event: Event) -> None:
    if event.is_cancelled:
        raise ValidationError("This event is cancelled: there is no register to take.")


@transaction.atomic
def attendance_mark(*, signup: SignUp, attended: bool, by: User | None) -> SignUp:
    """Tick someone present, or mark them as not come."""
    _register_open(signup.event)
    if (
        signup.status in (SignUp.Status.CANCELLED, SignUp.Status.WAITING)
        and not attended
    ):
        raise ValidationError("They were not booked: there is nothing to mark.")
    signup.status = SignUp.Status.ATTENDED if attended else SignUp.Status.NO_SHOW
    signup.checked_in_at = timezone.now() if attended else None
    signup.recorded_by = by
    signup.save(update_fields=["status", "checked_in_at", "recorded_by", "updated_at"])
    attendance_contact_record(signups=[signup])
    return signup


@transaction.atomic
def attendance_mark_all(*, event: Event, by: User) -> int:
    """Everyone booked is present ("mark all present"); returns how many."""
    _register_open(event)
    booked = SignUp.objects.filter(event=event, status=SignUp.Status.BOOKED)
    people = list(booked.exclude(participant=None).values_list("pk", flat=True))
    count = booked.update(
        status=SignUp.Status.ATTENDED,
        checked_in_at=timezone.now(),
        recorded_by=by,
        updated_at=timezone.now(),
    )
    attendance_contact_record(
        signups=SignUp.objects.filter(pk__in=people).select_related("event")
    )
    return int(count)


@transaction.atomic
def walk_in_add(
    *,
    event: Event,
    by: User | None,
    first_name: str,
    last_name: str = "",
    email: str = "",
    phone: str = "",
    participant_id: int | None = None,
    source: str = SignUp.Source.WALK_IN,
) -> SignUp:
    """Someone who came without booking, present now. Someone already booked is ticked
    present instead of being added twice."""
    event = _lock(event)
    _register_open(event)
    email = email.strip().lower()
    same = _same_person(event, email, phone, participant_id)
    existing = (
        SignUp.objects.filter(event=event)
        .exclude(status=SignUp.Status.CANCELLED)
        .filter(same)
        .first()
        if same
        else None
    )
    if existing is not None:
        return attendance_mark(signup=existing, attended=True, by=by)
    signup = SignUp(
        event=event,
        participant_id=participant_id,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
        phone=phone,
        status=SignUp.Status.ATTENDED,
        source=source,
        checked_in_at=timezone.now(),
        recorded_by=by,
    )
    signup.full_clean()
    signup.save()
    attendance_contact_record(signups=[signup])
    return signup


# Self check-in is open from this long before an event starts until this long after
# it ends.
CHECK_IN_OPENS = dt.timedelta(hours=2)
CHECK_IN_CLOSES = dt.timedelta(hours=1)


def check_in_closed_reason(event: Event, *, now: dt.datetime | None = None) -> str:
    """Why the event's self check-in is closed now, in words for the person at the
    door; empty while it is open."""
    now = now or timezone.now()
    if event.is_cancelled:
        return "This event is cancelled, so there is nothing to check in to."
    opens = timezone.localtime(event.starts_at - CHECK_IN_OPENS, LONDON)
    if now < opens:
        return (
            f"Check-in opens at {opens:%H:%M} on {opens:%A} {opens.day} "
            f"{opens:%B}, two hours before the event starts."
        )
    if now > event.ends_at + CHECK_IN_CLOSES:
        return "Check-in has closed: the event ended more than an hour ago."
    return ""


def self_check_in(
    *, event: Event, first_name: str, last_name: str, email: str, phone: str
) -> SignUp:
    """The QR code's page: a booked person is ticked present; anyone else is added as
    having checked themselves in. Refused, saying why, outside the check-in hours
    (check_in_closed_reason)."""
    if not (email.strip() or phone.strip()):
        raise ValidationError("Give your e-mail address or phone number.")
    if reason := check_in_closed_reason(event):
        raise ValidationError(reason)
    return walk_in_add(
        event=event,
        by=None,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        source=SignUp.Source.SELF_CHECKIN,
    )


# ---- after the door: who they were ---------------------------------------------------


@transaction.atomic
def signup_link_participant(
    *, signup: SignUp, participant: Participant, by: User
) -> SignUp:
    """Say that this sign-up (a walk-in, a public sign-up) is a participant the academy
    already knows, so that their attendance shows on their record and counts."""
    event = _lock(signup.event)
    signup.refresh_from_db()
    if participant.academy_id != event.academy_id:
        raise ValidationError("Choose a participant of this academy.")
    if participant.is_erased:
        raise ValidationError("That record was erased: choose another participant.")
    if signup.participant_id == participant.pk:
        return signup
    already = (
        SignUp.objects.filter(event=event, participant=participant)
        .exclude(status=SignUp.Status.CANCELLED)
        .exclude(pk=signup.pk)
        .exists()
    )
    if already:
        raise ValidationError(
            f"{participant.full_name} ({participant.reference}) is already on this "
            "event's list: cancel one of the two sign-ups first."
        )
    signup.participant = participant
    signup.recorded_by = by
    signup.save(update_fields=["participant", "recorded_by", "updated_at"])
    attendance_contact_record(signups=[signup])
    return signup


@transaction.atomic
def signup_to_enquiry(
    *,
    signup: SignUp,
    by: User,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    postcode: str = "",
    interest: str = "",
) -> Enquiry:
    """Turn someone met at an event into an enquiry of the academy, from the details
    the coordinator checked with them (the sign-up keeps the same details)."""
    event = _lock(signup.event)
    signup.refresh_from_db()
    if signup.participant_id is not None:
        raise ValidationError(
            "They are linked to a participant already: there is no need for an enquiry."
        )
    if signup.enquiry_id is not None:
        raise ValidationError("They were turned into an enquiry already.")
    enquiry = enquiry_from_event(
        academy=event.academy,
        by=by,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        postcode=postcode,
        interest=interest,
        event_title=event.title,
        event_on=timezone.localtime(event.starts_at, LONDON).date(),
    )
    signup.enquiry = enquiry
    signup.first_name = enquiry.first_name
    signup.last_name = enquiry.last_name
    signup.email = enquiry.email
    signup.phone = enquiry.phone
    signup.recorded_by = by
    signup.full_clean()
    signup.save()
    return enquiry


# Which of two sign-ups of one person to one event says more: it is the one kept.
_STATUS_RANK: dict[str, int] = {
    SignUp.Status.ATTENDED: 4,
    SignUp.Status.BOOKED: 3,
    SignUp.Status.NO_SHOW: 2,
    SignUp.Status.WAITING: 1,
    SignUp.Status.CANCELLED: 0,
}


def merge_signups(keep: Participant, duplicate: Participant) -> None:
    """Move a duplicate's event sign-ups to the kept record (participants' merge hook),
    so that what they came to still counts. Where both records were signed up to one
    event, the kept record's sign-up stays with the better status of the two (came,
    booked, did not come, waiting) and the duplicate's is cancelled: a place it held
    goes to the first person waiting."""
    for signup in SignUp.objects.filter(participant=duplicate).select_related("event"):
        twin = (
            SignUp.objects.filter(event=signup.event_id, participant=keep)
            .exclude(status=SignUp.Status.CANCELLED)
            .first()
        )
        if twin is not None and signup.status != SignUp.Status.CANCELLED:
            event = _lock(signup.event)
            if _STATUS_RANK[signup.status] > _STATUS_RANK[twin.status]:
                twin.status, twin.checked_in_at = signup.status, signup.checked_in_at
                twin.save(update_fields=["status", "checked_in_at", "updated_at"])
            signup.status = SignUp.Status.CANCELLED
            signup.participant = keep
            signup.save(update_fields=["status", "participant", "updated_at"])
            _promote(event)
            continue
        signup.participant = keep
        signup.save(update_fields=["participant", "updated_at"])
