"""Each role signs in to its home; admins add members; forbidden pages stay shut."""

import pytest
from playwright.sync_api import expect

from tests.academy.factories import MembershipFactory, OrganisationFactory
from tests.e2e.form_errors import beside_field, in_summary

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HOME_HEADINGS = {
    "coordinator": "Partners you can refer people to",
    "provider": "Your organisation",
    "manager": "The partnership today",
    "admin": "Newest members",
}


@pytest.mark.parametrize("role", list(HOME_HEADINGS))
def test_each_role_signs_in_to_its_home_page(request, page, sign_in, screenshot, role):
    membership = request.getfixturevalue(role)
    OrganisationFactory(
        academy=membership.academy, name="Plymouth Jobcentre", kind="job_centre"
    )
    sign_in(page, membership.user.email)
    expect(page.get_by_role("heading", name=HOME_HEADINGS[role])).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(
        membership.academy.name
    )
    screenshot(page, f"foundation-home-{role}")


def test_coordinator_home_works_on_a_phone(page, sign_in, screenshot, coordinator):
    page.set_viewport_size({"width": 390, "height": 844})
    OrganisationFactory(
        academy=coordinator.academy,
        name="Plymouth Jobcentre",
        kind="job_centre",
        email="jobs@example.org",
        phone="01752 000000",
    )
    sign_in(page, coordinator.user.email)
    expect(page.get_by_text("Plymouth Jobcentre")).to_be_visible()
    menu = page.get_by_role("button", name="Show menu")
    expect(menu).to_be_visible()
    menu.click()
    expect(
        page.get_by_role("button", name=coordinator.user.get_full_name())
    ).to_be_visible()
    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "foundation-home-coordinator-phone")


def test_admin_adds_a_provider_member(page, live_server, sign_in, screenshot, admin):
    OrganisationFactory(academy=admin.academy, name="Tamar View Care Homes")
    sign_in(page, admin.user.email)
    page.get_by_role("link", name="Add a member").first.click()
    page.get_by_label("E-mail address").fill("priya@example.org")
    page.get_by_label("First name").fill("Priya")
    page.get_by_label("Last name").fill("Shah")
    page.get_by_label("Role").select_option("provider")
    page.get_by_role("button", name="Add member and send invitation").click()
    expect(
        in_summary(page, "Choose the organisation this provider works for.")
    ).to_be_visible()
    expect(
        beside_field(page, "Choose the organisation this provider works for.")
    ).to_be_visible()
    screenshot(page, "foundation-member-add-error")
    page.get_by_label("Organisation").select_option(label="Tamar View Care Homes")
    page.get_by_role("button", name="Add member and send invitation").click()
    expect(
        page.get_by_role("heading", name=f"Members of {admin.academy.name}")
    ).to_be_visible()
    row = page.get_by_role("row", name="Priya Shah")
    expect(row).to_contain_text("Tamar View Care Homes")
    expect(row).to_contain_text("Invited")
    screenshot(page, "foundation-member-list")


@pytest.mark.parametrize("width", [390, 1366])
def test_someone_from_another_academy_accepts_an_invitation(
    page, sign_in, screenshot, admin, other_coordinator, width
):
    from academy import services
    from academy.permissions import Role

    page.set_viewport_size({"width": width, "height": 844})
    services.member_add(
        academy=admin.academy,
        email=other_coordinator.user.email,
        first_name="",
        last_name="",
        role=Role.COORDINATOR,
        organisation=None,
    )
    sign_in(page, other_coordinator.user.email)
    invitation = page.get_by_role(
        "region", name=f"{admin.academy.name} asks you to join them"
    )
    expect(invitation).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"foundation-invitation-{width}")
    invitation.get_by_role(
        "button", name=f"Accept and join {admin.academy.name}"
    ).click()
    expect(page.get_by_text(f"You have joined {admin.academy.name}")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(
        admin.academy.name
    )
    screenshot(page, f"foundation-invitation-accepted-{width}")


def test_provider_sees_no_admin_links_and_is_refused_admin_pages(
    page, live_server, sign_in, provider
):
    sign_in(page, provider.user.email)
    expect(page.get_by_role("heading", name="Your organisation")).to_be_visible()
    expect(page.get_by_role("link", name="Members")).to_have_count(0)
    response = page.goto(f"{live_server.url}/manage/members/")
    assert response.status == 403
    expect(
        page.get_by_role("heading", name="You cannot open this page")
    ).to_be_visible()


def test_member_of_two_academies_switches(
    page, sign_in, screenshot, coordinator, other_academy
):
    MembershipFactory(user=coordinator.user, academy=other_academy, role="manager")
    sign_in(page, coordinator.user.email)
    expect(
        page.get_by_role("heading", name="Partners you can refer people to")
    ).to_be_visible()
    # The academies to switch between are in the person's own menu.
    page.get_by_role("button", name=coordinator.user.get_full_name()).click()
    screenshot(page, "foundation-academy-switcher")
    page.get_by_role("button", name=f"{other_academy.name} (Manager)").click()
    expect(
        page.get_by_text(f"You are now working in {other_academy.name}.")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="The partnership today")).to_be_visible()


def test_sign_out_returns_to_sign_in(page, live_server, sign_in, manager):
    sign_in(page, manager.user.email)
    page.get_by_role("button", name=manager.user.get_full_name()).click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


@pytest.mark.parametrize("width", [390, 1366])
def test_first_sign_in_sets_up_two_step_sign_in(
    page, live_server, screenshot, coordinator, width
):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.academy.factories import PASSWORD

    page.set_viewport_size({"width": width, "height": 844})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail address").fill(coordinator.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"mfa-setup-{width}")
    device = TOTPDevice.objects.get(user=coordinator.user, confirmed=False)
    code = totp(device.bin_key, step=device.step, t0=device.t0)
    page.get_by_label("Code").fill(f"{code:06d}")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_text("Two-step sign-in is on")).to_be_visible()
    expect(page.get_by_role("list", name="Your recovery codes")).to_be_visible()
    screenshot(page, f"mfa-recovery-{width}")
    page.get_by_role("link", name="I have saved them: continue").click()
    expect(
        page.get_by_role("heading", name="Partners you can refer people to")
    ).to_be_visible()
