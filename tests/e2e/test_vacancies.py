"""A provider posts a vacancy and manages it; the public finds it on the board and
registers interest in it."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.form_errors import beside_field, in_summary
from tests.vacancies.factories import TrainingFactory, VacancyFactory
from vacancies.models import Vacancy

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
TITLE = "Home care worker (Plymstock)"


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _fill_vacancy(page, closing_on: dt.date):
    page.get_by_label("Job title").fill(TITLE)
    page.get_by_label("Role").select_option("care_worker")
    page.get_by_label("Care setting").select_option("domiciliary")
    page.get_by_label("Contract").select_option("permanent")
    page.get_by_label("Number of posts").fill("3")
    page.get_by_label("This is a critical shortage").check()
    page.get_by_label("Hours a week").fill("30")
    page.get_by_label("Weekends").check()
    page.get_by_label("Pay from (£)").fill("12.80")
    page.get_by_label("Pay up to (£)").fill("13.40")
    page.get_by_label("Postcode").fill("pl9 8ab")
    page.get_by_label("Closing date").fill(closing_on.isoformat())
    page.get_by_label("Experience").fill("None needed: full training given.")
    page.get_by_label("About the job").fill(
        "Visiting older people in Plymstock to help them live well at home."
    )
    page.get_by_label("Benefits").fill("Paid mileage, paid training.")


def test_provider_posts_a_vacancy_and_the_public_registers_interest(
    page, browser, live_server, sign_in, screenshot, provider
):
    today = timezone.localdate()
    sign_in(page, provider.user.email)
    page.get_by_role("link", name="Post a vacancy").first.click()
    expect(page.get_by_role("heading", name="Post a vacancy")).to_be_visible()
    expect(page.get_by_label("Offered by")).to_have_count(0)

    _fill_vacancy(page, today - dt.timedelta(days=2))
    page.get_by_role("button", name="Post the vacancy").click()
    passed = "The closing date has passed. Choose today or later."
    expect(in_summary(page, f"Closing date: {passed}")).to_be_visible()
    expect(beside_field(page, passed)).to_be_visible()
    assert not Vacancy.objects.exists()
    screenshot(page, "vacancies-form-error")

    page.get_by_label("Closing date").fill((today + dt.timedelta(days=21)).isoformat())
    page.get_by_role("button", name="Post the vacancy").click()
    expect(page.get_by_text(f"{TITLE} is posted.")).to_be_visible()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.get_by_text("£12.80 to £13.40 per hour")).to_be_visible()
    expect(page.get_by_text("6135 Care workers and home carers")).to_be_visible()
    screenshot(page, "vacancies-detail")

    page.goto(f"{live_server.url}/vacancies/")
    row = page.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text("Critical shortage")
    expect(row).to_contain_text("Open")
    screenshot(page, "vacancies-list")

    row.get_by_role("link", name=TITLE).click()
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_text(f"{TITLE} is paused.")).to_be_visible()
    expect(page.get_by_role("button", name="Re-open")).to_be_visible()
    assert Vacancy.objects.get().status == Vacancy.Status.PAUSED
    page.get_by_role("button", name="Re-open").click()
    expect(page.get_by_text(f"{TITLE} is re-opened.")).to_be_visible()

    visitor = browser.new_page()
    try:
        visitor.goto(f"{live_server.url}/jobs/{provider.academy.slug}/")
        expect(visitor.get_by_role("heading", name="Jobs in care")).to_be_visible()
        entry = visitor.get_by_role("article").filter(has_text=TITLE)
        expect(entry).to_contain_text("Urgently needed")
        expect(entry).to_contain_text("Area: PL9")
        expect(entry).not_to_contain_text("PL9 8AB")
        screenshot(visitor, "vacancies-board")
        entry.get_by_role("link", name=TITLE).click()
        expect(visitor.get_by_role("heading", name=TITLE)).to_be_visible()
        expect(visitor.get_by_text("Paid mileage, paid training.")).to_be_visible()
        screenshot(visitor, "vacancies-board-detail")
        visitor.get_by_role("main").get_by_role(
            "link", name="Register your interest"
        ).first.click()
        expect(
            visitor.get_by_role(
                "heading", name="Register your interest in a care career"
            )
        ).to_be_visible()
        expect(visitor.get_by_text(f"You are asking about: {TITLE}")).to_be_visible()
        screenshot(visitor, "vacancies-board-register")
    finally:
        visitor.close()


def test_provider_pages_work_on_a_phone(
    page, live_server, sign_in, screenshot, provider
):
    page.set_viewport_size(PHONE)
    vacancy = VacancyFactory(
        academy=provider.academy,
        organisation=provider.organisation,
        title="Senior care worker, nights and weekends (Plympton)",
        is_critical_shortage=True,
        qualifications="NVQ Level 3 in Health and Social Care",
    )
    TrainingFactory(
        academy=provider.academy,
        organisation=provider.organisation,
        title="Moving and handling",
    )
    sign_in(page, provider.user.email)
    page.goto(f"{live_server.url}/vacancies/")
    expect(page.get_by_role("link", name=vacancy.title)).to_be_visible()
    _fits(page, PHONE["width"])
    screenshot(page, "vacancies-list-phone")
    page.get_by_role("link", name=vacancy.title).click()
    expect(page.get_by_role("button", name="Close")).to_be_visible()
    _fits(page, PHONE["width"])
    screenshot(page, "vacancies-detail-phone")
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name=f"Edit: {vacancy.title}")).to_be_visible()
    _fits(page, PHONE["width"])
    screenshot(page, "vacancies-form-phone")

    page.goto(f"{live_server.url}/training/")
    expect(page.get_by_role("link", name="Moving and handling")).to_be_visible()
    _fits(page, PHONE["width"])
    screenshot(page, "vacancies-training-list-phone")
    page.get_by_role("link", name="Offer a training place").click()
    page.get_by_label("What it is").select_option("course")
    page.get_by_label("Title").fill("First aid at work")
    start = timezone.localdate() + dt.timedelta(days=10)
    page.get_by_label("Starts on").fill(start.isoformat())
    page.get_by_label("Ends on").fill((start - dt.timedelta(days=1)).isoformat())
    page.get_by_label("Number of places").fill("8")
    page.get_by_role("button", name="Offer the place").click()
    expect(in_summary(page, "The end date is before the start date.")).to_be_visible()
    expect(beside_field(page, "The end date is before the start date.")).to_be_visible()
    _fits(page, PHONE["width"])
    screenshot(page, "vacancies-training-form-phone")
    page.get_by_label("Ends on").fill(start.isoformat())
    page.get_by_role("button", name="Offer the place").click()
    expect(page.get_by_text("First aid at work is offered.")).to_be_visible()
    screenshot(page, "vacancies-training-detail-phone")


def test_the_board_filters_on_a_phone(page, live_server, screenshot, academy):
    page.set_viewport_size(PHONE)
    VacancyFactory(
        academy=academy,
        title="Registered nurse, community team",
        role="registered_nurse",
        setting="nhs",
        is_critical_shortage=True,
    )
    VacancyFactory(academy=academy, title="Cook", role="cook", hours_per_week=20)
    page.goto(f"{live_server.url}/jobs/{academy.slug}/")
    expect(page.get_by_text("2 jobs")).to_be_visible()
    _fits(page, PHONE["width"])
    screenshot(page, "vacancies-board-phone")
    page.get_by_role("button", name="Filter", exact=True).click()
    # Wait for the filters to finish unfolding before using them.
    expect(page.locator("#board-filters")).to_have_class(re.compile(r"\bshow\b"))
    page.get_by_label("Role").select_option("cook")
    page.get_by_label("Your postcode").fill("zz9 9zz")
    page.get_by_role("button", name="Show jobs").click()
    expect(page.get_by_text("1 job matching the filters")).to_be_visible()
    expect(
        page.get_by_text("We could not find ZZ9 9ZZ, so distances are not shown.")
    ).to_be_visible()
    _fits(page, PHONE["width"])
    screenshot(page, "vacancies-board-filtered-phone")
    page.get_by_role("link", name="Cook").click()
    expect(page.get_by_role("heading", name="Cook")).to_be_visible()
    _fits(page, PHONE["width"])
    screenshot(page, "vacancies-board-detail-phone")


def test_every_list_filters_as_soon_as_a_filter_changes(
    page, live_server, sign_in, screenshot, provider
):
    from tests.vacancies.factories import VacancyFactory

    VacancyFactory(
        academy=provider.academy,
        organisation=provider.organisation,
        title="Closed night carer",
        status="closed",
    )
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, provider.user.email)
    page.goto(f"{live_server.url}/vacancies/")
    expect(page.get_by_text("Closed night carer")).to_have_count(0)
    page.get_by_label("Status").select_option("all")
    expect(page.get_by_text("Closed night carer")).to_be_visible()
    expect(page).to_have_url(re.compile(r"status=all"))
    screenshot(page, "vacancy-list-live-phone")
