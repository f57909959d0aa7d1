"""The demo academy's events (issue 17): its first year, from launch on 1 November 2023,
as its casework tells it, and what is coming up.

- A drop-in every Wednesday 10:00-13:00 at Skills Launchpad Plymouth (one date called
  off at Christmas), an information session at the jobcentre on the second Tuesday of
  each month, and two recruitment fairs at the Guildhall (February and September 2024).
- People whose record says they came through a drop-in or an event came to one on or
  shortly before the day they registered, so they count as new to the academy, and
  their plans, care job starts and referrals (to the providers' spring 2024 intake)
  follow it. Some registered people came back to later drop-ins, and many to the fairs;
  members of the public came too, some several times, known by their e-mail or phone;
  some booked and did not come.
- After the first year, to the day before the demo is built: the drop-ins and the
  information sessions went on, with people who registered through them, people who
  came back and the public.
- Coming up: the next eight Wednesday drop-ins, next month's information session and a
  recruitment fair in five weeks, with places booked (some by the demo coordinator for
  people on their caseload).

Random choices use a fixed seed, so every demo is the same but for the dates coming up.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from academy.models import Academy, Organisation, User
from participants.models import Outcome, Participant

from . import services
from .models import (
    Event,
    EventKind,
    EventSeries,
    Referral,
    ReferralEvent,
    SignUp,
    Vacancy,
)
from .services.events import local_datetime

YEAR_START, YEAR_END = dt.date(2023, 11, 1), dt.date(2024, 10, 31)
DROP_IN: dict[str, Any] = {
    "kind": EventKind.DROP_IN,
    "title": "Wednesday drop-in: careers in care",
    "description": "Come and talk to a coordinator about working in care: no "
    "appointment needed. Bring a CV if you have one.",
    "venue": "Skills Launchpad Plymouth",
    "address": "Derry's Cross",
    "postcode": "PL1 2SW",
    "capacity": None,
    "audience": [],
}
INFORMATION: dict[str, Any] = {
    "kind": EventKind.INFORMATION,
    "title": "Careers in care: information session",
    "description": "What care work is like, the training and DBS checks, pay, and how "
    "the academy helps you into a job. An hour, with time for questions.",
    "venue": "Plymouth Jobcentre Plus (demo)",
    "address": "Royal Parade",
    "postcode": "PL1 1HE",
    "capacity": 20,
    "audience": ["long_term_unemployed", "over_50", "returner"],
}
FAIR: dict[str, Any] = {
    "kind": EventKind.RECRUITMENT,
    "description": "Meet Plymouth's care providers and the NHS trust, with jobs to "
    "fill: interviews on the day for some roles.",
    "venue": "The Guildhall",
    "address": "Armada Way",
    "postcode": "PL1 2AA",
    "capacity": 150,
    "audience": [],
}
FAIRS = [
    (dt.date(2024, 2, 22), "Spring care recruitment fair"),
    (dt.date(2024, 9, 26), "Autumn care recruitment fair"),
]
CALLED_OFF = dt.date(2023, 12, 27)
LAUNCH_PERIOD_END = dt.date(2024, 3, 31)
PUBLIC_PEOPLE = 140  # members of the public who came and never registered
FIRST = ["Alex", "Bea", "Cal", "Dee", "Eli", "Fran", "Gail", "Hal", "Ivy", "Jo"]
LAST = ["Ash", "Brook", "Cole", "Dale", "Ford", "Gray", "Hart", "Lane", "Moss", "Penn"]


def _second_tuesday(year: int, month: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(1 - first.weekday()) % 7 + 7)


def _months(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append((day.year, day.month))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def _organisation(academy: Academy, name: str) -> Organisation | None:
    return Organisation.objects.for_academy(academy).filter(name=name).first()


def _hosts(academy: Academy, *names: str) -> list[Organisation]:
    return [o for name in names if (o := _organisation(academy, name)) is not None]


def _one(
    academy: Academy,
    by: User,
    day: dt.date,
    starts: dt.time,
    ends: dt.time,
    **fields: Any,
) -> Event:
    hosts = fields.pop("hosts", ())
    return services.event_create(
        academy=academy,
        by=by,
        starts_at=local_datetime(day, starts),
        ends_at=local_datetime(day, ends),
        hosts=hosts,
        **fields,
    )


def _year_of_events(academy: Academy, by: User) -> list[Event]:
    """The first year's events, in date order."""
    series = services.series_create(
        academy=academy,
        by=by,
        frequency=EventSeries.Frequency.WEEKLY,
        first=YEAR_START,  # a Wednesday
        until=YEAR_END,
        starts=dt.time(10, 0),
        ends=dt.time(13, 0),
        hosts=_hosts(academy, "Improving Lives (demo)"),
        **DROP_IN,
    )
    christmas = series.events.get(starts_at__date=CALLED_OFF)
    services.event_cancel(event=christmas, by=by, reason="The venue is closed.")
    jobcentre = _hosts(academy, "Plymouth Jobcentre Plus (demo)")
    for year, month in _months(YEAR_START, YEAR_END):
        _one(
            academy,
            by,
            _second_tuesday(year, month),
            dt.time(14, 0),
            dt.time(15, 0),
            hosts=jobcentre,
            **INFORMATION,
        )
    providers = _hosts(
        academy,
        "Tamar View Care Homes",
        "Sound Homecare",
        "Plymouth Hospitals NHS Trust (demo)",
    )
    for day, title in FAIRS:
        _one(
            academy,
            by,
            day,
            dt.time(10, 0),
            dt.time(15, 0),
            title=title,
            hosts=providers,
            **FAIR,
        )
    return list(
        Event.objects.for_academy(academy).filter(status=Event.Status.SCHEDULED)
    )


