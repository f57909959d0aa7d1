"""Messages in the browser, on a 390 px phone and at 1366 px: a provider chooses from
the user menu to hear of referrals received in a daily digest and saves it; a person
opens the link at the foot of an e-mail, is asked, and stops the reminders (and a link
that was changed says so)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from academy.models import NoticeChoice
from academy.notify import notify
from participants.models import Participant
from participants.services.casework import participant_recipient
from tests.participants.factories import ParticipantFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = [390, 1366]


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_a_provider_chooses_a_daily_digest_of_referrals(
    page, sign_in, screenshot, provider, width
):
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, provider.user.email)
    if width < 1200:  # the menus fold away behind a button on a phone
        page.get_by_role("button", name="Show menu").click()
    page.get_by_role("button", name=provider.user.get_full_name()).click()
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    received = page.get_by_role(
        "group", name=re.compile("A vacancy of ours receives a referral")
    )
    expect(received.get_by_label("At once")).to_be_checked()
    # Only the kinds a provider hears of: none of a coordinator's.
    expect(page.get_by_text("A provider flags a critical shortage")).to_have_count(0)
    _fits(page, width)
    screenshot(page, f"notices-choices-{width}")

    received.get_by_label("In a daily digest").check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_text("Your choices are saved.")).to_be_visible()
    received = page.get_by_role(
        "group", name=re.compile("A vacancy of ours receives a referral")
    )
    expect(received.get_by_label("In a daily digest")).to_be_checked()
    _fits(page, width)
    screenshot(page, f"notices-choices-saved-{width}")
    chosen = dict(
        NoticeChoice.objects.filter(membership=provider).values_list("notice", "how")
    )
    assert chosen == {
        "referral_received": "digest",
        "referral_withdrawn": "at_once",
        "interview_tomorrow": "at_once",
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_a_person_stops_reminders_from_the_link_in_an_e_mail(
    page, live_server, screenshot, settings, academy, width
):
    settings.SITE_URL = live_server.url
    academy.public_phone = "01752 123456"
    academy.save(update_fields=["public_phone"])
    person = ParticipantFactory(
        academy=academy,
        first_name="Aisha",
        email="aisha@example.net",
        contact_by=Participant.ContactBy.EMAIL,
    )
    notify(
        to=participant_recipient(person),
        template="appointment_reminder",
        context={
            "academy_name": academy.name,
            "first_name": "Aisha",
            "kind": "Meeting",
            "with_name": "Jo",
            "when": "Tuesday at 10:00",
            "time": "10:00",
            "minutes": 45,
        },
        academy=academy,
        participant=person,
        key="e2e:reminder",
    )
    [sent] = mail.outbox
    link = re.search(r"open this link: (\S+)", sent.body).group(1)
    assert link.startswith(live_server.url)

    page.set_viewport_size({"width": width, "height": 844})
    page.goto(link)
    expect(
        page.get_by_role("heading", name=f"Stop reminders from {academy.name}?")
    ).to_be_visible()
    _fits(page, width)
    screenshot(page, f"notices-opt-out-{width}")
    person.refresh_from_db()
    assert person.contact_by == Participant.ContactBy.EMAIL  # asking changes nothing

    page.get_by_role("button", name="Stop reminders").click()
    expect(
        page.get_by_role("heading", name=f"Done: no more reminders from {academy.name}")
    ).to_be_visible()
    # Changing their mind: whom to tell, and how to reach them.
    expect(page.get_by_role("link", name="01752 123456")).to_have_attribute(
        "href", "tel:+441752123456"
    )
    _fits(page, width)
    screenshot(page, f"notices-opt-out-done-{width}")
    person.refresh_from_db()
    assert person.contact_by == Participant.ContactBy.NONE

    page.goto(link[:-3] + "xyz/")
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    _fits(page, width)
    screenshot(page, f"notices-opt-out-invalid-{width}")
