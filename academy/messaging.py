"""Sending what academy.notify recorded, and what comes back: the send task's service
(claim the row so that only one worker sends it, the rate limit per address, retries
with back-off, the outcome recorded), the daily digest of members' held notices,
Notify's delivery receipts, STOP replies and the e-mail opt-out link.

A message in a final state (sent, delivered, given up) keeps no words and no address,
only a keyed hash of the address and its subject (FORGOTTEN).

The row's state decides everything, so a task delivered twice (acks_late, a worker
restarted) sends once: a sent row is never claimed again, and a row left "sending" by
a worker that died is first looked up at Notify by its reference (our key)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .channels import Outgoing, SendError, channel_backend
from .models import Academy, Message, User
from .models.messages import DONE
from .notify import (
    OPT_OUT_SALT,
    OptOut,
    Recipient,
    address_digest,
    notify,
    opt_out_hooks,
)
from .rules import phone_e164

logger = logging.getLogger(__name__)

Status = Message.Status


@dataclass(frozen=True)
class SendResult:
    """What one run of the send task did; `retry_in`: seconds until it tries again."""

    status: str
    retry_in: int | None = None


def retry_delay(attempts: int) -> int:
    """Exponential back-off: NOTIFY_RETRY_SECONDS after the first failure, doubling,
    at most an hour."""
    base = int(settings.NOTIFY_RETRY_SECONDS)
    return int(min(3600, base * 2 ** max(0, attempts - 1)))


def _claim(message_id: int, now: dt.datetime) -> Message | None:
    """Mark the message "sending" if it is waiting (or left sending by a worker that
    stopped), in one conditional UPDATE: two workers cannot both claim it."""
    stale = now - dt.timedelta(seconds=settings.NOTIFY_SENDING_STALE_SECONDS)
    claimed = (
        Message.objects.filter(pk=message_id)
        .filter(
            Q(status__in=[Status.QUEUED, Status.FAILED])
            | Q(status=Status.SENDING, updated_at__lt=stale)
        )
        .update(status=Status.SENDING, attempts=F("attempts") + 1, updated_at=now)
    )
    if not claimed:
        return None
    return Message.objects.get(pk=message_id)


def _over_rate_limit(message: Message, now: dt.datetime) -> dt.datetime | None:
    """When a message to this address may go, if NOTIFY_RATE_PER_HOUR have gone to it
    in the last hour; None: it may go now."""
    if not message.address_hash:
        return None
    hour_ago = now - dt.timedelta(hours=1)
    recent: list[dt.datetime] = [
        at
        for at in Message.objects.filter(
            address_hash=message.address_hash, sent_at__gte=hour_ago
        )
        .exclude(pk=message.pk)
        .order_by("sent_at")
        .values_list("sent_at", flat=True)
        if at is not None
    ]
    limit = int(settings.NOTIFY_RATE_PER_HOUR)
    if len(recent) < limit:
        return None
    return recent[len(recent) - limit] + dt.timedelta(hours=1)


def _outgoing(message: Message) -> Outgoing:
    extra: dict[str, Any] = json.loads(message.extra) if message.extra else {}
    attachments = tuple(
        (
            item["filename"],
            item["text"] if "text" in item else base64.b64decode(item["base64"]),
            item["mimetype"],
        )
        for item in extra.get("attachments", [])
    )
    return Outgoing(
        template=message.template,
        address=str(message.address),
        subject=str(message.subject),
        text=str(message.body),
        reference=message.key,
        html=extra.get("html", ""),
        attachments=attachments,
        reply_to=tuple(extra.get("reply_to", [])),
        personalisation=extra.get("personalisation", {}),
    )


# What a message in a final state no longer keeps: its words and what else was needed
# to send them again (an invitation's link is a secret), and its address (the keyed
# hash stays, for the rate limit and STOP replies). The subject says what was sent.
FORGOTTEN = {"address": "", "body": "", "extra": ""}


def _finish(message: Message, status: str, **fields: Any) -> None:
    """Record a final outcome, forgetting the words and the address."""
    Message.objects.filter(pk=message.pk).update(
        status=status, updated_at=timezone.now(), **FORGOTTEN, **fields
    )


def message_send(*, message_id: int) -> SendResult:
    """Send one logged message if it is still waiting, and record what happened."""
    now = timezone.now()
    message = _claim(message_id, now)
    if message is None:
        return SendResult("skipped")
    backend = channel_backend(message.channel)
    if message.attempts > 1:  # a worker may have sent it and died before recording
        provider_id = backend.sent_before(message.key)
        if provider_id:
            _finish(message, Status.SENT, sent_at=now, provider_id=provider_id)
            return SendResult(Status.SENT)
    not_before = _over_rate_limit(message, now)
    if not_before is not None:
        # Deferred, not lost: messages_due_send sends it when the hour allows.
        Message.objects.filter(pk=message.pk).update(
            status=Status.QUEUED,
            attempts=F("attempts") - 1,
            next_attempt_at=not_before,
            last_error="rate limit per recipient",
            updated_at=now,
        )
        logger.info("Message %s deferred by the rate limit", message.template)
        return SendResult("deferred")
    try:
        provider_id = backend.send(_outgoing(message))
    except SendError as error:
        return _failed(message, error, now)
    _finish(
        message,
        Status.SENT,
        sent_at=timezone.now(),
        provider_id=provider_id,
        last_error="",
        next_attempt_at=None,
    )
    return SendResult(Status.SENT)


def _failed(message: Message, error: SendError, now: dt.datetime) -> SendResult:
    # The template and the error's kind only, never the address (LOG-5).
    template, channel = message.template, message.channel
    if error.permanent or message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        why = error.kind if error.permanent else f"gave up: {error.kind}"
        logger.warning("Message %s by %s not sent: %s", template, channel, why)
        _finish(message, Status.PERMANENT_FAILURE, last_error=why[:200])
        return SendResult(Status.PERMANENT_FAILURE)
    delay = retry_delay(message.attempts)
    logger.warning(
        "Message %s by %s not sent: %s; trying again in %ss",
        template,
        channel,
        error.kind,
        delay,
    )
    Message.objects.filter(pk=message.pk).update(
        status=Status.FAILED,
        last_error=error.kind,
        next_attempt_at=now + dt.timedelta(seconds=delay),
        updated_at=now,
    )
    return SendResult(Status.FAILED, retry_in=delay)


# A retry the broker lost is sent again this long after it was due.
LOST_RETRY = dt.timedelta(minutes=10)


def messages_due(now: dt.datetime | None = None) -> list[int]:
    """Messages to send now: deferred by the rate limit and now due, queued but never
    sent (the broker was down at the commit), or a retry the broker lost."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.NOTIFY_SENDING_STALE_SECONDS)
    due = Message.objects.filter(
        Q(status=Status.QUEUED, next_attempt_at__lte=now)
        | Q(status=Status.QUEUED, next_attempt_at=None, created_at__lt=now - LOST_RETRY)
        | Q(status=Status.FAILED, next_attempt_at__lte=now - LOST_RETRY)
        | Q(status=Status.SENDING, updated_at__lt=stale)
    )
    return list(due.order_by("pk").values_list("pk", flat=True)[:500])


