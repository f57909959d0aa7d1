"""The one way the portal sends a message to a person or a member (STYLE.md): a
template rendered for one recipient, sent once the transaction that caused it has
committed (a rolled-back sign-up sends nothing), and never to a member of the public
who did not agree to be contacted.

A message is the templates `emails/<name>_subject.txt`, `emails/<name>_body.txt` and,
optionally, `emails/<name>_body.html`, with attachments such as an .ics file. E-mail is
the only channel today and goes through Django's EMAIL_BACKEND (printed to the console
unless EMAIL_URL names a server). Text messages, digests and a log of what was sent
(issue 13) are a channel in `CHANNELS` and steps in `notify`; callers do not change.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import TextChoices
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class Notice(TextChoices):
    """What a member of staff is told about. Each member chooses per kind: at once, in
    a daily digest, or not at all (`notice=` of `notify`)."""

    REFERRAL_RECEIVED = "referral_received", "A vacancy of ours receives a referral"
    REFERRAL_WITHDRAWN = "referral_withdrawn", "A referral to us is withdrawn"
    INTERVIEW_TOMORROW = "interview_tomorrow", "An interview we arranged is tomorrow"
    REFERRAL_MOVED = "referral_moved", "A provider moves a referral of my caseload"
    CRITICAL_SHORTAGE = "critical_shortage", "A provider flags a critical shortage"


@dataclass(frozen=True)
class Recipient:
    """Who a message is for, and how they may be reached. A member of the public is
    written to only when they agreed to be (a sign-up's `has_consented`); members of
    staff are written to about their work."""

    name: str
    email: str = ""
    phone: str = ""
    has_agreed: bool = True
    # The channel the person chose (a participant's contact preference); None: e-mail.
    prefers: Channel | None = None
    # A member of staff: their choices per Notice apply.
    user_id: int | None = None


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes | str
    mimetype: str


@dataclass(frozen=True)
class Message:
    """A message rendered for one recipient, ready for a channel to send."""

    template: str
    to: Recipient
    subject: str
    text: str
    html: str = ""
    attachments: tuple[Attachment, ...] = ()
    reply_to: tuple[str, ...] = field(default=())


def link(path: str) -> str:
    """An absolute address for a message (tasks have no request to build it from)."""
    return str(settings.SITE_URL).rstrip("/") + path


def channel_for(to: Recipient) -> Channel | None:
    """How `to` can be reached, or None: they did not agree, or left no address."""
    if not to.has_agreed:
        return None
    if to.prefers == Channel.SMS and to.phone:
        return Channel.SMS
    if to.email:
        return Channel.EMAIL
    return None


def message_render(
    *,
    template: str,
    to: Recipient,
    context: Mapping[str, Any],
    attachments: Sequence[Attachment] = (),
    reply_to: Sequence[str] = (),
) -> Message:
    """Render the templates of `template` for `to`."""
    full = {
        "recipient": to,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        **context,
    }
    prefix = f"emails/{template}"
    subject = " ".join(render_to_string(f"{prefix}_subject.txt", full).split())
    html: str
    try:
        html = render_to_string(f"{prefix}_body.html", full)
    except TemplateDoesNotExist:
        html = ""
    return Message(
        template=template,
        to=to,
        subject=subject,
        text=render_to_string(f"{prefix}_body.txt", full),
        html=html,
        attachments=tuple(attachments),
        reply_to=tuple(address for address in reply_to if address),
    )


def _email_send(message: Message) -> None:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        to=[message.to.email],
        reply_to=list(message.reply_to) or None,
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    for attachment in message.attachments:
        email.attach(attachment.filename, attachment.content, attachment.mimetype)
    email.send()


CHANNELS: dict[Channel, Callable[[Message], None]] = {Channel.EMAIL: _email_send}


def _deliver(channel: Channel, message: Message) -> None:
    try:
        CHANNELS[channel](message)
    except Exception as error:
        # The change that caused it stands. Log the template's name and the error's
        # kind only, never the address (spec/security.md LOG-5).
        logger.warning(
            "Message %s by %s not sent: %s",
            message.template,
            channel,
            type(error).__name__,
        )


def notify(
    *,
    to: Recipient,
    template: str,
    context: Mapping[str, Any],
    academy: Any = None,
    key: str = "",
    participant: Any = None,
    notice: Notice | None = None,
    attachments: Sequence[Attachment] = (),
    reply_to: Sequence[str] = (),
) -> Channel | None:
    """Send the message `template` to `to` once the current transaction commits (at
    once outside one). Returns the channel it goes by, or None when `to` cannot be
    reached (nothing is sent).

    `academy`: whose message it is. `key`: the same key is sent at most once (e.g.
    "appointment:12:reminder:2026-12-01T09:00"). `participant`: the person it is to or
    about, listed on their timeline. `notice`: a member's kind of notice, so their
    choice (at once, daily digest, none) applies."""
    channel = channel_for(to)
    if channel is None:
        return None
    message = message_render(
        template=template,
        to=to,
        context=context,
        attachments=attachments,
        reply_to=reply_to,
    )
    transaction.on_commit(functools.partial(_deliver, channel, message))
    return channel
