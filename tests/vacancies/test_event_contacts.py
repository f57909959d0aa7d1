"""Issue 17: an event a participant came to counts as a contact (their last contact,
"no contact for 30 days", the coordinator's day), and their timeline shows the events
they signed up to and came to."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from participants import selectors
from participants import services as participant_services
from participants.models import Participant
from tests.participants.factories import (
    EnquiryFactory,
    ParticipantFactory,
)
from tests.vacancies.factories import EventFactory
from vacancies import services
from vacancies.models import SignUp

pytestmark = pytest.mark.django_db


def _ago(days, hour=10):
    return (timezone.now() - dt.timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


def _event(academy, *, days_ago, **fields):
    starts = _ago(days_ago)
    return EventFactory(
        academy=academy,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        **fields,
    )


def _booked(event, person, status=SignUp.Status.BOOKED):
    """A booking made a week before the event."""
    signup = SignUp.objects.create(
        event=event,
        participant=person,
        first_name=person.first_name,
        email=person.email,
        status=status,
        source=SignUp.Source.STAFF,
    )
    SignUp.objects.filter(pk=signup.pk).update(
        created_at=event.starts_at - dt.timedelta(days=7)
    )
    signup.refresh_from_db()
    return signup


def _last_contact(person):
    return Participant.objects.get(pk=person.pk).last_contact_at


class TestAttendedEventIsAContact:
    def test_ticking_someone_present_moves_their_last_contact_to_the_event(
        self, academy, coordinator
    ):
        person = ParticipantFactory(academy=academy, last_contact_at=_ago(40))
        event = _event(academy, days_ago=3)
        signup = _booked(event, person)

        services.attendance_mark(signup=signup, attended=True, by=coordinator.user)

        assert _last_contact(person) == event.starts_at

    def test_a_later_contact_is_never_moved_back(self, academy, coordinator):
        later = _ago(1)
        person = ParticipantFactory(academy=academy, last_contact_at=later)
        signup = _booked(_event(academy, days_ago=3), person)

        services.attendance_mark(signup=signup, attended=True, by=coordinator.user)

        assert _last_contact(person) == later

    def test_a_no_show_and_an_unlinked_attendee_are_no_contact(
        self, academy, coordinator
    ):
        before = _ago(40)
        person = ParticipantFactory(academy=academy, last_contact_at=before)
        event = _event(academy, days_ago=3)
        signup = _booked(event, person)
        stranger = SignUp.objects.create(
            event=event,
            first_name="Sam",
            email=person.email,  # the same address, but nobody linked it
            status=SignUp.Status.BOOKED,
            source=SignUp.Source.PUBLIC,
        )

        services.attendance_mark(signup=signup, attended=False, by=coordinator.user)
        services.attendance_mark(signup=stranger, attended=True, by=coordinator.user)

        assert _last_contact(person) == before

    def test_mark_all_present_counts_for_everyone_linked(self, academy, coordinator):
        people = ParticipantFactory.create_batch(2, academy=academy)
        untouched = ParticipantFactory(academy=academy)
        event = _event(academy, days_ago=2)
        for person in people:
            _booked(event, person)
        _booked(event, untouched, SignUp.Status.WAITING)

        assert services.attendance_mark_all(event=event, by=coordinator.user) == 2

        assert [_last_contact(p) for p in people] == [event.starts_at] * 2
        assert _last_contact(untouched) is None

    def test_a_walk_in_linked_to_a_participant_is_a_contact(self, academy, coordinator):
        person = ParticipantFactory(academy=academy)
        event = _event(academy, days_ago=0)

        # One moment for the service and the check (before or after 10:00 alike).
        with time_machine.travel(timezone.now(), tick=False):
            services.walk_in_add(
                event=event,
                by=coordinator.user,
                first_name=person.first_name,
                participant_id=person.pk,
            )

            assert _last_contact(person) == min(event.starts_at, timezone.now())

    def test_an_event_ticked_before_it_starts_is_a_contact_now_not_in_the_future(
        self, academy, coordinator
    ):
        person = ParticipantFactory(academy=academy)
        signup = _booked(EventFactory(academy=academy), person)  # next week

        services.attendance_mark(signup=signup, attended=True, by=coordinator.user)

        assert _last_contact(person) <= timezone.now()

    def test_no_contact_for_30_days_leaves_out_someone_who_came_to_an_event(
        self, academy, coordinator
    ):
        came, stayed_away = ParticipantFactory.create_batch(
            2, academy=academy, last_contact_at=_ago(45)
        )
        event = _event(academy, days_ago=10)
        for person, attended in ((came, True), (stayed_away, False)):
            services.attendance_mark(
                signup=_booked(event, person), attended=attended, by=coordinator.user
            )

        quiet = selectors.people_without_contact(
            Participant.objects.for_academy(academy)
        )

        assert list(quiet) == [stayed_away]

    def test_coming_to_an_event_leaves_a_next_step_on_the_coordinators_list(
        self, academy, coordinator
    ):
        # Issue 13: a next step stays a task until someone marks it done, whatever
        # contact is logged after it (it used to vanish).
        person = ParticipantFactory(academy=academy, coordinator=coordinator.user)
        meeting = participant_services.meeting_log(
            participant=person,
            by=coordinator.user,
            kind="job_centre",
            held_at=_ago(20),
            next_step="Come to the information session",
            next_step_on=timezone.localdate() - dt.timedelta(days=5),
        )
        signup = _booked(_event(academy, days_ago=6), person)

        services.attendance_mark(signup=signup, attended=True, by=coordinator.user)

        assert [t.meeting_id for t in selectors.tasks_open(membership=coordinator)] == [
            meeting.pk
        ]


class TestTimeline:
    def test_the_timeline_shows_sign_ups_and_attendance(self, academy, coordinator):
        person = ParticipantFactory(academy=academy)
        fair = _event(academy, days_ago=30, title="Spring recruitment fair")
        session = _event(academy, days_ago=9, title="Careers in care session")
        drop_in = _event(academy, days_ago=2, title="Wednesday drop-in")
        services.attendance_mark(
            signup=_booked(fair, person), attended=True, by=coordinator.user
        )
        services.attendance_mark(
            signup=_booked(session, person), attended=False, by=coordinator.user
        )
        services.walk_in_add(
            event=drop_in,
            by=coordinator.user,
            first_name=person.first_name,
            participant_id=person.pk,
        )

        entries = [
            (e.kind, e.title, e.at)
            for e in selectors.participant_timeline(participant=person)
            if e.kind == "event"
        ]

        assert entries == [
            ("event", "Came to Wednesday drop-in", drop_in.starts_at),
            ("event", "Did not come to Careers in care session", session.starts_at),
            (
                "event",
                "Signed up to Careers in care session",
                session.starts_at - dt.timedelta(days=7),
            ),
            ("event", "Came to Spring recruitment fair", fair.starts_at),
            (
                "event",
                "Signed up to Spring recruitment fair",
                fair.starts_at - dt.timedelta(days=7),
            ),
        ]

    def test_waiting_cancelled_and_a_cancelled_event_are_said(
        self, academy, coordinator
    ):
        person = ParticipantFactory(academy=academy)
        full = EventFactory(academy=academy, title="Full session")
        off = EventFactory(academy=academy, title="Called-off fair", status="cancelled")
        dropped = EventFactory(academy=academy, title="Dropped taster")
        _booked(full, person, SignUp.Status.WAITING)
        _booked(off, person)
        _booked(dropped, person, SignUp.Status.CANCELLED)

        said = {
            e.title: e.detail
            for e in selectors.participant_timeline(participant=person)
            if e.kind == "event"
        }

        assert set(said) == {
            "On the waiting list for Full session",
            "Signed up to Called-off fair",
            "Signed up, then cancelled: Dropped taster",
        }
        assert said["Signed up to Called-off fair"].endswith("The event was cancelled.")
        assert said["On the waiting list for Full session"].startswith(
            "Information session, "
        )

    def test_an_enquiry_made_at_an_event_brings_it_to_the_timeline(
        self, academy, coordinator
    ):
        person = ParticipantFactory(academy=academy)
        fair = _event(academy, days_ago=12, title="Winter fair")
        walk_in = services.walk_in_add(
            event=fair, by=coordinator.user, first_name="Sam", email="sam@example.net"
        )
        SignUp.objects.filter(pk=walk_in.pk).update(
            enquiry=EnquiryFactory(academy=academy, participant=person)
        )

        titles = [
            e.title
            for e in selectors.participant_timeline(participant=person)
            if e.kind == "event"
        ]

        assert titles == ["Came to Winter fair"]

    def test_the_participants_page_shows_the_event_at_its_time(
        self, academy, coordinator, client_of
    ):
        person = ParticipantFactory(academy=academy)
        event = _event(academy, days_ago=4, title="Information session at The Box")
        services.attendance_mark(
            signup=_booked(event, person), attended=True, by=coordinator.user
        )

        page = client_of(coordinator).get(f"/participants/{person.pk}/")

        assert page.status_code == 200
        html = page.content.decode()
        assert "Came to Information session at The Box" in html
        assert f'href="/events/{event.pk}/"' in html
        assert timezone.localtime(event.starts_at).strftime("%H:%M") in html


class TestMerge:
    def test_merging_two_records_keeps_what_each_came_to(self, academy, coordinator):
        from participants.services import participant_merge

        keep, duplicate = ParticipantFactory.create_batch(2, academy=academy)
        fair = _event(academy, days_ago=20, title="Fair", capacity=2)
        session = _event(academy, days_ago=5, title="Session")
        upcoming = EventFactory(academy=academy, title="Taster", capacity=2)
        _booked(fair, keep, SignUp.Status.NO_SHOW)
        _booked(fair, duplicate, SignUp.Status.ATTENDED)
        _booked(session, duplicate, SignUp.Status.ATTENDED)
        _booked(upcoming, keep)
        _booked(upcoming, duplicate)
        waiting = SignUp.objects.create(
            event=upcoming,
            first_name="Next",
            email="next@example.net",
            status=SignUp.Status.WAITING,
            source=SignUp.Source.PUBLIC,
        )

        participant_merge(keep=keep, duplicate=duplicate, by=coordinator.user)

        live = SignUp.objects.filter(participant=keep).exclude(status="cancelled")
        assert sorted(live.values_list("event__title", "status")) == [
            ("Fair", "attended"),
            ("Session", "attended"),
            ("Taster", "booked"),
        ]
        assert SignUp.objects.filter(participant=keep, status="cancelled").count() == 2
        waiting.refresh_from_db()
        assert waiting.status == SignUp.Status.BOOKED  # the freed place
