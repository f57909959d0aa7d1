"""What events led to, for the impact report (spec/impact-report.md; issue 17): events
held and the distinct people who came, those new to the academy, and how many of them
went on to a skills action plan, a referral and a job start within 3 and 6 months.

People, not sign-ups: two sign-ups are one person when they share a participant
record (theirs, or the one their enquiry became), an e-mail address or a phone number
(a walk-in nobody linked to a record is still one person at every event they came to
with the same address or number), or the visitor key retention leaves in their place.

Only events that took place count: not cancelled, and started by now.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from academy.models import Academy
from participants.models import Outcome, SkillsActionPlan

from .models import Event, EventKind, ReferralEvent, SignUp
from .models.referrals import Referral

# What an attendee may go on to, and the windows after the event it is looked for in.
WENT_ON_TO = ("plan", "referral", "job_start")
WINDOW_MONTHS = (3, 6)
ALL = "all"


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later (31 March + 3 = 30 June)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


@dataclass(frozen=True)
class KindFigures:
    """The event figures of one kind of event, or of all (`kind` "all")."""

    kind: str
    label: str
    events_held: int
    attendees: int
    new_attendees: int
    # "plan_3m", "referral_6m", ...: attendees who went on to it within the window
    went_on: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class EventFigures:
    """Every event figure of one academy and period: all kinds first, then each kind."""

    kinds: list[KindFigures]

    @property
    def all(self) -> KindFigures:
        return self.kinds[0]


def went_on_keys() -> list[str]:
    return [f"{what}_{months}m" for what in WENT_ON_TO for months in WINDOW_MONTHS]


def events_held(
    *, academy: Academy, after: dt.datetime, first: dt.datetime | None = None
) -> QuerySet[Event]:
    """Events that took place (not cancelled, started by now) before `after`, and from
    `first` if given."""
    held = Event.objects.for_academy(academy).filter(
        status=Event.Status.SCHEDULED, starts_at__lt=min(after, timezone.now())
    )
    return held if first is None else held.filter(starts_at__gte=first)


@dataclass
class _Person:
    """The attendances and records of one person, found from their sign-ups."""

    came: list[tuple[dt.date, str]] = field(default_factory=list)  # (day, kind)
    participants: set[int] = field(default_factory=set)
    registered_on: dt.date | None = None


Key = tuple[str, str]


class SamePerson:
    """Sign-ups joined into people by shared record, e-mail, phone or visitor key
    (union-find): `join` a sign-up's keys, then `find` gives its person."""

    def __init__(self) -> None:
        self.parent: dict[Key, Key] = {}

    def find(self, key: Key) -> Key:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def join(self, keys: list[Key]) -> Key:
        root = self.find(keys[0])
        for key in keys[1:]:
            other = self.find(key)
            if other != root:
                self.parent[other] = root
        return root


def person_keys(
    pk: int, participant_id: int | None, email: str, phone: str, visitor: str
) -> list[Key]:
    """What a sign-up's person is known by."""
    keys = [("participant", str(participant_id))] if participant_id else []
    if email:
        keys.append(("email", email.strip().lower()))
    if phone:
        keys.append(("phone", str(phone)))
    if visitor:
        keys.append(("visitor", visitor))
    return keys or [("signup", str(pk))]  # nothing to know them by: one person


def signup_person() -> Coalesce:
    """The participant a sign-up is: the one it was linked to, else the one its
    enquiry became (someone met at an event who registered later)."""
    return Coalesce("participant_id", "enquiry__participant_id")


def _registered() -> Coalesce:
    return Coalesce("participant__registered_on", "enquiry__participant__registered_on")


