"""The error summary on the pages that had their own red box or none (issue 15): the
impact page's period, the year's targets ("Nothing was saved" said once, as the
summary's lead) and the events board's filters folding as the jobs board's do."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.e2e.form_errors import beside_field, in_summary
from tests.vacancies.factories import EventFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
SIZES = pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.fixture
def launched(academy):
    academy.launched_on = dt.date(2022, 4, 1)
    academy.save()
    return academy


@SIZES
def test_the_impact_page_summarises_a_period_that_ends_before_it_starts(
    page, live_server, sign_in, screenshot, manager, launched, size
):
    page.set_viewport_size(size)
    sign_in(page, manager.user.email)
    page.goto(
        f"{live_server.url}/reports/impact/?period=custom&start=2024-06-30&end=2024-04-01"
    )
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_count(1)
    message = "The last day must be on or after the first."
    expect(in_summary(page, message)).to_be_visible()
    expect(beside_field(page, message)).to_be_visible()
    assert page.title().startswith("Error: ")
    _fits(page, size["width"])
    screenshot(page, f"form-summary-impact-{size['width']}")
    summary.get_by_role("link", name="To").click()
    expect(page.get_by_label("To", exact=True)).to_be_focused()


@SIZES
def test_bad_targets_say_nothing_was_saved_once(
    page, live_server, sign_in, screenshot, manager, launched, size
):
    page.set_viewport_size(size)
    sign_in(page, manager.user.email)
    page.goto(f"{live_server.url}/reports/impact/targets/")
    page.get_by_label("People registered").fill("-5")
    page.get_by_role("button", name="Save targets").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_count(1)
    expect(page.get_by_text("Nothing was saved")).to_have_count(1)
    expect(summary).to_contain_text("Nothing was saved")
    expect(in_summary(page, "A target cannot be negative")).to_be_visible()
    expect(beside_field(page, "A target cannot be negative")).to_be_visible()
    _fits(page, size["width"])
    screenshot(page, f"form-summary-targets-{size['width']}")


@SIZES
def test_the_events_board_folds_its_filters_under_filter(
    page, live_server, screenshot, academy, size
):
    EventFactory(academy=academy, is_public=True)
    page.set_viewport_size(size)
    page.goto(f"{live_server.url}/events/{academy.slug}/?area=EX4")
    # A wrong filter unfolds them, to say why.
    expect(beside_field(page, "Choose an area from the list.")).to_be_visible()
    expect(page.get_by_label("Area")).to_be_visible()
    page.get_by_label("Area").select_option("")
    page.get_by_label("Kind of event").select_option("information")
    page.get_by_role("button", name="Show events").click()
    expect(page.get_by_text("1 event matching the filters")).to_be_visible()
    _fits(page, size["width"])
    screenshot(page, f"form-summary-events-board-{size['width']}")
    if size is PHONE:
        button = page.get_by_role("button", name="Filter 1 chosen")
        expect(button).to_be_visible()
        expect(page.get_by_label("Kind of event")).to_be_hidden()
        button.click()
        expect(page.get_by_label("Kind of event")).to_be_visible()
    else:
        expect(page.get_by_role("button", name="Filter")).to_be_hidden()
        expect(page.get_by_label("Kind of event")).to_be_visible()
