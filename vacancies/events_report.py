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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce, Lower, Trim
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
    first_signup: int = 0


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


def _came(academy: Academy) -> QuerySet[SignUp]:
    """The sign-ups of people who came to an event of the academy that took place."""
    return SignUp.objects.filter(
        event__in=events_held(academy=academy, after=timezone.now()),
        status=SignUp.Status.ATTENDED,
    )


def _with(participant_ids: set[int]) -> Q:
    return Q(participant_id__in=participant_ids) | Q(
        enquiry__participant_id__in=participant_ids
    )


def _one_of(academy: Academy, participant_ids: Iterable[int]) -> QuerySet[SignUp]:
    """The sign-ups of the people (as one person each) who are these participants:
    theirs, then those sharing an e-mail, phone or visitor key with one found, and so
    on until no more are found."""
    came = _came(academy).annotate(lower_email=Lower(Trim("email")))
    found: set[int] = set()
    keys: dict[str, set[Any]] = {"participant": set(participant_ids)}
    where = _with(keys["participant"])
    while True:
        rows = list(
            came.filter(where)
            .exclude(pk__in=found)
            .annotate(person=signup_person())
            .values_list("pk", "person", "lower_email", "phone", "visitor")
        )
        if not rows:
            return _came(academy).filter(pk__in=found)
        new: dict[str, set[Any]] = defaultdict(set)
        for pk, person, email, phone, visitor in rows:
            found.add(pk)
            for kind, value in (
                ("participant", person),
                ("email", email),
                ("phone", phone),
                ("visitor", visitor),
            ):
                if value and value not in keys.get(kind, set()):
                    new[kind].add(value)
                    keys.setdefault(kind, set()).add(value)
        where = (
            _with(new["participant"])
            | Q(lower_email__in=new["email"])
            | Q(phone__in=new["phone"])
            | Q(visitor__in=new["visitor"])
        )


def _attendees(
    academy: Academy, participant_ids: Iterable[int] | None = None
) -> list[_Person]:
    """Everyone who came to an event of the academy that took place (or the people
    who are these participants), as one person each, by everything now known of who
    they are."""
    came = (
        _came(academy) if participant_ids is None else _one_of(academy, participant_ids)
    )
    rows = list(
        came.annotate(person=signup_person(), registered=_registered())
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
        .order_by()
    )
    people = SamePerson()
    roots = [people.join(person_keys(*row[:5])) for row in rows]
    found: dict[Key, _Person] = defaultdict(_Person)
    for root, row in zip(roots, rows, strict=True):
        pk, participant_id, _, _, _, starts_at, kind, registered_on = row
        person = found[people.find(root)]
        person.first_signup = min(person.first_signup or pk, pk)
        person.came.append((timezone.localdate(starts_at), kind))
        if participant_id:
            person.participants.add(participant_id)
            if person.registered_on is None or registered_on < person.registered_on:
                person.registered_on = registered_on
    return list(found.values())


def _went_on_dates(
    academy: Academy, participant_ids: Iterable[int] | None = None
) -> dict[str, dict[int, list[dt.date]]]:
    """For every participant who came to an event (or these only): the days they had
    a plan agreed, were referred, and started a job."""
    came: Any = participant_ids
    if participant_ids is None:
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


def events_held_by_kind(
    *, academy: Academy, start: dt.date, end: dt.date
) -> dict[str, int]:
    """Events held in the period, per kind (both days included, in London time)."""
    first = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    after = timezone.make_aware(
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)
    )
    return dict(
        events_held(academy=academy, first=first, after=after)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
        .order_by()
    )


# People counted per (figure, kind): figure "attendees", "new" or a went_on key
# ("plan_3m", ...); kind ALL or an event kind.
PeopleCounts = dict[tuple[str, str], int]


def event_figures_from(held: dict[str, int], counts: PeopleCounts) -> EventFigures:
    """The event figures from the events held and the people counted (live, or from
    the impact report's precomputed summaries)."""
    labels = {ALL: "All events", **dict(EventKind.choices)}
    return EventFigures(
        [
            KindFigures(
                kind=kind,
                label=labels[kind],
                events_held=sum(held.values()) if kind == ALL else held.get(kind, 0),
                attendees=counts.get(("attendees", kind), 0),
                new_attendees=counts.get(("new", kind), 0),
                went_on={key: counts.get((key, kind), 0) for key in went_on_keys()},
            )
            for kind in [ALL, *EventKind.values]
        ]
    )


