"""A manager opens the impact dashboard, asks for a PDF and downloads it."""

import datetime as dt
import shutil
import subprocess

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.conftest import service_missing
from tests.e2e.conftest import SCREENSHOTS
from tests.participants.factories import (
    OutcomeFactory,
    ParticipantCohortFactory,
    SkillsActionPlanFactory,
    SupportFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


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
        page.get_by_role("heading", name="Impact since launch (april 2024)")
    ).to_be_visible()
    page.get_by_role("link", name="Open the impact report").click()
    page.get_by_label("Period", exact=True).select_option("custom")
    page.get_by_label("From", exact=True).fill("2024-04-01")
    page.get_by_label("To", exact=True).fill("2024-06-30")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("1 April 2024 to 30 June 2024")).to_be_visible()
    expect(page.locator(".headline-card").first).to_contain_text("12")
    screenshot(page, "impact-dashboard")

    page.get_by_role("button", name="Make a PDF").click()
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible(
        timeout=30000
    )
    screenshot(page, "impact-pdf-ready")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the PDF").click()
    path = tmp_path / "impact.pdf"
    info.value.save_as(path)

    text = PdfReader(path).pages[0].extract_text()
    assert manager.academy.name in text
    assert "12" in text
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
