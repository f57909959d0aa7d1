"""What events lead to (issue 17), in a browser at 390 and 1366 px: a coordinator makes
their calendar feed's address, a manager reads the impact report's event figures, and
a person's timeline shows the events they came to."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.participants.factories import ParticipantFactory
from tests.vacancies.events_data import END, START, hand_made_events
from tests.vacancies.factories import EventFactory
from vacancies import services
from vacancies.models import CalendarFeed, SignUp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_coordinator_makes_their_calendar_feed_on_a_phone(
    page, live_server, sign_in, screenshot, coordinator
):
    page.set_viewport_size(PHONE)
    sign_in(page, coordinator.user.email)
    page.goto(live_server.url + reverse("vacancies:event-calendar"))
    expect(page.get_by_role("heading", name="Calendar feeds")).to_be_visible()
    page.get_by_role("button", name="Make my feed's address").click()
    expect(page.get_by_text("Your calendar feed is ready")).to_be_visible()
    token = CalendarFeed.objects.get(membership=coordinator).token
    expect(page.get_by_label("Your feed's address")).to_have_value(
        f"{live_server.url}/events/calendar/{token}.ics"
    )
    _fits(page, PHONE["width"])
    screenshot(page, "events-calendar-feeds-phone")

    page.set_viewport_size(LAPTOP)
    page.get_by_role("button", name="Make a new address").click()
    expect(page.get_by_text("The old address no longer works")).to_be_visible()
    _fits(page, LAPTOP["width"])
    screenshot(page, "events-calendar-feeds-laptop")


@pytest.mark.parametrize(("size", "name"), [(PHONE, "phone"), (LAPTOP, "laptop")])
def test_a_manager_reads_what_events_led_to(
    page, live_server, sign_in, screenshot, manager, other_academy, size, name
):
    hand_made_events(manager.academy, other_academy)
    page.set_viewport_size(size)
    sign_in(page, manager.user.email)
    page.goto(
        live_server.url
        + reverse("reporting:impact")
        + f"?period=custom&start={START}&end={END}"
    )
    section = page.get_by_role("region", name="Events and what came of them")
    expect(section).to_be_visible()
    drop_ins = section.get_by_role("row", name="Drop-in")
    cells = drop_ins.get_by_role("cell")
    expect(cells).to_have_text(
        ["2", "3", "1", "1 / 1", "0 / 1", "0 / 1"], use_inner_text=True
    )
    # On a phone each row is a card whose cells say their column (drawn from
    # data-label, which screen readers skip: they have the column headers).
    labels = cells.evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)"
    )
    shown = [
        '"Held" / ""',
        '"Came" / ""',
        '"New" / ""',
        '"Plan agreed within 3 / 6 months" / ""',
        '"Referred within 3 / 6 months" / ""',
        '"Job started within 3 / 6 months" / ""',
    ]
    assert labels == (shown if name == "phone" else ["none"] * 6), labels
    _fits(page, size["width"])
    section.scroll_into_view_if_needed()
    screenshot(page, f"impact-events-{name}")


def test_a_persons_timeline_shows_the_events_they_came_to_on_a_phone(
    page, live_server, sign_in, screenshot, coordinator
):
    person = ParticipantFactory(
        academy=coordinator.academy, first_name="Amira", last_name="Haddad"
    )
    event = EventFactory(
        academy=coordinator.academy, title="Careers in care: information session"
    )
    signup = SignUp.objects.create(
        event=event,
        participant=person,
        first_name="Amira",
        status=SignUp.Status.BOOKED,
        source=SignUp.Source.STAFF,
    )
    services.attendance_mark(signup=signup, attended=True, by=coordinator.user)
    page.set_viewport_size(PHONE)
    sign_in(page, coordinator.user.email)
    page.goto(live_server.url + reverse("participants:detail", args=[person.pk]))
    expect(
        page.get_by_text("Came to Careers in care: information session")
    ).to_be_visible()
    expect(
        page.get_by_text("Signed up to Careers in care: information session")
    ).to_be_visible()
    _fits(page, PHONE["width"])
    screenshot(page, "timeline-events-phone")
