"""What is recorded about a participant: meetings, skills action plans and their
actions and reviews, support, outcomes, sustainment checks and case notes."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
)
from django.db import models
from django.db.models import Q

from academy.crypto import EncryptedCharField, EncryptedTextField, encrypted_note_field
from academy.models import Organisation
from academy.rules import NOTE_MAX
from academy.tenancy import AcademyQuerySet

from .participant import CaseQuerySet, Participant


class PlanActionQuerySet(AcademyQuerySet["PlanAction"]):
    academy_path = "plan__participant__academy"


class Meeting(models.Model):
    """A contact with a participant: at a job centre, a drop-in, by phone, and so on."""

    class Kind(models.TextChoices):
        JOB_CENTRE = "job_centre", "Job centre meeting"
        DROP_IN = "drop_in", "Drop-in"
        PHONE = "phone", "Phone call"
        VIDEO = "video", "Video call"
        INFORMATION_SESSION = "information_session", "Information session"
        VISIT = "visit", "Home or community visit"

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    held_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    notes = encrypted_note_field()
    next_step = EncryptedCharField(max_length=300, blank=True)
    next_step_on = models.DateField("next step by", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[CaseQuerySet[Meeting]] = CaseQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-held_at"]
        indexes = [models.Index(fields=["participant", "held_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.held_at:%d %b %Y}"


class Barrier(models.TextChoices):
    """What stands between a participant and work, recorded on their plan."""

    TRANSPORT = "transport", "Transport"
    CHILDCARE = "childcare", "Childcare"
    CONFIDENCE = "confidence", "Confidence"
    ENGLISH = "english", "English language"
    DIGITAL = "digital", "Digital skills"
    DBS = "dbs", "DBS check"
    DRIVING_LICENCE = "driving_licence", "Driving licence"
    HEALTH = "health", "Health"


class SkillsActionPlan(models.Model):
    """A skills action plan agreed with a participant (`action_plan_people`)."""

    class Pathway(models.TextChoices):
        DEMAND = "demand", "Demand: into a job now"
        SUPPLY = "supply", "Supply: skills and training"
        PIPELINE = "pipeline", "Pipeline: education and young people"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="plans"
    )
    agreed_on = models.DateField()
    pathway = models.CharField(max_length=10, choices=Pathway.choices, blank=True)
    target_role = models.CharField(max_length=120, blank=True)
    barriers = models.JSONField(default=list, blank=True)
    goals = encrypted_note_field("what they want to achieve")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[CaseQuerySet[SkillsActionPlan]] = CaseQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-agreed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "agreed_on"], name="one_plan_per_participant_day"
            )
        ]
        indexes = [
            models.Index(fields=["agreed_on", "participant"]),
            # Matching narrows to the people whose plans name a vacancy's role.
            models.Index(
                fields=["target_role", "participant"],
                name="participants_plan_target_role",
            ),
        ]

    def __str__(self) -> str:
        return f"Skills action plan agreed {self.agreed_on:%d %b %Y}"

    def barrier_labels(self) -> list[str]:
        return [Barrier(code).label for code in self.barriers if code in Barrier.values]


class PlanAction(models.Model):
    """One step of a plan, with who does it and by when."""

    class Owner(models.TextChoices):
        PARTICIPANT = "participant", "Participant"
        COORDINATOR = "coordinator", "Coordinator"
        PARTNER = "partner", "Partner organisation"

    plan = models.ForeignKey(
        SkillsActionPlan, on_delete=models.CASCADE, related_name="actions"
    )
    description = EncryptedCharField(max_length=300)
    owner = models.CharField(max_length=12, choices=Owner.choices)
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[PlanActionQuerySet] = PlanActionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["completed_on", "due_on", "pk"]
        indexes = [models.Index(fields=["due_on", "completed_on"])]

    def __str__(self) -> str:
        return self.description

    def is_overdue(self, today: dt.date) -> bool:
        return self.completed_on is None and self.due_on < today


class PlanReview(models.Model):
    """A review of a plan: what changed and why (shown on the timeline)."""

    plan = models.ForeignKey(
        SkillsActionPlan, on_delete=models.CASCADE, related_name="reviews"
    )
    reviewed_on = models.DateField()
    summary = EncryptedTextField(max_length=NOTE_MAX)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self) -> str:
        return f"Plan reviewed {self.reviewed_on:%d %b %Y}"


class Support(models.Model):
    """Support given to a participant (counted by `support_people`, except `other`)."""

    class Kind(models.TextChoices):
        CAREERS = "careers", "Careers advice"
        EMPLOYABILITY = "employability", "Employability"
        FINANCIAL = "financial", "Financial"
        MENTAL_HEALTH = "mental_health", "Mental health"
        OTHER = "other", "Other"

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="support"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    given_on = models.DateField()
    notes = encrypted_note_field()
    referred_to = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="A partner the person was referred to for this support, if any.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[CaseQuerySet[Support]] = CaseQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name_plural = "support"
        indexes = [models.Index(fields=["given_on", "kind", "participant"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} support on {self.given_on:%d %b %Y}"


class Outcome(models.Model):
    """What came of the work: a job, training, experience, volunteering, education."""

    class Kind(models.TextChoices):
        EMPLOYMENT = "employment", "Paid employment"
        TRAINING = "training", "Training"
        WORK_EXPERIENCE = "work_experience", "Work experience"
        VOLUNTEERING = "volunteering", "Volunteering"
        EDUCATION = "education", "Education"

    class Sector(models.TextChoices):
        HEALTH_SOCIAL_CARE = "health_social_care", "Health or social care"
        OTHER = "other", "Another sector"

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="outcomes"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    started_on = models.DateField()
    sector = models.CharField(max_length=20, choices=Sector.choices, blank=True)
    employer = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=120, blank=True)
    hours_per_week = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(80)],
    )
    hourly_pay = models.DecimalField(
        "pay per hour (£)",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(500)],
    )
    evidence = EncryptedCharField(
        max_length=300, blank=True, help_text="How the start was confirmed."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[CaseQuerySet[Outcome]] = CaseQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-started_on", "-pk"]
        constraints = [
            # spec/impact-report.md counts employment by sector, so it must have one.
            models.CheckConstraint(
                condition=~Q(kind="employment") | ~Q(sector=""),
                name="employment_outcome_has_sector",
                violation_error_message="Choose the sector of the job.",
            )
        ]
        indexes = [models.Index(fields=["started_on", "kind", "participant"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.started_on:%d %b %Y}"


class CaseNote(models.Model):
    """A timeline line for events with no record of their own (merge, close, an
    import's changes)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="case_notes"
    )
    text = EncryptedTextField(max_length=NOTE_MAX)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    written_at = models.DateTimeField()

    objects: ClassVar[CaseQuerySet[CaseNote]] = CaseQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-written_at", "-pk"]

    def __str__(self) -> str:
        return self.text
