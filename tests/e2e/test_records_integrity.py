"""Journeys of issue 9: resolving a job start recorded twice, and handing a leaver's
caseload to a colleague, on a phone and a laptop."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from participants.models import Outcome, Participant
from participants.services import outcome_doubles_find
from tests.academy.factories import MembershipFactory
from tests.participants.factories import ParticipantFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SIZES = [(390, 844), (1366, 900)]


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_coordinator_resolves_a_start_recorded_twice(
    page, live_server, sign_in, screenshot, coordinator, width, height
):
    person = ParticipantFactory(academy=coordinator.academy, first_name="Amira")
    for day, employer in ((3, "Tamar Care"), (10, "tamar care")):
        Outcome.objects.create(
            participant=person,
            kind="employment",
            sector="health_social_care",
            role="Care worker",
            started_on=dt.date(2026, 3, day),
            employer=employer,
        )
    outcome_doubles_find()
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, coordinator.user.email)

    page.get_by_role("link", name="Check and resolve").click()
    expect(page.get_by_role("heading", name="Possible double outcomes")).to_be_visible()
    screenshot(page, f"outcome-doubles-{width}")
    page.get_by_role("button", name="One start: keep this record").first.click()

    expect(page.get_by_text("Recorded once now.")).to_be_visible()
    expect(page.get_by_text("No suspected double outcomes")).to_be_visible()
    assert person.outcomes.count() == 1


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_admin_moves_a_leavers_caseload(
    page, live_server, sign_in, screenshot, admin, width, height
):
    leaver = MembershipFactory(academy=admin.academy, role="coordinator")
    colleague = MembershipFactory(academy=admin.academy, role="coordinator")
    for _ in range(3):
        ParticipantFactory(academy=admin.academy, coordinator=leaver.user)
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, admin.user.email)
    page.goto(f"{live_server.url}/manage/members/{leaver.pk}/")
    page.get_by_role("link", name="Move their caseload to a colleague").click()

    expect(page.get_by_text("coordinates 3 people")).to_be_visible()
    page.get_by_label("Give their people to").select_option(str(colleague.pk))
    page.get_by_label("End their access now").check()
    screenshot(page, f"caseload-reassign-{width}")
    page.get_by_role("button", name="Move the caseload").click()

    expect(page.get_by_text("3 people moved")).to_be_visible()
    assert Participant.objects.filter(coordinator=colleague.user).count() == 3
    leaver.refresh_from_db()
    assert not leaver.is_active
