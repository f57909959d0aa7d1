"""The day ahead: appointments booked with a person, and the tasks that stay on a
coordinator's list until someone marks them done or cancels them."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from academy.crypto import EncryptedCharField

from .casework import Meeting, PlanAction
from .outcomes import SustainmentCheck
from .participant import CaseQuerySet, Participant


class Appointment(models.Model):
    """A meeting booked ahead. On the day it becomes a Meeting (attended) or a
    no-show with a reason; it can be cancelled beforehand, with a reason."""

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        ATTENDED = "attended", "Attended"
        MISSED = "missed", "Did not attend"
        CANCELLED = "cancelled", "Cancelled"

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="appointments"
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointments",
        help_text="Whose diary it is in: who meets the person.",
    )
    kind = models.CharField(max_length=24, choices=Meeting.Kind.choices)
    starts_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(
        "length (minutes)",
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(480)],
    )
    place = models.CharField(
        max_length=200, blank=True, help_text="Where, or the phone number to call."
    )
    link = models.URLField("video link", max_length=500, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.BOOKED
    )
    reason = EncryptedCharField(
        max_length=300,
        blank=True,
        help_text="Why they did not attend, or why it was cancelled.",
    )
    meeting = models.OneToOneField(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointment",
        help_text="The meeting record it became when the person came.",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[CaseQuerySet[Appointment]] = CaseQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["coordinator", "starts_at"]),
            models.Index(fields=["participant", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="attended") | Q(meeting__isnull=False),
                name="attended_appointment_has_meeting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} booked for {self.starts_at:%d %b %Y %H:%M}"


class Task(models.Model):
    """Something a member must do for a person by a date: a meeting's next step, a
    plan action, a sustainment check, or a task written by hand. It stays open until
    someone marks it done or cancels it with a reason, whatever else is logged."""

    class Source(models.TextChoices):
        NEXT_STEP = "next_step", "Next step"
        PLAN_ACTION = "plan_action", "Plan action"
        CHECK = "check", "Sustainment check"
        OTHER = "other", "Task"

    class Status(models.TextChoices):
        OPEN = "open", "To do"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="tasks"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        help_text="Who does it; nobody yet when the person has no coordinator.",
    )
    title = EncryptedCharField(max_length=300)
    due_on = models.DateField()
    source = models.CharField(
        max_length=12, choices=Source.choices, default=Source.OTHER
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
    )
    plan_action = models.OneToOneField(
        PlanAction,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="task",
    )
    sustainment_check = models.OneToOneField(
        SustainmentCheck,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="task",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cancel_reason = EncryptedCharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[CaseQuerySet[Task]] = CaseQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["owner", "status", "due_on"]),
            models.Index(fields=["participant", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="cancelled_task_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title
