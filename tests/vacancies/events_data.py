"""Hand-made events data whose figures are worked out by hand (issue 17): the tests of
vacancies/events_report.py and of the impact report's event rows share it."""

import datetime as dt

from tests.participants.factories import (
    OutcomeFactory,
    ParticipantFactory,
    SkillsActionPlanFactory,
)
from tests.vacancies.factories import EventFactory, ReferralFactory, VacancyFactory
from vacancies.models import Event, ReferralEvent, SignUp
from vacancies.services.events import local_datetime

START, END = dt.date(2025, 4, 1), dt.date(2025, 6, 30)


def event(academy, day, kind, **fields):
    starts = local_datetime(day, dt.time(10, 0))
    return EventFactory(
        academy=academy,
        kind=kind,
        title=f"{kind} {day}",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        **fields,
    )


def came(event, *, person=None, email="", phone="", status=SignUp.Status.ATTENDED):
    return SignUp.objects.create(
        event=event,
        participant=person,
        first_name=person.first_name if person else "Walk-in",
        email=email,
        phone=phone,
        status=status,
        source=SignUp.Source.WALK_IN,
    )


def referred(person, on):
    referral = ReferralFactory(
        participant=person, vacancy=VacancyFactory(academy=person.academy)
    )
    ReferralEvent.objects.create(referral=referral, stage="referred", on=on)


def hand_made_events(academy, other_academy):
    """Five people came to four events held from April to June 2025:

    - Ann (registered in January) came to two drop-ins and a recruitment fair; plan
      1 May, referred 15 August, job 20 September.
    - Ben, never registered, came to a drop-in in March by phone, a drop-in in April by
      e-mail (in capitals) and the May session with both: one person, not new.
    - Cat came to the May session unlinked (e-mail), registered on 20 May (plan that
      day) and came to the June fair linked; job 30 November. New.
    - Dan registered on the day of the June fair, his first event. New.
    - Fay walked into an April drop-in giving no e-mail or phone. New.
    Not counted: Eve's no-show and waiting place, anyone at the cancelled fair, the July
    session or the other academy's drop-in.
    """
    drop_in, info, fair = Event.Kind.DROP_IN, Event.Kind.INFORMATION, "recruitment"
    march = event(academy, dt.date(2025, 3, 19), drop_in)
    april_2 = event(academy, dt.date(2025, 4, 2), drop_in)
    april_9 = event(academy, dt.date(2025, 4, 9), drop_in)
    may = event(academy, dt.date(2025, 5, 14), info)
    june = event(academy, dt.date(2025, 6, 10), fair)
    called_off = event(academy, dt.date(2025, 6, 20), fair, status="cancelled")
    july = event(academy, dt.date(2025, 7, 2), info)
    elsewhere = event(other_academy, dt.date(2025, 4, 2), drop_in)

    ann = ParticipantFactory(academy=academy, registered_on=dt.date(2025, 1, 10))
    for one in (april_2, april_9, june):
        came(one, person=ann, email="ann@example.net")
    SkillsActionPlanFactory(participant=ann, agreed_on=dt.date(2025, 5, 1))
    referred(ann, dt.date(2025, 8, 15))
    OutcomeFactory(participant=ann, kind="employment", started_on=dt.date(2025, 9, 20))

    came(march, phone="+447700900001")
    came(april_2, email="Ben@Example.net")
    came(may, email="ben@example.net", phone="+447700900001")

    cat = ParticipantFactory(academy=academy, registered_on=dt.date(2025, 5, 20))
    came(may, email="cat@example.net")
    came(june, person=cat, email="cat@example.net")
    SkillsActionPlanFactory(participant=cat, agreed_on=dt.date(2025, 5, 20))
    OutcomeFactory(participant=cat, kind="employment", started_on=dt.date(2025, 11, 30))

    dan = ParticipantFactory(academy=academy, registered_on=dt.date(2025, 6, 10))
    came(june, person=dan)

    came(april_9)  # Fay

    eve = ParticipantFactory(academy=academy)
    came(may, person=eve, status=SignUp.Status.NO_SHOW)
    came(june, person=eve, status=SignUp.Status.WAITING)
    came(called_off, email="gus@example.net")
    came(july, email="gus@example.net")
    came(elsewhere, email="someone@example.net")
    came(elsewhere, person=ParticipantFactory(academy=other_academy))