# ---- the daily digest ----------------------------------------------------------------


def notices_digest_send(now: dt.datetime | None = None) -> int:
    """One e-mail per member and academy listing the notices held for their digest,
    which are then marked sent in it. Safe to run twice: the digest's key is the day,
    and a held notice is taken once, under a row lock. Returns digests sent."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    held = (
        Message.objects.filter(status=Status.HELD, user__isnull=False)
        .values_list("user_id", "academy_id")
        .distinct()
    )
    sent = 0
    for user_id, academy_id in sorted(set(held), key=lambda pair: pair[0] or 0):
        with transaction.atomic():
            rows = list(
                Message.objects.select_for_update()
                .filter(status=Status.HELD, user_id=user_id, academy_id=academy_id)
                .order_by("created_at", "pk")
            )
            if not rows:
                continue
            user = User.objects.get(pk=user_id)
            academy = Academy.objects.filter(pk=academy_id).first()
            channel = notify(
                to=Recipient.member(user),
                template="notices_digest",
                context={
                    "academy_name": academy.name if academy else "",
                    "day": day,
                    "notices": [
                        {"subject": str(row.subject), "body": str(row.body)}
                        for row in rows
                    ],
                },
                academy=academy,
                key=f"digest:{user_id}:{academy_id}:{day.isoformat()}",
            )
            if channel is None:
                continue
            Message.objects.filter(pk__in=[row.pk for row in rows]).update(
                status=Status.IN_DIGEST, sent_at=now, updated_at=now, **FORGOTTEN
            )
            sent += 1
    return sent


# ---- what comes back: delivery receipts, STOP, the opt-out link ---------------------

RECEIPT_STATUS = {
    "delivered": Status.DELIVERED,
    "permanent-failure": Status.PERMANENT_FAILURE,
    "temporary-failure": Status.PERMANENT_FAILURE,
    "technical-failure": Status.PERMANENT_FAILURE,
}


def delivery_receipt_record(*, provider_id: str, reference: str, status: str) -> bool:
    """Record Notify's delivery state of a message we sent; False for one we do not
    know (or a status we do not read)."""
    new = RECEIPT_STATUS.get(status)
    if new is None or not (provider_id or reference):
        return False
    found = Message.objects.filter(
        Q(provider_id=provider_id) if provider_id else Q(key=reference)
    )
    if not found.exists():
        return False
    found.update(
        status=new,
        last_error="" if new == Status.DELIVERED else f"Notify: {status}",
        updated_at=timezone.now(),
        **FORGOTTEN,
    )
    return True


STOP_WORDS = re.compile(r"^\s*(stop|stop\s+all|unsubscribe|stopall)\W*$", re.IGNORECASE)
HOW_STOP = "replied STOP to a text message"
HOW_LINK = "followed the link in an e-mail to stop messages"


def is_stop(text: str) -> bool:
    """Whether a reply asks for no more messages: STOP, STOP ALL, UNSUBSCRIBE."""
    return bool(STOP_WORDS.match(text or ""))


def text_reply_receive(*, phone: str, text: str) -> int:
    """A text someone sent us (Notify's received-text callback): a STOP reply opts
    the number out with every academy that texted it. Returns people opted out."""
    number = phone_e164(phone) or phone_e164(f"+{phone.lstrip('+')}")
    if number is None or not is_stop(text):
        return 0
    academy_ids = tuple(
        sorted(
            {
                pk
                for pk in Message.objects.filter(
                    channel=Message.Channel.SMS, address_hash=address_digest(number)
                ).values_list("academy_id", flat=True)
                if pk is not None
            }
        )
    )
    if not academy_ids:
        return 0
    return _opt_out(OptOut(academy_ids=academy_ids, how=HOW_STOP, phone=number))


def _opt_out(opt_out: OptOut) -> int:
    done = 0
    for hook in opt_out_hooks:
        done += hook(opt_out)
    return done


class OptOutLinkInvalid(Exception):
    """An opt-out link that was changed, or is older than NOTIFY_OPT_OUT_DAYS."""


def opt_out_message(token: str) -> Message:
    """The message an e-mail's opt-out link was sent with."""
    try:
        key = signing.loads(
            token,
            salt=OPT_OUT_SALT,
            max_age=dt.timedelta(days=settings.NOTIFY_OPT_OUT_DAYS),
        )
    except signing.BadSignature as error:  # SignatureExpired included
        raise OptOutLinkInvalid(str(error)) from error
    message = (
        Message.objects.select_related("academy")
        .filter(key=key, participant__isnull=False)
        .first()
    )
    if message is None:
        raise OptOutLinkInvalid("no such message")
    return message


def opt_out_by_link(*, message: Message) -> int:
    """Record that the person a message was sent to wants no more."""
    return _opt_out(
        OptOut(
            academy_ids=(message.academy_id,) if message.academy_id else (),
            how=HOW_LINK,
            participant_id=message.participant_id,
        )
    )


def finished_messages_forget() -> int:
    """Forget the words and addresses that messages in a final state still hold (the
    send path forgets them at once; this catches any row it missed). Nightly."""
    return (
        Message.objects.filter(status__in=DONE)
        .exclude(address="", body="", extra="")
        .update(updated_at=timezone.now(), **FORGOTTEN)
    )


def messages_of_participant(participant_id: int) -> list[Message]:
    """What was sent to or about a person, newest first (their timeline)."""
    return list(
        Message.objects.filter(participant_id=participant_id).order_by(
            "-created_at", "-pk"
        )
    )


__all__ = [
    "DONE",
    "HOW_LINK",
    "HOW_STOP",
    "OptOutLinkInvalid",
    "SendResult",
    "delivery_receipt_record",
    "finished_messages_forget",
    "is_stop",
    "message_send",
    "messages_due",
    "messages_of_participant",
    "notices_digest_send",
    "opt_out_by_link",
    "opt_out_message",
    "retry_delay",
    "text_reply_receive",
]
