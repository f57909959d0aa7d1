"""The channels a message goes by, behind one interface (`ChannelBackend`): e-mail
through Django's EMAIL_BACKEND, text messages through GOV.UK Notify, or printed to the
log when no Notify key is set (like Django's console e-mail), so `make run` needs
nothing.

A channel raises `SendError` saying whether trying again can help: a network failure,
Notify's 5xx answers and its rate limit (429) can; an invalid number (Notify's 400)
cannot."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

logger = logging.getLogger(__name__)


class SendError(Exception):
    """A message the channel could not send; `kind` names the error (no address)."""

    def __init__(self, kind: str, *, permanent: bool) -> None:
        super().__init__(kind)
        self.kind = kind[:200]
        self.permanent = permanent


@dataclass(frozen=True)
class Outgoing:
    """What a channel sends: one message to one address."""

    template: str
    address: str
    text: str
    # Our message's key: Notify's `reference`, to find a message sent before.
    reference: str
    subject: str = ""
    html: str = ""
    attachments: tuple[tuple[str, str | bytes, str], ...] = ()
    reply_to: tuple[str, ...] = ()
    personalisation: dict[str, str] = field(default_factory=dict)


class ChannelBackend(Protocol):
    def send(self, outgoing: Outgoing) -> str:
        """Send it; returns the provider's id for it ('' when there is none)."""

    def sent_before(self, reference: str) -> str | None:
        """The provider's id of a message sent before with this reference, if the
        provider can tell (a worker stopped between sending and recording)."""


class EmailChannel:
    """E-mail through Django's EMAIL_BACKEND."""

    def send(self, outgoing: Outgoing) -> str:
        email = EmailMultiAlternatives(
            subject=outgoing.subject,
            body=outgoing.text,
            to=[outgoing.address],
            reply_to=list(outgoing.reply_to) or None,
        )
        if outgoing.html:
            email.attach_alternative(outgoing.html, "text/html")
        for filename, content, mimetype in outgoing.attachments:
            email.attach(filename, content, mimetype)
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as error:
            raise SendError("SMTPRecipientsRefused", permanent=True) from error
        except Exception as error:
            raise SendError(type(error).__name__, permanent=False) from error
        return ""

    def sent_before(self, reference: str) -> str | None:
        return None


def _template_id(template: str) -> str:
    overrides: dict[str, str] = settings.NOTIFY_SMS_TEMPLATES
    return overrides.get(template) or str(settings.NOTIFY_SMS_TEMPLATE_ID)


def _personalisation(outgoing: Outgoing) -> dict[str, str]:
    """The generic template is given the words and nothing else, whatever a message
    logged earlier holds; a template of its own what notify() chose for it."""
    if outgoing.template in settings.NOTIFY_SMS_TEMPLATES:
        return {**outgoing.personalisation, "body": outgoing.text}
    return {"body": outgoing.text}


class NotifySmsChannel:
    """Text messages through GOV.UK Notify: the generic template (whose body is
    `((body))`) unless NOTIFY_SMS_TEMPLATES names one for the message's template."""

    def _client(self) -> Any:
        from notifications_python_client.notifications import NotificationsAPIClient

        return NotificationsAPIClient(  # type: ignore[no-untyped-call]
            settings.NOTIFY_API_KEY,
            base_url=settings.NOTIFY_BASE_URL,
            timeout=settings.NOTIFY_TIMEOUT,
        )

    def send(self, outgoing: Outgoing) -> str:
        from notifications_python_client.errors import HTTPError
        from requests import RequestException

        try:
            answer = self._client().send_sms_notification(
                phone_number=outgoing.address,
                template_id=_template_id(outgoing.template),
                personalisation=_personalisation(outgoing),
                reference=outgoing.reference,
            )
        except HTTPError as error:
            status = int(getattr(error, "status_code", 0) or 0)
            kind = f"Notify {status}: {_notify_error(error)}"
            raise SendError(
                kind, permanent=400 <= status < 500 and status != 429
            ) from error
        except (RequestException, OSError) as error:
            raise SendError(type(error).__name__, permanent=False) from error
        return str(answer.get("id", ""))

    def sent_before(self, reference: str) -> str | None:
        try:
            found = self._client().get_all_notifications(
                template_type="sms", reference=reference
            )
        except Exception as error:  # unknown, so send: the caller decides
            logger.warning("Notify look-up failed: %s", type(error).__name__)
            return None
        notifications = found.get("notifications") or []
        return str(notifications[0]["id"]) if notifications else None


def _notify_error(error: Any) -> str:
    """Notify's error names and messages, e.g. "ValidationError phone_number Not a
    UK mobile number": they say what was wrong, never the number."""
    message = getattr(error, "message", "")
    if isinstance(message, list):
        return "; ".join(
            f"{item.get('error', '')} {item.get('message', '')}".strip()
            for item in message
            if isinstance(item, dict)
        )
    return str(message)[:150]


class ConsoleSmsChannel:
    """No Notify key: a text message is printed to the log, as console e-mail is."""

    def send(self, outgoing: Outgoing) -> str:
        logger.info(
            "Text message (console, no NOTIFY_API_KEY) to %s:\n%s",
            outgoing.address,
            outgoing.text,
        )
        return ""

    def sent_before(self, reference: str) -> str | None:
        return None


def channel_backend(channel: str) -> ChannelBackend:
    """The backend that sends `channel` with the current settings."""
    if channel == "sms":
        return NotifySmsChannel() if settings.NOTIFY_API_KEY else ConsoleSmsChannel()
    return EmailChannel()
