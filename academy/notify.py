"""The one way the portal sends a message to a person or a member (STYLE.md): a
template rendered for one recipient, recorded in the message log (academy.Message) in
the caller's transaction, and sent by a Celery task once that transaction has
committed (a rolled-back sign-up sends nothing); never to a member of the public who
did not agree to be contacted.

E-mail is the templates `emails/<name>_subject.txt`, `emails/<name>_body.txt` and,
optionally, `emails/<name>_body.html`, with attachments such as an .ics file; a text
message is `sms/<name>.txt`. `key` makes a message go at most once, ever; a member's
choice per `Notice` (at once, daily digest, none) applies to staff notices. Sending,
retries, the rate limit, digests, delivery receipts and opt-outs are in
academy/messaging.py; the channels in academy/channels.py.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import TextChoices
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from .home import home_refresh
from .registry import Registry
from .rules import phone_e164

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

    @classmethod
    def member(cls, user: Any) -> Recipient:
        """A member of staff, written to at their work address."""
        return cls(name=user.get_full_name(), email=user.email, user_id=user.pk)


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


@dataclass(frozen=True)
class OptOut:
    """Someone asked for no more messages: by replying STOP from `phone` (to the
    academies in `academy_ids`, those that had texted that number), or by an e-mail's
    link (`participant_id` in `academy_ids`). `how` is said on their record."""

    academy_ids: tuple[int, ...]
    how: str
    phone: str = ""
    participant_id: int | None = None


# Apps that hold people's contact preferences register here (participants does, in
# its ready()); each returns how many people it recorded as opted out.
opt_out_hooks: Registry[Callable[[OptOut], int]] = Registry("opt-out hooks")

OPT_OUT_SALT = "academy.notify.opt-out"


def link(path: str) -> str:
    """An absolute address for a message (tasks have no request to build it from)."""
    return str(settings.SITE_URL).rstrip("/") + path


def opt_out_link(key: str) -> str:
    """The signed, login-free address of the page that stops the messages to the
    person the message of `key` was sent to."""
    from django.urls import reverse

    token = signing.dumps(key, salt=OPT_OUT_SALT, compress=True)
    return link(reverse("message-opt-out", args=[token]))


def address_digest(address: str) -> str:
    """A keyed hash of an address (an e-mail in lower case, a phone in E.164): what
    the rate limit counts and STOP replies are matched by, without decrypting."""
    normal = address.strip().lower()
    return hmac.new(
        settings.SECRET_KEY.encode(), normal.encode(), hashlib.sha256
    ).hexdigest()


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
    """Render the e-mail templates of `template` for `to`."""
    full = _context(to, context)
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


def sms_render(*, template: str, to: Recipient, context: Mapping[str, Any]) -> str:
    """The words of the text message `sms/<template>.txt` for `to`, on as few lines
    as it was written with (blank lines and trailing spaces dropped)."""
    text = render_to_string(f"sms/{template}.txt", _context(to, context))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _context(to: Recipient, context: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "recipient": to,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        **context,
    }


def _member_choice(to: Recipient, academy: Any, notice: Notice | None) -> str:
    """A member's choice for this kind of notice: "at_once", "digest" or "none"."""
    from .models import NoticeChoice

    if notice is None or to.user_id is None:
        return NoticeChoice.How.AT_ONCE
    choices = NoticeChoice.objects.filter(membership__user_id=to.user_id, notice=notice)
    if academy is not None:
        choices = choices.filter(membership__academy=academy)
    how = choices.values_list("how", flat=True).first()
    return how or NoticeChoice.How.AT_ONCE


