"""A member of the public finds an event on a phone, signs up and sees what they got;
a full event offers its waiting list; the cancel link and the check-in page."""

import datetime as dt
import re

import icalendar
import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from tests.vacancies.factories import EventFactory
from vacancies import services
from vacancies.models import Event, SignUp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
WAIT_MS = int(settings.PUBLIC_FORM_MIN_SECONDS * 1000) + 300
TITLE = "Careers in care: information session"


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _next_week(hour):
    day = timezone.localdate() + dt.timedelta(days=7)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@pytest.fixture
def events(academy):
    academy.public_phone = "01752 123456"
    academy.public_email = "hello@careacademy.example"
    academy.save()
    talk = EventFactory(
        academy=academy,
        title=TITLE,
        kind=Event.Kind.INFORMATION,
        description=(
            "What working in care is like, the training on offer, and how to start. "
            "Come with questions; there is tea."
        ),
        venue="Skills Launchpad Plymouth",
        address="Unit 4, Civic Centre, Armada Way, Plymouth",
        postcode="PL1 2AA",
        starts_at=_next_week(10),
        ends_at=_next_week(12),
        capacity=20,
    )
    EventFactory(
        academy=academy,
        title="Wednesday drop-in",
        kind=Event.Kind.DROP_IN,
        postcode="PL4 6AB",
        starts_at=_next_week(13),
        ends_at=_next_week(16),
        capacity=None,
    )
    return talk


def _sign_up(page):
    page.get_by_label("First name").fill("Aisha")
    page.get_by_label("Last name").fill("Khan")
    page.get_by_label("E-mail address").fill("aisha.khan@example.net")
    page.get_by_label("Phone number").fill("07700 900456")
    page.get_by_label("Contact me about this event").check()
    page.wait_for_timeout(WAIT_MS)


def test_a_member_of_the_public_finds_an_event_and_signs_up_on_a_phone(
    page, live_server, screenshot, academy, events
):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/jobs/{academy.slug}/")
    page.get_by_role("link", name="Events").click()
    expect(page.get_by_role("heading", name="Events", exact=True)).to_be_visible()
    expect(page.get_by_text("2 events")).to_be_visible()
    _fits(page, 390)
    screenshot(page, "events-public-list-phone")

    page.get_by_role("button", name="Filter").click()
    # Wait for the filters to finish unfolding before using them.
    expect(page.locator("#event-filters")).to_have_class(re.compile(r"\bshow\b"))
    page.get_by_label("Kind of event").select_option("information")
    page.get_by_label("Area").select_option("PL1")
    page.get_by_role("button", name="Show events").click()
    expect(page.get_by_text("1 event matching the filters")).to_be_visible()
    # As on the jobs board, the chosen filters fold away under "Filter", counted.
    expect(page.get_by_role("button", name="Filter 2 chosen")).to_be_visible()
    expect(page.get_by_label("Kind of event")).to_be_hidden()
    expect(page.get_by_role("link", name="Wednesday drop-in")).to_have_count(0)
    screenshot(page, "events-public-list-filtered-phone")

    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.get_by_text("20 left")).to_be_visible()
    _fits(page, 390)
    screenshot(page, "events-public-detail-phone")
    page.get_by_role("link", name="Sign up", exact=True).click()
    _sign_up(page)
    screenshot(page, "events-public-form-phone")
    page.get_by_role("button", name="Sign me up").click()

    expect(page.get_by_role("heading", name="You have a place, Aisha")).to_be_visible()
    expect(page.get_by_text("We have e-mailed you a confirmation")).to_be_visible()
    _fits(page, 390)
    screenshot(page, "events-public-signed-up-phone")
    signup = SignUp.objects.get()
    assert (signup.status, signup.has_consented) == ("booked", True)
    [message] = mail.outbox
    [(_, content, _)] = message.attachments
    [entry] = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert entry.decoded("DTSTART").astimezone(dt.UTC) == events.starts_at

    # The link in the e-mail: opening it keeps the place; the button cancels it.
    page.goto(f"{live_server.url}/events/cancel/{signup.cancel_token}/")
    expect(page.get_by_role("heading", name="You have a place, Aisha")).to_be_visible()
    _fits(page, 390)
    screenshot(page, "events-public-cancel-phone")
    page.get_by_role("button", name="Cancel my place").click()
    expect(page.get_by_text("Your place is cancelled.")).to_be_visible()
    signup.refresh_from_db()
    assert signup.status == "cancelled"


def test_a_full_event_offers_the_waiting_list(
    page, live_server, screenshot, academy, events
):
    Event.objects.filter(pk=events.pk).update(capacity=1)
    services.signup_create(event=events, first_name="Ben", email="ben@example.net")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/events/{academy.slug}/")
    expect(page.get_by_text("Full: waiting list")).to_be_visible()
    page.get_by_role("link", name=TITLE).click()
    expect(
        page.get_by_text("Every place is taken. Join the waiting list")
    ).to_be_visible()
    screenshot(page, "events-public-full-phone")
    _sign_up(page)
    page.get_by_role("button", name="Join the waiting list").click()
    expect(
        page.get_by_role("heading", name="You are on the waiting list")
    ).to_be_visible()
    _fits(page, 390)
    screenshot(page, "events-public-waiting-phone")
    assert SignUp.objects.get(email="aisha.khan@example.net").status == "waiting"


def test_the_pages_on_a_laptop(page, live_server, screenshot, academy, events):
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/events/{academy.slug}/")
    expect(page.get_by_role("heading", name="Filter events")).to_be_visible()
    _fits(page, 1366)
    screenshot(page, "events-public-list-laptop")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name="Sign up", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Privacy notice")).to_be_visible()
    _fits(page, 1366)
    screenshot(page, "events-public-detail-laptop")


def test_checking_in_at_the_door_on_a_phone(page, live_server, screenshot, events):
    Event.objects.filter(pk=events.pk).update(
        starts_at=timezone.now() + dt.timedelta(minutes=30),
        ends_at=timezone.now() + dt.timedelta(hours=2),
    )
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/events/check-in/{events.checkin_token}/")
    expect(page.get_by_role("heading", name="Check in")).to_be_visible()
    page.get_by_label("First name").fill("Chidi")
    page.get_by_label("E-mail address").fill("chidi@example.net")
    page.wait_for_timeout(WAIT_MS)
    _fits(page, 390)
    screenshot(page, "events-check-in-phone")
    page.get_by_role("button", name="Check me in").click()
    expect(
        page.get_by_role("heading", name="You are checked in, Chidi")
    ).to_be_visible()
    screenshot(page, "events-check-in-done-phone")
    assert SignUp.objects.get().status == "attended"
