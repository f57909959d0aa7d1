"""Funder returns in a browser (issue 14), on a phone and a desk: a manager opens
Impact → Funder returns, picks a year, ticks for publication and downloads the
workbook; an admin adds a figure, is told what to fix, and sees the next version."""

import datetime as dt
import io

import openpyxl
import pytest
from playwright.sync_api import expect

from reporting.funders.services import funder_returns_install
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.form_errors import beside_field, in_summary
from tests.reporting.test_funders_build import Person, write
from tests.reporting.test_funders_build import areas as areas  # a fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SIZES = [(390, 844), (1366, 900)]


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.fixture
def supported(academy, areas):
    funder_returns_install(academy)
    academy.launched_on = dt.date(2023, 11, 1)
    academy.save()
    people = [
        Person(
            f"PLY-{i:02d}",
            "PL1 1AA" if i % 3 else "PL2 2BB",
            dt.date(2024, 1, 5),
            status="inactive" if i % 2 else "unemployed",
            supports=[("careers", dt.date(2024, 5 + i % 6, 1))],
            plans=[dt.date(2024, 6 + i % 3, 1)] if i % 4 == 1 else [],
            outcomes=[("employment", "health_social_care", dt.date(2024, 9, 1))]
            if i % 5 == 0
            else [],
        )
        for i in range(40)
    ] + [
        Person(
            f"SH-{i}",
            "TQ9 5AA",
            dt.date(2024, 1, 5),
            supports=[("employability", dt.date(2024, 7, 1))],
        )
        for i in range(3)
    ]
    write(academy, people)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_manager_builds_a_published_return_and_downloads_the_workbook(
    page, live_server, sign_in, screenshot, manager, supported, width, height, tmp_path
):
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, manager.user.email)
    if width < 1200:
        page.get_by_role("button", name="Show menu").click()
    page.get_by_role("button", name="Impact").click()
    page.get_by_role("link", name="Funder returns").click()
    expect(page.get_by_role("heading", name="Funder returns")).to_be_visible()
    _fits(page, width)
    screenshot(page, f"funder-returns-{width}")

    page.get_by_role("link", name="UKSPF People and Skills").click()
    page.get_by_role("combobox", name="Financial year").select_option("2024")
    page.get_by_label("For publication").check()
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_role("heading", name="Financial year 2024/25")).to_be_visible()
    expect(
        page.get_by_text("For publication: counts of 1 to 4 read <5")
    ).to_be_visible()
    first = page.locator("section.card").first
    expect(first).to_contain_text(
        "Number of people supported to engage in job-searching"
    )
    expect(first).to_contain_text("South Hams")
    expect(page.get_by_role("heading", name="Exceptions to fix")).to_be_visible()
    _fits(page, width)
    screenshot(page, f"funder-return-{width}")
    # The top of the page and one figure's table, at a size a person can look at.
    page.screenshot(
        path=SCREENSHOTS / f"funder-return-top-{width}.png",
        clip={"x": 0, "y": 0, "width": width, "height": 1000},
        full_page=True,
    )
    first.screenshot(path=SCREENSHOTS / f"funder-return-figure-{width}.png")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download the workbook (XLSX)").click()
    download = info.value
    assert download.suggested_filename.endswith("-2024-25-v1-for-publication.xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
    assert book.sheetnames == ["Cover", "Figures", "Definitions"]
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, int) and 0 < value < 5), value


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_admin_adds_a_figure_and_the_return_moves_to_its_next_version(
    page, live_server, sign_in, screenshot, admin, supported, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, admin.user.email)
    page.goto(f"{live_server.url}/reports/funders/")
    page.get_by_role("link", name="Change").first.click()
    expect(page.get_by_role("heading", name="Its figures")).to_be_visible()
    _fits(page, width)
    screenshot(page, f"funder-return-edit-{width}")

    page.get_by_role("link", name="Add a figure").click()
    page.get_by_label("Code").fill("DWP-05")
    page.get_by_label("Title").fill("Starts in care jobs")
    page.get_by_label("Definition").fill("People who started paid work in care.")
    page.get_by_label("What is counted").select_option("people_registered")
    page.get_by_label("Job sector").select_option("health_social_care")
    page.get_by_role("button", name="Save figure").click()
    expect(
        in_summary(page, "A job sector narrows only a figure that counts jobs")
    ).to_be_visible()
    expect(
        beside_field(page, "A job sector narrows only a figure that counts jobs")
    ).to_be_visible()
    _fits(page, width)
    screenshot(page, f"funder-indicator-error-{width}")

    page.get_by_label("What is counted").select_option("employment_any_sector")
    page.get_by_role("button", name="Save figure").click()
    expect(page.get_by_text("DWP-05 saved")).to_be_visible()
    expect(page.get_by_text("is now version 2")).to_be_visible()
    expect(page.get_by_role("link", name="DWP-05: Starts in care jobs")).to_be_visible()
    _fits(page, width)
    screenshot(page, f"funder-return-edited-{width}")