def _after_the_first_year(academy: Academy, by: User) -> list[Event]:
    """Since the first year, up to the day before today: the Wednesday drop-ins (a
    series a year) and the monthly information sessions went on."""
    today = timezone.localdate()
    first = YEAR_END + dt.timedelta(days=(2 - YEAR_END.weekday()) % 7 or 7)
    last = today - dt.timedelta(days=(today.weekday() - 2) % 7 or 7)
    events: list[Event] = []
    while first <= last:
        until = min(last, first + dt.timedelta(weeks=51))
        series = services.series_create(
            academy=academy,
            by=by,
            frequency=EventSeries.Frequency.WEEKLY,
            first=first,
            until=until,
            starts=dt.time(10, 0),
            ends=dt.time(13, 0),
            hosts=_hosts(academy, "Improving Lives (demo)"),
            **DROP_IN,
        )
        events += series.events.all()
        first = until + dt.timedelta(weeks=1)
    jobcentre = _hosts(academy, "Plymouth Jobcentre Plus (demo)")
    for year, month in _months(YEAR_END + dt.timedelta(days=1), today):
        day = _second_tuesday(year, month)
        if day < today:
            events.append(
                _one(
                    academy,
                    by,
                    day,
                    dt.time(14, 0),
                    dt.time(15, 0),
                    hosts=jobcentre,
                    **INFORMATION,
                )
            )
    return sorted(events, key=lambda e: e.starts_at)


def _came_after_the_first_year(
    academy: Academy, events: list[Event], register: _Register
) -> None:
    """Who came to the events since the first year: people who registered through
    one, some registered people again, and members of the public."""
    rng = random.Random(2024)  # noqa: S311 - the same demo every time, not a secret
    drop_ins = [e for e in events if e.kind == EventKind.DROP_IN]
    others = [e for e in events if e.kind != EventKind.DROP_IN]
    people = Participant.objects.for_academy(academy).filter(registered_on__gt=YEAR_END)
    for person in people.order_by("reference"):
        if person.source in ("drop_in", "event"):
            event = _latest_before(
                drop_ins if person.source == "drop_in" else others,
                person.registered_on,
                35,
            )
            visits = [event] if event else []
        elif rng.random() < 0.15:
            later = [
                e
                for e in events
                if person.registered_on < timezone.localdate(e.starts_at)
                and timezone.localdate(e.starts_at)
                <= person.registered_on + dt.timedelta(days=120)
            ]
            visits = rng.sample(later, min(len(later), rng.choice([1, 1, 2])))
        else:
            visits = []
        for event in visits:
            first_visit = timezone.localdate(event.starts_at) <= person.registered_on
            register.add(
                event,
                status=SignUp.Status.ATTENDED
                if first_visit or rng.random() < 0.85
                else SignUp.Status.NO_SHOW,
                source=SignUp.Source.WALK_IN
                if event.kind == EventKind.DROP_IN
                else SignUp.Source.STAFF,
                first_name=person.first_name,
                last_name=person.last_name,
                email=person.email,
                participant=person,
                days_before=0 if event.kind == EventKind.DROP_IN else 6,
            )
    for n, event in enumerate(events):
        for i in range(rng.choice([1, 2, 3, 4]) if event in drop_ins else 6):
            walked_in = event in drop_ins and rng.random() < 0.7
            register.add(
                event,
                status=SignUp.Status.ATTENDED
                if walked_in or rng.random() < 0.8
                else SignUp.Status.NO_SHOW,
                source=SignUp.Source.WALK_IN if walked_in else SignUp.Source.PUBLIC,
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                email=f"visitor-{n + 1}-{i + 1}@demo.example.net",
                phone=f"0117 496 0{(n * 4 + i) % 1000:03d}" if i == 0 else "",
                days_before=0 if walked_in else rng.randint(2, 20),
            )


