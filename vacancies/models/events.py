"""Events the academy runs (recruitment fairs, information sessions, drop-ins,
job-centre and school sessions...), the people who sign up or walk in, and who came.

Times are stored aware (UTC) and shown in Europe/London; a weekly series keeps its local
time across the clocks changing (vacancies/services/events.py makes its dates)."""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from academy.crypto import EncryptedCharField
from academy.models import Academy, Membership, Organisation
from academy.permissions import Role
from academy.rules import PhoneField
from academy.tenancy import AcademyQuerySet
from participants.models import Enquiry, Participant


def _token() -> str:
    return secrets.token_urlsafe(24)


class EventKind(models.TextChoices):
    RECRUITMENT = "recruitment", "Recruitment event"
    CAREERS = "careers", "Careers event"
    INFORMATION = "information", "Information session"
    DROP_IN = "drop_in", "Drop-in"
    JOB_CENTRE = "job_centre", "Job-centre session"
    SCHOOL = "school", "School or college session"
    INTERVIEW_PREP = "interview_prep", "Interview preparation"
    TASTER = "taster", "Training taster"


class EventSeries(models.Model):
    """Events that repeat (every Wednesday 10:00-13:00): made once, each date its own
    Event, so that one date can change or be cancelled."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Every week"
        FORTNIGHTLY = "fortnightly", "Every two weeks"

    academy = models.ForeignKey(Academy, on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "event series"

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} (series {self.pk})"


class EventQuerySet(AcademyQuerySet["Event"]):
    def for_membership(self, membership: Membership) -> EventQuerySet:
        """A provider sees the events its organisation hosts; staff see all."""
        rows = self.for_academy(membership.academy)
        if membership.role == Role.PROVIDER:
            rows = rows.filter(hosts=membership.organisation_id)
        return rows

    def public(self) -> EventQuerySet:
        return self.filter(is_public=True, status=Event.Status.SCHEDULED)


class Event(models.Model):
    """One event on one date."""

    Kind = EventKind

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    academy = models.ForeignKey(Academy, on_delete=models.CASCADE, related_name="+")
    series = models.ForeignKey(
        EventSeries,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    audience = models.JSONField(
        default=list, blank=True, help_text="cohort codes the event is meant for"
    )
    venue = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    online_url = models.URLField("online link", blank=True)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="places; empty for no limit"
    )
    hosts = models.ManyToManyField(Organisation, blank=True, related_name="+")
    is_public = models.BooleanField(
        "public", default=True, help_text="shown on the academy's public pages"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    cancel_reason = models.CharField(max_length=300, blank=True)
    # Opens the self check-in page from the QR code shown at the venue.
    checkin_token = models.CharField(max_length=40, default=_token, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[EventQuerySet] = EventQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="event_ends_after_it_starts",
            )
        ]
        indexes = [
            # A diary's week and the event list's upcoming events, of one academy.
            models.Index(fields=["academy", "starts_at"], name="event_academy_starts")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("vacancies:event-detail", args=[self.pk])

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class SignUpQuerySet(AcademyQuerySet["SignUp"]):
    academy_path = "event__academy"

    def for_membership(self, membership: Membership) -> SignUpQuerySet:
        rows = self.for_academy(membership.academy)
        if membership.role == Role.PROVIDER:
            rows = rows.filter(event__hosts=membership.organisation_id)
        return rows

    def holding_places(self) -> SignUpQuerySet:
        return self.filter(status__in=SignUp.HOLDING)


class SignUp(models.Model):
    """A person booked on an event, waiting for a place, or who walked in; and whether
    they came. A member of the public needs no account: a sign-up keeps their name and
    contact details, and the link in their e-mail cancels it."""

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        WAITING = "waiting", "On the waiting list"
        CANCELLED = "cancelled", "Cancelled"
        ATTENDED = "attended", "Attended"
        NO_SHOW = "no_show", "Did not attend"

    HOLDING = (Status.BOOKED, Status.ATTENDED)

    class Source(models.TextChoices):
        PUBLIC = "public", "Signed up on the public page"
        STAFF = "staff", "Booked by the academy"
        WALK_IN = "walk_in", "Walked in"
        SELF_CHECKIN = "self_checkin", "Checked in at the door"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="signups")
    participant = models.ForeignKey(
        Participant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_signups",
    )
    enquiry = models.ForeignKey(
        Enquiry,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_signups",
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    phone = PhoneField()
    has_consented = models.BooleanField(
        "agreed to be contacted about this event", default=False
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    source = models.CharField(max_length=12, choices=Source.choices)
    note = EncryptedCharField(max_length=300, blank=True)
    cancel_token = models.CharField(max_length=40, default=_token, unique=True)
    # When the retention schedule removes the name and contact details, the person's
    # sign-ups keep one random key in common, so that past events still count people,
    # not sign-ups (vacancies/retention.py). It is not made from their details.
    visitor = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects: ClassVar[SignUpQuerySet] = SignUpQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "participant"],
                condition=Q(participant__isnull=False) & ~Q(status="cancelled"),
                name="signup_one_live_per_participant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def full_name(self) -> str:
        return str(self)
