"""A coordinator plans on a phone (and a desk): books an appointment from the person's
page, finds it in the diary's day and week, and on the day marks it attended."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import Appointment, Meeting
from tests.participants.factories import ParticipantFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}


def _fits(page, size):
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]


@pytest.mark.parametrize(("size", "name"), [(PHONE, "phone"), (DESK, "desk")])
def test_coordinator_books_sees_and_marks_an_appointment(
    page, live_server, sign_in, screenshot, coordinator, size, name
):
    person = ParticipantFactory(
        academy=coordinator.academy,
        coordinator=coordinator.user,
        first_name="Morwenna",
        last_name="Trelawny",
        contact_by="email",
    )
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    page.set_viewport_size(size)
    sign_in(page, coordinator.user.email)

    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    page.get_by_role("link", name="Book an appointment").click()
    page.get_by_label("Date").fill(tomorrow.isoformat())
    page.get_by_label("Time").fill("10:30")
    page.get_by_label("Length").select_option("45")
    page.get_by_label("Kind").select_option("job_centre")
    page.get_by_label("Place or phone number").fill("Royal Parade Jobcentre")
    _fits(page, size)
    screenshot(page, f"diary-book-{name}")
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_text("They will be sent a confirmation")).to_be_visible()
    expect(page.get_by_role("heading", name="Appointments")).to_be_visible()
    expect(page.get_by_text("Royal Parade Jobcentre").first).to_be_visible()
    _fits(page, size)
    screenshot(page, f"diary-person-{name}")

    menu = page.get_by_role("button", name="Show menu")
    if menu.is_visible():
        menu.click()
    page.get_by_role("link", name="Diary", exact=True).first.click()
    expect(page.get_by_role("heading", name="Your diary", exact=True)).to_be_visible()
    page.get_by_role("link", name="Next day →").click()
    entry = page.locator(".diary-appointment")
    expect(entry).to_contain_text("10:30")
    expect(entry).to_contain_text("Morwenna Trelawny")
    expect(entry.get_by_role("link", name="Change")).to_be_visible()
    _fits(page, size)
    screenshot(page, f"diary-day-{name}")

    page.get_by_role("link", name="Week view").click()
    expect(page.locator("section.card h2")).to_have_count(7 + 1)
    expect(page.locator(".diary-appointment")).to_contain_text("Morwenna Trelawny")
    _fits(page, size)
    screenshot(page, f"diary-week-{name}")

    # The day comes: the appointment has started.
    appointment = Appointment.objects.get(participant=person)
    Appointment.objects.filter(pk=appointment.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=10)
    )
    page.get_by_role("link", name="This week").click()
    page.get_by_role("link", name="Day view").click()
    entry = page.locator(".diary-appointment")
    screenshot(page, f"diary-today-{name}")
    entry.get_by_role("button", name="Mark attended").click()
    expect(page.get_by_text("the meeting is recorded")).to_be_visible()
    page.get_by_label("Notes").fill("Keen on nights; no car.")
    screenshot(page, f"diary-notes-{name}")
    page.get_by_role("button", name="Save the notes").click()
    expect(page.get_by_text("Notes saved.")).to_be_visible()
    expect(page.locator(".diary-appointment")).to_contain_text("Attended")
    _fits(page, size)
    screenshot(page, f"diary-attended-{name}")
    meeting = Meeting.objects.get(participant=person)
    assert meeting.notes == "Keen on nights; no car."
    assert Appointment.objects.get(pk=appointment.pk).meeting == meeting


def test_booking_from_the_diary_ends_on_the_diary_day_of_the_appointment(
    page, live_server, sign_in, screenshot, coordinator
):
    person = ParticipantFactory(
        academy=coordinator.academy,
        coordinator=coordinator.user,
        first_name="Morwenna",
        last_name="Trelawny",
    )
    ParticipantFactory(academy=coordinator.academy, first_name="Morwenna")
    day = timezone.localdate() + dt.timedelta(days=2)
    page.set_viewport_size(PHONE)
    sign_in(page, coordinator.user.email)
    page.goto(f"{live_server.url}/diary/")
    page.get_by_role("link", name="Book", exact=True).click()
    page.get_by_label("Find the person").fill("Morwenna")
    page.get_by_role("button", name="Find").click()
    button = f"Book with Morwenna Trelawny ({person.reference})"
    # One's own caseload first.
    expect(page.locator(".list-group-item .btn").first).to_have_text(button)
    _fits(page, PHONE)
    screenshot(page, "diary-find-phone")
    page.get_by_role("link", name=button).click()
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Time").fill("11:00")
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("heading", name="Your diary", exact=True)).to_be_visible()
    expect(page.get_by_text(f"{day:%A} {day.day} {day:%B %Y}")).to_be_visible()
    expect(page.locator(".diary-appointment")).to_contain_text("Morwenna Trelawny")
    assert Appointment.objects.get(participant=person)
    screenshot(page, "diary-booked-from-diary-phone")
