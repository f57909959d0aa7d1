"""A coordinator works through the people whose start evidence is missing (issue 14), on
a phone and a desk: the list's filter finds them, the person's page says what to fix,
Edit details records the right-to-work check, and the page then shows it."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from participants.models import Participant
from tests.e2e.form_errors import beside_field, in_summary
from tests.participants.factories import ParticipantFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1366, 900)])
def test_coordinator_finds_and_fixes_missing_start_evidence(
    page, live_server, sign_in, screenshot, coordinator, width, height
):
    user = coordinator.user
    user.first_name, user.last_name = "Sam", "Coordinator"
    user.save()
    person = ParticipantFactory(
        academy=coordinator.academy,
        first_name="Tamsin",
        last_name="Penrose",
        date_of_birth=dt.date(1990, 6, 1),
        registered_on=dt.date(2024, 2, 1),
        status_at_entry="",
        right_to_work="unknown",
    )
    ParticipantFactory(
        academy=coordinator.academy,
        first_name="Complete",
        status_at_entry="employed",
        right_to_work="yes",
        right_to_work_checked_on=dt.date(2024, 2, 1),
        right_to_work_checked_by=user,
        right_to_work_document="uk_irish_passport",
    )
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, user.email)

    page.goto(f"{live_server.url}/participants/")
    expect(page.get_by_text("2 people")).to_be_visible()
    page.get_by_label("Start evidence missing").select_option("any")
    expect(page.get_by_text("1 person")).to_be_visible()
    _fits(page, width)
    screenshot(page, f"evidence-list-{width}")
    page.get_by_role("link", name="Tamsin Penrose").click()

    notice = page.get_by_role("region", name="Start evidence missing")
    expect(notice).to_contain_text("Economic status at start not recorded")
    expect(notice).to_contain_text("Right to work not confirmed")
    expect(page.get_by_text("Age at start")).to_be_visible()
    _fits(page, width)
    screenshot(page, f"evidence-person-missing-{width}")

    notice.get_by_role("link", name="Edit details to fix").click()
    page.get_by_label("Economic status at start").select_option("unemployed")
    page.get_by_label("Confirmed").check()
    page.get_by_role("button", name="Save").click()
    # Confirmed without its day and document: said, nothing saved.
    expect(
        in_summary(page, "Give the day the right to work was checked")
    ).to_be_visible()
    expect(
        beside_field(page, "Give the day the right to work was checked")
    ).to_be_visible()
    expect(in_summary(page, "Choose the kind of document seen")).to_be_visible()
    expect(beside_field(page, "Choose the kind of document seen")).to_be_visible()
    _fits(page, width)
    screenshot(page, f"evidence-edit-errors-{width}")
    page.get_by_label("Day checked").fill("2025-02-03")
    page.get_by_label("Document kind seen").select_option("share_code")
    screenshot(page, f"evidence-edit-{width}")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Details saved.")).to_be_visible()
    said = "confirmed on 3 Feb 2025 by Sam Coordinator (share code)"
    expect(page.get_by_text(said, exact=True)).to_be_visible()
    expect(page.get_by_text(f"Right to work {said}.")).to_be_visible()  # timeline
    expect(page.get_by_role("region", name="Start evidence missing")).to_have_count(0)
    _fits(page, width)
    screenshot(page, f"evidence-person-complete-{width}")
    person.refresh_from_db()
    assert (person.right_to_work, person.right_to_work_checked_by) == ("yes", user)
    assert Participant.objects.get(pk=person.pk).status_at_entry == "unemployed"
