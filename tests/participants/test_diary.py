"""The diary: a day and a week of a member's bookings from every source (appointments,
interviews, events), an admin's view of a colleague's, and the private iCalendar feed
(parsed with `icalendar`) that carries no one's name or contact details."""

import datetime as dt

import icalendar
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from academy.models import AccessRecord
from participants import services
from participants.diary import diary_entries
from participants.models import Appointment
from tests.participants.factories import AppointmentFactory, ParticipantFactory
from tests.vacancies.factories import EventFactory, ReferralFactory
from vacancies.models import CalendarFeed, Referral
from vacancies.services.feeds import calendar_feed_renew

pytestmark = pytest.mark.django_db


def _at(days, hour, minute=0):
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _booked(coordinator, days=1, hour=10, minute=0, **fields):
    person = ParticipantFactory(
        academy=coordinator.academy,
        coordinator=coordinator.user,
        first_name="Morwenna",
        last_name="Trelawny",
        email="morwenna@example.net",
        phone="07700 900456",
    )
    return AppointmentFactory(
        participant=person,
        coordinator=coordinator.user,
        starts_at=_at(days, hour, minute),
        **fields,
    )


def test_the_day_lists_the_coordinators_appointments_by_time(client_of, coordinator):
    late = _booked(coordinator, days=0, hour=16)
    early = _booked(coordinator, days=0, hour=9)
    colleague = AppointmentFactory(
        participant__academy=coordinator.academy, starts_at=_at(0, 11)
    )
    tomorrow = _booked(coordinator, days=1, hour=9)
    response = client_of(coordinator).get(reverse("participants:diary"))
    assert response.status_code == 200
    html = response.content.decode()
    person = reverse("participants:detail", args=[early.participant_id])
    assert person in html
    assert html.index("09:00") < html.index("16:00")
    assert reverse("participants:detail", args=[late.participant_id]) in html
    assert reverse("participants:detail", args=[colleague.participant_id]) not in html
    assert reverse("participants:detail", args=[tomorrow.participant_id]) not in html
    # One-tap actions of each booked appointment
    assert reverse("participants:appointment-cancel", args=[late.pk]) in html


def test_the_week_has_seven_days_and_moves_by_a_week(client_of, coordinator):
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    appointment = _booked(coordinator, days=(monday - timezone.localdate()).days + 9)
    client = client_of(coordinator)
    this_week = client.get(reverse("participants:diary-week"))
    assert len(this_week.context["page"].days) == 7
    assert this_week.context["first"] == monday
    next_week = client.get(
        reverse("participants:diary-week"),
        {"week": (monday + dt.timedelta(days=7)).isoformat()},
    )
    days = next_week.context["page"].days
    assert days[0].day == monday + dt.timedelta(days=7)
    rows = [row for day in days for row in day.rows]
    assert [row.appointment for row in rows] == [appointment]
    assert "Morwenna Trelawny" in next_week.content.decode()


def test_a_day_that_is_not_a_date_shows_today(client_of, coordinator):
    response = client_of(coordinator).get(
        reverse("participants:diary"), {"day": "2024-02-31"}
    )
    assert response.status_code == 200
    assert response.context["first"] == timezone.localdate()


def test_an_admin_opens_a_colleagues_diary_but_not_another_academys(
    client_of, coordinator, admin, other_coordinator
):
    mine = _booked(coordinator, days=0)
    theirs = _booked(other_coordinator, days=0)
    client = client_of(admin)
    response = client.get(reverse("participants:diary"), {"who": coordinator.user_id})
    html = response.content.decode()
    assert reverse("participants:detail", args=[mine.participant_id]) in html
    assert f"{coordinator.user.get_full_name()}'s diary" in html
    other = client.get(
        reverse("participants:diary"), {"who": other_coordinator.user_id}
    )
    assert other.context["owner"] == admin
    assert (
        reverse("participants:detail", args=[theirs.participant_id])
        not in other.content.decode()
    )


def test_a_coordinator_cannot_open_a_colleagues_diary(client_of, coordinator, admin):
    theirs = _booked(admin, days=0)
    response = client_of(coordinator).get(
        reverse("participants:diary"), {"who": admin.user_id}
    )
    assert response.context["owner"] == coordinator
    assert (
        reverse("participants:detail", args=[theirs.participant_id])
        not in response.content.decode()
    )