def _attendees(academy: Academy, after: dt.datetime) -> list[_Person]:
    """Everyone who came to an event of the academy that took place before `after`."""
    rows = list(
        SignUp.objects.filter(
            event__in=events_held(academy=academy, after=after),
            status=SignUp.Status.ATTENDED,
        )
        .annotate(person=signup_person(), registered=_registered())
        .values_list(
            "pk",
            "person",
            "email",
            "phone",
            "visitor",
            "event__starts_at",
            "event__kind",
            "registered",
        )
    )
    people = SamePerson()
    roots = [people.join(person_keys(*row[:5])) for row in rows]
    found: dict[Key, _Person] = defaultdict(_Person)
    for root, row in zip(roots, rows, strict=True):
        _, participant_id, _, _, _, starts_at, kind, registered_on = row
        person = found[people.find(root)]
        person.came.append((timezone.localdate(starts_at), kind))
        if participant_id:
            person.participants.add(participant_id)
            if person.registered_on is None or registered_on < person.registered_on:
                person.registered_on = registered_on
    return list(found.values())


def _went_on_dates(academy: Academy) -> dict[str, dict[int, list[dt.date]]]:
    """For every participant who came to an event: the days they had a plan agreed,
    were referred, and started a job."""
    came = (
        SignUp.objects.filter(event__academy=academy, status=SignUp.Status.ATTENDED)
        .annotate(person=signup_person())
        .filter(person__isnull=False)
        .values("person")
    )
    sources: dict[str, Iterable[tuple[int, dt.date]]] = {
        "plan": SkillsActionPlan.objects.filter(participant_id__in=came).values_list(
            "participant_id", "agreed_on"
        ),
        "referral": ReferralEvent.objects.filter(
            referral__participant_id__in=came, stage=Referral.Stage.REFERRED
        ).values_list("referral__participant_id", "on"),
        "job_start": Outcome.objects.filter(
            participant_id__in=came, kind=Outcome.Kind.EMPLOYMENT
        ).values_list("participant_id", "started_on"),
    }
    dates: dict[str, dict[int, list[dt.date]]] = {}
    for what, pairs in sources.items():
        dates[what] = defaultdict(list)
        for participant_id, day in pairs:
            dates[what][participant_id].append(day)
    return dates


def event_figures(*, academy: Academy, start: dt.date, end: dt.date) -> EventFigures:
    """Every event figure of the impact report for one academy and period (both days
    included, in London time)."""
    first = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    after = timezone.make_aware(
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)
    )
    held = dict(
        events_held(academy=academy, first=first, after=after)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    went_on_dates = _went_on_dates(academy)
    kinds = [ALL, *EventKind.values]
    attendees: dict[str, int] = dict.fromkeys(kinds, 0)
    new: dict[str, int] = dict.fromkeys(kinds, 0)
    went_on: dict[str, dict[str, int]] = {
        kind: dict.fromkeys(went_on_keys(), 0) for kind in kinds
    }
    for person in _attendees(academy, after):
        came = sorted(person.came)
        in_period = [(day, kind) for day, kind in came if start <= day <= end]
        if not in_period:
            continue
        # spec: new to the academy = their first event, in the period, came before
        # any record of theirs was registered (or with no record at all).
        first_day, first_kind = came[0]
        if start <= first_day and (
            person.registered_on is None or person.registered_on >= first_day
        ):
            new[ALL] += 1
            new[first_kind] += 1
        # Each kind's figures start from the first event of that kind in the period.
        first_of: dict[str, dt.date] = {ALL: in_period[0][0]}
        for day, kind in in_period:
            first_of.setdefault(kind, day)
        for kind, day in first_of.items():
            attendees[kind] += 1
            for what in WENT_ON_TO:
                days = [
                    d
                    for pk in person.participants
                    for d in went_on_dates[what].get(pk, [])
                    if d >= day
                ]
                for months in WINDOW_MONTHS:
                    until = months_after(day, months)
                    if any(d <= until for d in days):
                        went_on[kind][f"{what}_{months}m"] += 1
    labels = {ALL: "All events", **dict(EventKind.choices)}
    return EventFigures(
        [
            KindFigures(
                kind=kind,
                label=labels[kind],
                events_held=sum(held.values()) if kind == ALL else held.get(kind, 0),
                attendees=attendees[kind],
                new_attendees=new[kind],
                went_on=went_on[kind],
            )
            for kind in kinds
        ]
    )
