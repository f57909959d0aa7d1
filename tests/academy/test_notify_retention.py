"""How long the message log keeps what (README: data inventory and retention
schedule): a message's words and address go as soon as it is sent, delivered or given
up (a keyed hash of the address stays, for the rate limit and STOP replies); messages
not to or about a participant go RETENTION_MESSAGES_MONTHS after they were made, by the
nightly retention task; a participant's messages go with the person's erasure."""

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from academy import messaging
from academy.models import Message
from academy.notify import Notice, Recipient, address_digest, notify
from academy.retention import retention_apply
from tests.participants.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

AISHA = Recipient(name="Aisha Khan", email="aisha@example.net")
NOW = dt.datetime(2030, 6, 15, 3, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
STAFF_LABEL = "messages not about a participant past their period deleted"
FORGOTTEN_LABEL = "words and addresses of finished messages forgotten"


@pytest.fixture
def templates(settings, tmp_path):
    folder = tmp_path / "emails"
    folder.mkdir()
    (folder / "hello_subject.txt").write_text("Hello {{ recipient.name }}")
    (folder / "hello_body.txt").write_text("Dear {{ recipient.name }}")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]


def _sent(key, *, at, participant=None, user=None, to=AISHA, academy=None):
    with time_machine.travel(at, tick=False):
        return Message.objects.create(
            academy=academy,
            channel="email",
            template="hello",
            key=key,
            participant=participant,
            user=user,
            address_hash=address_digest(to.email),
            subject="Hello",
            status=Message.Status.SENT,
            sent_at=at,
        )


def test_a_sent_message_keeps_no_address_only_its_hash(
    templates, academy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(to=AISHA, template="hello", context={}, academy=academy)
    row = Message.objects.get()
    assert row.status == Message.Status.SENT
    assert (row.address, row.body, row.extra) == ("", "", "")
    assert row.address_hash == address_digest("aisha@example.net")
    assert row.subject == "Hello Aisha Khan"  # what was sent


def test_a_permanent_failure_and_a_delivery_receipt_forget_the_address(
    templates, academy, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.academy.test_notify_retention.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        notify(to=AISHA, template="hello", context={}, academy=academy, key="no")
    refused = Message.objects.get(key="no")
    assert refused.status == Message.Status.PERMANENT_FAILURE
    assert (refused.address, refused.body) == ("", "")

    waiting = Message.objects.create(
        channel="sms",
        template="hello",
        key="receipt",
        address="+447700900123",
        body="Hi",
        provider_id="abc",
        status=Message.Status.SENDING,
    )
    assert messaging.delivery_receipt_record(
        provider_id="abc", reference="", status="delivered"
    )
    waiting.refresh_from_db()
    assert (waiting.status, waiting.address, waiting.body) == ("delivered", "", "")


def test_a_digest_forgets_the_held_notices_addresses(
    templates, provider, django_capture_on_commit_callbacks
):
    from academy.models import NoticeChoice

    NoticeChoice.objects.create(
        membership=provider, notice=Notice.REFERRAL_RECEIVED, how="digest"
    )
    user = provider.user
    notify(
        to=Recipient(name="P", email=user.email, user_id=user.pk),
        template="hello",
        context={},
        academy=provider.academy,
        key="held",
        notice=Notice.REFERRAL_RECEIVED,
    )
    assert Message.objects.get(key="held").address == user.email
    with django_capture_on_commit_callbacks(execute=True):
        assert messaging.notices_digest_send() == 1
    assert {m.address for m in Message.objects.all()} == {""}


@override_settings(RETENTION_MESSAGES_MONTHS=12)
def test_messages_not_about_a_participant_go_after_their_period(academy, provider):
    year_ago = NOW.replace(year=NOW.year - 1)
    person = ParticipantFactory(academy=academy)
    _sent("staff:old", at=year_ago - DAY, user=provider.user, academy=academy)
    _sent("public:old", at=year_ago - DAY, academy=academy)
    kept = _sent("staff:new", at=year_ago + DAY, user=provider.user, academy=academy)
    persons = _sent("person:old", at=year_ago - DAY * 400, participant=person)

    with time_machine.travel(NOW, tick=False):
        done = retention_apply()

    assert done[STAFF_LABEL] == 2
    remaining = set(Message.objects.values_list("pk", flat=True))
    assert remaining == {kept.pk, persons.pk}
    with time_machine.travel(NOW, tick=False):
        assert retention_apply()[STAFF_LABEL] == 0


def test_the_nightly_task_forgets_words_and_addresses_a_finished_message_kept():
    """What the send path forgets at once; a row finished before that (or by a path
    that missed it) loses them at night. A message still waiting keeps them."""
    finished = Message.objects.create(
        channel="email",
        template="hello",
        key="old",
        address="aisha@example.net",
        address_hash=address_digest("aisha@example.net"),
        subject="Hello",
        body="Dear Aisha",
        status=Message.Status.SENT,
    )
    waiting = Message.objects.create(
        channel="email",
        template="hello",
        key="waiting",
        address="aisha@example.net",
        body="Dear Aisha",
        status=Message.Status.FAILED,
    )
    assert retention_apply()[FORGOTTEN_LABEL] == 1
    finished.refresh_from_db()
    waiting.refresh_from_db()
    assert (finished.address, finished.body, finished.subject) == ("", "", "Hello")
    assert finished.address_hash == address_digest("aisha@example.net")
    assert (waiting.address, waiting.body) == ("aisha@example.net", "Dear Aisha")
    assert retention_apply()[FORGOTTEN_LABEL] == 0


def test_erasing_a_person_removes_the_hash_a_sent_message_kept(
    templates, academy, django_capture_on_commit_callbacks
):
    from participants.services.rights import participant_erase

    person = ParticipantFactory(academy=academy)
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            to=AISHA, template="hello", context={}, academy=academy, participant=person
        )
    assert Message.objects.get().address_hash
    participant_erase(participant=person, by=None, reason="asked")
    row = Message.objects.get()
    assert (row.address, row.address_hash, row.subject, row.body) == ("", "", "", "")
    assert row.status == Message.Status.SENT  # that it was sent stays


def test_the_period_is_a_setting_in_the_schedule(settings):
    from academy.inventory import RETENTION, Retention

    rule = RETENTION[Retention.MESSAGE]
    assert rule.setting == "RETENTION_MESSAGES_MONTHS"
    settings.RETENTION_MESSAGES_MONTHS = 3
    assert rule.period_text == "3 months"


class RefusingBackend:
    """An e-mail backend whose server refuses every recipient (a permanent error)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        import smtplib

        raise smtplib.SMTPRecipientsRefused({"aisha@example.net": (550, b"no")})
