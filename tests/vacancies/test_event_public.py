"""Events for the public (issue 17): the list beside the vacancy board, signing up
without an account (a place or the waiting list, with its spam checks and allowances
that do not turn away a venue sharing one connection), the confirmation with its .ics,
the cancel link, what people are told when a place frees up or an event changes or is
cancelled, the reminder the day before (once), and self check-in at the door."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.academy.factories import AcademyFactory, UserFactory
from tests.participants.factories import ParticipantFactory
from tests.vacancies.factories import EventFactory
from vacancies import services, tasks
from vacancies.forms_public import EventCheckInForm, EventSignUpForm
from vacancies.models import Event, SignUp

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
# A Wednesday in summer (BST): 09:00 in London.
NOW = dt.datetime(2026, 6, 10, 8, 0, tzinfo=dt.UTC)
NEXT_WEEK = dt.datetime(2026, 6, 17, 10, 0, tzinfo=LONDON)
IP = "203.0.113.7"
PERSON = {
    "first_name": "Aisha",
    "last_name": "Khan",
    "email": "Aisha.Khan@Example.net",
    "phone": "07700 900456",
    "has_consented": "on",
}


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sent():
    """The messages sent so far: runs what waits for the test's transaction to
    commit (what a rolled-back savepoint queued is gone already), then the outbox."""
    from django.db import connection

    def flush():
        waiting, connection.run_on_commit[:] = list(connection.run_on_commit), []
        for _savepoints, callback, _robust in waiting:
            callback()
        return mail.outbox

    return flush


def _event(academy, *, starts_at=NEXT_WEEK, hours=2, **fields):
    return EventFactory(
        academy=academy,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
        **fields,
    )


def _page(academy, event):
    return reverse("vacancies:event-board-detail", args=[academy.slug, event.pk])


def _signed_up(academy, event):
    return reverse("vacancies:event-board-signed-up", args=[academy.slug, event.pk])


def _sign_up(client, event, clock, *, ip=IP, wait=5, **changes):
    """Post the sign-up form as a person would: served, filled in, sent soon after."""
    token = EventSignUpForm.served_token(event.academy)
    clock.shift(wait)
    data = {**PERSON, "served": token, **changes}
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(_page(event.academy, event), data, REMOTE_ADDR=ip)


def _calendar(message):
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == ("event.ics", "text/calendar")
    calendar = icalendar.Calendar.from_ical(content)
    [entry] = calendar.walk("VEVENT")
    return calendar, entry


def _utc(entry, name="DTSTART"):
    return entry.decoded(name).astimezone(dt.UTC)


def _booked(event, n, **fields):
    return services.signup_create(
        event=event,
        first_name=f"Person {n}",
        email=f"person{n}@example.net",
        has_consented=True,
        **fields,
    ).signup


# ---- the list -----------------------------------------------------------------------


class TestTheList:
    def test_shows_the_academys_upcoming_public_events_only(
        self, client, academy, other_academy, clock
    ):
        shown = _event(academy, title="Careers in care", capacity=2)
        _booked(shown, 1)
        _event(academy, title="Invitation only", is_public=False)
        _event(academy, title="Called off", status=Event.Status.CANCELLED)
        _event(academy, title="Last week", starts_at=NEXT_WEEK - dt.timedelta(days=14))
        _event(other_academy, title="Someone else's")
        full = _event(academy, title="Packed", capacity=1)
        _booked(full, 2)
        response = client.get(reverse("vacancies:event-board", args=[academy.slug]))
        body = response.content.decode()
        assert response.status_code == 200
        assert "Careers in care" in body
        assert "1 place left" in body
        assert "Packed" in body
        assert "Full: waiting list" in body
        assert "Wednesday 17 June, 10:00 to 12:00" in body  # London time
        assert "PL1" in body
        assert "PL1 1AA" not in body  # the district, not the postcode
        for hidden in ("Invitation only", "Called off", "Last week", "Someone else"):
            assert hidden not in body
        assert "person1@example.net" not in body
        assert "2 events" in body

    def test_filters_by_kind_and_area_and_explains_a_bad_one(
        self, client, academy, clock
    ):
        _event(
            academy, title="Drop-in PL1", kind=Event.Kind.DROP_IN, postcode="PL1 2AB"
        )
        _event(
            academy, title="Fair PL12", kind=Event.Kind.RECRUITMENT, postcode="PL12 6AB"
        )
        _event(
            academy,
            title="Online talk",
            venue="",
            postcode="",
            online_url="https://meet.example/x",
        )
        url = reverse("vacancies:event-board", args=[academy.slug])

        def titles(**query):
            body = client.get(url, query).content.decode()
            found = re.findall(r'<a href="/events/home/\d+/">([^<]+)</a>', body)
            return set(found), body

        assert titles(area="PL1")[0] == {"Drop-in PL1"}  # PL1 is not PL12
        assert titles(area="online")[0] == {"Online talk"}
        assert titles(kind="recruitment")[0] == {"Fair PL12"}
        assert titles(kind="drop_in", area="PL12")[0] == set()
        shown, body = titles(area="EX4")
        assert "Choose an area from the list." in body
        assert len(shown) == 3  # the bad filter is left out
        shown, body = titles(kind="party")
        assert "Choose a kind of event from the list." in body
        assert len(shown) == 3

    def test_pages_of_twenty(self, client, academy, clock):
        for n in range(23):
            _event(
                academy,
                title=f"Session {n:02}",
                starts_at=NEXT_WEEK + dt.timedelta(days=n),
            )
        url = reverse("vacancies:event-board", args=[academy.slug])
        first = client.get(url).content.decode()
        assert "Session 00" in first
        assert "Session 20" not in first
        assert "Page 1 of 2" in first
        second = client.get(url, {"page": 2}).content.decode()
        assert "Session 22" in second
        assert client.get(url, {"page": "x"}).status_code == 200

    def test_reads_in_a_few_queries(
        self, client, academy, clock, django_assert_max_num_queries
    ):
        for n in range(15):
            _booked(_event(academy, title=f"Session {n}"), n)
        url = reverse("vacancies:event-board", args=[academy.slug])
        with django_assert_max_num_queries(8):
            client.get(url)

    def test_an_unknown_academy_is_404(self, client):
        assert client.get("/events/nowhere/").status_code == 404
        assert client.get("/events/nowhere/1/").status_code == 404

    def test_the_job_board_links_to_events(self, client, academy):
        body = client.get(reverse("vacancies:board", args=[academy.slug])).content
        assert f'href="/events/{academy.slug}/"'.encode() in body


# ---- signing up ---------------------------------------------------------------------


class TestSigningUp:
    def test_a_person_signs_up_and_is_sent_the_event_for_their_calendar(
        self, client, academy, clock, sent
    ):
        academy.public_email = "hello@careacademy.example"
        academy.public_phone = "01752 123456"
        academy.save()
        event = _event(academy, title="Careers in care", address="1 Civic Square")
        page = client.get(_page(academy, event)).content.decode()
        assert "Sign me up" in page
        assert 'href="#privacy-notice"' in page
        assert 'id="privacy-notice"' in page
        assert "12 months" in page
        response = _sign_up(client, event, clock)
        assert response.status_code == 302
        assert response["Location"] == _signed_up(academy, event)
        signup = SignUp.objects.get()
        assert (signup.status, signup.source) == ("booked", "public")
        assert signup.email == "aisha.khan@example.net"
        assert str(signup.phone) == "+447700900456"
        assert signup.has_consented
        assert signup.confirmed_at == timezone.now()
        done = client.get(_signed_up(academy, event)).content.decode()
        assert "You have a place, Aisha" in done
        assert "a confirmation, with the event for your calendar" in done

        [message] = sent()
        assert message.to == ["aisha.khan@example.net"]
        assert message.subject == "You have a place: Careers in care, Wednesday 17 June"
        assert message.reply_to == ["hello@careacademy.example"]
        cancel = reverse("vacancies:booking-cancel", args=[signup.cancel_token])
        assert f"http://testserver{cancel}" in message.body or cancel in message.body
        assert "When: Wednesday 17 June, 10:00 to 12:00" in message.body
        assert "Phone 01752 123456 or e-mail hello@careacademy.example" in message.body
        calendar, entry = _calendar(message)
        assert str(calendar["METHOD"]) == "PUBLISH"
        assert _utc(entry) == dt.datetime(2026, 6, 17, 9, 0, tzinfo=dt.UTC)
        assert _utc(entry, "DTEND") == dt.datetime(2026, 6, 17, 11, 0, tzinfo=dt.UTC)
        assert _utc(entry) == event.starts_at
        assert str(entry["SUMMARY"]) == "Careers in care"
        assert "1 Civic Square" in str(entry["LOCATION"])
        assert cancel in str(entry["DESCRIPTION"])
        assert str(entry["STATUS"]) == "CONFIRMED"

    def test_a_full_event_offers_the_waiting_list_and_says_which_they_got(
        self, client, academy, clock, sent
    ):
        event = _event(academy, capacity=1)
        _booked(event, 1)
        sent().clear()
        page = client.get(_page(academy, event)).content.decode()
        assert "Every place is taken" in page
        assert "Join the waiting list" in page
        _sign_up(client, event, clock)
        assert SignUp.objects.get(email="aisha.khan@example.net").status == "waiting"
        done = client.get(_signed_up(academy, event)).content.decode()
        assert "You are on the waiting list" in done
        assert "You have a place" not in done
        [message] = sent()
        assert message.subject.startswith("You are on the waiting list")
        assert message.attachments == []

    def test_no_consent_no_message(self, client, academy, clock, sent):
        event = _event(academy)
        _sign_up(client, event, clock, has_consented=None)
        signup = SignUp.objects.get()
        assert not signup.has_consented
        assert signup.confirmed_at is None
        assert sent() == []
        done = client.get(_signed_up(academy, event)).content.decode()
        assert "no e-mail will come" in done

    def test_signing_up_twice_keeps_one_place_and_says_so(
        self, client, academy, clock, sent
    ):
        event = _event(academy)
        _sign_up(client, event, clock)
        _sign_up(client, event, clock, email="", first_name="Aisha K")
        assert SignUp.objects.count() == 1
        assert len(sent()) == 1
        done = client.get(_signed_up(academy, event)).content.decode()
        assert "You had signed up already" in done

    @pytest.mark.parametrize(
        ("changes", "said"),
        [
            ({"email": "", "phone": ""}, "Give an e-mail address or a phone number"),
            ({"phone": "999"}, "Enter a UK phone number"),
            ({"email": "not an address"}, "Enter a valid email address"),
            ({"first_name": ""}, "This field is required"),
            ({"wait": 1}, "press “Sign me up” again"),
            ({"served": "forged"}, "press “Sign me up” again"),
        ],
    )
    def test_bad_input_is_explained_and_saves_nothing(
        self, client, academy, clock, changes, said
    ):
        event = _event(academy)
        response = _sign_up(client, event, clock, **changes)
        assert response.status_code == 200
        assert said in response.content.decode()
        assert not SignUp.objects.exists()

    def test_the_honeypot_pretends_and_saves_nothing(self, client, academy, clock):
        event = _event(academy)
        response = _sign_up(client, event, clock, website="https://spam.example")
        assert response.status_code == 302
        assert not SignUp.objects.exists()
        # Its "thank you" has nothing to show: back to the event.
        assert client.get(_signed_up(academy, event))["Location"] == _page(
            academy, event
        )

    @pytest.mark.parametrize(
        "fields",
        [
            {"is_public": False},
            {"status": Event.Status.CANCELLED},
            {"starts_at": NEXT_WEEK - dt.timedelta(days=14)},
        ],
    )
    def test_an_event_not_open_to_the_public_is_404(
        self, client, academy, clock, fields
    ):
        event = _event(academy, **fields)
        assert client.get(_page(academy, event)).status_code == 404
        assert _sign_up(client, event, clock).status_code == 404
        assert not SignUp.objects.exists()

    def test_another_academys_event_is_404_under_this_academys_address(
        self, client, academy, other_academy, clock
    ):
        event = _event(other_academy)
        url = reverse("vacancies:event-board-detail", args=[academy.slug, event.pk])
        assert client.get(url).status_code == 404
        assert client.get(_signed_up(academy, event)).status_code == 404

    def test_staff_signed_in_see_the_public_page_too(
        self, client_of, coordinator, clock
    ):
        event = _event(coordinator.academy)
        client = client_of(coordinator)
        assert client.get(_page(coordinator.academy, event)).status_code == 200

    def test_the_page_keeps_to_the_strict_content_security_policy(
        self, client, academy, clock
    ):
        body = client.get(_page(academy, _event(academy))).content.decode()
        assert "style=" not in body
        assert not re.search(r"<script(?![^>]*\bsrc=)", body), "inline script"
        assert not re.search(r"\son[a-z]+=", body), "inline event handler"

    def test_an_online_events_link_comes_with_the_place_only(
        self, client, academy, clock, sent
    ):
        event = _event(
            academy, venue="", postcode="", online_url="https://meet.example/abc"
        )
        assert "meet.example" not in client.get(_page(academy, event)).content.decode()
        _sign_up(client, event, clock)
        assert "Online: https://meet.example/abc" in sent()[0].body


class TestAllowances:
    def test_a_venue_sharing_one_connection_signs_everyone_up(
        self, client, academy, clock
    ):
        event = _event(academy, capacity=None)
        statuses = [
            _sign_up(
                client, event, clock, email=f"visitor{n}@example.net", phone=""
            ).status_code
            for n in range(15)
        ]
        assert statuses == [302] * 15
        assert SignUp.objects.filter(status="booked").count() == 15

    def test_one_person_past_the_allowance_is_given_the_academys_number(
        self, client, academy, settings, clock
    ):
        settings.PUBLIC_RATE_PER_CONTACT = 2
        academy.public_phone = "01752 123456"
        academy.save()
        events = [_event(academy, title=f"Session {n}") for n in range(3)]
        assert _sign_up(client, events[0], clock, ip="198.51.100.1").status_code == 302
        assert _sign_up(client, events[1], clock, ip="198.51.100.2").status_code == 302
        response = _sign_up(client, events[2], clock, ip="198.51.100.3")
        body = response.content.decode()
        assert response.status_code == 429
        assert "Please try again later" in body
        assert "01752 123456" in body
        assert SignUp.objects.count() == 2

    def test_one_event_has_a_ceiling_of_its_own(self, client, academy, settings, clock):
        settings.PUBLIC_RATE_PER_EVENT = 3
        event, other = _event(academy, capacity=None), _event(academy)
        for n in range(3):
            assert (
                _sign_up(
                    client,
                    event,
                    clock,
                    ip=f"198.51.100.{n}",
                    email=f"p{n}@x.net",
                    phone="",
                ).status_code
                == 302
            )
        refused = _sign_up(client, event, clock, email="p9@x.net", phone="")
        assert refused.status_code == 429
        assert (
            _sign_up(client, other, clock, email="p9@x.net", phone="").status_code
            == 302
        )

    def test_a_flood_from_one_connection_meets_its_ceiling(
        self, client, academy, settings, clock
    ):
        settings.PUBLIC_RATE_PER_ADDRESS = 3
        event = _event(academy, capacity=None)
        statuses = [
            _sign_up(client, event, clock, email=f"v{n}@x.net", phone="").status_code
            for n in range(4)
        ]
        assert statuses == [302, 302, 302, 429]


# ---- cancelling ---------------------------------------------------------------------


def _cancel_url(signup):
    return reverse("vacancies:booking-cancel", args=[signup.cancel_token])


class TestCancelling:
    def test_opening_the_link_never_cancels_the_button_does_and_the_next_is_told(
        self, client, academy, clock, sent
    ):
        event = _event(academy, capacity=1, title="Careers in care")
        mine = _booked(event, 1)
        waiting = _booked(event, 2)
        assert waiting.status == "waiting"
        sent().clear()
        page = client.get(_cancel_url(mine))
        assert "Cancel my place" in page.content.decode()
        mine.refresh_from_db()
        assert mine.status == "booked"
        response = client.post(_cancel_url(mine))
        assert response.status_code == 302
        after = client.get(response["Location"]).content.decode()
        assert "Your place is cancelled" in after
        assert "Cancel my place" not in after
        mine.refresh_from_db()
        waiting.refresh_from_db()
        assert (mine.status, waiting.status) == ("cancelled", "booked")
        [told] = sent()
        assert told.to == ["person2@example.net"]
        assert told.subject == "A place is yours: Careers in care, Wednesday 17 June"
        assert _utc(_calendar(told)[1]) == event.starts_at
        waiting.refresh_from_db()
        assert waiting.confirmed_at is not None

    def test_someone_waiting_leaves_the_list(self, client, academy, clock):
        event = _event(academy, capacity=1)
        _booked(event, 1)
        waiting = _booked(event, 2)
        assert (
            "Leave the waiting list"
            in client.get(_cancel_url(waiting)).content.decode()
        )
        client.post(_cancel_url(waiting))
        waiting.refresh_from_db()
        assert waiting.status == "cancelled"

    @pytest.mark.parametrize(
        ("state", "said"),
        [
            ("cancelled", "Your sign-up is cancelled"),
            ("event_cancelled", "This event is cancelled"),
            ("over", "This event is over"),
        ],
    )
    def test_nothing_to_cancel_is_said_and_a_post_changes_nothing(
        self, client, academy, clock, state, said
    ):
        event = _event(academy)
        signup = _booked(event, 1)
        if state == "cancelled":
            services.signup_cancel(signup=signup)
        elif state == "event_cancelled":
            services.event_cancel(event=event, by=event.created_by, reason="Snow")
        else:
            clock.move_to(NEXT_WEEK + dt.timedelta(days=1))
        signup.refresh_from_db()
        before = signup.status
        body = client.get(_cancel_url(signup)).content.decode()
        assert said in body
        assert "Cancel my place" not in body
        assert client.post(_cancel_url(signup)).status_code == 200
        signup.refresh_from_db()
        assert signup.status == before

    def test_an_unknown_link_is_404(self, client):
        assert client.get("/events/cancel/not-a-real-token/").status_code == 404
        assert client.post("/events/cancel/not-a-real-token/").status_code == 404


# ---- what people are told -----------------------------------------------------------


class TestChangesAreTold:
    def test_a_new_time_is_told_with_the_calendar_entry_replaced(
        self, academy, clock, sent
    ):
        event = _event(academy, capacity=1, title="Drop-in")
        booked, _ = _booked(event, 1), _booked(event, 2)
        quiet = _booked(event, 3)
        SignUp.objects.filter(pk=quiet.pk).update(has_consented=False)
        SignUp.objects.filter(pk=booked.pk).update(reminded_at=timezone.now())
        sent().clear()
        services.event_update(
            event=event, by=event.created_by, starts=dt.time(14, 0), ends=dt.time(16, 0)
        )
        assert sorted(m.to[0] for m in sent()) == [
            "person1@example.net",
            "person2@example.net",
        ]
        to_booked = next(m for m in sent() if m.to == ["person1@example.net"])
        assert (
            to_booked.subject == "Changed: Drop-in is now on Wednesday 17 June at 14:00"
        )
        assert _utc(_calendar(to_booked)[1]) == dt.datetime(
            2026, 6, 17, 13, 0, tzinfo=dt.UTC
        )
        to_waiting = next(m for m in sent() if m.to == ["person2@example.net"])
        assert to_waiting.attachments == []
        assert "still on the waiting list" in to_waiting.body
        booked.refresh_from_db()
        assert booked.reminded_at is None  # a reminder for the new date

    def test_a_change_that_is_not_when_or_where_is_not_told(self, academy, clock, sent):
        event = _event(academy)
        _booked(event, 1)
        sent().clear()
        services.event_update(event=event, by=event.created_by, description="Bring ID")
        assert sent() == []

    def test_more_places_promote_and_tell_the_waiting(self, academy, clock, sent):
        event = _event(academy, capacity=1)
        _booked(event, 1)
        _booked(event, 2)
        sent().clear()
        services.event_update(event=event, by=event.created_by, capacity=2)
        [told] = sent()
        assert told.subject.startswith("A place is yours")

    def test_a_coordinators_override_tells_the_person(self, academy, clock, sent):
        event = _event(academy, capacity=1)
        first = _booked(event, 1)
        second = _booked(event, 2)
        third = _booked(event, 3)
        SignUp.objects.filter(pk=first.pk).update(status="cancelled")
        sent().clear()
        services.signup_promote(signup=third, by=UserFactory())
        [told] = sent()
        assert told.to == ["person3@example.net"]
        second.refresh_from_db()
        assert second.status == "waiting"

    def test_a_cancelled_series_tells_each_person_once(self, academy, clock, sent):
        series = services.series_create(
            academy=academy,
            by=UserFactory(),
            frequency="weekly",
            first=dt.date(2026, 6, 17),
            until=dt.date(2026, 7, 1),
            starts=dt.time(10, 0),
            ends=dt.time(12, 0),
            kind=Event.Kind.DROP_IN,
            title="Wednesday drop-in",
            venue="Skills Launchpad",
        )
        first, second, third = series.events.order_by("starts_at")
        _booked(first, 1)
        _booked(second, 2)
        _booked(third, 3)
        sent().clear()
        services.event_cancel(
            event=second,
            by=first.created_by,
            reason="The venue is shut",
            following=True,
        )
        assert sorted(m.to[0] for m in sent()) == [
            "person2@example.net",
            "person3@example.net",
        ]
        told = next(m for m in sent() if m.to == ["person2@example.net"])
        assert told.subject == "Cancelled: Wednesday drop-in, Wednesday 24 June"
        assert "Why: The venue is shut" in told.body
        assert str(_calendar(told)[1]["STATUS"]) == "CANCELLED"
        sent().clear()
        services.event_cancel(
            event=second, by=first.created_by, reason="Again", following=True
        )
        assert sent() == []

    def test_staff_bookings_without_consent_are_not_written_to(
        self, academy, clock, sent
    ):
        event = _event(academy)
        person = ParticipantFactory(academy=academy, email="p@example.net")
        services.signup_create(
            event=event,
            first_name=person.first_name,
            email=person.email,
            participant_id=person.pk,
            source=SignUp.Source.STAFF,
        )
        assert sent() == []


# ---- the reminder the day before ----------------------------------------------------


class TestReminders:
    @pytest.fixture
    def tomorrow(self, academy, clock, sent):
        """An event tomorrow at 10:00, people signed up last week, and it is 09:10."""
        clock.move_to(dt.datetime(2026, 6, 9, 9, 0, tzinfo=LONDON))
        event = _event(
            academy,
            starts_at=dt.datetime(2026, 6, 17, 10, 0, tzinfo=LONDON),
            capacity=2,
            title="Careers in care",
        )
        booked = [_booked(event, 1), _booked(event, 2)]
        _booked(event, 3)  # waiting
        unconsented = _booked(_event(academy, starts_at=event.starts_at), 4)
        SignUp.objects.filter(pk=unconsented.pk).update(has_consented=False)
        _booked(_event(academy, starts_at=event.starts_at + dt.timedelta(days=1)), 5)
        clock.move_to(dt.datetime(2026, 6, 16, 9, 10, tzinfo=LONDON))
        sent().clear()
        return event, booked

    def test_everyone_booked_is_reminded_once(self, tomorrow, sent):
        _, booked = tomorrow
        assert tasks.event_reminders_send.delay().get() == 2
        assert sorted(m.to[0] for m in sent()) == [
            "person1@example.net",
            "person2@example.net",
        ]
        assert sent()[0].subject == "Tomorrow: Careers in care at 10:00"
        assert "cancel" in sent()[0].body.lower()
        for signup in booked:
            signup.refresh_from_db()
            assert signup.reminded_at == timezone.now()
        sent().clear()
        assert services.event_reminders_send() == 0  # the next hour's run
        assert sent() == []

    def test_a_run_that_fails_part_way_sends_the_rest_next_time_and_none_twice(
        self, tomorrow, sent, monkeypatch
    ):
        from vacancies.services import event_notices

        real = event_notices._tell
        calls = []

        def worker_lost_on_the_second(signup, template, **kwargs):
            calls.append(signup.pk)
            went = real(signup, template, **kwargs)
            if len(calls) == 2:
                raise SystemExit("worker lost")
            return went

        monkeypatch.setattr(event_notices, "_tell", worker_lost_on_the_second)
        with pytest.raises(SystemExit):
            services.event_reminders_send()
        assert len(sent()) == 1  # the first was committed; the second rolled back
        monkeypatch.setattr(event_notices, "_tell", real)
        assert services.event_reminders_send() == 1
        assert sorted(m.to[0] for m in sent()) == [
            "person1@example.net",
            "person2@example.net",
        ]

    def test_tomorrow_is_londons_tomorrow(self, academy, clock, sent):
        # 00:30 on 17 June in London is 23:30 on the 16th in UTC.
        late = dt.datetime(2026, 6, 17, 0, 30, tzinfo=LONDON)
        signup = _booked(_event(academy, starts_at=late, hours=1), 1)
        SignUp.objects.filter(pk=signup.pk).update(confirmed_at=None)
        clock.move_to(dt.datetime(2026, 6, 16, 20, 0, tzinfo=LONDON))
        sent().clear()
        assert services.event_reminders_send() == 1
        clock.move_to(dt.datetime(2026, 6, 15, 20, 0, tzinfo=LONDON))
        assert services.event_reminders_send() == 0

    def test_someone_confirmed_today_is_not_reminded(self, academy, clock, sent):
        clock.move_to(dt.datetime(2026, 6, 16, 8, 0, tzinfo=LONDON))
        event = _event(
            academy, starts_at=dt.datetime(2026, 6, 17, 10, 0, tzinfo=LONDON)
        )
        _booked(event, 1)
        sent().clear()
        clock.move_to(dt.datetime(2026, 6, 16, 9, 10, tzinfo=LONDON))
        assert services.event_reminders_send() == 0

    def test_beat_runs_it_hourly_in_the_day(self, settings):
        entry = settings.CELERY_BEAT_SCHEDULE["vacancies-event-reminders-send"]
        assert entry["task"] == "vacancies.tasks.event_reminders_send"
        assert entry["schedule"].hour == set(range(9, 21))


# ---- checking in at the door --------------------------------------------------------


def _check_in_url(event):
    return reverse("vacancies:event-check-in", args=[event.checkin_token])


def _check_in(client, event, clock, *, ip=IP, **changes):
    token = EventCheckInForm.served_token(event.academy)
    clock.shift(5)
    data = {
        "first_name": "Aisha",
        "last_name": "",
        "email": "aisha.khan@example.net",
        "phone": "",
        "served": token,
        **changes,
    }
    return client.post(_check_in_url(event), data, REMOTE_ADDR=ip)


class TestCheckIn:
    @pytest.fixture
    def at_the_door(self, academy, clock):
        event = _event(academy, title="Recruitment fair", is_public=False)
        clock.move_to(event.starts_at - dt.timedelta(minutes=20))
        return event

    def test_someone_booked_is_ticked_present(self, client, at_the_door, clock):
        signup = services.signup_create(
            event=at_the_door, first_name="Aisha", email="aisha.khan@example.net"
        ).signup
        page = client.get(_check_in_url(at_the_door)).content.decode()
        assert "Check me in" in page
        assert "Recruitment fair" in page
        response = _check_in(client, at_the_door, clock, email="Aisha.Khan@example.net")
        assert "You are checked in, Aisha" in response.content.decode()
        signup.refresh_from_db()
        assert signup.status == "attended"
        assert SignUp.objects.count() == 1

    def test_a_walk_in_is_added_as_checked_in(self, client, at_the_door, clock):
        _check_in(
            client, at_the_door, clock, email="", phone="07700 900123", first_name="Ben"
        )
        signup = SignUp.objects.get()
        assert (signup.status, signup.source) == ("attended", "self_checkin")
        assert str(signup.phone) == "+447700900123"

    def test_bad_input_is_explained(self, client, at_the_door, clock):
        response = _check_in(client, at_the_door, clock, email="")
        assert "Give an e-mail address or a phone number" in response.content.decode()
        response = _check_in(client, at_the_door, clock, phone="999")
        assert "Enter a UK phone number" in response.content.decode()
        assert not SignUp.objects.exists()

    def test_the_honeypot_pretends(self, client, at_the_door, clock):
        response = _check_in(client, at_the_door, clock, website="x")
        assert "You are checked in" in response.content.decode()
        assert not SignUp.objects.exists()

    def test_not_open_yet_says_when_it_opens(self, client, academy, clock):
        event = _event(academy)
        body = client.get(_check_in_url(event)).content.decode()
        assert "Check-in opens at 08:00 on Wednesday 17 June" in body
        assert "Check me in" not in body
        assert _check_in(client, event, clock).status_code == 200
        assert not SignUp.objects.exists()

    def test_a_cancelled_event_says_so(self, client, academy, clock):
        event = _event(academy)
        services.event_cancel(event=event, by=event.created_by, reason="Snow")
        clock.move_to(event.starts_at)
        body = client.get(_check_in_url(event)).content.decode()
        assert "This event is cancelled" in body

    def test_after_the_event_it_is_closed(self, client, academy, clock):
        event = _event(academy)
        clock.move_to(event.ends_at + dt.timedelta(hours=2))
        assert (
            "Check-in has closed" in client.get(_check_in_url(event)).content.decode()
        )

    def test_an_unknown_code_is_404(self, client):
        assert client.get("/events/check-in/nothing-here/").status_code == 404

    def test_a_crowd_on_the_venues_connection_all_check_in(
        self, client, at_the_door, clock
    ):
        statuses = [
            _check_in(
                client, at_the_door, clock, email=f"guest{n}@example.net"
            ).status_code
            for n in range(15)
        ]
        assert statuses == [200] * 15
        assert SignUp.objects.filter(status="attended").count() == 15


def test_other_academies_events_never_show_on_the_list(client, clock):
    mine, theirs = AcademyFactory(slug="mine"), AcademyFactory(slug="theirs")
    _event(theirs, title="SENTINEL their event")
    body = client.get(reverse("vacancies:event-board", args=[mine.slug])).content
    assert b"SENTINEL" not in body


# ---- whatever is posted -------------------------------------------------------------

FIELDS = ["first_name", "last_name", "email", "phone", "has_consented", "served"]
VALUES = st.one_of(
    st.text(max_size=300),
    st.just("\x00"),
    st.just("x" * 5000),
    st.lists(st.text(max_size=20), min_size=2, max_size=3),
)


@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.dictionaries(st.sampled_from(FIELDS), VALUES))
def test_the_public_forms_never_answer_500_whatever_is_posted(client, academy, data):
    event = _event(academy, starts_at=timezone.now() + dt.timedelta(minutes=30))
    for url in (_page(academy, event), _check_in_url(event)):
        response = client.post(url, data)
        assert response.status_code in (200, 302, 429), (url, data)


@pytest.mark.worker
def test_a_real_worker_reminds_once_however_often_beat_runs_it(worker):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    starts = dt.datetime.combine(tomorrow, dt.time(10, 0), tzinfo=LONDON)
    event = _event(AcademyFactory(), starts_at=starts)
    for n in (1, 2):
        _booked(event, n)
    SignUp.objects.update(confirmed_at=timezone.now() - dt.timedelta(days=3))
    assert tasks.event_reminders_send.delay().get(timeout=60) == 2
    assert tasks.event_reminders_send.delay().get(timeout=60) == 0
    mails = [path.read_text() for path in worker.mail_dir.iterdir()]
    # The booking confirmations go too; the reminders go once each.
    reminders = [text for text in mails if "Subject: Tomorrow: Careers in care" in text]
    assert len(reminders) == 2
