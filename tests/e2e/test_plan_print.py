"""A coordinator prints a person's plan from their page (issue 15), on a phone and a
desk: the print view has no menu, its own links vanish when printed, and the browser
prints it on one page."""

import datetime as dt
import io
import unicodedata
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from participants.models import PlanAction
from tests.e2e.test_accessibility import violations_of
from tests.participants.factories import (
    ParticipantFactory,
    PlanActionFactory,
    SkillsActionPlanFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/plan-print")  # noqa: S108 - a fixed place to look, not secret


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1366, 900)])
def test_coordinator_prints_a_plan(
    page, live_server, sign_in, coordinator, width, height
):
    academy = coordinator.academy
    academy.public_phone = "+441752000111"
    academy.public_email = "hello@care-academy.example.org"
    academy.save()
    person = ParticipantFactory(
        academy=academy,
        first_name="Zoë",
        last_name="Brontë",
        coordinator=coordinator.user,
    )
    plan = SkillsActionPlanFactory(
        participant=person,
        target_role="Care worker (home care)",
        barriers=["transport"],
        goals="A job near home, mornings only.",
    )
    for description, owner, days in (
        ("Apply for the Care Certificate course", PlanAction.Owner.PARTICIPANT, 14),
        ("Book a DBS check", PlanAction.Owner.COORDINATOR, 7),
        ("Bus pass for the first month", PlanAction.Owner.PARTNER, 21),
    ):
        PlanActionFactory(
            plan=plan,
            description=description,
            owner=owner,
            due_on=timezone.localdate() + dt.timedelta(days=days),
        )
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, coordinator.user.email)

    page.goto(f"{live_server.url}/participants/{person.pk}/")
    page.get_by_role("link", name="Print plan").click()
    expect(page.get_by_role("heading", name="Your plan", exact=True)).to_be_visible()
    expect(page.get_by_role("columnheader", name="What you will do")).to_be_visible()
    expect(page.get_by_role("link", name="Download plan (PDF)")).to_be_visible()
    assert page.locator("nav.navbar").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert violations_of(Axe(), page) == []
    page.screenshot(path=str(SHOTS / f"screen-{width}.png"), full_page=True)

    page.emulate_media(media="print")
    expect(page.get_by_role("link", name="Download plan (PDF)")).to_be_hidden()
    page.screenshot(path=str(SHOTS / f"print-{width}.png"), full_page=True)
    printed = page.pdf(format="A4", print_background=True)
    reader = PdfReader(io.BytesIO(printed))
    assert len(reader.pages) == 1
    # NFKC: Chromium sets "fi" as one ligature glyph.
    text = " ".join(
        unicodedata.normalize("NFKC", reader.pages[0].extract_text()).split()
    )
    assert "Apply for the Care Certificate course" in text
    assert "Download plan" not in text
