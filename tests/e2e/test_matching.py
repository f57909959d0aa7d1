"""Matching in the browser (issue 15), on a phone and a laptop: the role that fits
first, reasons as fits / does not fit in words with icons, a blocked match greyed and
last, and referred only after ticking the confirmation that names the blocker."""

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.participants.factories import ParticipantFactory, SkillsActionPlanFactory
from tests.vacancies.factories import VacancyFactory
from vacancies.models import Referral

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Where the people checking issue 15 look at them (var/screenshots/ is the suite's).
SHOTS = Path("/tmp/shots/matching")  # noqa: S108 - a fixed place to look, not secret
SIZES = {
    "phone": {"width": 390, "height": 844},
    "laptop": {"width": 1366, "height": 900},
}
LICENCE = "needs a driving licence and car, which they do not have"
WCAG = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}


def wcag_violations(page):
    """axe-core's WCAG 2.2 A/AA violations (greyed cards must keep their contrast)."""
    found = Axe().run(page, options=WCAG).response["violations"]
    return [f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in found]


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def shot_of(locator, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=SHOTS / f"{name}.png")


@pytest.mark.parametrize("size", SIZES)
def test_a_coordinator_sees_the_fit_first_and_confirms_a_blocked_referral(
    page, live_server, sign_in, screenshot, coordinator, size
):
    academy = coordinator.academy
    amira = ParticipantFactory(
        academy=academy,
        first_name="Amira",
        last_name="Haddad",
        postcode="PL4 6AB",
        hours_wanted=37,
        right_to_work="yes",
        dbs_level="enhanced",
        has_driving_licence=False,
        has_car=False,
    )
    SkillsActionPlanFactory(participant=amira, target_role="Home care")
    VacancyFactory(
        academy=academy,
        title="Healthcare assistant",
        role="nursing_assistant",
        is_critical_shortage=True,
    )
    VacancyFactory(
        academy=academy,
        title="Registered nurse (nights)",
        role="registered_nurse",
        is_critical_shortage=True,
    )
    VacancyFactory(academy=academy, title="Home carer, Plympton")
    VacancyFactory(
        academy=academy, title="Rural home carer", needs_driving_licence=True
    )

    page.set_viewport_size(SIZES[size])
    sign_in(page, coordinator.user.email)
    page.goto(f"{live_server.url}/participants/{amira.pk}/matches/")
    cards = page.locator("#vacancy-matches-heading + ol > li")
    expect(cards).to_have_count(4)
    expect(cards.nth(0).get_by_role("heading")).to_have_text("Home carer, Plympton")
    expect(cards.nth(0)).to_contain_text("Fits")
    expect(cards.nth(0)).to_contain_text("The role they want: Care worker")
    expect(cards.nth(1)).to_contain_text("Does not fit")
    expect(cards.nth(1)).to_contain_text("Not the role they want")
    expect(cards.nth(1)).to_contain_text("Critical shortage")

    blocked = cards.nth(3)
    expect(blocked.get_by_role("heading")).to_have_text("Rural home carer")
    expect(blocked).to_contain_text(f"Blocked, so listed last: {LICENCE}.")
    # Greyed: not the white of a card that fits, and a dashed border.
    background = blocked.evaluate("e => getComputedStyle(e).backgroundColor")
    fitting = cards.nth(0).evaluate("e => getComputedStyle(e).backgroundColor")
    assert background != fitting
    assert blocked.evaluate("e => getComputedStyle(e).borderTopStyle") == "dashed"
    # Icons are hidden from screen readers; the words carry the meaning.
    for icon in page.locator(".match-icon").all():
        assert icon.get_attribute("aria-hidden") == "true"
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    assert wcag_violations(page) == []
    shot(page, f"matches-{size}")
    blocked.scroll_into_view_if_needed()
    shot_of(blocked, f"blocked-card-{size}")

    # The browser will not send it without the tick, and names the blocker.
    refer = blocked.get_by_role("button", name="Refer anyway to Rural home carer")
    refer.click()
    tick = blocked.get_by_label(f"Refer anyway, although: {LICENCE}")
    assert tick.evaluate("e => !e.validity.valid")
    assert not Referral.objects.exists()

    tick.check()
    refer.click()
    expect(
        page.get_by_text("Amira Haddad referred to Rural home carer")
    ).to_be_visible()
    assert Referral.objects.get().vacancy.title == "Rural home carer"
    shot(page, f"referred-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_a_vacancys_matches_put_the_blocked_person_last_greyed(
    page, live_server, sign_in, coordinator, size
):
    academy = coordinator.academy
    for first, has_car in (("Amira", False), ("Dara", True)):
        ParticipantFactory(
            academy=academy,
            first_name=first,
            last_name="Haddad" if first == "Amira" else "Driver",
            has_driving_licence=has_car,
            has_car=has_car,
            right_to_work="yes",
        )
    rural = VacancyFactory(
        academy=academy, title="Rural home carer", needs_driving_licence=True
    )
    page.set_viewport_size(SIZES[size])
    sign_in(page, coordinator.user.email)
    page.goto(f"{live_server.url}/vacancies/{rural.pk}/matches/")
    cards = page.locator("ol.match-list > li")
    expect(cards).to_have_count(2)
    expect(cards.nth(0).get_by_role("heading")).to_have_text("Dara Driver")
    expect(cards.nth(0)).to_contain_text("Has the driving licence and car it needs")
    expect(cards.nth(1).get_by_role("heading")).to_have_text("Amira Haddad")
    expect(cards.nth(1)).to_have_class(re.compile(r"\bmatch-blocked\b"))
    expect(
        cards.nth(1).get_by_label(re.compile("Refer anyway, although"))
    ).to_be_visible()
    page.get_by_text("How matches are ranked").click()
    expect(page.get_by_role("cell", name="No right to work")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    assert wcag_violations(page) == []
    shot(page, f"vacancy-matches-{size}")


def test_a_refusal_names_the_blocker_when_the_tick_is_bypassed(
    page, live_server, sign_in, coordinator
):
    academy = coordinator.academy
    amira = ParticipantFactory(
        academy=academy,
        first_name="Amira",
        last_name="Haddad",
        has_driving_licence=False,
        has_car=False,
    )
    VacancyFactory(
        academy=academy, title="Rural home carer", needs_driving_licence=True
    )
    page.set_viewport_size(SIZES["phone"])
    sign_in(page, coordinator.user.email)
    page.goto(f"{live_server.url}/participants/{amira.pk}/matches/")
    # As a script or an old browser would: no client-side check.
    page.locator("input[name=refer_anyway]").evaluate("e => e.required = false")
    page.get_by_role("button", name="Refer anyway to Rural home carer").click()
    message = page.get_by_role("status").filter(has_text="Not referred")
    expect(message).to_contain_text(
        re.compile(f"Amira Haddad is blocked from Rural home carer: {LICENCE}")
    )
    assert not Referral.objects.exists()
    shot(page, "refused-phone")