def _coming_up(academy: Academy, by: User) -> list[Event]:
    """The next eight drop-ins, next month's information session and a fair."""
    today = timezone.localdate()
    wednesday = today + dt.timedelta(days=(2 - today.weekday()) % 7 or 7)
    series = services.series_create(
        academy=academy,
        by=by,
        frequency=EventSeries.Frequency.WEEKLY,
        first=wednesday,
        until=wednesday + dt.timedelta(weeks=7),
        starts=dt.time(10, 0),
        ends=dt.time(13, 0),
        hosts=_hosts(academy, "Improving Lives (demo)"),
        **DROP_IN,
    )
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    session = _one(
        academy,
        by,
        _second_tuesday(next_month.year, next_month.month),
        dt.time(14, 0),
        dt.time(15, 0),
        hosts=_hosts(academy, "Plymouth Jobcentre Plus (demo)"),
        **INFORMATION,
    )
    fair = _one(
        academy,
        by,
        today + dt.timedelta(weeks=5),
        dt.time(10, 0),
        dt.time(15, 0),
        title="Winter care recruitment fair",
        hosts=_hosts(academy, "Tamar View Care Homes", "Sound Homecare"),
        **FAIR,
    )
    return [*series.events.all(), session, fair]


def _when(event: Event, before: dt.timedelta) -> dt.datetime:
    return event.starts_at - before


class _Register:
    """The sign-ups being made, with the moments they were made and ticked."""

    def __init__(self, by: User) -> None:
        self.by = by
        self.rows: list[tuple[SignUp, dt.datetime]] = []

    def add(
        self,
        event: Event,
        *,
        status: str,
        source: str,
        first_name: str,
        last_name: str = "",
        email: str = "",
        phone: str = "",
        participant: Participant | None = None,
        days_before: int = 0,
        made: dt.datetime | None = None,
    ) -> None:
        """A sign-up made `days_before` the event (or at `made`)."""
        made = made or _when(event, dt.timedelta(days=days_before))
        came = status == SignUp.Status.ATTENDED
        signup = SignUp(
            event=event,
            participant=participant,
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=phone,
            has_consented=source == SignUp.Source.PUBLIC,
            status=status,
            source=source,
            checked_in_at=_when(event, -dt.timedelta(minutes=20)) if came else None,
            confirmed_at=made if source == SignUp.Source.PUBLIC else None,
            recorded_by=None if source == SignUp.Source.PUBLIC else self.by,
        )
        self.rows.append((signup, made))

    def save(self) -> list[SignUp]:
        """Save them all, dated when they were made (not today)."""
        saved = SignUp.objects.bulk_create([signup for signup, _ in self.rows])
        for signup, (_, made) in zip(saved, self.rows, strict=True):
            signup.created_at = signup.updated_at = made
        # bulk_update writes the values as they are (no auto_now), in a few queries.
        SignUp.objects.bulk_update(saved, ["created_at", "updated_at"], batch_size=500)
        return saved


def _latest_before(events: list[Event], day: dt.date, days: int) -> Event | None:
    """The last of `events` on `day` or in the `days` before it."""
    found = [
        e
        for e in events
        if day - dt.timedelta(days=days) <= timezone.localdate(e.starts_at) <= day
    ]
    return found[-1] if found else None


