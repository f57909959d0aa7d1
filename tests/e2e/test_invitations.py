"""An admin sends a new member's invitation again from the members page, and the new
member opens the link: "Set your password" (issue 15), on a phone and a desk."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import expect

from academy import services
from academy.permissions import Role
from tests.e2e.test_accessibility import violations_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/invitations")  # noqa: S108 - a fixed place to look, not secret


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1366, 900)])
def test_admin_sends_an_invitation_again_and_the_link_sets_a_password(
    page, live_server, sign_in, admin, width, height, settings
):
    settings.SITE_URL = live_server.url
    services.member_add(
        academy=admin.academy,
        email="nina@example.org",
        first_name="Nina",
        last_name="Ng",
        role=Role.COORDINATOR,
        organisation=None,
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, admin.user.email)

    page.goto(f"{live_server.url}/manage/members/")
    again = page.get_by_role("button", name="Send the invitation again to Nina Ng")
    expect(again).to_be_visible()
    box = again.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= width
    sent = len(mail.outbox)
    again.click()
    expect(
        page.get_by_text("Invitation sent again to nina@example.org")
    ).to_be_visible()
    page.screenshot(path=str(SHOTS / f"members-{width}.png"), full_page=True)
    assert len(mail.outbox) == sent + 1

    link = next(
        line.strip()
        for line in mail.outbox[-1].body.splitlines()
        if "/accounts/invitation/" in line
    )
    stranger = page.context.browser.new_page(
        viewport={"width": width, "height": height}
    )
    stranger.goto(link)
    expect(stranger.get_by_role("heading", name="Set your password")).to_be_visible()
    assert violations_of(Axe(), stranger) == []
    stranger.screenshot(path=str(SHOTS / f"set-password-{width}.png"), full_page=True)
    stranger.goto(f"{live_server.url}/accounts/invitation/MQ/old-link/")
    expect(
        stranger.get_by_role("heading", name="This invitation link has expired")
    ).to_be_visible()
    assert violations_of(Axe(), stranger) == []
    stranger.screenshot(path=str(SHOTS / f"expired-{width}.png"), full_page=True)
    stranger.close()
