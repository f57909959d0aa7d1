"""The log of messages sent (academy/notify.py): one row per message to one recipient,
written in the transaction that caused it, which the send task reads to decide whether
and how to send, and which delivery receipts update. Members' choices of how they are
told of each kind of notice."""

from __future__ import annotations

from typing import Any

from django.db import models

from ..crypto import EncryptedCharField, EncryptedTextField
from ..tenancy import AcademyQuerySet
from .core import Academy, Membership, User


class MessageQuerySet(AcademyQuerySet["Message"]):
    pass


class Message(models.Model):
    """One message to one recipient by one channel. The address and words are kept
    encrypted only until the message is sent or given up (a retry needs them); the
    row itself stays as the record that it was sent: with the person's record (erased
    with them) for a message to or about a participant, RETENTION_MESSAGES_MONTHS for
    the others (academy/retention.py)."""

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        SMS = "sms", "Text message"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be sent"
        HELD = "held", "Held for the daily digest"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        IN_DIGEST = "in_digest", "Sent in the daily digest"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Not sent yet: will be tried again"
        PERMANENT_FAILURE = "permanent_failure", "Could not be delivered"
        NOT_SENT = "not_sent", "Not sent"

    academy = models.ForeignKey(
        Academy, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=5, choices=Channel.choices)
    template = models.CharField(max_length=100)
    notice = models.CharField(max_length=30, blank=True)
    # The same key is sent at most once, ever (notify's `key`).
    key = models.CharField(max_length=200, unique=True)
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
    )
    address = EncryptedCharField(blank=True)
    # A keyed hash of the address (academy.notify.address_digest): the rate limit
    # counts by it and a STOP reply is matched by it. It stays when the address is
    # forgotten (a final state); it goes with the person's erasure, or with the row.
    address_hash = models.CharField(max_length=64, blank=True, db_index=True)
    subject = EncryptedTextField(blank=True)
    body = EncryptedTextField(blank=True)
    # What else the channel needs to send it again (HTML, attachments, reply-to, a
    # text message's personalisation), as JSON; blanked with the body.
    extra = EncryptedTextField(blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # Why it failed or was not sent: the kind of error only, never an address.
    last_error = models.CharField(max_length=200, blank=True)
    provider_id = models.CharField(max_length=100, blank=True, db_index=True)
    # A message deferred (rate limit) or to be tried again is sent from then on.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["user", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.template} by {self.channel} ({self.status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The send path writes with update(), keeping a sent message's hash without its
        # address. save() is notify()'s create and erasure's way (participants/services/
        # rights.py blanks the encrypted fields, update_fields=[...]): a row saved
        # without an address keeps no hash, whether the address went now or when the
        # message was sent.
        if not self.address and self.address_hash:
            self.address_hash = ""
            fields = kwargs.get("update_fields")
            if fields is not None:
                kwargs["update_fields"] = {*fields, "address_hash"}
        super().save(*args, **kwargs)

    @property
    def is_done(self) -> bool:
        """Sent, delivered or given up: nothing more will be sent."""
        return self.status in DONE


DONE = frozenset(
    {
        Message.Status.SENT,
        Message.Status.IN_DIGEST,
        Message.Status.DELIVERED,
        Message.Status.PERMANENT_FAILURE,
        Message.Status.NOT_SENT,
    }
)


class NoticeChoice(models.Model):
    """How a member is told of one kind of notice (academy.notify.Notice) in one
    academy: at once (also when no row exists), in a daily digest, or not at all."""

    class How(models.TextChoices):
        AT_ONCE = "at_once", "At once"
        DIGEST = "digest", "In a daily digest"
        NONE = "none", "Not at all"

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="notice_choices"
    )
    notice = models.CharField(max_length=30)
    how = models.CharField(max_length=10, choices=How.choices, default=How.AT_ONCE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "notice"], name="notice_choice_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.notice}: {self.how}"