def _spring_intake(academy: Academy, by: User) -> list[Vacancy]:
    """The providers' spring 2024 vacancies, filled and closed long ago, that people
    who came to events were referred to."""
    made = local_datetime(dt.date(2023, 12, 4), dt.time(9, 0))
    vacancies = []
    for name, title, postcode in (
        ("Tamar View Care Homes", "Care assistants, spring 2024 intake", "PL1 2AA"),
        ("Sound Homecare", "Home carers, spring 2024 intake", "PL4 6AB"),
    ):
        organisation = _organisation(academy, name)
        if organisation is None:
            continue
        vacancy = Vacancy.objects.create(
            academy=academy,
            organisation=organisation,
            title=title,
            role="care_worker",
            setting="care_home" if "Tamar" in name else "domiciliary",
            hours_per_week=Decimal("30"),
            contract="permanent",
            pay_min=Decimal("11.90"),
            postcode=postcode,
            posts=20,
            closing_on=dt.date(2024, 3, 31),
            dbs_level="enhanced",
            status=Vacancy.Status.CLOSED,
            created_by=by,
            closed_at=local_datetime(dt.date(2024, 4, 1), dt.time(9, 0)),
        )
        Vacancy.objects.filter(pk=vacancy.pk).update(created_at=made, updated_at=made)
        vacancies.append(vacancy)
    return vacancies


def _referred_to_their_start(
    people: list[Participant], vacancies: list[Vacancy], by: User
) -> int:
    """Referrals of people who came to events to the spring intake, moved along to
    the care job start their record already has (and linked to it)."""
    if not vacancies:
        return 0
    starts = {
        o.participant_id: o
        for o in Outcome.objects.filter(
            participant__in=people,
            kind=Outcome.Kind.EMPLOYMENT,
            sector=Outcome.Sector.HEALTH_SOCIAL_CARE,
        ).order_by("started_on", "pk")
    }
    made = 0
    for n, person in enumerate(p for p in people if p.has_consent_to_share):
        outcome = starts.get(person.pk)
        if outcome is None:
            continue
        referred_on = max(
            person.registered_on, outcome.started_on - dt.timedelta(days=21)
        )
        moves = [
            (Referral.Stage.REFERRED, referred_on),
            (Referral.Stage.INTERVIEW, referred_on + dt.timedelta(days=7)),
            (Referral.Stage.OFFERED, referred_on + dt.timedelta(days=10)),
            (Referral.Stage.STARTED, outcome.started_on),
        ]
        moves = [(stage, min(on, outcome.started_on)) for stage, on in moves]
        referral = Referral.objects.create(
            participant=person,
            vacancy=vacancies[n % len(vacancies)],
            stage=Referral.Stage.STARTED,
            outcome_id=outcome.pk,
            created_by=by,
        )
        at = timezone.make_aware(dt.datetime.combine(referred_on, dt.time(11, 0)))
        Referral.objects.filter(pk=referral.pk).update(created_at=at, updated_at=at)
        ReferralEvent.objects.bulk_create(
            ReferralEvent(referral=referral, stage=stage, on=on, by=by)
            for stage, on in moves
        )
        made += 1
    return made


def _launch_people(academy: Academy) -> QuerySet[Participant]:
    """People registered in the launch period (to March 2024), whose year of events
    this is; later registrations (participants/demo_present.py) are left out so that
    the year's figures stay as they were."""
    return Participant.objects.for_academy(academy).filter(
        registered_on__lte=LAUNCH_PERIOD_END
    )


def _people_by_source(academy: Academy, *sources: str) -> QuerySet[Participant]:
    return _launch_people(academy).filter(source__in=sources).order_by("reference")