def _extra(message: Message) -> str:
    """What e-mail needs besides its words, as JSON (attachments as text or base64)."""
    import base64

    if not (message.html or message.attachments or message.reply_to):
        return ""
    return json.dumps(
        {
            "html": message.html,
            "reply_to": list(message.reply_to),
            "attachments": [
                {
                    "filename": a.filename,
                    "mimetype": a.mimetype,
                    **(
                        {"text": a.content}
                        if isinstance(a.content, str)
                        else {"base64": base64.b64encode(a.content).decode()}
                    ),
                }
                for a in message.attachments
            ],
        }
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
    """Record the message `template` to `to` and send it once the current transaction
    commits (at once outside one). Returns the channel it goes by, or None when `to`
    cannot be reached or chose to hear nothing of this kind (nothing is sent).

    `academy`: whose message it is. `key`: the same key is sent at most once (e.g.
    "appointment:12:reminder:2026-12-01T09:00"); a key sent before returns at once.
    `participant`: the person it is to or about, listed on their timeline. `notice`: a
    member's kind of notice, so their choice (at once, daily digest, none) applies."""
    from .models import Message as Logged
    from .models import NoticeChoice

    if to.user_id is not None:  # what a member is told of shows on their home at once
        transaction.on_commit(functools.partial(home_refresh, to.user_id))
    channel = channel_for(to)
    if channel is None:
        return None
    key = key or f"once:{uuid.uuid4().hex}"
    # Rendered first, so a bad template fails the caller at once.
    rendered = message_render(
        template=template,
        to=to,
        context=context,
        attachments=attachments,
        reply_to=reply_to,
    )
    if Logged.objects.filter(key=key).exists():
        return channel
    how = _member_choice(to, academy, notice)
    is_person = participant is not None and to.user_id is None
    if channel == Channel.SMS:
        address = phone_e164(to.phone) or to.phone
        try:
            subject = body = sms_render(template=template, to=to, context=context)
        except TemplateDoesNotExist:  # no words of its own: the e-mail's subject
            logger.warning("No text message template sms/%s.txt", template)
            subject = body = rendered.subject
        extra = json.dumps(
            {"personalisation": _personalisation(template, body, context)}
        )
    else:
        address, subject, body = to.email, rendered.subject, rendered.text
        extra = _extra(rendered)
        if is_person:  # every e-mail to a person says how to stop them
            body = render_to_string(
                "emails/_opt_out_footer.txt",
                {"body": body, "opt_out_url": opt_out_link(key)},
            )
    status = {
        NoticeChoice.How.DIGEST: Logged.Status.HELD,
        NoticeChoice.How.NONE: Logged.Status.NOT_SENT,
    }.get(how, Logged.Status.QUEUED)  # type: ignore[call-overload]
    sent = status != Logged.Status.NOT_SENT
    try:
        with transaction.atomic():
            row = Logged.objects.create(
                academy=academy,
                channel=channel.value,
                template=template,
                notice=notice or "",
                key=key,
                user_id=to.user_id,
                participant=participant,
                address=address if sent else "",
                address_hash=address_digest(address),
                subject=subject,
                body=body if sent else "",
                extra=extra if sent else "",
                status=status,
                last_error="" if sent else "the member chose not to be told",
            )
    except IntegrityError:  # the same key, recorded by a transaction just committed
        return channel
    if status == Logged.Status.QUEUED:
        transaction.on_commit(functools.partial(message_enqueue, row.pk))
    return channel if sent else None


def _personalisation(
    template: str, body: str, context: Mapping[str, Any]
) -> dict[str, str]:
    """What a Notify template is filled with: the generic one only with ((body)); a
    template of its own (NOTIFY_SMS_TEMPLATES) also with the context's words that the
    text itself uses (its `sms/<template>.txt` names them), e.g. ((when)): never what
    the text leaves out, such as a staff page's address or an id."""
    if template not in settings.NOTIFY_SMS_TEMPLATES:
        return {"body": body}
    try:
        used = template_names_used(f"sms/{template}.txt")
    except TemplateDoesNotExist:
        used = set()
    words = {
        name: value
        for name, value in context.items()
        if name in used and isinstance(value, str)
    }
    return {**words, "body": body}


def template_names_used(template_name: str) -> set[str]:
    """The names a template reads from its context (`when` of `{{ when|upper }}`,
    `event` of `{% if event.title %}`), in every branch, whether or not it is taken,
    and in the templates it includes by name."""
    from django.template.base import FilterExpression, Node, Variable
    from django.template.loader import get_template
    from django.template.loader_tags import IncludeNode
    from django.template.smartif import TokenBase

    names: set[str] = set()

    def add(variable: object) -> None:
        if isinstance(variable, Variable) and variable.lookups:
            names.add(variable.lookups[0])

    def visit(value: object) -> None:
        if isinstance(value, FilterExpression):
            add(value.var)
            for _function, arguments in value.filters:
                for _is_lookup, argument in arguments:
                    add(argument)
        elif isinstance(value, list | tuple):
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)
        elif isinstance(value, IncludeNode) and isinstance(value.template.var, str):
            # `{% include "sms/_reach_us.txt" %}`: what the included text reads too.
            visit(get_template(value.template.var).template.nodelist)  # type: ignore[attr-defined]
            visit(value.extra_context)
        elif isinstance(value, Node | TokenBase):
            for attribute, item in vars(value).items():
                if attribute not in {"origin", "token"}:
                    visit(item)

    visit(get_template(template_name).template.nodelist)  # type: ignore[attr-defined]
    return names


def message_enqueue(message_id: int) -> None:
    """Queue the send task; a broker that does not answer leaves the message queued
    for `messages_due_send`, the beat task that sends what is waiting."""
    from . import tasks

    try:
        tasks.message_send.delay(message_id)
    except Exception as error:
        logger.warning("Message %s not queued: %s", message_id, type(error).__name__)
