"""What comes after a start: the 13- and 26-week sustainment checks of a job, and the
pairs of outcomes that look like one start recorded twice."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from academy.models import Academy
from academy.tenancy import AcademyQuerySet

from .casework import Outcome


class SustainmentCheckQuerySet(AcademyQuerySet["SustainmentCheck"]):
    academy_path = "outcome__participant__academy"


class SustainmentCheck(models.Model):
    """Is the person still in the job 13 (or 26) weeks after starting it?"""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        DUE = "due", "Due"
        DONE = "done", "Done"

    class ConfirmedHow(models.TextChoices):
        PARTICIPANT = "participant", "The participant told us"
        EMPLOYER = "employer", "The employer told us"
        PAYSLIP = "payslip", "Payslip seen"
        DWP = "dwp", "DWP / job centre"
        OTHER = "other", "Other"

    outcome = models.ForeignKey(
        Outcome, on_delete=models.CASCADE, related_name="sustainment_checks"
    )
    weeks = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    is_in_work = models.BooleanField(null=True, blank=True)
    confirmed_how = models.CharField(
        max_length=12, choices=ConfirmedHow.choices, blank=True
    )
    confirmed_by = models.CharField("confirmed by (name)", max_length=120, blank=True)
    checked_on = models.DateField(null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects: ClassVar[SustainmentCheckQuerySet] = SustainmentCheckQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["outcome", "weeks"], name="one_check_per_outcome_and_weeks"
            )
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.weeks}-week check due {self.due_on:%d %b %Y}"


class SuspectedDoubleOutcomeQuerySet(AcademyQuerySet["SuspectedDoubleOutcome"]):
    academy_path = "academy"


class SuspectedDoubleOutcome(models.Model):
    """Two outcomes that look like one start recorded twice: the same person, kind
    and employer, started within `DOUBLE_WINDOW` of each other. Found nightly; a
    coordinator resolves it (one start: the extra one goes; two starts: both stay)."""

    class Resolution(models.TextChoices):
        SAME = "same", "One start recorded twice: the extra record was removed"
        DIFFERENT = "different", "Two different starts: both kept"

    # The outcomes' academy, kept on the row (issue 16): a coordinator's count and
    # list start from their academy's pairs by an index (save() and the nightly
    # search set it).
    academy = models.ForeignKey(
        Academy, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    first = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="+")
    found_at = models.DateTimeField(auto_now_add=True)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects: ClassVar[SuspectedDoubleOutcomeQuerySet] = (
        SuspectedDoubleOutcomeQuerySet.as_manager()  # type: ignore[assignment]
    )

    class Meta:
        ordering = ["found_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["first", "second"], name="one_suspicion_per_pair"
            ),
            models.CheckConstraint(
                condition=Q(first__lt=models.F("second")), name="pair_in_order"
            ),
        ]
        indexes = [
            # The open pairs of an academy, in the list's order.
            models.Index(
                fields=["academy", "resolution", "found_at", "id"],
                name="double_academy_open",
            )
        ]

    def __str__(self) -> str:
        return f"Outcomes {self.first_id} and {self.second_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A new pair belongs to its outcomes' academy."""
        if self.academy_id is None:
            self.academy_id = self.first.participant.academy_id
        super().save(*args, **kwargs)

    @property
    def outcomes(self) -> tuple[Outcome, Outcome]:
        return self.first, self.second
