"""Events (issue 17): a series keeps its local time across the clocks changing; one
date or all that follow change; sign-ups never take more places than there are, the
waiting list moves up one person per freed place, and the door's register."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from tests.academy.factories import OrganisationFactory, UserFactory
from tests.participants.factories import ParticipantFactory
from tests.vacancies.factories import EventFactory
from vacancies import services
from vacancies.models import Event, EventSeries, SignUp

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _series(academy, **changes):
    fields = {
        "academy": academy,
        "by": UserFactory(),
        "frequency": EventSeries.Frequency.WEEKLY,
        "first": dt.date(2026, 10, 14),
        "until": dt.date(2026, 11, 4),
        "starts": dt.time(10, 0),
        "ends": dt.time(13, 0),
        "kind": Event.Kind.DROP_IN,
        "title": "Wednesday drop-in",
        "venue": "Skills Launchpad Plymouth",
        "capacity": None,
        **changes,
    }
    return services.series_create(**fields)


class TestSeries:
    def test_a_weekly_series_keeps_ten_oclock_local_across_the_clocks_changing(
        self, academy
    ):
        series = _series(academy)
        events = list(series.events.order_by("starts_at"))
        # 14, 21 and 28 October, 4 November 2026; the clocks go back on 25 October.
        assert [timezone.localtime(e.starts_at, LONDON).date() for e in events] == [
            dt.date(2026, 10, 14),
            dt.date(2026, 10, 21),
            dt.date(2026, 10, 28),
            dt.date(2026, 11, 4),
        ]
        assert {timezone.localtime(e.starts_at, LONDON).time() for e in events} == {
            dt.time(10, 0)
        }
        utc_hours = [e.starts_at.astimezone(dt.UTC).hour for e in events]
        assert utc_hours == [9, 9, 10, 10]

    def test_a_fortnightly_series_and_bad_dates_are_explained(self, academy):
        series = _series(
            academy, frequency=EventSeries.Frequency.FORTNIGHTLY, title="Fortnightly"
        )
        assert series.events.count() == 2
        with pytest.raises(ValidationError, match="on or after the first"):
            _series(academy, until=dt.date(2026, 10, 1))
        with pytest.raises(ValidationError, match="at most"):
            _series(academy, until=dt.date(2030, 1, 1))
        with pytest.raises(ValidationError, match="after the start"):
            _series(academy, ends=dt.time(9, 0))

    def test_one_date_or_all_that_follow_change(self, academy):
        series = _series(academy)
        first, second, third, fourth = series.events.order_by("starts_at")
        by = first.created_by
        services.event_update(
            event=second, by=by, starts=dt.time(11, 0), venue="The Box"
        )
        services.event_update(event=third, by=by, following=True, starts=dt.time(9, 30))
        for event in (first, second, third, fourth):
            event.refresh_from_db()
        local = [
            timezone.localtime(e.starts_at, LONDON).time()
            for e in (first, second, third, fourth)
        ]
        assert local == [dt.time(10), dt.time(11), dt.time(9, 30), dt.time(9, 30)]
        assert (second.venue, first.venue) == ("The Box", "Skills Launchpad Plymouth")

    def test_cancelling_a_date_or_those_that_follow(self, academy):
        series = _series(academy)
        first, second, *_ = series.events.order_by("starts_at")
        with pytest.raises(ValidationError, match="Say why"):
            services.event_cancel(event=first, by=first.created_by, reason=" ")
        cancelled = services.event_cancel(
            event=second, by=first.created_by, reason="Room flooded", following=True
        )
        assert len(cancelled) == 3
        assert list(
            series.events.order_by("starts_at").values_list("status", flat=True)
        ) == [
            "scheduled",
            "cancelled",
            "cancelled",
            "cancelled",
        ]

    def test_an_event_needs_a_place_and_hosts_of_its_academy(
        self, academy, other_academy
    ):
        with pytest.raises(ValidationError, match="Say where it is"):
            _series(academy, venue="")
        with pytest.raises(ValidationError, match="this academy"):
            _series(academy, hosts=[OrganisationFactory(academy=other_academy)])


def _sign_up(event, n, **changes):
    return services.signup_create(
        event=event, first_name=f"Person {n}", email=f"p{n}@example.org", **changes
    )


class TestSignUps:
    def test_a_full_event_puts_people_on_a_waiting_list(self, academy):
        event = EventFactory(academy=academy, capacity=2)
        results = [_sign_up(event, n) for n in range(4)]
        assert [r.signup.status for r in results] == [
            "booked",
            "booked",
            "waiting",
            "waiting",
        ]

    def test_a_freed_place_goes_to_the_first_person_waiting_only(self, academy):
        event = EventFactory(academy=academy, capacity=1)
        first, second, third = (_sign_up(event, n).signup for n in range(3))
        promoted = services.signup_cancel(signup=first)
        assert promoted == [second]
        second.refresh_from_db()
        third.refresh_from_db()
        assert (second.status, third.status) == ("booked", "waiting")
        assert services.signup_cancel(signup=first) == []  # twice: nothing more

    def test_more_places_move_the_waiting_list_up(self, academy):
        event = EventFactory(academy=academy, capacity=1)
        for n in range(3):
            _sign_up(event, n)
        services.event_update(event=event, by=event.created_by, capacity=2)
        assert SignUp.objects.filter(event=event, status="booked").count() == 2

    def test_the_same_person_twice_keeps_one_sign_up(self, academy):
        event = EventFactory(academy=academy)
        once = _sign_up(event, 1)
        again = services.signup_create(
            event=event, first_name="Person", email="P1@Example.org"
        )
        assert not again.is_new
        assert again.signup == once.signup
        assert SignUp.objects.count() == 1

    def test_a_sign_up_needs_a_way_to_reach_them_and_a_live_event(self, academy):
        event = EventFactory(academy=academy)
        with pytest.raises(ValidationError, match="e-mail address or a phone"):
            services.signup_create(event=event, first_name="Nobody")
        services.event_cancel(event=event, by=event.created_by, reason="Ill")
        with pytest.raises(ValidationError, match="cancelled"):
            _sign_up(event, 1)

    def test_a_coordinator_gives_a_free_place_to_someone_waiting_never_beyond(
        self, academy
    ):
        event = EventFactory(academy=academy, capacity=1)
        _sign_up(event, 0)
        waiting = _sign_up(event, 1).signup
        with pytest.raises(ValidationError, match="Every place is taken"):
            services.signup_promote(signup=waiting, by=event.created_by)


@pytest.mark.django_db(transaction=True)
def test_two_people_taking_the_last_place_at_once_get_one_place_and_a_wait(postgres):
    event = EventFactory(capacity=1)
    barrier = threading.Barrier(2)
    results = {}

    def take(n):
        try:
            barrier.wait()
            results[n] = _sign_up(Event.objects.get(pk=event.pk), n).signup.status
        except Exception as error:
            results[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results.values()) == ["booked", "waiting"], results
    assert SignUp.objects.filter(status="booked").count() == 1


class TestTheDoor:
    def test_mark_all_present_then_a_no_show(self, academy):
        event = EventFactory(academy=academy)
        signups = [_sign_up(event, n).signup for n in range(3)]
        assert services.attendance_mark_all(event=event, by=event.created_by) == 3
        services.attendance_mark(signup=signups[0], attended=False, by=event.created_by)
        statuses = sorted(SignUp.objects.values_list("status", flat=True))
        assert statuses == ["attended", "attended", "no_show"]

    def test_a_walk_in_is_added_present_and_a_booked_person_is_not_added_twice(
        self, academy
    ):
        event = EventFactory(academy=academy, capacity=1)
        booked = _sign_up(event, 0).signup
        services.walk_in_add(
            event=event, by=event.created_by, first_name="Walk", phone="07700900123"
        )
        again = services.walk_in_add(
            event=event,
            by=event.created_by,
            first_name="Person",
            email="p0@example.org",
        )
        assert again == booked
        assert SignUp.objects.count() == 2
        assert set(SignUp.objects.values_list("status", flat=True)) == {"attended"}

    def test_self_check_in_opens_two_hours_before(self, academy):
        event = EventFactory(academy=academy)
        _sign_up(event, 0)
        me = {"first_name": "P", "last_name": "", "email": "p0@example.org"}
        with (
            time_machine.travel(event.starts_at - dt.timedelta(hours=3)),
            pytest.raises(ValidationError, match="two hours before"),
        ):
            services.self_check_in(event=event, phone="", **me)
        with time_machine.travel(event.starts_at - dt.timedelta(minutes=30)):
            signup = services.self_check_in(event=event, phone="", **me)
        assert signup.status == "attended"
        assert SignUp.objects.count() == 1

    def test_a_participant_booked_twice_is_refused_by_the_database(self, academy):
        event = EventFactory(academy=academy)
        person = ParticipantFactory(academy=academy)
        services.signup_create(
            event=event, first_name="A", participant_id=person.pk, source="staff"
        )
        again = services.signup_create(
            event=event, first_name="A", participant_id=person.pk, source="staff"
        )
        assert not again.is_new


def test_a_cancelled_event_has_no_register_to_take(academy):
    event = EventFactory(academy=academy)
    booked = _sign_up(event, 0).signup
    services.event_cancel(event=event, by=event.created_by, reason="Snow")
    event.refresh_from_db()
    booked.refresh_from_db()
    for attempt in (
        lambda: services.attendance_mark(signup=booked, attended=True, by=None),
        lambda: services.attendance_mark_all(event=event, by=event.created_by),
        lambda: services.walk_in_add(
            event=event, by=None, first_name="W", phone="07700900123"
        ),
    ):
        with pytest.raises(ValidationError, match="no register to take"):
            attempt()
    assert SignUp.objects.filter(status="attended").count() == 0