@transaction.atomic
def demo_events_seed(*, academy: Academy, by: User) -> int:
    """Create the demo academy's events and who came, once; return how many events."""
    if Event.objects.for_academy(academy).exists():
        return 0
    rng = random.Random(2017)  # noqa: S311 - the same demo every time, not a secret
    year = _year_of_events(academy, by)
    drop_ins = [e for e in year if e.kind == EventKind.DROP_IN]
    others = [e for e in year if e.kind != EventKind.DROP_IN]
    register = _Register(by)
    came_first: list[Participant] = []
    # People who came through a drop-in or an event came on or before registering.
    for person in _people_by_source(academy, "drop_in", "event"):
        choices = drop_ins if person.source == "drop_in" else others
        event = _latest_before(choices, person.registered_on, 35)
        if event is None:
            continue
        register.add(
            event,
            status=SignUp.Status.ATTENDED,
            source=SignUp.Source.WALK_IN
            if event.kind == EventKind.DROP_IN
            else SignUp.Source.STAFF,
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
            participant=person,
            days_before=0 if event.kind == EventKind.DROP_IN else 6,
        )
        came_first.append(person)
    # Some registered people came back to later drop-ins and fairs.
    returning = _people_by_source(academy, "job_centre", "campaign", "self")
    for person in returning:
        if rng.random() >= 0.15:
            continue
        later = [
            e
            for e in year
            if person.registered_on < timezone.localdate(e.starts_at)
            and timezone.localdate(e.starts_at)
            <= person.registered_on + dt.timedelta(days=120)
        ]
        for event in rng.sample(later, min(len(later), rng.choice([1, 1, 2, 3]))):
            register.add(
                event,
                status=SignUp.Status.ATTENDED
                if rng.random() < 0.85
                else SignUp.Status.NO_SHOW,
                source=SignUp.Source.STAFF,
                first_name=person.first_name,
                last_name=person.last_name,
                email=person.email,
                participant=person,
                days_before=rng.randint(1, 10),
            )
    # The fairs drew a crowd: registered people looking for work, and the public.
    registered = list(_launch_people(academy).order_by("reference"))
    listed = {(s.event.pk, s.participant.pk) for s, _ in register.rows if s.participant}
    for n, fair in enumerate(e for e in year if e.kind == EventKind.RECRUITMENT):
        day = timezone.localdate(fair.starts_at)
        before = [p for p in registered if p.registered_on < day]
        for person in rng.sample(before, min(len(before), 30)):
            if (fair.pk, person.pk) in listed:
                continue
            register.add(
                fair,
                status=SignUp.Status.ATTENDED
                if rng.random() < 0.8
                else SignUp.Status.NO_SHOW,
                source=SignUp.Source.STAFF,
                first_name=person.first_name,
                last_name=person.last_name,
                email=person.email,
                participant=person,
                days_before=rng.randint(3, 14),
            )
        for i in range(45):
            walked_in = i % 3 == 0
            register.add(
                fair,
                status=SignUp.Status.ATTENDED
                if walked_in or rng.random() < 0.75
                else SignUp.Status.NO_SHOW,
                source=SignUp.Source.WALK_IN if walked_in else SignUp.Source.PUBLIC,
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                email=f"fair{n + 1}-{i + 1}@demo.example.net",
                days_before=0 if walked_in else rng.randint(1, 21),
            )
    # Members of the public who never registered, some at several events.
    for n in range(PUBLIC_PEOPLE):
        email = f"visitor{n + 1}@demo.example.net" if n % 4 else ""
        phone = f"0113 496 0{n + 1:03d}" if n % 3 == 0 or not email else ""
        visits = rng.sample(year, rng.choice([1, 1, 1, 2, 2, 3, 4]))
        for event in visits:
            walked_in = event.kind == EventKind.DROP_IN and rng.random() < 0.7
            register.add(
                event,
                status=SignUp.Status.ATTENDED
                if walked_in or rng.random() < 0.8
                else SignUp.Status.NO_SHOW,
                source=SignUp.Source.WALK_IN if walked_in else SignUp.Source.PUBLIC,
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                email=email,
                phone=phone,
                days_before=0 if walked_in else rng.randint(2, 20),
            )
    later = _after_the_first_year(academy, by)
    _came_after_the_first_year(academy, later, register)
    # Coming up: places booked by the public and by coordinators.
    coming = _coming_up(academy, by)
    now = timezone.now().replace(second=0, microsecond=0)
    for n, event in enumerate(coming):
        for i in range(3 if event.kind == EventKind.DROP_IN else 9):
            register.add(
                event,
                status=SignUp.Status.BOOKED,
                source=SignUp.Source.PUBLIC,
                first_name=FIRST[(n + i) % len(FIRST)],
                last_name=LAST[(n * 3 + i) % len(LAST)],
                email=f"booked{n + 1}-{i + 1}@demo.example.net",
                made=now - dt.timedelta(days=rng.randint(0, 3), hours=i),
            )
    # And by the demo coordinator for people on their caseload: reminders go to those
    # who agreed to them.
    caseload = Participant.objects.for_academy(academy).filter(
        status=Participant.Status.OPEN, coordinator=by
    )
    booked = list(caseload.exclude(contact_by="none").order_by("pk")[:3])
    booked += list(caseload.filter(contact_by="none").order_by("pk")[:1])
    for n, person in enumerate(booked):
        register.add(
            coming[n % 2],
            status=SignUp.Status.BOOKED,
            source=SignUp.Source.STAFF,
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
            participant=person,
            made=now - dt.timedelta(days=n + 1),
        )
    saved = register.save()
    # What came of it: referrals to the spring intake, and contacts moved forward.
    _referred_to_their_start(came_first, _spring_intake(academy, by), by)
    services.attendance_contact_record(
        signups=SignUp.objects.filter(pk__in=[s.pk for s in saved]).select_related(
            "event"
        )
    )
    return len(year) + len(later) + len(coming)
