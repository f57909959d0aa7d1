"""Providers and coordinators are told (issue 13): a provider's members get an e-mail
when one of their opportunities receives a referral, when a referral is withdrawn
(details withheld) and when an interview is tomorrow; a person's coordinator when a
provider moves a referral. Each carries no more than the recipient may see, once."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection

from academy.models import Message
from participants.models import Participant
from tests.academy.factories import MembershipFactory, UserFactory
from tests.participants.factories import ParticipantFactory
from tests.vacancies.factories import ReferralFactory, TrainingFactory
from tests.vacancies.pages import CREATE, detail_url, move
from vacancies import services
from vacancies.models import Referral

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 6, 10, 8, 0, tzinfo=dt.UTC)
# What a provider never reads in a message about a person.
PRIVATE = [
    "amira@example.net",
    "07700 900123",
    "7700900123",
    "1990",
    "SENTINEL-NOTE",
    "PL9 9ZX",
    "SENTINEL-REF",
]


@pytest.fixture
def sent():
    """The e-mails sent so far: runs what waits for the test's transaction to commit,
    then the outbox."""

    def flush():
        while connection.run_on_commit:
            waiting, connection.run_on_commit[:] = list(connection.run_on_commit), []
            for _savepoints, callback, _robust in waiting:
                callback()
        return mail.outbox

    return flush


@pytest.fixture
def person(academy, coordinator):
    return ParticipantFactory(
        academy=academy,
        first_name="Amira",
        last_name="Haddad",
        email="amira@example.net",
        phone="07700900123",
        date_of_birth=dt.date(1990, 4, 5),
        postcode="PL9 9ZX",
        reference="SENTINEL-REF",
        coordinator=coordinator.user,
    )


@pytest.fixture
def colleague(provider):
    """Another member of the provider's organisation."""
    return MembershipFactory(
        role="provider", academy=provider.academy, organisation=provider.organisation
    )


@pytest.fixture
def bystanders(provider, other_provider, second_provider):
    """Members who must hear nothing of the provider's referrals: another
    organisation's provider, another academy's, and an ended membership of the same
    organisation."""
    ended = MembershipFactory(
        role="provider",
        academy=provider.academy,
        organisation=provider.organisation,
        is_active=False,
    )
    return [other_provider, second_provider, ended]


def _to(messages, membership):
    return [m for m in messages if membership.user.email in m.to]


def _refer(client, person, **opportunity):
    return client.post(
        CREATE, {"participant": person.pk, "note": "SENTINEL-NOTE", **opportunity}
    )


def _has_nothing_private(message):
    text = message.subject + message.body
    for private in PRIVATE:
        assert private not in text


def test_the_provider_is_told_of_a_referral_to_their_vacancy(
    client_of, coordinator, provider, colleague, bystanders, person, vacancy, sent
):
    response = _refer(client_of(coordinator), person, vacancy=vacancy.pk)
    assert response.status_code == 302
    referral = Referral.objects.get()
    messages = sent()
    for member in (provider, colleague):
        [message] = _to(messages, member)
        assert message.subject == "New referral: Home carer, Plympton"
        assert "Amira Haddad has been referred to your vacancy" in message.body
        assert detail_url(referral) in message.body
        _has_nothing_private(message)
    for member in bystanders:
        assert _to(messages, member) == []
    assert _to(messages, coordinator) == []  # who referred is not told
    # Told once, however often it is asked.
    services.referral_notices.referral_received_tell(referral=referral)
    assert len(_to(sent(), provider)) == 1


def test_the_provider_of_a_training_place_is_told(
    client_of, coordinator, provider, person, sent
):
    course = TrainingFactory(
        academy=provider.academy, organisation=provider.organisation
    )
    assert _refer(client_of(coordinator), person, training=course.pk).status_code == 302
    [message] = _to(sent(), provider)
    assert "referred to your training place" in message.body


def test_a_suggestion_is_not_told_until_it_is_referred_and_then_without_a_name(
    client_of, coordinator, provider, person, vacancy, sent
):
    referral = ReferralFactory(participant=person, vacancy=vacancy, stage="suggested")
    Participant.objects.filter(pk=person.pk).update(has_consent_to_share=False)
    assert _to(sent(), provider) == []
    assert move(client_of(coordinator), referral, "referred").status_code == 302
    [message] = _to(sent(), provider)
    assert "A candidate has been referred" in message.body
    assert "Amira" not in message.subject + message.body
    _has_nothing_private(message)


def test_a_withdrawal_is_told_with_details_withheld(
    client_of, coordinator, provider, bystanders, person, vacancy, sent
):
    referral = ReferralFactory(participant=person, vacancy=vacancy)
    assert move(client_of(coordinator), referral, "withdrawn").status_code == 302
    messages = sent()
    [message] = _to(messages, provider)
    assert message.subject == "Referral withdrawn: Home carer, Plympton"
    assert "A referral to your vacancy" in message.body
    assert "Amira" not in message.subject + message.body
    assert "Haddad" not in message.body
    _has_nothing_private(message)
    for member in bystanders:
        assert _to(messages, member) == []


