"""Long unbroken text (a pasted link, a word with no spaces) wraps on a phone instead
of widening the page (issue 13, tester's findings 9 and 19): the tasks on the home,
the task list and the person's page; the interview and its history on a referral; the
provider's home; and the referral list's Stage filter shows its whole choice."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from participants import services
from tests.participants.factories import ParticipantFactory
from tests.vacancies.factories import ReferralFactory, VacancyFactory
from vacancies.models import Referral, ReferralEvent

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LONG_WORD = "Ring" + "x" * 296  # 300 characters, no space
TEAMS = "https://teams.microsoft.com/l/meetup-join/" + "19%3ameeting_" + "a1" * 60


def _fits(page, name, screenshot):
    screenshot(page, name)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (name, width)


def test_a_300_character_task_title_wraps_on_a_phone(
    page, live_server, sign_in, screenshot, coordinator
):
    person = ParticipantFactory(
        academy=coordinator.academy, coordinator=coordinator.user, first_name="Kasia"
    )
    services.task_add(
        participant=person,
        by=coordinator.user,
        title=LONG_WORD,
        due_on=timezone.localdate(),
    )
    page.set_viewport_size(PHONE)
    sign_in(page, coordinator.user.email)
    expect(page.get_by_text(LONG_WORD).first).to_be_visible()
    _fits(page, "long-task-home-phone", screenshot)
    page.goto(f"{live_server.url}/tasks/")
    expect(page.get_by_text(LONG_WORD).first).to_be_visible()
    _fits(page, "long-task-list-phone", screenshot)
    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    expect(page.get_by_text(LONG_WORD).first).to_be_visible()
    _fits(page, "long-task-person-phone", screenshot)


def test_a_provider_on_a_phone_reads_a_long_interview_link_and_every_candidate(
    page, live_server, sign_in, screenshot, provider
):
    vacancy = VacancyFactory(
        academy=provider.academy,
        organisation=provider.organisation,
        title="Home carer, Plympton",
    )
    person = ParticipantFactory(
        academy=provider.academy, first_name="Amira", last_name="Haddad"
    )
    referral = ReferralFactory(
        participant=person,
        vacancy=vacancy,
        stage=Referral.Stage.INTERVIEW,
        interview_at=timezone.now() + dt.timedelta(days=2),
        interview_place=f"By video call: {TEAMS}"[:200],
    )
    ReferralEvent.objects.create(
        referral=referral,
        stage=Referral.Stage.INTERVIEW,
        on=timezone.localdate(),
        note=f"Interview: {TEAMS}",
    )
    page.set_viewport_size(PHONE)
    sign_in(page, provider.user.email)
    expect(page.get_by_role("link", name="Amira Haddad").first).to_be_visible()
    _fits(page, "long-provider-home-phone", screenshot)

    page.goto(f"{live_server.url}/referrals/{referral.pk}/")
    expect(page.locator("#interview")).to_be_visible()
    _fits(page, "long-referral-phone", screenshot)

    for chosen in ("", "interview", "unsuccessful"):
        page.goto(f"{live_server.url}/referrals/?stage={chosen}")
        stage = page.get_by_label("Stage")
        expect(stage).to_be_visible()
        needed, room = stage.evaluate(
            """(select) => {
                const style = getComputedStyle(select);
                const pen = document.createElement("canvas").getContext("2d");
                pen.font = style.font;
                const text = select.options[select.selectedIndex].text;
                return [pen.measureText(text).width,
                        select.clientWidth - parseFloat(style.paddingLeft)
                        - parseFloat(style.paddingRight)];
            }"""
        )
        assert needed <= room, (chosen, needed, room)
        _fits(page, f"long-referral-list-{chosen or 'default'}-phone", screenshot)
