"""Events at the door and at the desk (issue 17): a coordinator on a phone takes the
register (mark all present, one who did not come, a walk-in), and on a laptop creates
a weekly drop-in."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.form_errors import beside_field, in_summary
from tests.vacancies.factories import EventFactory, SignUpFactory
from vacancies.models import Event, EventSeries, SignUp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
LONDON = ZoneInfo("Europe/London")


def _open_events(page):
    """The menu's Events: a link, or a dropdown holding it (with calendar feeds)."""
    section = page.get_by_role("button", name="Events", exact=True)
    if section.count():
        section.click()
    page.get_by_role("link", name="Events", exact=True).click()


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_coordinator_takes_the_register_at_the_door_on_a_phone(
    page, live_server, sign_in, screenshot, coordinator
):
    now = timezone.now().replace(second=0, microsecond=0)
    event = EventFactory(
        academy=coordinator.academy,
        title="Careers in care: information session",
        venue="Skills Launchpad Plymouth, Frankfort Gate",
        starts_at=now - dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(hours=2),
        capacity=10,
    )
    for first, last in (
        ("Amira", "Haddad"),
        ("Bartholomew", "Fotheringham-Smythe"),
        ("Chen", "Li"),
    ):
        SignUpFactory(
            event=event,
            first_name=first,
            last_name=last,
            email=f"{first.lower()}@example.org",
            status=SignUp.Status.BOOKED,
            source=SignUp.Source.PUBLIC,
        )
    page.set_viewport_size(PHONE)
    page.on("dialog", lambda dialog: dialog.accept())  # "Mark everyone present?"
    sign_in(page, coordinator.user.email)
    page.get_by_role("button", name="Show menu").click()
    _open_events(page)
    expect(page.get_by_role("heading", name="Events")).to_be_visible()
    _fits(page, PHONE["width"])
    screenshot(page, "events-staff-list-phone")

    page.get_by_role("link", name=event.title).click()
    expect(page.get_by_text("3 of 10 taken")).to_be_visible()
    _fits(page, PHONE["width"])
    screenshot(page, "events-staff-detail-phone")

    page.get_by_role("link", name="Open the register").click()
    expect(page.get_by_role("heading", name=f"Register: {event.title}")).to_be_visible()
    _fits(page, PHONE["width"])
    screenshot(page, "events-staff-register-phone")

    page.get_by_role("button", name="Mark all present").click()
    expect(page.get_by_text("3 people marked present.")).to_be_visible()
    assert set(SignUp.objects.values_list("status", flat=True)) == {"attended"}

    chen = page.locator("li.portal-register-row").filter(has_text="Chen Li")
    chen.get_by_role("button", name="Did not come").click()  # htmx: this row only
    expect(chen.get_by_text("Did not come", exact=True)).to_be_visible()
    expect(page.locator("#register-counts")).to_contain_text("2 came")
    expect(page.locator("#register-counts")).to_contain_text("1 did not come")
    assert SignUp.objects.get(first_name="Chen").status == SignUp.Status.NO_SHOW
    screenshot(page, "events-staff-register-marked-phone")

    page.get_by_role("button", name="Add a walk-in").click()
    walk_in = page.get_by_role("region", name="Someone walked in?")
    expect(walk_in).to_have_class(re.compile(r"\bcollapse show\b"))  # opened
    walk_in.get_by_label("First name").fill("Dee")
    walk_in.get_by_label("Last name").fill("Walker")
    walk_in.get_by_label("Phone").fill("07700 900456")
    screenshot(page, "events-staff-walk-in-form-phone")
    walk_in.get_by_role("button", name="Add them, present").click()
    expect(page.get_by_text("Dee Walker is on the register, present.")).to_be_visible()
    dee = page.locator("li.portal-register-row").filter(has_text="Dee Walker")
    expect(dee.get_by_role("link", name="Turn into an enquiry")).to_be_visible()
    added = SignUp.objects.get(first_name="Dee")
    assert (added.status, added.source, added.phone) == (
        SignUp.Status.ATTENDED,
        SignUp.Source.WALK_IN,
        "+447700900456",
    )
    expect(page.locator("#register-counts")).to_contain_text("3 came")
    _fits(page, PHONE["width"])
    screenshot(page, "events-staff-register-walk-in-phone")

    page.get_by_role("link", name="QR code").click()
    expect(page.locator(".portal-qr-large svg")).to_be_visible()
    expect(page.get_by_text(f"/events/check-in/{event.checkin_token}/")).to_be_visible()
    _fits(page, PHONE["width"])
    screenshot(page, "events-staff-qr-phone")

    # The paper register, as a printer gets it: no menu, no buttons, boxes to tick.
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/events/{event.pk}/register/print/")
    page.emulate_media(media="print")
    expect(page.get_by_text("Back to the event")).to_be_hidden()
    expect(page.get_by_role("button")).to_have_count(0)
    expect(page.locator("tr.blank")).to_have_count(16)
    screenshot(page, "events-staff-printed-register")


def test_a_coordinator_creates_a_weekly_series_on_a_laptop(
    page, live_server, sign_in, screenshot, coordinator
):
    today = timezone.localdate()
    first = today + dt.timedelta(days=7 + (2 - today.weekday()) % 7)  # a Wednesday
    page.set_viewport_size(LAPTOP)
    sign_in(page, coordinator.user.email)
    _open_events(page)
    page.get_by_role("link", name="Create an event").first.click()
    expect(page.get_by_role("heading", name="Create an event")).to_be_visible()

    page.get_by_label("What it is").select_option("drop_in")
    page.get_by_label("Title").fill("Wednesday drop-in")
    page.get_by_label("Description").fill("Drop in to talk about jobs in care.")
    page.get_by_label("Aged over 50").check()
    page.get_by_label("Venue").fill("Skills Launchpad Plymouth")
    page.get_by_label("Postcode").fill("pl1 1qa")
    page.get_by_label("Every week").check()
    page.locator("#id_first_on").fill(first.isoformat())
    page.get_by_label("Last date").fill((first + dt.timedelta(weeks=5)).isoformat())
    page.get_by_label("Starts at").fill("10:00")
    page.get_by_label("Ends at").fill("09:00")
    page.get_by_label("Places").fill("15")
    page.get_by_role("button", name="Create the event").click()
    expect(in_summary(page, "The end must be after the start.")).to_be_visible()
    expect(beside_field(page, "The end must be after the start.")).to_be_visible()
    assert not Event.objects.exists()
    screenshot(page, "events-staff-create-error-laptop")

    page.get_by_label("Ends at").fill("13:00")
    page.get_by_role("button", name="Create the event").click()
    expect(page.get_by_text("Wednesday drop-in is created: 6 dates.")).to_be_visible()
    assert EventSeries.objects.get().frequency == "weekly"
    starts = [
        timezone.localtime(e.starts_at, LONDON)
        for e in Event.objects.order_by("starts_at")
    ]
    assert [s.date() for s in starts] == [
        first + dt.timedelta(weeks=n) for n in range(6)
    ]
    assert {s.time() for s in starts} == {dt.time(10, 0)}
    expect(page.get_by_text("Every week; 5 later dates")).to_be_visible()
    screenshot(page, "events-staff-created-laptop")

    page.get_by_role("link", name="← Events").click()
    expect(page.locator(".portal-event-list .card")).to_have_count(6)
    _fits(page, LAPTOP["width"])
    screenshot(page, "events-staff-list-laptop")
