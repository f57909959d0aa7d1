"""A manager opens the impact dashboard, writes a narrative, asks for a PDF and
downloads it; sets the year's targets (issue 14), on a phone and a laptop."""

import datetime as dt
import shutil
import subprocess

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.conftest import service_missing
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.form_errors import beside_field, in_summary
from tests.participants.factories import (
    OutcomeFactory,
    ParticipantCohortFactory,
    SkillsActionPlanFactory,
    SupportFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}


@pytest.fixture
def activity(manager):
    academy = manager.academy
    academy.launched_on = dt.date(2024, 4, 1)
    academy.save()
    for n in range(12):
        plan = SkillsActionPlanFactory(
            participant__academy=academy,
            participant__is_claimant=n % 3 != 0,
            agreed_on=dt.date(2024, 4 + n % 3, 10),
        )
        ParticipantCohortFactory(
            participant=plan.participant, code="over_50" if n % 2 else "refugee"
        )
        SupportFactory(participant=plan.participant, given_on=dt.date(2024, 5, 1))
        if n < 5:
            OutcomeFactory(participant=plan.participant, started_on=dt.date(2024, 6, 3))


def test_manager_asks_for_a_pdf_and_downloads_it(
    page, live_server, sign_in, screenshot, manager, activity, tmp_path
):
    sign_in(page, manager.user.email)
    expect(
        page.get_by_role("heading", name="Impact: Since launch (April 2024)")
    ).to_be_visible()
    page.get_by_role("link", name="Open the impact report").click()
    page.get_by_label("Period", exact=True).select_option("custom")
    page.get_by_label("From", exact=True).fill("2024-04-01")
    page.get_by_label("To", exact=True).fill("2024-06-30")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("1 April 2024 to 30 June 2024")).to_be_visible()
    expect(page.locator(".headline-card").first).to_contain_text("12")
    screenshot(page, "impact-dashboard")

    page.get_by_role("link", name="Make a PDF").click()
    # The form keeps the dashboard's period; the narrative is typed before building.
    expect(page.get_by_label("From", exact=True)).to_have_value("2024-04-01")
    expect(page.get_by_label("To", exact=True)).to_have_value("2024-06-30")
    page.get_by_label("Narrative").fill(
        "A strong first quarter.\n\nTwelve people agreed a plan."
    )
    screenshot(page, "impact-pdf-form")
    page.get_by_role("button", name="Build the PDF").click()
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible(
        timeout=30000
    )
    screenshot(page, "impact-pdf-ready")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the PDF").click()
    path = tmp_path / "impact.pdf"
    info.value.save_as(path)

    pages = PdfReader(path).pages
    cover = pages[0].extract_text()
    assert cover.strip().startswith("Internal — not for publication")
    assert manager.academy.name in cover
    assert "A strong first quarter." in pages[1].extract_text()
    assert "12" in pages[1].extract_text()
    if not shutil.which("pdftoppm"):
        service_missing("pdftoppm (Debian's poppler-utils) to render the PDF to PNG")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            shutil.which("pdftoppm"),
            "-png",
            "-r",
            "70",
            "-f",
            "1",
            "-l",
            "2",
            str(path),
            str(SCREENSHOTS / "impact-pdf-page"),
        ],
        check=True,
    )
    assert (SCREENSHOTS / "impact-pdf-page-1.png").exists()


def test_provider_cannot_open_the_impact_report(page, live_server, sign_in, provider):
    sign_in(page, provider.user.email)
    expect(page.get_by_role("link", name="Impact")).to_have_count(0)
    response = page.goto(f"{live_server.url}/reports/impact/")
    assert response.status == 403


@pytest.mark.parametrize(("size", "name"), [(PHONE, "phone"), (LAPTOP, "laptop")])
def test_manager_sets_the_years_targets(
    page, live_server, sign_in, screenshot, manager, size, name
):
    page.set_viewport_size(size)
    sign_in(page, manager.user.email)
    page.goto(f"{live_server.url}/reports/impact/targets/")
    expect(page.get_by_role("heading", name="Targets", exact=True)).to_be_visible()
    plans = page.get_by_label("People supported with a skills action plan")
    plans.fill("-20")
    page.get_by_label("People registered").fill("300")
    page.get_by_role("button", name="Save targets").click()
    expect(in_summary(page, "A target cannot be negative")).to_be_visible()
    expect(beside_field(page, "A target cannot be negative")).to_be_visible()
    expect(page.locator(".error-summary")).to_contain_text("Nothing was saved")
    screenshot(page, f"impact-targets-refused-{name}")
    # Nothing overflows the page sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]

    page.get_by_label("People supported with a skills action plan").fill("500")
    page.get_by_role("button", name="Save targets").click()
    expect(page.get_by_text("saved (2 changed)")).to_be_visible()
    expect(page.get_by_label("People registered")).to_have_value("300")
    screenshot(page, f"impact-targets-{name}")


def test_the_pdf_form_on_a_phone(page, live_server, sign_in, screenshot, manager):
    page.set_viewport_size(PHONE)
    sign_in(page, manager.user.email)
    page.goto(f"{live_server.url}/reports/runs/?period=last_quarter&publish=on")
    expect(page.get_by_label("For publication")).to_be_checked()
    page.get_by_label("Narrative").fill("x" * 10)
    screenshot(page, "impact-pdf-form-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