def event_figures(*, academy: Academy, start: dt.date, end: dt.date) -> EventFigures:
    """Every event figure of the impact report for one academy and period (both days
    included, in London time), straight from the sign-ups (the impact report reads
    them precomputed: `attendance_days`)."""
    went_on_dates = _went_on_dates(academy)
    counts: PeopleCounts = defaultdict(int)
    for person in _attendees(academy):
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
            counts["new", ALL] += 1
            counts["new", first_kind] += 1
        # Each kind's figures start from the first event of that kind in the period.
        first_of: dict[str, dt.date] = {ALL: in_period[0][0]}
        for day, kind in in_period:
            first_of.setdefault(kind, day)
        for kind, day in first_of.items():
            counts["attendees", kind] += 1
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
                        counts[f"{what}_{months}m", kind] += 1
    return event_figures_from(
        events_held_by_kind(academy=academy, start=start, end=end), counts
    )


@dataclass(frozen=True)
class AttendanceDay:
    """A day a person came to an event of a kind (ALL: of any kind), with the day they
    last came to one before it (None: the first), for each figure the day counts in:
    "attendees", "new" (their first event ever, new to the academy), and the went_on
    keys whose window from that day holds what they went on to."""

    person: int  # minus the person's first sign-up: the same person, the same id
    kind: str
    day: dt.date
    prev_day: dt.date | None
    figures: tuple[str, ...]


def attendance_days(
    academy: Academy, participant_ids: Iterable[int] | None = None
) -> Iterator[AttendanceDay]:
    """Every day each person came to the academy's events (or each person who is one
    of these participants): a person counts in a period's figure on the first of their
    days in it (the day whose previous day is before the period), which is what
    `event_figures` counts."""
    people = _attendees(academy, participant_ids)
    linked = {pk for person in people for pk in person.participants}
    went_on_dates = _went_on_dates(academy, None if participant_ids is None else linked)
    for person in people:
        came = sorted(person.came)
        first_day, first_kind = came[0]
        is_new = person.registered_on is None or person.registered_on >= first_day
        done = {
            what: sorted(
                d for pk in person.participants for d in went_on_dates[what].get(pk, [])
            )
            for what in WENT_ON_TO
        }
        days_of: dict[str, list[dt.date]] = defaultdict(list)
        for day, kind in came:
            for one in (ALL, kind):
                if not days_of[one] or days_of[one][-1] != day:
                    days_of[one].append(day)
        for kind, days in days_of.items():
            for prev_day, day in zip([None, *days], days, strict=False):
                figures = ["attendees"]
                if is_new and prev_day is None and kind in (ALL, first_kind):
                    figures.append("new")
                for what in WENT_ON_TO:
                    later = [d for d in done[what] if d >= day]
                    figures += [
                        f"{what}_{months}m"
                        for months in WINDOW_MONTHS
                        if later and later[0] <= months_after(day, months)
                    ]
                yield AttendanceDay(
                    -person.first_signup, kind, day, prev_day, tuple(figures)
                )


def attended_any(*, academy: Academy, participant_ids: list[int]) -> bool:
    """Whether any of these people came to one of the academy's events (linked to
    their record, or as the enquiry that became it)."""
    came = SignUp.objects.filter(event__academy=academy, status=SignUp.Status.ATTENDED)
    return (
        came.filter(participant_id__in=participant_ids).exists()
        or came.filter(enquiry__participant_id__in=participant_ids).exists()
    )


def attended_since(*, academy: Academy, since: dt.datetime) -> bool:
    """Whether an event someone came to has started since `since` (by now): the
    academy's events first (few, by their index), then their sign-ups."""
    started = list(
        events_held(academy=academy, first=since, after=timezone.now()).values_list(
            "pk", flat=True
        )
    )
    return bool(started) and (
        SignUp.objects.filter(
            event_id__in=started, status=SignUp.Status.ATTENDED
        ).exists()
    )
