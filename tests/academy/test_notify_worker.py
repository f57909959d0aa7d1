"""Messages through a real Celery worker on Redis and PostgreSQL, as production sends
them (academy/messaging.py): a message recorded by notify() in a committed transaction
is sent once; the send task delivered twice, even to two workers at once, sends once;
and a worker killed after Notify took a text message but before it recorded that does
not send it again when the message is picked up after a restart: it asks Notify by
the message's reference (the fake Notify of tests/fake_notify.py answers as Notify
does)."""

import datetime as dt
import json
import time
from collections import Counter

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from academy import tasks
from academy.messaging import messages_due
from academy.models import Message
from academy.notify import Channel, Recipient, address_digest, notify
from tests.academy.factories import AcademyFactory
from tests.conftest import WorkerProcess

pytestmark = pytest.mark.worker

CONTEXT = {
    "academy_name": "Home Care Academy",
    "first_name": "Aisha",
    "kind": "Meeting",
    "with_name": "Jo Bloggs",
    "when": "Tuesday 2 June 2026 at 10:00",
    "time": "10:00",
    "minutes": 45,
    "place": "The Job Centre",
}


def _wait(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _remind(academy, to, key):
    return notify(
        to=to,
        template="appointment_reminder",
        context=CONTEXT,
        academy=academy,
        key=key,
    )


def _texter(n):
    return Recipient(name="Aisha", phone=f"07700 900{n:03d}", prefers=Channel.SMS)


def test_an_e_mail_recorded_in_a_committed_transaction_is_sent_once(worker):
    academy = AcademyFactory()
    to = Recipient(name="Wendy Wu", email="wendy@example.org")
    with transaction.atomic():
        assert _remind(academy, to, "worker:mail:1") == Channel.EMAIL
        row = Message.objects.get(key="worker:mail:1")
        # The task is queued at the commit, not before: nothing is sent meanwhile.
        time.sleep(2)
        assert not list(worker.mail_dir.iterdir())

    assert _wait(lambda: Message.objects.get(pk=row.pk).status == "sent"), worker.output
    # The same key again, once sent: nothing more (and no second task).
    with transaction.atomic():
        _remind(academy, to, "worker:mail:1")
    # A second delivery of the same task finds the message sent.
    assert tasks.message_send.delay(row.pk).get(timeout=60) == "skipped"

    mails = [path.read_text() for path in worker.mail_dir.iterdir()]
    assert len(mails) == 1
    assert "To: wendy@example.org" in mails[0]
    assert "Subject: Tomorrow: your appointment at 10:00" in mails[0]
    sent = Message.objects.get(pk=row.pk)
    assert (sent.attempts, sent.body, sent.extra) == (1, "", "")
    assert Message.objects.count() == 1


def test_the_send_task_delivered_twice_to_two_workers_sends_each_text_once(
    worker, fake_notify
):
    academy = AcademyFactory()
    second = WorkerProcess(worker.queue, worker.env, worker.mail_dir)
    second.start()
    try:
        with transaction.atomic():  # each queued once at the commit...
            for n in range(8):
                _remind(academy, _texter(n), f"worker:twice:{n}")
        ids = list(Message.objects.values_list("pk", flat=True))
        # ...and twice more, as a broker may deliver a task again.
        again = [tasks.message_send.delay(pk) for pk in ids + ids]
        outcomes = Counter(result.get(timeout=90) for result in again)
        assert _wait(lambda: not Message.objects.exclude(status="sent").exists())
    finally:
        second.stop()
        print(second.output)  # noqa: T201 - shown when the test fails

    assert set(outcomes) <= {"sent", "skipped"}
    references = Counter(request["reference"] for request in fake_notify.sms)
    assert references == {f"worker:twice:{n}": 1 for n in range(8)}
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}
    numbers = {request["phone_number"] for request in fake_notify.sms}
    assert numbers == {f"+447700900{n:03d}" for n in range(8)}


def test_a_worker_killed_after_notify_took_the_text_does_not_send_it_again(
    worker, fake_notify
):
    academy = AcademyFactory()
    fake_notify.hold = True  # Notify takes the text, then keeps the worker waiting
    with transaction.atomic():
        _remind(academy, _texter(1), "worker:killed:1")
    row = Message.objects.get()
    assert fake_notify.arrived.wait(timeout=60), worker.output
    assert Message.objects.get(pk=row.pk).status == Message.Status.SENDING

    worker.kill()  # as a power cut would: nothing recorded, nothing acknowledged
    fake_notify.release.set()
    worker.start()
    assert Message.objects.get(pk=row.pk).status == Message.Status.SENDING
    # Not picked up again while it may still be being sent...
    assert row.pk not in messages_due()
    # ...but once NOTIFY_SENDING_STALE_SECONDS have passed, beat's sweep sends it.
    stale = dt.timedelta(seconds=settings.NOTIFY_SENDING_STALE_SECONDS + 60)
    Message.objects.filter(pk=row.pk).update(updated_at=timezone.now() - stale)
    assert tasks.messages_due_send.delay().get(timeout=60) == 1
    assert _wait(lambda: Message.objects.get(pk=row.pk).status == "sent"), worker.output

    [accepted] = fake_notify.notifications
    assert len(fake_notify.sms) == 1  # one request to Notify, not two
    sent = Message.objects.get(pk=row.pk)
    assert sent.provider_id == accepted["id"]
    assert sent.attempts == 2
    assert (sent.body, sent.extra) == ("", "")


def test_a_worker_killed_before_notify_answered_sends_when_notify_has_nothing(
    worker, fake_notify
):
    """The other side of the look-up: the worker died, and Notify has no message of
    that reference (it never arrived): it is sent, once."""
    # As if a worker had claimed it and died before its request left.
    row = Message.objects.create(
        academy=AcademyFactory(),
        channel=Message.Channel.SMS,
        template="appointment_reminder",
        key="worker:lost:1",
        address="+447700900002",
        address_hash=address_digest("+447700900002"),
        subject="A reminder",
        body="A reminder",
        extra=json.dumps({"personalisation": {"body": "A reminder"}}),
        status=Message.Status.SENDING,
        attempts=1,
    )
    stale = dt.timedelta(seconds=settings.NOTIFY_SENDING_STALE_SECONDS + 60)
    Message.objects.filter(pk=row.pk).update(updated_at=timezone.now() - stale)
    assert tasks.message_send.delay(row.pk).get(timeout=60) == "sent"
    [request] = fake_notify.sms
    assert request["reference"] == "worker:lost:1"
    assert (
        Message.objects.get(pk=row.pk).provider_id
        == (fake_notify.notifications[0]["id"])
    )
