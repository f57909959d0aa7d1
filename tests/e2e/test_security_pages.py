"""Journeys of issue 12's pages, on a phone and a laptop: an admin reads the audit
(who opened a record, a note's change, sign-ins) and downloads it after confirming
it's them; a person's data is downloaded and then erased; a member ends a session
they have in another browser."""

import io
import re
import time
import zipfile
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from academy.audit.context import audit_context
from academy.reauth import REAUTHENTICATED_AT
from tests.academy.factories import PASSWORD
from tests.e2e.form_errors import beside_field, in_summary
from tests.participants.factories import MeetingFactory, ParticipantFactory

from .conftest import authenticator_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SIZES = [(390, 844), (1366, 900)]
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)


def fits(page, width: int) -> None:
    """Nothing on the page is wider than the screen."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def open_menu(page, width: int) -> None:
    """Below 1200 px the main menu is behind its button."""
    if width < 1200:
        page.get_by_role("button", name="Show menu").click()


def my_code(membership) -> str:
    """What the member's authenticator app shows now."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=membership.user, confirmed=True)
    return authenticator_code(device)


def confirmation_expires(page) -> None:
    """Make the browser's "confirmed it's you" older than the window, as if the
    person had signed in a while ago."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    cookie = next(
        c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME
    )
    session = store(session_key=cookie["value"])
    session[REAUTHENTICATED_AT] = int(time.time()) - settings.REAUTH_SECONDS - 60
    session.save()


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_admin_reads_the_audit_and_downloads_it_after_confirming(
    browser, page, live_server, sign_in, screenshot, admin, coordinator, width, height
):
    person = ParticipantFactory(
        academy=admin.academy, reference="AUD-0042", first_name="Delyth"
    )
    ParticipantFactory(academy=admin.academy, reference="AUD-0099")
    meeting = MeetingFactory(participant=person, notes="Wants nights only.")
    with audit_context(actor_id=coordinator.user.pk, academy_id=admin.academy.pk):
        meeting.notes = "Now happy to work days as well."
        meeting.save()

    # The coordinator opens the person's record in their own browser.
    theirs = browser.new_context()
    try:
        their_page = theirs.new_page()
        sign_in(their_page, coordinator.user.email)
        their_page.goto(f"{live_server.url}{person.get_absolute_url()}")
        expect(their_page.get_by_role("heading", name="Delyth")).to_be_visible()
    finally:
        theirs.close()

    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, admin.user.email)
    open_menu(page, width)
    page.get_by_role("button", name="Manage").click()
    page.get_by_role("link", name="Audit").click()
    expect(
        page.get_by_role("heading", name=f"Audit of {admin.academy.name}")
    ).to_be_visible()
    opened = page.get_by_role("row").filter(has_text=coordinator.user.email)
    expect(opened.filter(has_text="AUD-0042").first).to_be_visible()
    fits(page, width)
    screenshot(page, f"audit-access-{width}")

    # Searching by reference posts: the address bar never holds it. Show sends the
    # search once, refreshing the list in place: a second, racing request could
    # save the search over the first and show everything.
    page.evaluate("window.sameDocument = true")
    page.get_by_label("Person's reference").fill("AUD-0042")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_role("row").filter(has_text="AUD-0099")).to_have_count(0)
    expect(page.get_by_role("row").filter(has_text="AUD-0042").first).to_be_visible()
    expect(page).to_have_url(re.compile(r"search="))
    assert "AUD-0042" not in page.url
    assert page.evaluate("window.sameDocument") is True
    page.wait_for_load_state("networkidle")
    page.reload()
    expect(page.get_by_label("Person's reference")).to_have_value("AUD-0042")
    expect(page.get_by_role("row").filter(has_text="AUD-0099")).to_have_count(0)
    screenshot(page, f"audit-access-searched-{width}")

    page.get_by_role("link", name="Changes to records").click()
    change = page.get_by_role("row").filter(has_text="Now happy to work days")
    expect(change).to_be_visible()
    expect(change.locator("del")).to_have_text("Wants nights only.")
    expect(change).to_contain_text(coordinator.user.email)
    fits(page, width)
    screenshot(page, f"audit-changes-{width}")

    page.get_by_role("link", name="Sign-in events").click()
    signed_in = page.get_by_role("row").filter(has_text=coordinator.user.email)
    expect(signed_in.filter(has_text="Signed in").first).to_be_visible()
    fits(page, width)
    screenshot(page, f"audit-sign-ins-{width}")
    # The list follows the filter at once, and so does the download.
    page.get_by_label("Event").select_option(label="Signed in")
    second_steps = page.get_by_role("row").filter(has_text="Second step passed")
    expect(second_steps).to_have_count(0)
    expect(signed_in.first).to_be_visible()

    # A while after signing in, a download asks "Confirm it's you" first.
    confirmation_expires(page)
    page.get_by_role("link", name="Download these as CSV").click()
    expect(page.get_by_role("heading", name="Confirm it's you")).to_be_visible()
    fits(page, width)
    screenshot(page, f"audit-reauth-{width}")
    code = page.get_by_label("Code from your authenticator app")
    page.get_by_label("Your password").fill("not my password at all")
    code.fill(my_code(admin))
    page.get_by_role("button", name="Confirm").click()
    expect(in_summary(page, "That is not your password.")).to_be_visible()
    expect(beside_field(page, "That is not your password.")).to_be_visible()
    page.get_by_label("Your password").fill(PASSWORD)
    code.fill(my_code(admin))
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Confirm").click()
    download = download_info.value
    assert re.fullmatch(
        r"audit-sign-ins-\d{4}-\d\d-\d\d\.csv", download.suggested_filename
    )
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "When (UTC),Event,User id,Username,By,Address,Detail"
    assert {line.split(",")[1] for line in lines[1:]} == {"Signed in"}
    assert coordinator.user.email in text


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_a_persons_data_is_downloaded_then_an_admin_erases_them(
    browser, page, live_server, sign_in, screenshot, admin, coordinator, width, height
):
    person = ParticipantFactory(
        academy=admin.academy,
        reference="ERA-0007",
        first_name="Zebedee",
        last_name="Quartermaine-Ollerenshaw",
        coordinator=coordinator.user,
    )
    MeetingFactory(participant=person, notes="Asked for everything we hold.")
    ParticipantFactory(academy=admin.academy, first_name="Zebedee", last_name="Other")

    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, coordinator.user.email)
    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    page.get_by_role("link", name="Their data and rights").click()
    expect(page.get_by_role("heading", name="Their data and rights")).to_be_visible()
    expect(
        page.get_by_text("Only an academy admin can erase a person.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Erase this person")).to_have_count(0)
    fits(page, width)
    screenshot(page, f"rights-coordinator-{width}")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download everything held").click()
    download = download_info.value
    assert download.suggested_filename == "subject-access-ERA-0007.zip"
    with zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes())) as bundle:
        names = bundle.namelist()
        assert any(n.endswith(".json") for n in names), names
        assert any(n.endswith(".pdf") for n in names), names
        held = next(n for n in names if n.endswith(".json"))
        assert "Asked for everything we hold." in bundle.read(held).decode()

    theirs = browser.new_context(viewport={"width": width, "height": height})
    try:
        admin_page = theirs.new_page()
        sign_in(admin_page, admin.user.email)
        admin_page.goto(f"{live_server.url}{person.get_absolute_url()}")
        admin_page.get_by_role("link", name="Their data and rights").click()
        admin_page.get_by_label("Type the person's reference").fill("ERA-0070")
        admin_page.get_by_label("Why").fill("They asked under Article 17 today.")
        admin_page.get_by_role("button", name="Erase this person").click()
        wrong = "That is not this person's reference: type ERA-0007."
        expect(in_summary(admin_page, wrong)).to_be_visible()
        expect(beside_field(admin_page, wrong)).to_be_visible()
        fits(admin_page, width)
        screenshot(admin_page, f"rights-erase-wrong-reference-{width}")
        admin_page.get_by_label("Type the person's reference").fill("era-0007")
        admin_page.get_by_role("button", name="Erase this person").click()

        expect(admin_page.locator(".alert-success", has_text="Erased:")).to_be_visible()
        expect(admin_page.get_by_text(f"ERASED-{person.pk}").first).to_be_visible()
        expect(admin_page.get_by_text("Quartermaine")).to_have_count(0)
        expect(admin_page.get_by_text("Asked for everything we hold.")).to_have_count(0)
        fits(admin_page, width)
        screenshot(admin_page, f"rights-erased-person-{width}")

        admin_page.goto(f"{live_server.url}/participants/")
        admin_page.get_by_label("Search", exact=True).fill("Zebedee")
        expect(admin_page.get_by_text("1 person")).to_be_visible()
        expect(admin_page.get_by_role("link", name="Zebedee Other")).to_be_visible()
        admin_page.get_by_label("Search", exact=True).fill("Quartermaine")
        expect(admin_page.get_by_text("Nobody matches.")).to_be_visible()
        admin_page.get_by_label("Search", exact=True).fill("ERA-0007")
        expect(admin_page.get_by_text("Nobody matches.")).to_be_visible()
        screenshot(admin_page, f"rights-search-after-erasure-{width}")
    finally:
        theirs.close()


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_a_member_ends_their_session_in_another_browser(
    browser, page, live_server, sign_in, screenshot, manager, width, height
):
    phone = browser.new_context(user_agent=IPHONE)
    try:
        other = phone.new_page()
        sign_in(other, manager.user.email)
        expect(
            other.get_by_role("heading", name="The partnership today")
        ).to_be_visible()

        page.set_viewport_size({"width": width, "height": height})
        sign_in(page, manager.user.email)
        open_menu(page, width)
        page.get_by_role("button", name=manager.user.get_full_name()).click()
        page.get_by_role("link", name="Your sessions").click()
        expect(page.get_by_role("heading", name="Your sessions")).to_be_visible()
        rows = page.get_by_role("row").filter(has=page.get_by_role("button"))
        expect(rows).to_have_count(2)
        expect(page.get_by_role("row", name="This session")).to_contain_text(
            "Chrome on Linux"
        )
        fits(page, width)
        screenshot(page, f"sessions-two-{width}")

        page.get_by_role("button", name="End the session on Safari on iPhone").click()
        expect(
            page.get_by_text("Ended the session on Safari on iPhone: it is signed out.")
        ).to_be_visible()
        expect(rows).to_have_count(1)
        end_others = page.get_by_role("button", name="End all other sessions")
        expect(end_others).to_have_count(0)
        fits(page, width)
        screenshot(page, f"sessions-one-{width}")

        # The other browser finds itself signed out on its next page.
        other.reload()
        expect(other.get_by_role("heading", name="Sign in")).to_be_visible()
        assert "/accounts/login/" in other.url
        page.reload()
        expect(page.get_by_role("heading", name="Your sessions")).to_be_visible()
    finally:
        phone.close()
