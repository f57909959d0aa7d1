"""Appointments: booked ahead (from the person's page or the diary), confirmed to the
person who agreed, attended (a meeting record, once), not attended (with a reason),
cancelled, counted as no-shows, and reminded the day before once."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from academy.days import day_said
from participants import selectors, services
from participants.models import Appointment, Meeting, Participant, Task
from tests.participants.factories import AppointmentFactory, ParticipantFactory


def _tomorrow_at(hour, minute=0):
    day = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _person(coordinator, **fields):
    return ParticipantFactory(
        academy=coordinator.academy, coordinator=coordinator.user, **fields
    )


def _form(day=None, time="10:30", **extra):
    if day is None:
        day = timezone.localdate() + dt.timedelta(days=1)
    return {
        "day": str(day),
        "time": time,
        "minutes": "45",
        "kind": "job_centre",
        "place": "Plymouth Jobcentre, Room 2",
        "link": "",
        **extra,
    }


def _texts(fake_notify):
    """The words of the text messages the fake Notify was asked to send."""
    return [r["personalisation"]["body"] for r in fake_notify.sms]


def _past(appointment, hours=1):
    Appointment.objects.filter(pk=appointment.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=hours)
    )
    appointment.refresh_from_db()
    return appointment


# Booking ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_coordinator_books_from_the_persons_page_and_they_are_told(
    client_of, coordinator, django_capture_on_commit_callbacks
):
    person = _person(coordinator, contact_by="email", email="sam@example.net")
    client = client_of(coordinator)
    page = client.get(reverse("participants:detail", args=[person.pk]))
    assert "Book an appointment" in page.content.decode()
    url = reverse("participants:appointment-add", args=[person.pk])
    form = client.get(url).context["form"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, _form(submission=form["submission"].initial), follow=True
        )
    assert response.redirect_chain[-1][0] == person.get_absolute_url()
    appointment = Appointment.objects.get(participant=person)
    local = timezone.localtime(appointment.starts_at)
    assert (local.hour, local.minute) == (10, 30)  # entered as UK time
    assert appointment.minutes == 45
    assert appointment.coordinator == coordinator.user
    assert appointment.booked_by == coordinator.user
    assert appointment.status == "booked"
    assert "They will be sent a confirmation" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["sam@example.net"]]
    assert "10:30" in mail.outbox[0].body
    assert "Plymouth Jobcentre, Room 2" in mail.outbox[0].body


@pytest.mark.django_db
def test_booking_twice_with_the_same_form_books_once(client_of, coordinator):
    person = _person(coordinator)
    client = client_of(coordinator)
    url = reverse("participants:appointment-add", args=[person.pk])
    token = client.get(url).context["form"]["submission"].initial
    client.post(url, _form(submission=token))
    client.post(url, _form(submission=token))
    assert Appointment.objects.filter(participant=person).count() == 1


@pytest.mark.django_db
def test_nothing_is_sent_to_someone_who_did_not_agree(
    coordinator, django_capture_on_commit_callbacks
):
    person = _person(coordinator)  # contact_by defaults to none
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_book(
            participant=person,
            coordinator=coordinator.user,
            by=coordinator.user,
            kind="phone",
            starts_at=_tomorrow_at(9),
        )
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"day": "2020-01-01"}, "day", "booked ahead"),
        ({"time": "25:00"}, "time", "hours and minutes"),
        ({"day": ""}, "day", "Choose the day"),
        ({"kind": "video"}, "link", "video call's link"),
        ({"link": "https://meet.example.net/x"}, "link", "Only a video call"),
        ({"minutes": "7"}, "minutes", "Select a valid choice"),
        ({"day": "9999-12-31"}, "day", "more than a year ahead: check the year"),
        ({"time": "03:17"}, "time", "between 07:00 and 21:00"),
        ({"time": "06:59"}, "time", "between 07:00 and 21:00"),
        # 20:30 for 45 minutes ends at 21:15.
        ({"time": "20:30"}, "time", "between 07:00 and 21:00"),
    ],
)
def test_bad_bookings_say_what_to_fix(client_of, coordinator, changes, field, message):
    person = _person(coordinator)
    url = reverse("participants:appointment-add", args=[person.pk])
    response = client_of(coordinator).post(url, _form(**changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert not Appointment.objects.exists()


@pytest.mark.django_db
def test_a_time_earlier_today_is_refused(client_of, coordinator):
    person = _person(coordinator)
    earlier = timezone.localtime() - dt.timedelta(minutes=5)
    if earlier.date() != timezone.localdate():
        pytest.skip("just after midnight")
    response = client_of(coordinator).post(
        reverse("participants:appointment-add", args=[person.pk]),
        _form(day=earlier.date(), time=earlier.strftime("%H:%M")),
    )
    assert "booked ahead" in " ".join(response.context["form"].errors["time"])
    assert not Appointment.objects.exists()


@pytest.mark.django_db
def test_a_closed_case_cannot_be_booked(client_of, coordinator):
    person = _person(coordinator, status=Participant.Status.CLOSED)
    response = client_of(coordinator).post(
        reverse("participants:appointment-add", args=[person.pk]),
        _form(),
        follow=True,
    )
    assert "reopen it before booking" in response.content.decode()
    assert not Appointment.objects.exists()
    with pytest.raises(ValidationError, match="closed"):
        services.appointment_book(
            participant=person,
            coordinator=coordinator.user,
            by=coordinator.user,
            kind="phone",
            starts_at=_tomorrow_at(9),
        )


@pytest.mark.django_db
def test_an_admin_books_in_a_colleagues_diary_and_a_coordinator_in_their_own(
    client_of, coordinator, admin
):
    person = _person(coordinator)
    url = reverse("participants:appointment-add", args=[person.pk])
    client_of(admin).post(url, _form(coordinator=str(coordinator.user_id)))
    assert Appointment.objects.get().coordinator == coordinator.user
    # A coordinator's form has no choice: whatever is sent, it is their own diary.
    client_of(coordinator).post(
        url, _form(coordinator=str(admin.user_id), time="11:15")
    )
    assert Appointment.objects.latest("pk").coordinator == coordinator.user


@pytest.mark.django_db
def test_an_admin_cannot_book_in_the_diary_of_someone_outside_the_academy(
    client_of, coordinator, admin, other_coordinator
):
    person = _person(coordinator)
    response = client_of(admin).post(
        reverse("participants:appointment-add", args=[person.pk]),
        _form(coordinator=str(other_coordinator.user_id)),
    )
    assert "Choose a coordinator of the academy" in " ".join(
        response.context["form"].errors["coordinator"]
    )
    assert not Appointment.objects.exists()
    with pytest.raises(ValidationError, match="coordinator of the academy"):
        services.appointment_book(
            participant=person,
            coordinator=other_coordinator.user,
            by=admin.user,
            kind="phone",
            starts_at=_tomorrow_at(9),
        )


@pytest.mark.django_db
def test_another_academys_person_cannot_be_booked(
    client_of, coordinator, other_coordinator
):
    person = _person(other_coordinator)
    response = client_of(coordinator).post(
        reverse("participants:appointment-add", args=[person.pk]), _form()
    )
    assert response.status_code == 404
    assert not Appointment.objects.exists()


@pytest.mark.django_db
def test_booking_from_the_diary_finds_the_person_by_name(client_of, coordinator):
    person = _person(coordinator, first_name="Morwenna", last_name="Trelawny")
    _person(coordinator, first_name="Other", last_name="Person")
    client = client_of(coordinator)
    diary = client.get(reverse("participants:diary")).content.decode()
    assert reverse("participants:diary-book") in diary
    response = client.post(reverse("participants:diary-book"), {"q": "morwenna"})
    html = response.content.decode()
    assert reverse("participants:appointment-add", args=[person.pk]) in html
    assert "Other Person" not in html
    empty = client.post(reverse("participants:diary-book"), {"q": ""})
    assert "Type a reference or a name" in empty.content.decode()


@pytest.mark.django_db
def test_a_year_ahead_and_the_working_day_are_the_limits(coordinator):
    person = _person(coordinator)
    today = timezone.localdate()
    in_a_year = today + dt.timedelta(days=365)  # never more than a year ahead

    def at(day, hour, minute=0):
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

    def book(starts_at, minutes=30):
        return services.appointment_book(
            participant=person,
            coordinator=coordinator.user,
            by=coordinator.user,
            kind="job_centre",
            starts_at=starts_at,
            minutes=minutes,
        )

    with pytest.raises(ValidationError, match="more than a year ahead"):
        book(at(today + dt.timedelta(days=367), 10))
    with pytest.raises(ValidationError, match="between 07:00 and 21:00"):
        book(_tomorrow_at(3, 17))
    with pytest.raises(ValidationError, match="between 07:00 and 21:00"):
        book(_tomorrow_at(20, 30), minutes=45)
    book(at(in_a_year, 10))
    book(_tomorrow_at(7))
    book(_tomorrow_at(20, 30), minutes=30)
    assert Appointment.objects.count() == 3
    moved = Appointment.objects.earliest("starts_at")
    with pytest.raises(ValidationError, match="between 07:00 and 21:00"):
        services.appointment_change(
            appointment=moved, by=coordinator.user, starts_at=_tomorrow_at(22)
        )


@pytest.mark.django_db
def test_messages_say_the_year_when_it_is_not_this_year(
    coordinator, django_capture_on_commit_callbacks, fake_notify
):
    import time_machine

    emailed = _person(coordinator, contact_by="email", email="sam@example.net")
    texted = _person(coordinator, contact_by="sms", phone="07700 900123")
    now = dt.datetime(2026, 12, 10, 12, 0, tzinfo=dt.UTC)
    london = timezone.get_default_timezone()
    with (
        time_machine.travel(now, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        for person, day in ((emailed, 5), (texted, 6)):
            services.appointment_book(
                participant=person,
                coordinator=coordinator.user,
                by=coordinator.user,
                kind="job_centre",
                starts_at=dt.datetime(2027, 1, day, 10, 0, tzinfo=london),
            )
        this_year = services.appointment_book(
            participant=emailed,
            coordinator=coordinator.user,
            by=coordinator.user,
            kind="job_centre",
            starts_at=dt.datetime(2026, 12, 11, 10, 0, tzinfo=london),
        )
    first, second = mail.outbox
    assert first.subject == "Your appointment: Tuesday 5 January 2027 at 10:00"
    assert "Tuesday 5 January 2027 at 10:00" in first.body
    assert second.subject == "Your appointment: Friday 11 December at 10:00"
    assert this_year.pk
    [text] = _texts(fake_notify)
    assert "Wednesday 6 January 2027 at 10:00" in text


@pytest.mark.django_db
def test_the_booking_page_says_the_year_of_a_booking_next_year(client_of, coordinator):
    import time_machine

    person = _person(coordinator)
    url = reverse("participants:appointment-add", args=[person.pk])
    with time_machine.travel(dt.datetime(2026, 12, 10, 12, 0, tzinfo=dt.UTC)):
        client = client_of(coordinator)
        token = client.get(url).context["form"]["submission"].initial
        response = client.post(
            url, _form(day="2027-01-05", time="10:00", submission=token), follow=True
        )
    assert "Booked for Tuesday 5 January 2027 at 10:00." in response.content.decode()


@pytest.mark.django_db
def test_every_message_says_how_to_reach_the_academy(
    coordinator, django_capture_on_commit_callbacks, fake_notify
):
    user = coordinator.user
    user.first_name, user.last_name, user.email = "Ewa", "Smith", "ewa@academy.example"
    user.save()
    emailed = _person(coordinator, contact_by="email", email="sam@example.net")
    texted = _person(coordinator, contact_by="sms", phone="07700 900123")

    def book(hour):
        with django_capture_on_commit_callbacks(execute=True):
            for person, minute in ((emailed, 0), (texted, 30)):
                services.appointment_book(
                    participant=person,
                    coordinator=user,
                    by=user,
                    kind="job_centre",
                    starts_at=_tomorrow_at(hour, minute),
                )

    # No public phone or e-mail: the coordinator's name and work e-mail.
    book(9)
    [mail_one] = mail.outbox
    assert (
        "Can't make it? E-mail Ewa Smith, your coordinator: ewa@academy.example."
        in (mail_one.body)
    )
    assert "Please let us know" not in mail_one.body
    assert "tell your coordinator" not in mail_one.body
    [text_one] = _texts(fake_notify)
    assert "Can't make it? E-mail Ewa Smith: ewa@academy.example." in text_one
    assert text_one.endswith("Reply STOP to stop these texts.")
    # The academy's public phone and e-mail (Academy settings) come first.
    academy = coordinator.academy
    academy.public_phone = "01752 123456"
    academy.public_email = "hello@careacademy.example"
    academy.save()
    book(11)
    mail_two = mail.outbox[-1]
    assert (
        "Can't make it? Phone 01752 123456 or e-mail hello@careacademy.example."
        in mail_two.body
    )
    assert "ewa@academy.example" not in mail_two.body
    # The only line on stopping them is the opt-out link's, below the words.
    words, opt_out = mail_two.body.split("\n--\n")
    assert "stop" not in words
    assert "To stop these messages, open this link" in opt_out
    text_two = _texts(fake_notify)[-1]
    assert text_two.startswith(f"{academy.name}: ")
    assert "Can't make it? Call 01752 123456." in text_two
    assert text_two.endswith("Reply STOP to stop these texts.")


@pytest.mark.django_db
def test_a_time_taken_in_the_same_diary_is_refused_naming_the_appointment(
    client_of, coordinator, admin
):
    first = _person(coordinator)
    taken = services.appointment_book(
        participant=first,
        coordinator=coordinator.user,
        by=coordinator.user,
        kind="job_centre",
        starts_at=_tomorrow_at(10),
        minutes=30,
    )
    other = _person(coordinator)
    url = reverse("participants:appointment-add", args=[other.pk])
    client = client_of(coordinator)
    response = client.post(url, _form(time="10:15", minutes="30"))
    assert response.status_code == 200
    said = (
        "You already have a Job centre meeting 10:00\N{EN DASH}10:30 with "
        f"{first.reference} that day. Choose another time."
    )
    assert said in " ".join(response.context["form"].errors["time"])
    assert Appointment.objects.count() == 1
    # An admin booking in the coordinator's diary is told whose it is.
    response = client_of(admin).post(
        url, _form(time="09:45", coordinator=str(coordinator.user_id))
    )
    name = coordinator.user.get_full_name()
    assert f"{name} already has a Job centre meeting 10:00\N{EN DASH}10:30" in " ".join(
        response.context["form"].errors["time"]
    )
    # Back to back is fine; so is the time of a cancelled one.
    client.post(url, _form(time="10:30", minutes="30"))
    assert Appointment.objects.count() == 2
    services.appointment_cancel(appointment=taken, by=coordinator.user, reason="Ill")
    client.post(url, _form(time="10:00", minutes="30"))
    assert Appointment.objects.count() == 3


@pytest.mark.django_db
def test_moving_an_appointment_checks_the_diary_but_not_against_itself(coordinator):
    def book(person, hour):
        return services.appointment_book(
            participant=person,
            coordinator=coordinator.user,
            by=coordinator.user,
            kind="job_centre",
            starts_at=_tomorrow_at(hour),
            minutes=60,
        )

    first = book(_person(coordinator), 10)
    second = book(_person(coordinator), 12)
    services.appointment_change(
        appointment=first, by=coordinator.user, starts_at=_tomorrow_at(10, 30)
    )
    with pytest.raises(ValidationError, match="already have a Job centre meeting"):
        services.appointment_change(
            appointment=second, by=coordinator.user, starts_at=_tomorrow_at(11)
        )
    second.refresh_from_db()
    assert timezone.localtime(second.starts_at).hour == 12


@pytest.mark.django_db
def test_booking_from_the_diary_lists_ones_own_caseload_first_by_full_name(
    client_of, coordinator, admin
):
    colleague = ParticipantFactory(
        academy=coordinator.academy,
        coordinator=admin.user,
        first_name="Ewa",
        last_name="Adamska",
    )
    own = _person(coordinator, first_name="Ewa", last_name="Smith")
    client = client_of(coordinator)
    html = client.post(reverse("participants:diary-book"), {"q": "ewa"}).content
    html = html.decode()
    # Each button names whom it books: not fourteen identical "Book with Ewa".
    own_button = f"Book with Ewa Smith ({own.reference})"
    other_button = f"Book with Ewa Adamska ({colleague.reference})"
    assert own_button in html
    assert other_button in html
    assert html.index(own_button) < html.index(other_button)


@pytest.mark.django_db
def test_booking_from_the_diary_returns_to_the_diary_on_the_appointments_day(
    client_of, coordinator
):
    person = _person(coordinator)
    client = client_of(coordinator)
    html = client.post(reverse("participants:diary-book"), {"q": person.reference})
    diary = reverse("participants:diary")
    add = reverse("participants:appointment-add", args=[person.pk])
    link = f"{add}?next={diary}"
    assert f'href="{link}"' in html.content.decode()
    day = timezone.localdate() + dt.timedelta(days=3)
    token = client.get(link).context["form"]["submission"].initial
    response = client.post(link, _form(day=day, submission=token))
    assert response.status_code == 302
    assert response.url == f"{diary}?day={day.isoformat()}"
    # A next address off the site is ignored: the person's page.
    away = f"{add}?next=https://evil.example/"
    token = client.get(away).context["form"]["submission"].initial
    response = client.post(away, _form(day=day, time="15:00", submission=token))
    assert response.url == person.get_absolute_url()


# Moving and cancelling ------------------------------------------------------


@pytest.mark.django_db
def test_moving_the_time_confirms_it_again_and_cancelling_tells_them(
    client_of, coordinator, django_capture_on_commit_callbacks
):
    person = _person(coordinator, contact_by="email", email="sam@example.net")
    appointment = AppointmentFactory(participant=person, starts_at=_tomorrow_at(10))
    client = client_of(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("participants:appointment-edit", args=[appointment.pk]),
            _form(time="14:15"),
        )
    appointment.refresh_from_db()
    assert timezone.localtime(appointment.starts_at).hour == 14
    assert len(mail.outbox) == 1
    # The old time is said to be off.
    day = day_said(appointment.starts_at)
    assert mail.outbox[0].subject == (
        f"Your appointment on {day} at 10:00 has moved to {day} at 14:15"
    )
    assert f"Your appointment on {day} at 10:00 has moved. It is now:" in (
        mail.outbox[0].body
    )
    assert f"{day} at 14:15 (45 minutes)" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("participants:appointment-cancel", args=[appointment.pk]),
            {"reason": "Starting a job that day"},
        )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    assert appointment.reason == "Starting a job that day"
    assert len(mail.outbox) == 2
    assert "cancelled" in mail.outbox[1].subject


@pytest.mark.django_db
def test_a_text_says_the_appointment_moved_from_its_old_time(
    coordinator, django_capture_on_commit_callbacks, fake_notify
):
    person = _person(coordinator, contact_by="sms", phone="07700 900123")
    appointment = AppointmentFactory(participant=person, starts_at=_tomorrow_at(10))
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_change(
            appointment=appointment, by=coordinator.user, starts_at=_tomorrow_at(11)
        )
    [text] = _texts(fake_notify)
    day = day_said(appointment.starts_at)
    assert f"on {day} at 10:00 has moved to {day} at 11:00." in text


@pytest.mark.django_db
def test_another_kind_or_place_at_the_same_time_is_told_once(
    coordinator, django_capture_on_commit_callbacks, fake_notify
):
    person = _person(coordinator, contact_by="sms", phone="07700 900123")
    appointment = AppointmentFactory(
        participant=person,
        starts_at=_tomorrow_at(10),
        kind="job_centre",
        place="Royal Parade Jobcentre",
    )
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):  # saved twice: told once
            services.appointment_change(
                appointment=appointment,
                by=coordinator.user,
                kind="phone",
                place="07700900123",
            )
        services.appointment_change(
            appointment=appointment, by=coordinator.user, minutes=45
        )  # the length alone is not told
    [text] = _texts(fake_notify)
    day = day_said(appointment.starts_at)
    assert (
        f"your appointment on {day} at 10:00 has changed: it is now a phone call."
        in text
    )
    assert "We will phone you on 07700 900123." in text


@pytest.mark.django_db
def test_a_phone_call_says_the_number_that_will_be_called(
    coordinator, django_capture_on_commit_callbacks, fake_notify
):
    emailed = _person(coordinator, contact_by="email", email="sam@example.net")
    texted = _person(coordinator, contact_by="sms", phone="07700 900123")
    with django_capture_on_commit_callbacks(execute=True):
        for person, hour in ((emailed, 9), (texted, 10)):
            services.appointment_book(
                participant=person,
                coordinator=coordinator.user,
                by=coordinator.user,
                kind="phone",
                starts_at=_tomorrow_at(hour),
                place="07700900456",
            )
        services.appointment_book(
            participant=emailed,
            coordinator=coordinator.user,
            by=coordinator.user,
            kind="phone",
            starts_at=_tomorrow_at(11),
        )
    with_number, without = mail.outbox
    assert "We will phone you on 07700 900456." in with_number.body
    assert "We will phone you on the number we have for you." in without.body
    [text] = _texts(fake_notify)
    assert "We will phone you on 07700 900456." in text


@pytest.mark.django_db
def test_cancelling_needs_a_reason(client_of, coordinator):
    appointment = AppointmentFactory(participant=_person(coordinator))
    response = client_of(coordinator).post(
        reverse("participants:appointment-cancel", args=[appointment.pk]),
        {"reason": " "},
    )
    assert response.status_code == 200
    assert "Say why" in " ".join(response.context["form"].errors["reason"])
    appointment.refresh_from_db()
    assert appointment.status == "booked"


# On the day ------------------------------------------------------------------


@pytest.mark.django_db
def test_attended_becomes_a_meeting_once_however_often_it_is_tapped(
    client_of, coordinator
):
    person = _person(coordinator)
    appointment = _past(
        AppointmentFactory(participant=person, kind="phone", place="07700 900123")
    )
    client = client_of(coordinator)
    url = reverse("participants:appointment-attended", args=[appointment.pk])
    first = client.post(url)
    assert first.status_code == 302
    assert reverse("participants:appointment-notes", args=[appointment.pk]) in first.url
    second = client.post(url, follow=True)
    assert "attended already" in second.content.decode()
    meeting = Meeting.objects.get(participant=person)
    appointment.refresh_from_db()
    assert appointment.status == "attended"
    assert appointment.meeting == meeting
    assert meeting.held_at == appointment.starts_at
    assert meeting.kind == "phone"
    assert meeting.location == "07700 900123"
    assert meeting.recorded_by == coordinator.user
    person.refresh_from_db()
    assert person.last_contact_at == appointment.starts_at


@pytest.mark.django_db
def test_after_attending_notes_and_a_next_step_are_added_to_the_meeting(
    client_of, coordinator
):
    appointment = _past(AppointmentFactory(participant=_person(coordinator)))
    client = client_of(coordinator)
    client.post(reverse("participants:appointment-attended", args=[appointment.pk]))
    url = reverse("participants:appointment-notes", args=[appointment.pk])
    step_on = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    bad = client.post(url, {"notes": "x", "next_step": "", "next_step_on": step_on})
    assert "Say what the next step is" in bad.content.decode()
    client.post(
        url,
        {
            "notes": "Talked about nights",
            "next_step": "Send dates",
            "next_step_on": step_on,
        },
    )
    meeting = Meeting.objects.get(appointment=appointment)
    assert meeting.notes == "Talked about nights"
    assert meeting.next_step == "Send dates"
    # The next step is a task that stays on the list until done, like one logged by
    # hand; written again, the task follows it (no second task).
    task = Task.objects.get(meeting=meeting)
    assert (task.title, task.status, str(task.due_on)) == (
        "Send dates",
        "open",
        step_on,
    )
    client.post(
        url,
        {"notes": "", "next_step": "Send rota dates", "next_step_on": step_on},
    )
    assert list(
        Task.objects.filter(meeting=meeting).values_list("title", "status")
    ) == [("Send rota dates", "open")]


@pytest.mark.django_db
def test_not_before_the_start_and_only_when_booked(client_of, coordinator):
    appointment = AppointmentFactory(participant=_person(coordinator))
    client = client_of(coordinator)
    response = client.post(
        reverse("participants:appointment-attended", args=[appointment.pk]),
        follow=True,
    )
    assert "has not started yet" in response.content.decode()
    response = client.post(
        reverse("participants:appointment-missed", args=[appointment.pk]),
        {"reason": "No answer"},
        follow=True,
    )
    assert "has not started yet" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == "booked"
    assert not Meeting.objects.exists()
    _past(appointment)
    services.appointment_cancel(
        appointment=appointment, by=coordinator.user, reason="Ill"
    )
    with pytest.raises(ValidationError, match="cancelled already"):
        services.appointment_attend(appointment=appointment, by=coordinator.user)


@pytest.mark.django_db
def test_did_not_attend_needs_a_reason_and_is_counted(client_of, coordinator):
    person = _person(coordinator)
    appointment = _past(AppointmentFactory(participant=person))
    client = client_of(coordinator)
    url = reverse("participants:appointment-missed", args=[appointment.pk])
    refused = client.post(url, {"reason": ""})
    assert "Say why" in " ".join(refused.context["form"].errors["reason"])
    client.post(url, {"reason": "No answer at the door"})
    appointment.refresh_from_db()
    assert (appointment.status, appointment.reason) == (
        "missed",
        "No answer at the door",
    )
    attended = _past(AppointmentFactory(participant=person), hours=30)
    services.appointment_attend(appointment=attended, by=coordinator.user)
    AppointmentFactory(participant=person)  # still to come: not counted
    counts = selectors.appointment_counts(participant=person)
    assert (counts.missed, counts.held_or_missed, counts.upcoming) == (1, 2, 1)
    page = client.get(reverse("participants:detail", args=[person.pk])).content.decode()
    assert "Missed 1 of 2 appointments" in page


@pytest.mark.django_db
def test_the_caseload_list_shows_recent_no_shows_in_one_query(
    client_of, coordinator, django_assert_max_num_queries
):
    people = [_person(coordinator) for _ in range(3)]
    for person in people[:2]:
        services.appointment_miss(
            appointment=_past(AppointmentFactory(participant=person)),
            by=coordinator.user,
            reason="Did not come",
        )
    old = _past(AppointmentFactory(participant=people[0]), hours=24 * 120)
    services.appointment_miss(appointment=old, by=coordinator.user, reason="Old")
    listed = {
        p.pk: p.missed_recently
        for p in selectors.participant_list(membership=coordinator)
    }
    assert listed == {people[0].pk: 1, people[1].pk: 1, people[2].pk: 0}
    client = client_of(coordinator)
    client.get(reverse("participants:list"))
    with django_assert_max_num_queries(25):
        html = client.get(reverse("participants:list")).content.decode()
    assert html.count("1 missed") == 2


# The timeline ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_timeline_lists_booked_missed_and_cancelled_appointments_once(
    client_of, coordinator
):
    person = _person(coordinator)
    ahead = AppointmentFactory(
        participant=person, starts_at=_tomorrow_at(10), place="Royal Parade"
    )
    missed = _past(AppointmentFactory(participant=person), hours=48)
    services.appointment_miss(
        appointment=missed, by=coordinator.user, reason="No answer at the door"
    )
    called_off = AppointmentFactory(participant=person, starts_at=_tomorrow_at(14))
    services.appointment_cancel(
        appointment=called_off, by=coordinator.user, reason="Starting a job"
    )
    came = _past(AppointmentFactory(participant=person, kind="drop_in"), hours=72)
    services.appointment_attend(appointment=came, by=coordinator.user)
    entries = [
        (e.title, e.detail)
        for e in selectors.participant_timeline(participant=person)
        if e.kind in ("appointment", "meeting")
    ]
    assert ("Job centre meeting booked", "30 minutes, Royal Parade") in entries
    assert ("Job centre meeting: did not attend", "No answer at the door") in entries
    assert ("Job centre meeting cancelled", "Starting a job") in entries
    # Attended: the meeting it became, once.
    assert len([t for t, _ in entries if t.startswith("Drop-in")]) == 1
    assert len(entries) == 4
    page = client_of(coordinator).get(reverse("participants:detail", args=[person.pk]))
    html = page.content.decode()
    assert "Job centre meeting: did not attend" in html
    assert f"{timezone.localtime(ahead.starts_at):%-d %b %Y} 10:00" in html


@pytest.mark.django_db
def test_the_timeline_says_a_next_steps_date_as_elsewhere(coordinator):
    appointment = _past(AppointmentFactory(participant=_person(coordinator)))
    services.appointment_attend(appointment=appointment, by=coordinator.user)
    step_on = timezone.localdate() + dt.timedelta(days=3)
    services.appointment_notes_record(
        appointment=appointment,
        by=coordinator.user,
        next_step="Send dates",
        next_step_on=step_on,
    )
    [meeting] = [
        e
        for e in selectors.participant_timeline(participant=appointment.participant)
        if e.kind == "meeting"
    ]
    # "by 3 Dec 2026", not "by 03 Dec 2026".
    assert meeting.detail == f"Next step: Send dates by {step_on.day} {step_on:%b %Y}"


# Permissions -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["provider", "manager"])
def test_other_roles_cannot_book_or_mark(request, client_of, coordinator, role):
    appointment = _past(AppointmentFactory(participant=_person(coordinator)))
    client = client_of(request.getfixturevalue(role))
    for name in ("appointment-attended", "appointment-missed", "appointment-cancel"):
        url = reverse(f"participants:{name}", args=[appointment.pk])
        assert client.post(url, {"reason": "x"}).status_code == 403
    url = reverse("participants:appointment-add", args=[appointment.participant_id])
    assert client.post(url, _form()).status_code == 403
    appointment.refresh_from_db()
    assert appointment.status == "booked"


@pytest.mark.django_db
def test_another_academys_appointment_is_not_found(
    client_of, coordinator, other_coordinator
):
    appointment = _past(AppointmentFactory(participant=_person(other_coordinator)))
    client = client_of(coordinator)
    for name in ("appointment-attended", "appointment-missed", "appointment-cancel"):
        url = reverse(f"participants:{name}", args=[appointment.pk])
        assert client.post(url, {"reason": "x"}).status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == "booked"


# Reminders ---------------------------------------------------------------------


@pytest.mark.django_db
def test_reminders_are_sent_once_the_day_before_and_again_when_moved(
    coordinator, django_capture_on_commit_callbacks
):
    from participants import tasks

    agreed = _person(coordinator, contact_by="email", email="sam@example.net")
    silent = _person(coordinator)
    reminded = AppointmentFactory(participant=agreed, starts_at=_tomorrow_at(9))
    AppointmentFactory(participant=silent, starts_at=_tomorrow_at(9))
    AppointmentFactory(
        participant=agreed, starts_at=_tomorrow_at(9) + dt.timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        tasks.appointment_reminders_send()
        tasks.appointment_reminders_send()
    assert [m.to for m in mail.outbox] == [["sam@example.net"]]
    assert "Tomorrow" in mail.outbox[0].subject
    assert "09:00" in mail.outbox[0].subject
    services.appointment_change(
        appointment=reminded, by=coordinator.user, starts_at=_tomorrow_at(15)
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.appointment_reminders_send()
    assert len(mail.outbox) == 1
    assert "15:00" in mail.outbox[0].subject


# The contact preference on the person's forms -----------------------------------


def _details(person, **changes):
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "date_of_birth": "1980-05-17",
        "phone": "07700 900123",
        "email": "sam@example.net",
        "postcode": "PL1 1AA",
        "is_claimant": "on",
        "source": "job_centre",
        "registered_on": "2024-01-15",
        "hours_wanted": "",
        "dbs_level": "none",
        "right_to_work": "unknown",
        "contact_by": "sms",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
def test_editing_details_records_the_contact_preference_and_shows_it(
    client_of, coordinator
):
    person = _person(coordinator)
    client = client_of(coordinator)
    url = reverse("participants:edit", args=[person.pk])
    form_html = client.get(url).content.decode()
    assert "Reminders by" in form_html
    assert "Not to be sent messages" in form_html
    response = client.post(url, _details(person))
    assert response.status_code == 302, response.context["form"].errors
    person.refresh_from_db()
    assert person.contact_by == "sms"
    notes = [note.text for note in person.case_notes.all()]
    assert "Agreed to reminders and confirmations by text message." in notes
    page = client.get(reverse("participants:detail", args=[person.pk])).content
    assert "Reminders by</dt>" in page.decode()
    assert "Text message" in page.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"contact_by": "sms", "phone": "01752 123456"}, "need a mobile number"),
        ({"contact_by": "sms", "phone": ""}, "need a mobile number"),
        ({"contact_by": "email", "email": ""}, "need an address"),
    ],
)
def test_a_channel_without_its_address_is_refused(
    client_of, coordinator, changes, message
):
    person = _person(coordinator)
    response = client_of(coordinator).post(
        reverse("participants:edit", args=[person.pk]), _details(person, **changes)
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["contact_by"])
    person.refresh_from_db()
    assert person.contact_by == "none"


@pytest.mark.django_db
def test_registering_records_the_contact_preference(client_of, coordinator):
    client = client_of(coordinator)
    url = reverse("participants:register")
    token = client.get(url).context["form"]["submission"].initial
    person = ParticipantFactory.build(first_name="Tegen", last_name="Pascoe")
    data = _details(
        person,
        contact_by="email",
        consent_to_hold="on",
        submission=str(token),
        registered_on=timezone.localdate().isoformat(),
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    registered = Participant.objects.get(first_name="Tegen")
    assert registered.contact_by == "email"
