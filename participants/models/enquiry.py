"""'Register your interest' sign-ups from the public campaign form."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from academy.crypto import EncryptedCharField, EncryptedTextField
from academy.models import Academy
from academy.rules import PhoneField
from academy.tenancy import AcademyQuerySet

from .participant import Participant


class EnquiryQuerySet(AcademyQuerySet["Enquiry"]):
    def waiting(self) -> EnquiryQuerySet:
        return self.filter(status__in=[Enquiry.Status.NEW, Enquiry.Status.CONTACTED])


class Enquiry(models.Model):
    """A 'register your interest' sign-up from the public campaign form."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        CONVERTED = "converted", "Registered as a participant"
        CLOSED = "closed", "Closed"

    class CloseReason(models.TextChoices):
        NO_REPLY = "no_reply", "No reply after contact"
        NOT_INTERESTED = "not_interested", "No longer interested"
        DUPLICATE = "duplicate", "Already known to the academy"
        OUT_OF_AREA = "out_of_area", "Outside the academy's area"
        SPAM = "spam", "Not a real enquiry"
        OTHER = "other", "Other"

    academy = models.ForeignKey(Academy, on_delete=models.PROTECT, related_name="+")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    phone = PhoneField()
    postcode = models.CharField(max_length=10, blank=True)
    interest = EncryptedCharField("what interests you", max_length=500, blank=True)
    vacancy_title = models.CharField(
        max_length=200, blank=True, help_text="The vacancy they came from, if any."
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    close_reason = models.CharField(
        max_length=20, choices=CloseReason.choices, blank=True
    )
    contacted_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enquiries",
    )
    notes = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[EnquiryQuerySet] = EnquiryQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "enquiries"
        constraints = [
            models.CheckConstraint(
                condition=Q(email__gt="") | Q(phone__gt=""),
                name="enquiry_has_email_or_phone",
            )
        ]
        # The home page counts the new ones; the queue lists by status.
        indexes = [
            models.Index(
                fields=["academy", "status", "created_at"],
                name="enquiry_academy_status",
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def get_absolute_url(self) -> str:
        return reverse("participants:enquiry-detail", args=[self.pk])
