"""What the academy brings people to: care roles, providers' vacancies and training
places, and the postcode centroids that place them."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Generic, Self, TypeVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from academy.models import Academy, Membership, Organisation
from academy.permissions import Role
from academy.rules import note_field
from academy.tenancy import AcademyQuerySet
from participants.models import Participant


class CareRole(models.TextChoices):
    """Care roles, each mapped to a SOC 2020 unit group in `SOC2020` below."""

    CARE_WORKER = "care_worker", "Care worker / home carer"
    SENIOR_CARE_WORKER = "senior_care_worker", "Senior care worker"
    NURSING_ASSISTANT = "nursing_assistant", "Nursing auxiliary / healthcare assistant"
    REGISTERED_NURSE = "registered_nurse", "Registered nurse"
    REGISTERED_MANAGER = "registered_manager", "Registered manager"
    SUPPORT_WORKER = "support_worker", "Support worker"
    ACTIVITIES_COORDINATOR = "activities_coordinator", "Activities coordinator"
    COOK = "cook", "Cook"
    DOMESTIC = "domestic", "Domestic"
    DRIVER = "driver", "Driver"
    OTHER = "other", "Other"


# SOC 2020 unit groups. The care roles follow ../shared/data/lmi/reference/
# soc2020_adult_social_care_roles.csv; support workers in social care are coded with
# care workers (6135); the others are the ONS unit groups of the same names.
SOC2020 = {
    CareRole.CARE_WORKER: ("6135", "Care workers and home carers"),
    CareRole.SENIOR_CARE_WORKER: ("6136", "Senior care workers"),
    CareRole.NURSING_ASSISTANT: ("6131", "Nursing auxiliaries and assistants"),
    CareRole.REGISTERED_NURSE: ("2237", "Other registered nursing professionals"),
    CareRole.REGISTERED_MANAGER: (
        "1232",
        "Residential, day and domiciliary care managers and proprietors",
    ),
    CareRole.SUPPORT_WORKER: ("6135", "Care workers and home carers"),
    CareRole.ACTIVITIES_COORDINATOR: ("6135", "Care workers and home carers"),
    CareRole.COOK: ("5435", "Cooks"),
    CareRole.DOMESTIC: ("9223", "Cleaners and domestics"),
    CareRole.DRIVER: ("8214", "Delivery drivers and couriers"),
    CareRole.OTHER: ("", "No single unit group"),
}


class Setting(models.TextChoices):
    DOMICILIARY = "domiciliary", "Domiciliary care"
    CARE_HOME = "care_home", "Care home without nursing"
    CARE_HOME_NURSING = "care_home_nursing", "Care home with nursing"
    SUPPORTED_LIVING = "supported_living", "Supported living"
    DAY_CARE = "day_care", "Day care"
    NHS = "nhs", "NHS hospital or community"
    OTHER = "other", "Other"


DBS_ORDER: dict[str, int] = {
    Participant.DbsLevel.NONE: 0,
    Participant.DbsLevel.BASIC: 1,
    Participant.DbsLevel.STANDARD: 2,
    Participant.DbsLevel.ENHANCED: 3,
}


_M = TypeVar("_M", bound=models.Model)


class OpportunityQuerySet(AcademyQuerySet[_M], Generic[_M]):
    def for_membership(self, membership: Membership) -> Self:
        """A provider sees its own organisation's rows; staff see the academy's."""
        rows = self.for_academy(membership.academy)
        if membership.role == Role.PROVIDER:
            rows = rows.filter(organisation_id=membership.organisation_id)
        return rows


class VacancyQuerySet(OpportunityQuerySet["Vacancy"]):
    def open(self, today: dt.date | None = None) -> VacancyQuerySet:
        rows = self.filter(status=Vacancy.Status.OPEN)
        if today is not None:
            rows = rows.filter(closing_on__gte=today)
        return rows


# One message for a number of posts below 1, from the form and the model alike.
POSTS_MESSAGE = "Enter 1 or more posts."


class Vacancy(models.Model):
    """A provider's job, posted for the academy to fill."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PAUSED = "paused", "Paused"
        CLOSED = "closed", "Closed"

    class Contract(models.TextChoices):
        PERMANENT = "permanent", "Permanent"
        FIXED_TERM = "fixed_term", "Fixed term"
        BANK = "bank", "Bank / zero hours"

    class PayUnit(models.TextChoices):
        HOURLY = "hourly", "per hour"
        ANNUAL = "annual", "per year"

    academy = models.ForeignKey(Academy, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="vacancies"
    )
    title = models.CharField(max_length=120)
    role = models.CharField(max_length=24, choices=CareRole.choices)
    setting = models.CharField(max_length=20, choices=Setting.choices)
    hours_per_week = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    works_days = models.BooleanField("days", default=True)
    works_nights = models.BooleanField("nights", default=False)
    works_weekends = models.BooleanField("weekends", default=False)
    contract = models.CharField(max_length=12, choices=Contract.choices)
    pay_unit = models.CharField(
        max_length=8, choices=PayUnit.choices, default=PayUnit.HOURLY
    )
    pay_min = models.DecimalField(
        max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    pay_max = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    postcode = models.CharField(max_length=10)
    posts = models.PositiveSmallIntegerField(
        "number of posts",
        default=1,
        validators=[MinValueValidator(1, message=POSTS_MESSAGE)],
    )
    closing_on = models.DateField("closing date")
    starts_on = models.DateField(
        "expected start date",
        null=True,
        blank=True,
        help_text="Pay is checked against the National Living Wage of this day (or of "
        "the closing date, when empty).",
    )
    needs_driving_licence = models.BooleanField(
        "needs a driving licence and car", default=False
    )
    dbs_level = models.CharField(
        "DBS check needed",
        max_length=10,
        choices=Participant.DbsLevel.choices,
        default=Participant.DbsLevel.ENHANCED,
    )
    qualifications = models.CharField(max_length=300, blank=True)
    experience = models.CharField(max_length=300, blank=True)
    benefits = note_field()
    how_to_apply = note_field()
    description = note_field()
    is_critical_shortage = models.BooleanField("critical shortage", default=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    latitude = models.FloatField(null=True, blank=True, editable=False)
    longitude = models.FloatField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[VacancyQuerySet] = VacancyQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-is_critical_shortage", "closing_on", "pk"]
        verbose_name_plural = "vacancies"
        constraints = [
            models.CheckConstraint(
                condition=Q(pay_max__isnull=True) | Q(pay_max__gte=models.F("pay_min")),
                name="vacancy_pay_range_in_order",
                violation_error_message="The highest pay must not be below the lowest.",
            )
        ]
        indexes = [models.Index(fields=["academy", "status", "closing_on"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("vacancies:detail", args=[self.pk])

    @property
    def soc2020(self) -> tuple[str, str]:
        return SOC2020[CareRole(self.role)]

    @property
    def pattern(self) -> list[str]:
        return [
            label
            for flag, label in (
                (self.works_days, "days"),
                (self.works_nights, "nights"),
                (self.works_weekends, "weekends"),
            )
            if flag
        ]

    @property
    def pay_text(self) -> str:
        unit = self.get_pay_unit_display()
        if self.pay_max and self.pay_max != self.pay_min:
            return f"£{self.pay_min:,.2f} to £{self.pay_max:,.2f} {unit}"
        return f"£{self.pay_min:,.2f} {unit}"

    def is_open_on(self, day: dt.date) -> bool:
        return self.status == self.Status.OPEN and self.closing_on >= day

    @property
    def shows_shortage(self) -> bool:
        """A shortage is news only while the vacancy is open: every page's badge."""
        return self.is_critical_shortage and self.is_open_on(timezone.localdate())


class TrainingOpportunity(models.Model):
    """A training place, work placement or interview-preparation session."""

    class Kind(models.TextChoices):
        COURSE = "course", "Training course"
        PLACEMENT = "placement", "Work placement"
        INTERVIEW_PREP = "interview_prep", "Interview preparation"

    academy = models.ForeignKey(Academy, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="training"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(
        max_length=120,
        help_text="e.g. Care Certificate, First aid, Moving and handling",
    )
    description = models.TextField(blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    places = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    location = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    role = models.CharField(
        "leads to role", max_length=24, choices=CareRole.choices, blank=True
    )
    is_open = models.BooleanField(default=True)
    latitude = models.FloatField(null=True, blank=True, editable=False)
    longitude = models.FloatField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[OpportunityQuerySet[TrainingOpportunity]] = (
        OpportunityQuerySet.as_manager()  # type: ignore[assignment]
    )

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name_plural = "training opportunities"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="training_dates_in_order",
                violation_error_message="The end date is before the start date.",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("vacancies:training-detail", args=[self.pk])
