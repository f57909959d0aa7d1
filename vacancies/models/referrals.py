"""Referrals of participants to vacancies and training places, and their pipeline."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from academy.crypto import EncryptedCharField
from academy.models import Academy, Membership
from academy.permissions import Role
from academy.tenancy import AcademyQuerySet
from participants.models import Participant

from .opportunities import TrainingOpportunity, Vacancy


class ReferralQuerySet(AcademyQuerySet["Referral"]):
    academy_path = "academy"

    def for_membership(self, membership: Membership) -> ReferralQuerySet:
        """Providers see the referrals to their own organisation's opportunities."""
        rows = self.for_academy(membership.academy)
        if membership.role == Role.PROVIDER:
            own = membership.organisation_id
            rows = rows.filter(
                Q(vacancy__organisation_id=own) | Q(training__organisation_id=own)
            ).exclude(stage=Referral.Stage.SUGGESTED)
        return rows


class Referral(models.Model):
    """A participant put forward for a vacancy or training place, and how it went."""

    class Stage(models.TextChoices):
        SUGGESTED = "suggested", "Suggested"
        REFERRED = "referred", "Referred"
        INTERVIEW = "interview", "Interview arranged"
        OFFERED = "offered", "Offered"
        STARTED = "started", "Started"
        UNSUCCESSFUL = "unsuccessful", "Unsuccessful"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # The participant's academy, kept on the row (issue 16): every read starts from
    # its academy's referrals by an index, never from all academies' (save() sets it;
    # a merge keeps people in their academy).
    academy = models.ForeignKey(
        Academy, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="referrals"
    )
    vacancy = models.ForeignKey(
        Vacancy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    training = models.ForeignKey(
        TrainingOpportunity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    stage = models.CharField(
        max_length=14, choices=Stage.choices, default=Stage.REFERRED
    )
    note = EncryptedCharField(max_length=300, blank=True)
    # Set when the referral moves to INTERVIEW (services.referrals.referral_move).
    interview_at = models.DateTimeField(null=True, blank=True)
    interview_place = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where the interview is: an address, or a phone or video call.",
    )
    merged_from = models.CharField(
        max_length=40,
        blank=True,
        help_text="The reference of the duplicate record this referral came from in a "
        "merge; such a referral may share its opportunity with another.",
    )
    outcome_id = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        help_text="The participants Outcome recorded at the start.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[ReferralQuerySet] = ReferralQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(vacancy__isnull=False) & Q(training__isnull=True))
                | (Q(vacancy__isnull=True) & Q(training__isnull=False)),
                name="referral_to_one_opportunity",
            ),
            models.UniqueConstraint(
                fields=["participant", "vacancy"],
                condition=Q(vacancy__isnull=False, merged_from=""),
                name="one_referral_per_vacancy",
            ),
            models.UniqueConstraint(
                fields=["participant", "training"],
                condition=Q(training__isnull=False, merged_from=""),
                name="one_referral_per_training",
            ),
            # A start is one outcome: no two referrals record the same one.
            models.UniqueConstraint(
                fields=["outcome_id"],
                condition=Q(outcome_id__isnull=False),
                name="one_referral_per_outcome",
            ),
        ]
        indexes = [
            # The interview reminders of every academy (referral_notices).
            models.Index(fields=["interview_at"]),
            # Diaries and a provider's upcoming interviews.
            models.Index(
                fields=["academy", "interview_at"], name="referral_academy_interview"
            ),
            # The referral list's order (keyset), and the academy's referrals.
            models.Index(
                fields=["academy", "-updated_at", "-id"], name="referral_academy_list"
            ),
            # The impact report's referrals made in a period.
            models.Index(
                fields=["academy", "created_at"], name="referral_academy_created"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} to {self.opportunity}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A new referral belongs to its participant's academy."""
        if self.academy_id is None:
            self.academy_id = self.participant.academy_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("vacancies:referral-detail", args=[self.pk])

    @property
    def opportunity(self) -> Vacancy | TrainingOpportunity:
        opportunity = self.vacancy or self.training
        assert opportunity is not None  # noqa: S101 - guaranteed by the constraint
        return opportunity

    @property
    def is_finished(self) -> bool:
        return self.stage in (
            self.Stage.STARTED,
            self.Stage.UNSUCCESSFUL,
            self.Stage.WITHDRAWN,
        )


class ReferralEvent(models.Model):
    """One move of a referral along the pipeline: who moved it, when, and to what."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="events"
    )
    stage = models.CharField(max_length=14, choices=Referral.Stage.choices)
    on = models.DateField()
    note = EncryptedCharField(max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} on {self.on:%d %b %Y}"
