"""Issue 17: what events led to, on hand-made data with every figure worked out by hand
(vacancies/events_report.py; the impact report reads it)."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.participants.factories import (
    EnquiryFactory,
    OutcomeFactory,
    ParticipantFactory,
    SkillsActionPlanFactory,
)
from tests.vacancies.events_data import END, START, came, event, hand_made_events
from tests.vacancies.factories import EventFactory
from vacancies.events_report import event_figures, months_after
from vacancies.models import Event, SignUp

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(academy, other_academy):
    hand_made_events(academy, other_academy)
    return event_figures(academy=academy, start=START, end=END)


def by_kind(figures):
    return {k.kind: k for k in figures.kinds}


def test_events_held_count_those_that_took_place_in_the_period(figures):
    held = {k.kind: k.events_held for k in figures.kinds if k.events_held}
    assert held == {"all": 4, "drop_in": 2, "information": 1, "recruitment": 1}


def test_attendees_are_distinct_people_by_record_email_or_phone(figures):
    came = {k.kind: k.attendees for k in figures.kinds if k.attendees}
    # Ann twice at drop-ins counts once; Ben by e-mail and phone is one person.
    assert came == {"all": 5, "drop_in": 3, "information": 2, "recruitment": 3}


def test_new_to_the_academy_by_the_kind_of_their_first_event(figures):
    new = {k.kind: k.new_attendees for k in figures.kinds if k.new_attendees}
    # Cat (registered after her first event), Dan (on its day), Fay (never).
    assert new == {"all": 3, "information": 1, "recruitment": 1, "drop_in": 1}


def test_what_attendees_went_on_to_within_3_and_6_months(figures):
    kinds = by_kind(figures)
    assert kinds["all"].went_on == {
        "plan_3m": 2,  # Ann (1 May after 2 April), Cat (20 May after 14 May)
        "plan_6m": 2,
        "referral_3m": 0,  # Ann's 15 August is after 2 July
        "referral_6m": 1,
        "job_start_3m": 0,
        "job_start_6m": 1,  # Ann's 20 September; Cat's 30 November is past 14 Nov
    }
    assert kinds["drop_in"].went_on == {
        "plan_3m": 1,
        "plan_6m": 1,
        "referral_3m": 0,
        "referral_6m": 1,
        "job_start_3m": 0,
        "job_start_6m": 1,
    }
    assert kinds["information"].went_on == {
        "plan_3m": 1,
        "plan_6m": 1,
        "referral_3m": 0,
        "referral_6m": 0,
        "job_start_3m": 0,
        "job_start_6m": 0,
    }
    # From 10 June: plans before it do not count; Ann's referral and job, Cat's job.
    assert kinds["recruitment"].went_on == {
        "plan_3m": 0,
        "plan_6m": 0,
        "referral_3m": 1,
        "referral_6m": 1,
        "job_start_3m": 0,
        "job_start_6m": 2,
    }


def test_kinds_not_run_are_there_as_zeros(figures):
    kinds = by_kind(figures)
    assert set(kinds) == {"all", *Event.Kind.values}
    school = kinds["school"]
    assert (school.events_held, school.attendees, school.new_attendees) == (0, 0, 0)
    assert set(school.went_on.values()) == {0}


def test_a_window_ends_on_the_same_day_months_later(academy):
    fair = event(academy, dt.date(2025, 3, 31), "recruitment")
    on_the_day, day_after = ParticipantFactory.create_batch(2, academy=academy)
    for person in (on_the_day, day_after):
        came(fair, person=person)
    SkillsActionPlanFactory(participant=on_the_day, agreed_on=dt.date(2025, 6, 30))
    SkillsActionPlanFactory(participant=day_after, agreed_on=dt.date(2025, 7, 1))

    figures = event_figures(
        academy=academy, start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31)
    )

    assert (figures.all.went_on["plan_3m"], figures.all.went_on["plan_6m"]) == (1, 2)


def test_a_future_event_is_not_yet_held(academy):
    soon = EventFactory(academy=academy)  # next week
    came(soon, email="early@example.net")
    today = timezone.localdate()
    figures = event_figures(
        academy=academy, start=today, end=today + dt.timedelta(days=30)
    )
    assert (figures.all.events_held, figures.all.attendees) == (0, 0)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2025, 3, 31), 3, dt.date(2025, 6, 30)),
        (dt.date(2025, 8, 31), 6, dt.date(2026, 2, 28)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2025, 10, 15), 3, dt.date(2026, 1, 15)),
    ],
)
def test_months_after(day, months, expected):
    assert months_after(day, months) == expected


def test_people_still_count_once_after_retention_removes_their_details(
    academy, other_academy
):
    """Sam came to two drop-ins over a year ago by e-mail, gave e-mail and phone at
    the second, came to a third by phone, and to a session last month by phone: one
    person, before retention removes the old details and after."""
    from academy.retention import retention_apply

    old = [
        event(academy, dt.date(2024, 1, day), Event.Kind.DROP_IN)
        for day in (10, 17, 24)
    ]
    recent = event(
        academy, timezone.localdate() - dt.timedelta(days=30), Event.Kind.INFORMATION
    )
    sam = [
        came(old[0], email="sam@example.net"),
        came(old[1], email="sam@example.net", phone="+447700900555"),
        came(old[2], phone="+447700900555"),
        came(recent, phone="+447700900555"),
    ]
    someone_else = came(old[0], email="someone.else@example.net")
    elsewhere = came(
        event(other_academy, dt.date(2024, 1, 10), "drop_in"), email="sam@example.net"
    )

    def attendees(start=dt.date(2024, 1, 1)):
        figures = event_figures(academy=academy, start=start, end=timezone.localdate())
        return figures.all.attendees, figures.all.new_attendees

    assert attendees() == (2, 2)

    retention_apply()

    for signup in (*sam, someone_else, elsewhere):
        signup.refresh_from_db()
    assert [(s.email, s.phone) for s in sam[:3]] == [("", "")] * 3
    assert sam[3].phone == "+447700900555"  # recent: kept
    assert attendees() == (2, 2)
    assert attendees(start=recent.starts_at.date()) == (1, 0)  # Sam came before
    visitors = {s.visitor for s in sam}
    assert len(visitors) == 1
    assert "" not in visitors
    assert someone_else.visitor not in visitors
    assert elsewhere.visitor not in {*visitors, someone_else.visitor}


def test_someone_met_at_an_event_who_became_an_enquiry_then_registered_counts(
    academy,
):
    """Met at a fair, turned into an enquiry, registered a week later with a plan, and
    started a job in two months: new, and attributed to the fair."""
    fair = event(academy, dt.date(2025, 5, 8), "recruitment")
    person = ParticipantFactory(academy=academy, registered_on=dt.date(2025, 5, 15))
    enquiry = EnquiryFactory(academy=academy, participant=person)
    signup = came(fair, email="met@example.net")
    SignUp.objects.filter(pk=signup.pk).update(enquiry=enquiry)
    SkillsActionPlanFactory(participant=person, agreed_on=dt.date(2025, 5, 15))
    OutcomeFactory(
        participant=person, kind="employment", started_on=dt.date(2025, 7, 1)
    )

    figures = event_figures(academy=academy, start=START, end=END)

    assert (figures.all.attendees, figures.all.new_attendees) == (1, 1)
    assert figures.all.went_on["plan_3m"] == 1
    assert figures.all.went_on["job_start_3m"] == 1
