"""A job seeker searches the public vacancy board on a phone and on a laptop: keyword,
filters folded under "Filter" on a phone, pay that is not a number, sorting, paging,
and the vacancy page's JobPosting data (issue 15)."""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from academy.places.districts import district_rows
from tests.academy.factories import OrganisationFactory
from tests.vacancies.factories import VacancyFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
SHOTS = Path("/tmp/shots/public-board")  # noqa: S108 - a fixed place to look, not secret
DISTRICTS = {district: (lat, lon) for district, lat, lon in district_rows()}


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _job(academy, title, postcode="PL4 6AB", days=30, **fields):
    lat, lon = DISTRICTS[postcode.split()[0]]
    return VacancyFactory(
        academy=academy,
        title=title,
        postcode=postcode,
        latitude=lat,
        longitude=lon,
        closing_on=timezone.localdate() + dt.timedelta(days=days),
        **fields,
    )


@pytest.fixture
def jobs(academy):
    tamar = OrganisationFactory(academy=academy, name="Tamar View Care")
    _job(
        academy,
        "Night carer, Plymstock",
        organisation=tamar,
        works_days=False,
        works_nights=True,
        pay_min=Decimal("13.10"),
        pay_max=None,
        is_critical_shortage=True,
        description="Nights in a friendly home for 40 older people.",
    )
    _job(
        academy,
        "Home carer, Plympton (bank)",
        postcode="PL1 2AB",
        contract="bank",
        hours_per_week=Decimal("16"),
        pay_min=Decimal("12.71"),
        pay_max=Decimal("14.00"),
    )
    _job(
        academy,
        "Deputy manager",
        postcode="NE29 6AA",
        role="registered_manager",
        pay_unit="annual",
        pay_min=Decimal("32000"),
        pay_max=Decimal("35000"),
        days=5,
    )
    for n in range(26):
        _job(academy, f"Care worker {n:02}", days=40 + n, pay_max=None)


def test_a_job_seeker_searches_the_board_on_a_phone(page, live_server, academy, jobs):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/jobs/{academy.slug}/")
    expect(page.get_by_text("29 jobs")).to_be_visible()
    # The search and the sort are in reach; the other filters fold away.
    expect(page.get_by_label("Search jobs")).to_be_visible()
    expect(page.get_by_label("Sort by")).to_be_visible()
    expect(page.get_by_label("Contract")).to_be_hidden()
    _fits(page, PHONE["width"])
    _shot(page, "phone-1-board")

    page.get_by_label("Search jobs").fill("night")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_text("1 job matching the filters")).to_be_visible()
    entry = page.get_by_role("article").filter(has_text="Night carer, Plymstock")
    expect(entry).to_contain_text("Urgently needed")
    _shot(page, "phone-2-search")

    page.get_by_label("Search jobs").fill("")
    filters = page.get_by_role("button", name="Filter", exact=True)
    expect(filters).to_have_attribute("aria-expanded", "false")
    filters.click()
    expect(filters).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_label("Contract")).to_be_visible()
    page.get_by_label("Pay at least (£ an hour)").fill("abc")
    page.get_by_label("Your postcode").fill("PL1 1AA")
    page.get_by_role("button", name="Show jobs").click()
    message = "Enter pay as an amount in pounds an hour, such as 12.50."
    # Said at the field (unfolded, as it has a value) and in the summary above.
    expect(page.get_by_text(message, exact=True)).to_be_visible()
    expect(page.get_by_text("29 jobs matching the filters")).to_be_visible()
    _fits(page, PHONE["width"])
    _shot(page, "phone-3-bad-pay")

    page.get_by_label("Pay at least (£ an hour)").fill("13")
    page.get_by_label("Sort by").select_option("pay")
    page.get_by_role("button", name="Show jobs").click()
    expect(page.get_by_text("2 jobs matching the filters")).to_be_visible()
    titles = page.get_by_role("article").get_by_role("heading")
    # £32,000 a year over 37.5 hours a week is £16.41 an hour: the best paid.
    expect(titles.nth(0)).to_contain_text("Deputy manager")
    expect(titles.nth(1)).to_contain_text("Night carer, Plymstock")
    expect(page.get_by_role("article").nth(0)).to_contain_text("km away")
    expect(page.get_by_text(message)).to_have_count(0)
    _shot(page, "phone-4-filtered")

    page.goto(f"{live_server.url}/jobs/{academy.slug}/?sort=closing")
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    expect(page.get_by_role("article")).to_have_count(4)
    _fits(page, PHONE["width"])
    _shot(page, "phone-5-page-2")

    page.get_by_role("link", name="Care worker 25").click()
    expect(page.get_by_role("heading", name="Care worker 25")).to_be_visible()
    posting = json.loads(
        page.locator('script[type="application/ld+json"]').text_content()
    )
    assert posting["@type"] == "JobPosting"
    assert posting["title"] == "Care worker 25"
    assert posting["jobLocation"]["address"]["postalCode"] == "PL4"
    _fits(page, PHONE["width"])
    _shot(page, "phone-6-detail")


def test_on_a_laptop_the_filters_stand_beside_the_jobs(
    page, live_server, academy, jobs
):
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/jobs/{academy.slug}/")
    expect(page.get_by_role("button", name="Filter", exact=True)).to_be_hidden()
    expect(page.get_by_label("Contract")).to_be_visible()
    page.get_by_label("Contract").select_option("bank")
    page.get_by_role("button", name="Show jobs").click()
    expect(page.get_by_text("1 job matching the filters")).to_be_visible()
    expect(page.get_by_role("article")).to_contain_text("Home carer, Plympton (bank)")
    _fits(page, LAPTOP["width"])
    _shot(page, "laptop-1-contract")
    page.get_by_role("link", name="Clear the search and filters").click()
    page.get_by_label("Your postcode").fill("NE29 0AA")
    page.get_by_label("Sort by").select_option("distance")
    page.get_by_role("button", name="Show jobs").click()
    first = page.get_by_role("article").nth(0)
    expect(first).to_contain_text("Deputy manager")
    _shot(page, "laptop-2-distance")
    first.get_by_role("link", name="Deputy manager").click()
    expect(page.get_by_text("£32,000.00 to £35,000.00 per year")).to_be_visible()
    _shot(page, "laptop-3-detail")
    page.goto(f"{live_server.url}/jobs/{academy.slug}/999999/")
    expect(
        page.get_by_role("heading", name="This job is closed or no longer on the board")
    ).to_be_visible()
    _shot(page, "laptop-4-closed")
