"""A person registers their interest on the public form; a coordinator picks it up."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.e2e.form_errors import in_summary
from tests.participants.factories import EnquiryFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WAIT_MS = int(settings.PUBLIC_FORM_MIN_SECONDS * 1000) + 300


def _fill_public_form(page):
    page.get_by_label("First name").fill("Aisha")
    page.get_by_label("Last name").fill("Khan")
    page.get_by_label("E-mail address").fill("aisha.khan@example.net")
    page.get_by_label("Phone number").fill("07700 900456")
    page.get_by_label("Postcode").fill("pl4 6ab")
    page.get_by_label("What interests you?").fill("Helping older people at home")
    page.get_by_label("I have read the privacy notice").check()


def test_person_registers_interest_and_a_coordinator_contacts_them(
    page, live_server, sign_in, screenshot, coordinator
):
    academy = coordinator.academy
    page.goto(f"{live_server.url}/join/{academy.slug}/?vacancy=Home+care+worker")
    expect(page.get_by_text("You are asking about: Home care worker")).to_be_visible()
    expect(page.get_by_role("heading", name="Privacy notice")).to_be_visible()
    # The honeypot is clipped to a single pixel: there for robots, not for people.
    box = page.locator("#div_id_website").bounding_box()
    assert box is not None
    assert box["width"] <= 1
    assert box["height"] <= 1
    _fill_public_form(page)
    screenshot(page, "enquiries-public-form")
    page.wait_for_timeout(WAIT_MS)
    page.get_by_role("button", name="Send my details").click()
    expect(
        page.get_by_role("heading", name="Thank you: we have your details")
    ).to_be_visible()
    screenshot(page, "enquiries-public-thanks")

    sign_in(page, coordinator.user.email)
    page.goto(f"{live_server.url}/enquiries/")
    item = page.get_by_role("listitem").filter(has_text="Aisha Khan")
    expect(item).to_contain_text("Home care worker")
    expect(item).to_contain_text("waiting since today")
    screenshot(page, "enquiries-queue")
    item.get_by_role("link", name="Aisha Khan").click()
    expect(page.get_by_role("heading", name="Enquiry from Aisha Khan")).to_be_visible()
    page.get_by_label("Note (optional)").first.fill("Left a voicemail.")
    page.get_by_role("button", name="Mark as contacted").click()
    expect(page.get_by_text("Aisha Khan is marked as contacted.")).to_be_visible()
    expect(page.get_by_text("Contacted. Left a voicemail.")).to_be_visible()
    screenshot(page, "enquiries-detail")


def test_public_form_refuses_a_missing_contact_on_a_phone(
    page, live_server, screenshot, academy
):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/join/{academy.slug}/")
    _fill_public_form(page)
    page.get_by_label("E-mail address").fill("")
    page.get_by_label("Phone number").fill("")
    page.wait_for_timeout(WAIT_MS)
    page.get_by_role("button", name="Send my details").click()
    expect(
        in_summary(page, "Give us an e-mail address or a phone number")
    ).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "enquiries-public-form-phone-error")


def test_queue_reads_well_on_a_phone(
    page, live_server, sign_in, screenshot, coordinator
):
    page.set_viewport_size({"width": 390, "height": 844})
    EnquiryFactory(
        academy=coordinator.academy,
        first_name="Bartholomew",
        last_name="Featherstonehaugh-Smythe",
        email="bartholomew.featherstonehaugh-smythe@example.net",
        vacancy_title="Senior care assistant, nights (Plympton)",
    )
    EnquiryFactory(academy=coordinator.academy, status="contacted")
    sign_in(page, coordinator.user.email)
    page.goto(f"{live_server.url}/enquiries/")
    expect(
        page.get_by_role("link", name="Bartholomew Featherstonehaugh-Smythe")
    ).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "enquiries-queue-phone")
    page.get_by_role("link", name="Bartholomew Featherstonehaugh-Smythe").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "enquiries-detail-phone")
