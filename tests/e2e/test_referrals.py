"""A coordinator refers a person from their matches; the provider moves the referral
along to a start, which records the person's employment outcome."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import Outcome
from tests.academy.factories import OrganisationFactory
from tests.e2e.form_errors import beside_field, in_summary
from tests.participants.factories import ParticipantFactory, SkillsActionPlanFactory
from tests.vacancies.factories import ReferralFactory, TrainingFactory, VacancyFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def arrange(page, *, when, time="14:30", place="Oak House, 2 Mutley Plain, PL4 6LB"):
    """Fill in the interview's date, time and place on the move form."""
    page.get_by_label("Interview date").fill(when.isoformat())
    page.get_by_label("Time").fill(time)
    page.get_by_label("In person").check()
    page.get_by_label("Address, or the phone or video details").fill(place)


def test_coordinator_refers_and_the_provider_moves_it_to_a_start(
    page, browser, live_server, sign_in, screenshot, coordinator, provider
):
    academy = coordinator.academy
    person = ParticipantFactory(
        academy=academy,
        first_name="Amira",
        last_name="Haddad",
        postcode="PL4 6AB",
        hours_wanted=30,
        right_to_work="yes",
        dbs_level="basic",
    )
    SkillsActionPlanFactory(
        participant=person, agreed_on=dt.date(2024, 3, 1), target_role="Home carer"
    )
    ParticipantFactory(
        academy=academy,
        first_name="Ursula",
        last_name="Unwilling",
        has_consent_to_share=False,
    )
    vacancy = VacancyFactory(
        academy=academy,
        organisation=provider.organisation,
        title="Home carer, Plympton",
        is_critical_shortage=True,
        hours_per_week=30,
    )
    other = OrganisationFactory(academy=academy, name="Tamar View Care Homes")
    VacancyFactory(
        academy=academy, organisation=other, title="Kitchen assistant", role="cook"
    )
    VacancyFactory(
        academy=academy,
        organisation=other,
        title="Rural home carer",
        needs_driving_licence=True,
    )
    TrainingFactory(academy=academy, organisation=other, title="Care Certificate")

    page.set_viewport_size(PHONE)
    sign_in(page, coordinator.user.email)
    page.goto(f"{live_server.url}/participants/{person.pk}/matches/")
    expect(
        page.get_by_role("heading", name="Matching vacancies and training")
    ).to_be_visible()
    cards = page.locator("#vacancy-matches-heading + ol > li")
    expect(cards).to_have_count(3)
    expect(cards.nth(0)).to_contain_text("Home carer, Plympton")
    expect(cards.nth(0)).to_contain_text("Critical shortage")
    expect(cards.nth(2)).to_contain_text("Rural home carer")
    expect(cards.nth(2)).to_contain_text("Blocked")
    assert fits_the_phone(page)
    screenshot(page, "referrals-matches-phone")

    wanted = cards.nth(0)
    wanted.get_by_label("Note for the provider (optional)").fill(
        "Available from Monday"
    )
    wanted.get_by_role("button", name="Refer to Home carer, Plympton").click()
    expect(
        page.get_by_text("Amira Haddad referred to Home carer, Plympton")
    ).to_be_visible()
    expect(cards.nth(0)).to_contain_text("Already referred")
    expect(cards.nth(0)).to_contain_text("Referred")
    screenshot(page, "referrals-matches-referred-phone")

    context = browser.new_context(viewport=PHONE)
    try:
        theirs = context.new_page()
        sign_in(theirs, provider.user.email)
        theirs.goto(f"{live_server.url}/referrals/")
        expect(theirs.get_by_role("heading", name="Referrals")).to_be_visible()
        assert fits_the_phone(theirs)
        screenshot(theirs, "referrals-provider-list-phone")

        theirs.get_by_role("link", name="Amira Haddad").click()
        expect(theirs.get_by_text("Available from Monday")).to_be_visible()
        expect(theirs.get_by_text("Home carer", exact=True)).to_be_visible()
        expect(theirs.get_by_text("30 hours a week", exact=True)).to_be_visible()
        assert fits_the_phone(theirs)
        screenshot(theirs, "referrals-provider-detail-phone")

        for stage in ("Interview arranged", "Offered", "Started"):
            theirs.get_by_label(stage, exact=True).check()
            if stage == "Interview arranged":
                arrange(theirs, when=timezone.localdate() + dt.timedelta(days=2))
            theirs.get_by_role("button", name="Update stage").click()
            expect(theirs.get_by_text(f"Moved to {stage}.")).to_be_visible()
        expect(theirs.get_by_text("Start recorded as an outcome")).to_be_visible()
        expect(
            theirs.get_by_role("link", name="See it on the person's record")
        ).to_have_count(0)
        screenshot(theirs, "referrals-provider-started-phone")
    finally:
        context.close()

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/referrals/?stage=all")
    expect(page.get_by_role("cell", name="Started")).to_be_visible()
    screenshot(page, "referrals-coordinator-list")

    page.goto(f"{live_server.url}/vacancies/{vacancy.pk}/matches/")
    rows = page.locator("ol.match-list > li")
    expect(rows).to_have_count(2)
    amira = rows.filter(has_text="Amira Haddad")
    expect(amira).to_contain_text("Already referred")
    expect(amira).to_contain_text("Started")
    expect(rows.filter(has_text="Ursula Unwilling")).to_contain_text(
        "No consent to share"
    )
    screenshot(page, "referrals-vacancy-matches")

    outcome = Outcome.objects.get(participant=person)
    assert outcome.kind == Outcome.Kind.EMPLOYMENT
    assert outcome.sector == Outcome.Sector.HEALTH_SOCIAL_CARE
    assert outcome.employer == provider.organisation.name