def test_a_provider_sees_its_events_and_no_appointments(
    client_of, provider, coordinator
):
    event = EventFactory(
        academy=provider.academy, title="Open day at Tamar View", starts_at=_at(0, 14)
    )
    event.hosts.add(provider.organisation)
    _booked(coordinator, days=0)
    response = client_of(provider).get(reverse("participants:diary"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Open day at Tamar View" in html
    assert "Morwenna" not in html
    assert reverse("participants:diary-book") not in html


def test_a_manager_has_no_diary(client_of, manager):
    assert client_of(manager).get(reverse("participants:diary")).status_code == 403


def test_the_diary_registry_holds_appointments_and_events(coordinator):
    appointment = _booked(coordinator, days=1)
    EventFactory(
        academy=coordinator.academy,
        created_by=coordinator.user,
        title="Care careers fair",
        starts_at=_at(1, 13),
        ends_at=_at(1, 15),
    )
    entries = diary_entries(coordinator, _at(1, 0), _at(2, 0))
    assert [(e.kind, e.private_title) for e in entries] == [
        ("appointment", f"Job centre meeting — {appointment.participant.reference}"),
        ("event", "Care careers fair"),
    ]


# The private feed -----------------------------------------------------------------


def _feed(membership):
    calendar_feed_renew(membership=membership)
    token = CalendarFeed.objects.get(membership=membership).token
    return reverse("vacancies:event-feed-private", args=[token])


def _entries(response):
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(entry["UID"]): entry for entry in calendar.walk("VEVENT")}


def test_the_feed_is_the_diary_without_names_or_contact_details(coordinator):
    phone = _booked(coordinator, days=2, kind="phone", place="07700 900456")
    visit = _booked(coordinator, days=3, place="Tamar View Care Home")
    cancelled = _booked(coordinator, days=4)
    services.appointment_cancel(
        appointment=cancelled, by=coordinator.user, reason="Morwenna is unwell"
    )
    _booked(coordinator, days=-40)  # before the window
    EventFactory(
        academy=coordinator.academy,
        created_by=coordinator.user,
        title="Care careers fair",
        starts_at=_at(5, 13),
        ends_at=_at(5, 15),
    )
    url = _feed(coordinator)

    response = Client().get(url)

    entries = _entries(response)
    by_pk = {
        int(uid.split("@")[0].removeprefix("appointment-")): entry
        for uid, entry in entries.items()
        if uid.startswith("appointment-")
    }
    assert set(by_pk) == {phone.pk, visit.pk, cancelled.pk}
    reference = phone.participant.reference
    assert str(by_pk[phone.pk]["SUMMARY"]) == f"Phone call — {reference}"
    assert "LOCATION" not in by_pk[phone.pk]  # a phone number is contact details
    assert str(by_pk[visit.pk]["LOCATION"]) == "Tamar View Care Home"
    assert str(by_pk[cancelled.pk]["STATUS"]) == "CANCELLED"
    assert str(by_pk[visit.pk]["STATUS"]) == "CONFIRMED"
    assert by_pk[visit.pk]["DTSTART"].dt == visit.starts_at
    assert any(str(e["SUMMARY"]) == "Care careers fair" for e in entries.values())
    body = response.content.decode()
    for secret in ("Morwenna", "Trelawny", "morwenna@example.net", "900456", "unwell"):
        assert secret not in body
    assert response["Cache-Control"].startswith("private")


def test_a_change_keeps_the_uid_and_raises_the_sequence(coordinator):
    appointment = _booked(coordinator, days=2)
    Appointment.objects.filter(pk=appointment.pk).update(
        updated_at=timezone.now() - dt.timedelta(hours=1)
    )
    url = _feed(coordinator)
    before = next(iter(_entries(Client().get(url)).items()))
    services.appointment_change(
        appointment=appointment, by=coordinator.user, starts_at=_at(2, 15)
    )
    after = next(iter(_entries(Client().get(url)).items()))
    assert after[0] == before[0]
    assert int(after[1]["SEQUENCE"]) > int(before[1]["SEQUENCE"])
    assert after[1]["DTSTART"].dt == _at(2, 15)


def test_a_wrong_or_replaced_token_finds_nothing(coordinator):
    _booked(coordinator, days=2)
    old = _feed(coordinator)
    assert Client().get(old).status_code == 200
    new = _feed(coordinator)  # "Make a new address"
    assert new != old
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    wrong = reverse("vacancies:event-feed-private", args=["x" * 43])
    assert Client().get(wrong).status_code == 404


def test_the_diary_links_to_its_feed_and_the_feed_page_explains_it(
    client_of, coordinator
):
    client = client_of(coordinator)
    diary = client.get(reverse("participants:diary")).content.decode()
    assert "Add to Outlook or Google" in diary
    assert reverse("vacancies:event-calendar") in diary
    made = client.post(reverse("vacancies:event-calendar-new"), follow=True)
    html = made.content.decode()
    assert "Your diary" in html
    assert "Subscribe from web" in html
    assert "webcal://testserver" + _token_path(coordinator) in html


def _token_path(membership):
    token = CalendarFeed.objects.get(membership=membership).token
    return reverse("vacancies:event-feed-private", args=[token])


def test_the_home_page_shows_todays_diary_with_its_one_tap_actions(
    client_of, coordinator
):
    earlier = _booked(coordinator, days=0, hour=0, minute=1)
    tomorrow = _booked(coordinator, days=1, hour=9)
    html = client_of(coordinator).get(reverse("home")).content.decode()
    assert "Today's diary (1)" in html
    assert reverse("participants:detail", args=[earlier.participant_id]) in html
    assert reverse("participants:appointment-attended", args=[earlier.pk]) in html
    assert reverse("participants:detail", args=[tomorrow.participant_id]) not in html


def test_the_diary_records_whose_interview_it_shows(client_of, coordinator):
    person = ParticipantFactory(
        academy=coordinator.academy, coordinator=coordinator.user
    )
    ReferralFactory(
        participant=person,
        stage=Referral.Stage.INTERVIEW,
        interview_at=_at(0, 23, 59),
        interview_place="Oak House",
    )
    client_of(coordinator).get(reverse("participants:diary"))
    assert any(person.pk in r.participant_ids for r in AccessRecord.objects.all())


def _started(appointment, minutes_ago=10):
    Appointment.objects.filter(pk=appointment.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    appointment.refresh_from_db()
    return appointment


def test_the_one_tap_buttons_say_what_they_do(client_of, coordinator):
    appointment = _started(_booked(coordinator, days=0))
    client = client_of(coordinator)
    for url in (
        reverse("participants:diary"),
        reverse("participants:detail", args=[appointment.participant_id]),
    ):
        html = client.get(url).content.decode()
        # A button that reads "Attended" looked like the status badge (done).
        assert ">Mark attended</button>" in html
        assert ">Mark did not attend</a>" in html
        assert ">Attended<" not in html
    services.appointment_attend(appointment=appointment, by=coordinator.user)
    html = client.get(reverse("participants:diary")).content.decode()
    assert "Mark attended" not in html
    assert ">Attended</span>" in html  # the status badge stays


def test_the_video_link_is_offered_only_until_the_call_ends(client_of, coordinator):
    link = "https://meet.example.net/abc"
    ahead = _booked(coordinator, days=0, hour=23, minute=59, kind="video", link=link)
    client = client_of(coordinator)
    day = timezone.localtime(ahead.starts_at).date().isoformat()

    def offered():
        html = client.get(reverse("participants:diary"), {"day": day}).content
        return "Join the video call" in html.decode()

    assert offered()
    _started(ahead, minutes_ago=10)  # on now (30 minutes)
    day = timezone.localtime(ahead.starts_at).date().isoformat()
    assert offered()
    _started(ahead, minutes_ago=40)  # over, not marked yet
    day = timezone.localtime(ahead.starts_at).date().isoformat()
    assert not offered()
    _started(ahead, minutes_ago=10)
    services.appointment_attend(appointment=ahead, by=coordinator.user)
    assert not offered()
