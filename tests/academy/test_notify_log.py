"""The message log behind notify(): every message is a row written in the caller's
transaction, sent by a task after the commit; a key goes once, a task run twice sends
once, transient failures are tried again with back-off, the rate limit defers, and
members' choices (at once, daily digest, none) apply to staff notices."""

import datetime as dt
import logging

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from academy import messaging, tasks
from academy.models import Message, NoticeChoice
from academy.notify import Notice, Recipient, notify
from tests.academy.factories import MembershipFactory
from tests.participants.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

AISHA = Recipient(name="Aisha Khan", email="aisha@example.net")


@pytest.fixture
def templates(settings, tmp_path):
    folder = tmp_path / "emails"
    folder.mkdir()
    (folder / "hello_subject.txt").write_text("Hello {{ recipient.name }}")
    (folder / "hello_body.txt").write_text(
        "{% autoescape off %}Dear {{ recipient.name }}, {{ what }}.{% endautoescape %}"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    return folder


def test_a_message_is_logged_then_sent_and_its_words_forgotten(
    templates, academy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(to=AISHA, template="hello", context={"what": "hi"}, academy=academy)
        [row] = Message.objects.all()
        assert row.status == Message.Status.QUEUED
        assert mail.outbox == []
    row.refresh_from_db()
    assert row.status == Message.Status.SENT
    assert row.attempts == 1
    assert row.sent_at is not None
    assert row.subject == "Hello Aisha Khan"  # what was sent stays
    assert row.body == ""  # the words go once sent
    assert row.address == ""  # and the address (its hash stays: test_notify_retention)
    assert len(mail.outbox) == 1


def test_the_same_key_is_sent_once(templates, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(to=AISHA, template="hello", context={"what": "a"}, key="k:1")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(to=AISHA, template="hello", context={"what": "b"}, key="k:1")
    assert callbacks == []
    assert Message.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_send_task_run_twice_sends_once(
    templates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(to=AISHA, template="hello", context={"what": "a"}, key="k:2")
    row = Message.objects.get()
    assert tasks.message_send.delay(row.pk).get() == "skipped"
    assert messaging.message_send(message_id=row.pk).status == "skipped"
    assert len(mail.outbox) == 1


class FailingOnce:
    """An e-mail backend whose first sending fails as a network would."""

    sent = 0
    failed = 0

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        if FailingOnce.failed == 0:
            FailingOnce.failed += 1
            raise ConnectionResetError("reset")
        FailingOnce.sent += len(messages)
        return len(messages)


def test_a_transient_failure_is_tried_again_with_back_off(
    templates, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingOnce"
    FailingOnce.sent = FailingOnce.failed = 0
    with (
        caplog.at_level(logging.INFO),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify(to=AISHA, template="hello", context={"what": "hi"})
    row = Message.objects.get()
    assert row.status == Message.Status.SENT
    assert row.attempts == 2
    assert FailingOnce.sent == 1
    assert "not sent: ConnectionResetError; trying again in 60s" in caplog.text
    assert "aisha" not in caplog.text


def test_back_off_doubles_up_to_an_hour(settings):
    settings.NOTIFY_RETRY_SECONDS = 60
    assert [messaging.retry_delay(n) for n in (1, 2, 3, 4, 8)] == [
        60,
        120,
        240,
        480,
        3600,
    ]


def test_a_failure_that_never_ends_is_given_up_after_the_last_attempt(
    templates, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.academy.test_notify.RefusingBackend"
    settings.NOTIFY_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        notify(to=AISHA, template="hello", context={"what": "hi"})
    row = Message.objects.get()
    assert row.status == Message.Status.PERMANENT_FAILURE
    assert row.attempts == 3
    assert row.last_error == "gave up: ConnectionRefusedError"
    assert row.body == ""


def test_more_than_the_hourly_limit_to_one_address_waits_and_is_not_lost(
    templates, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_RATE_PER_HOUR = 2
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            notify(to=AISHA, template="hello", context={"what": n})
    assert len(mail.outbox) == 2
    waiting = Message.objects.get(status=Message.Status.QUEUED)
    assert waiting.last_error == "rate limit per recipient"
    assert waiting.next_attempt_at > timezone.now() + dt.timedelta(minutes=59)
    assert messaging.messages_due() == []
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=61), tick=False):
        assert tasks.messages_due_send.delay().get() == 1
    waiting.refresh_from_db()
    assert waiting.status == Message.Status.SENT
    assert len(mail.outbox) == 3


def test_a_message_the_broker_never_got_is_sent_by_the_beat_task(templates):
    row = Message.objects.create(
        channel="email",
        template="hello",
        key="lost",
        address="aisha@example.net",
        subject="Hello",
        body="Dear Aisha",
    )
    assert messaging.messages_due() == []  # its task may still be on its way
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11), tick=False):
        assert messaging.messages_due() == [row.pk]
        tasks.messages_due_send.delay()
    row.refresh_from_db()
    assert row.status == Message.Status.SENT
    assert mail.outbox[0].body == "Dear Aisha"


def _member_notice(membership, notice=Notice.REFERRAL_RECEIVED, key="n:1"):
    user = membership.user
    return notify(
        to=Recipient(name=user.get_full_name(), email=user.email, user_id=user.pk),
        template="hello",
        context={"what": f"a referral ({key})"},
        academy=membership.academy,
        key=key,
        notice=notice,
    )


def test_a_member_who_chose_none_is_not_told(
    templates, provider, django_capture_on_commit_callbacks
):
    NoticeChoice.objects.create(
        membership=provider, notice=Notice.REFERRAL_RECEIVED, how="none"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert _member_notice(provider) is None
        _member_notice(provider, Notice.REFERRAL_WITHDRAWN, key="n:2")  # at once
    row = Message.objects.get(key="n:1")
    assert row.status == Message.Status.NOT_SENT
    assert row.body == ""
    assert [m.body for m in mail.outbox] == [
        f"Dear {provider.user.get_full_name()}, a referral (n:2)."
    ]


def test_the_choice_of_another_academy_does_not_apply(
    templates, provider, other_academy, django_capture_on_commit_callbacks
):
    elsewhere = MembershipFactory(
        user=provider.user, academy=other_academy, role=provider.role
    )
    NoticeChoice.objects.create(
        membership=elsewhere, notice=Notice.REFERRAL_RECEIVED, how="none"
    )
    with django_capture_on_commit_callbacks(execute=True):
        _member_notice(provider)
    assert len(mail.outbox) == 1


def test_held_notices_go_in_one_daily_digest_once(
    templates, provider, django_capture_on_commit_callbacks
):
    NoticeChoice.objects.create(
        membership=provider, notice=Notice.REFERRAL_RECEIVED, how="digest"
    )
    with django_capture_on_commit_callbacks(execute=True):
        _member_notice(provider, key="n:1")
        _member_notice(provider, key="n:2")
    assert mail.outbox == []
    assert Message.objects.filter(status=Message.Status.HELD).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.notices_digest_send.delay().get() == 1
        assert tasks.notices_digest_send.delay().get() == 0  # safe to run twice
    [digest] = mail.outbox
    assert digest.to == [provider.user.email]
    assert "2 notices" in digest.body
    assert "a referral (n:1)" in digest.body
    assert "a referral (n:2)" in digest.body
    held = Message.objects.filter(key__in=["n:1", "n:2"])
    assert {m.status for m in held} == {Message.Status.IN_DIGEST}
    assert {m.body for m in held} == {""}


def test_an_email_to_a_person_carries_an_opt_out_link(
    templates, academy, django_capture_on_commit_callbacks
):
    person = ParticipantFactory(academy=academy)
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            to=AISHA,
            template="hello",
            context={"what": "hi"},
            academy=academy,
            participant=person,
            key="p:1",
        )
    [message] = mail.outbox
    assert message.body.startswith("Dear Aisha Khan, hi.")
    assert "To stop these messages, open this link: http" in message.body
    assert "/messages/stop/" in message.body


def test_erasing_a_person_blanks_their_messages(
    templates, academy, django_capture_on_commit_callbacks
):
    from participants.services.rights import participant_erase

    person = ParticipantFactory(academy=academy)
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            to=AISHA,
            template="hello",
            context={"what": "hi"},
            academy=academy,
            participant=person,
        )
    participant_erase(participant=person, by=None, reason="asked")
    row = Message.objects.get()
    assert (row.address, row.subject, row.body, row.address_hash) == ("", "", "", "")