def test_a_provider_arranges_an_interview_on_a_phone_and_sees_it_on_their_home(
    page, live_server, sign_in, screenshot, coordinator, provider
):
    academy = provider.academy
    person = ParticipantFactory(
        academy=academy, first_name="Amira", last_name="Haddad", coordinator=None
    )
    vacancy = VacancyFactory(
        academy=academy, organisation=provider.organisation, title="Home carer"
    )
    referral = ReferralFactory(participant=person, vacancy=vacancy)
    day = timezone.localdate() + dt.timedelta(days=3)

    page.set_viewport_size(PHONE)
    sign_in(page, provider.user.email)
    page.goto(f"{live_server.url}/referrals/{referral.pk}/")
    page.get_by_label("Interview arranged", exact=True).check()
    # Without a time and a place it is refused, saying what to give.
    page.get_by_label("Interview date").fill(day.isoformat())
    page.get_by_role("button", name="Update stage").click()
    for message in (
        "Give the time of the interview.",
        "Give the address of the interview.",
    ):
        expect(in_summary(page, message)).to_be_visible()
        expect(beside_field(page, message)).to_be_visible()
    screenshot(page, "interview-refused-phone")

    page.get_by_label("Interview arranged", exact=True).check()
    arrange(page, when=day)
    page.get_by_role("button", name="Update stage").click()
    expect(page.get_by_text("Moved to Interview arranged.")).to_be_visible()
    said = f"{day:%a} {day.day} {day:%b %Y}, 14:30, Oak House, 2 Mutley Plain, PL4 6LB"
    expect(page.locator("#interview")).to_contain_text(said)
    expect(page.get_by_role("heading", name="Rearrange the interview")).to_be_visible()
    assert fits_the_phone(page)
    screenshot(page, "interview-arranged-phone")

    page.goto(f"{live_server.url}/")
    panel = page.locator(
        "section", has=page.get_by_role("heading", name="Upcoming interviews")
    )
    expect(panel).to_contain_text(f"{day:%a} {day.day} {day:%b}, 14:30")
    expect(panel).to_contain_text("Amira Haddad")
    expect(panel).to_contain_text("Home carer")
    expect(panel).to_contain_text("Oak House")
    assert fits_the_phone(page)
    screenshot(page, "interview-provider-home-phone")
