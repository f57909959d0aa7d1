"""Event sign-ups the academy books (issue 13): the person is told of their place and
reminded the day before as their record says they agreed (e-mail or text message),
and not at all when they did not; members of the public keep the box they ticked."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse

from academy.models import Message
from academy.notify import Recipient, sms_render
from participants.models import Participant
from tests.participants.factories import ParticipantFactory
from tests.vacancies.factories import EventFactory
from vacancies import services
from vacancies.models import SignUp

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 6, 10, 8, 0, tzinfo=dt.UTC)  # Wednesday, 09:00 in London
TOMORROW = dt.datetime(2026, 6, 11, 10, 0, tzinfo=LONDON)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sent():
    def flush():
        while connection.run_on_commit:
            waiting, connection.run_on_commit[:] = list(connection.run_on_commit), []
            for _savepoints, callback, _robust in waiting:
                callback()
        return mail.outbox

    return flush


def _person(academy, contact_by):
    return ParticipantFactory(
        academy=academy,
        first_name="Amira",
        last_name="Haddad",
        email="amira@example.net",
        phone="07700900123",
        contact_by=contact_by,
    )


def _event(academy, starts_at):
    return EventFactory(
        academy=academy,
        title="Careers in care",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
    )


def _book(event, person, by):
    return services.signup_create(
        event=event,
        first_name=person.first_name,
        last_name=person.last_name,
        email=person.email,
        phone=str(person.phone),
        source=SignUp.Source.STAFF,
        participant_id=person.pk,
        by=by,
    ).signup


def _to_amira(messages):
    return [m for m in messages if "amira@example.net" in m.to]


def test_someone_booked_by_staff_who_agreed_to_e_mails_is_told_and_reminded(
    client_of, academy, coordinator, clock, sent
):
    person = _person(academy, Participant.ContactBy.EMAIL)
    event = _event(academy, TOMORROW)
    response = client_of(coordinator).post(
        reverse("vacancies:event-book", args=[event.pk]), {"participant": person.pk}
    )
    assert response.status_code == 302
    [booked] = _to_amira(sent())
    assert "Careers in care" in booked.subject
    assert [a[0] for a in booked.attachments] == ["event.ics"]
    # Told today: not reminded today; tomorrow's run for the day after would be.
    assert services.event_reminders_send() == 0
    signup = SignUp.objects.get()
    SignUp.objects.filter(pk=signup.pk).update(confirmed_at=NOW - dt.timedelta(days=3))
    assert services.event_reminders_send() == 1
    assert services.event_reminders_send() == 0
    reminder = _to_amira(sent())[-1]
    assert reminder.subject == "Tomorrow: Careers in care at 10:00"
    assert len(_to_amira(sent())) == 2


def test_event_messages_say_how_to_reach_the_academy(academy, coordinator, clock, sent):
    user = coordinator.user
    user.first_name, user.last_name, user.email = "Ewa", "Smith", "ewa@academy.example"
    user.save()
    person = _person(academy, Participant.ContactBy.EMAIL)
    Participant.objects.filter(pk=person.pk).update(coordinator=user)
    person.refresh_from_db()
    _book(_event(academy, TOMORROW), person, user)
    [booked] = _to_amira(sent())
    assert "Questions? E-mail Ewa Smith, your coordinator: ewa@academy.example." in (
        booked.body
    )
    assert "stop" not in booked.body.split("\n--\n")[0]  # only the opt-out link
    assert "because you asked to be contacted" not in booked.body


def test_an_event_next_year_is_said_with_its_year(academy, coordinator, clock, sent):
    person = _person(academy, Participant.ContactBy.EMAIL)
    _book(_event(academy, TOMORROW.replace(year=2027)), person, coordinator.user)
    [booked] = _to_amira(sent())
    assert booked.subject == "You have a place: Careers in care, Friday 11 June 2027"
    assert "Friday 11 June 2027, 10:00 to 12:00" in booked.body
    _book(_event(academy, TOMORROW), person, coordinator.user)
    assert _to_amira(sent())[-1].subject == (
        "You have a place: Careers in care, Thursday 11 June"
    )


def test_someone_booked_by_staff_who_did_not_agree_is_not_written_to(
    academy, coordinator, clock, sent
):
    person = _person(academy, Participant.ContactBy.NONE)
    signup = _book(_event(academy, TOMORROW), person, coordinator.user)
    SignUp.objects.filter(pk=signup.pk).update(confirmed_at=None)
    assert services.event_reminders_send() == 0
    assert _to_amira(sent()) == []
    assert not Message.objects.filter(participant=person).exists()


def test_someone_who_chose_text_messages_gets_them(academy, coordinator, clock, sent):
    person = _person(academy, Participant.ContactBy.SMS)
    event = _event(academy, TOMORROW + dt.timedelta(days=1))
    _book(event, person, coordinator.user)
    sent()
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        assert services.event_reminders_send() == 1
        assert services.event_reminders_send() == 0
    sent()
    assert _to_amira(mail.outbox) == []
    rows = Message.objects.filter(participant=person).order_by("pk")
    assert [(m.template, m.channel) for m in rows] == [
        ("event_booked", "sms"),
        ("event_reminder", "sms"),
    ]


def test_the_text_messages_of_events_say_what_when_and_where(academy):
    event = _event(academy, TOMORROW)
    context = {
        "event": event,
        "starts": TOMORROW,
        "place": "Skills Launchpad Plymouth, PL1 1AA",
        "cancel_url": "https://example.org/cancel/abc",
        "events_url": "https://example.org/events/",
    }
    context |= {"academy_name": academy.name, "academy_phone": "01752 123456"}
    to = Recipient(name="Amira", phone="07700900123")
    reminder = sms_render(template="event_reminder", to=to, context=context)
    assert reminder == (
        f"{academy.name}: reminder: Careers in care is tomorrow at 10:00, Skills "
        "Launchpad Plymouth, PL1 1AA. Can't come? Cancel: "
        "https://example.org/cancel/abc Questions? Call 01752 123456. Reply STOP to "
        "stop these texts."
    )
    for name in ("booked", "waiting", "place_freed", "changed", "cancelled"):
        text = sms_render(template=f"event_{name}", to=to, context=context)
        assert "Careers in care" in text
        assert len(text) <= 306  # two text messages at most


def test_a_member_of_the_public_who_did_not_tick_the_box_still_gets_nothing(
    academy, clock, sent
):
    _person(academy, Participant.ContactBy.EMAIL)
    services.signup_create(
        event=_event(academy, TOMORROW),
        first_name="Amira",
        email="amira@example.net",
        has_consented=False,
    )
    assert services.event_reminders_send() == 0
    assert _to_amira(sent()) == []