def test_a_suggestion_withdrawn_is_not_told(
    client_of, coordinator, provider, person, vacancy, sent
):
    referral = ReferralFactory(participant=person, vacancy=vacancy, stage="suggested")
    assert move(client_of(coordinator), referral, "withdrawn").status_code == 302
    assert _to(sent(), provider) == []


def test_the_coordinator_is_told_when_a_provider_moves_a_referral(
    client_of, coordinator, provider, person, vacancy, sent
):
    referral = ReferralFactory(participant=person, vacancy=vacancy)
    colleague = MembershipFactory(role="coordinator", academy=coordinator.academy)
    with time_machine.travel(NOW, tick=False):
        response = move(
            client_of(provider),
            referral,
            "interview",
            {"interview_on": "2026-06-12", "interview_time": "14:30"},
        )
    assert response.status_code == 302
    messages = sent()
    [message] = _to(messages, coordinator)
    assert message.subject == "Interview arranged: Amira Haddad, Home carer, Plympton"
    assert str(provider.user.get_full_name()) in message.body
    assert "Friday 12 June 2026 at 14:30, Oak House" in message.body
    assert detail_url(referral) in message.body
    assert _to(messages, colleague) == []
    assert _to(messages, provider) == []  # who moved it is not told
    row = Message.objects.get(user=coordinator.user)
    assert row.notice == "referral_moved"


def test_the_coordinator_is_not_told_of_their_own_move(
    client_of, coordinator, provider, person, vacancy, sent
):
    referral = ReferralFactory(participant=person, vacancy=vacancy)
    assert move(client_of(coordinator), referral, "offered").status_code == 302
    assert _to(sent(), coordinator) == []


def test_a_rearranged_interview_is_told_to_the_coordinator(
    client_of, coordinator, provider, person, vacancy, sent
):
    referral = ReferralFactory(participant=person, vacancy=vacancy)
    client = client_of(provider)
    with time_machine.travel(NOW, tick=False):
        move(client, referral, "interview", {"interview_on": "2026-06-12"})
        response = client.post(
            f"/referrals/{referral.pk}/interview/",
            {
                "interview_on": "2026-06-15",
                "interview_time": "09:00",
                "interview_how": "phone",
                "interview_place": "",
            },
        )
    assert response.status_code == 302
    _first, moved = _to(sent(), coordinator)
    assert moved.subject == "Interview moved: Amira Haddad, Home carer, Plympton"
    assert "Monday 15 June 2026 at 09:00, by phone" in moved.body


def test_the_provider_is_told_of_an_interview_tomorrow_once(
    provider, colleague, bystanders, person, vacancy, sent
):
    ReferralFactory(
        participant=person,
        vacancy=vacancy,
        stage="interview",
        interview_at=dt.datetime(2026, 6, 11, 10, 0, tzinfo=LONDON),
        interview_place="Oak House",
    )
    with time_machine.travel(NOW, tick=False):
        assert services.interview_reminders_send() == 1
        assert services.interview_reminders_send() == 1
    messages = sent()
    for member in (provider, colleague):
        [message] = _to(messages, member)
        assert message.subject == "Interview tomorrow at 10:00: Home carer, Plympton"
        assert "Who: Amira Haddad" in message.body
        assert "When: Thursday 11 June 2026 at 10:00" in message.body
        _has_nothing_private(message)
    for member in bystanders:
        assert _to(messages, member) == []


def test_the_provider_reads_no_name_of_someone_who_withdrew_consent(
    provider, person, vacancy, sent
):
    ReferralFactory(
        participant=person,
        vacancy=vacancy,
        stage="interview",
        interview_at=dt.datetime(2026, 6, 11, 10, 0, tzinfo=LONDON),
        interview_place="Oak House",
    )
    Participant.objects.filter(pk=person.pk).update(has_consent_to_share=False)
    with time_machine.travel(NOW, tick=False):
        services.interview_reminders_send()
    [message] = _to(sent(), provider)
    assert "Who: a candidate" in message.body
    assert "Amira" not in message.body


def test_a_deactivated_account_is_not_told(
    client_of, coordinator, provider, person, vacancy, sent
):
    gone = UserFactory(is_active=False)
    MembershipFactory(
        role="provider",
        academy=provider.academy,
        organisation=provider.organisation,
        user=gone,
    )
    _refer(client_of(coordinator), person, vacancy=vacancy.pk)
    assert [m for m in sent() if gone.email in m.to] == []


@pytest.mark.parametrize(
    "template",
    ["referral_received", "referral_moved", "referral_withdrawn", "interview_tomorrow"],
)
def test_members_are_told_where_to_choose_how_they_hear(template):
    from academy.notify import Recipient, message_render

    to = Recipient(name="Ewa", email="ewa@example.org", user_id=1)
    text = message_render(template=template, to=to, context={}).text
    # There is no "account page": the choice is Notifications, in the user menu.
    assert "account page" not in text
    assert "Notifications (in the menu under your name)" in text
