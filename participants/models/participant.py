"""People the academy works with: participants, their cohorts and consent ledger, and
the querysets of rows that reach their academy through a participant."""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse

from academy.crypto import EncryptedCharField
from academy.models import Academy, Organisation
from academy.rules import PhoneField
from academy.tenancy import AcademyQuerySet

# An erased person's reference: ERASED-<id> (participants/services/rights.py).
ERASED_PREFIX = "ERASED-"


class Cohort(models.TextChoices):
    """Groups the academy reaches out to (spec/impact-report.md breakdowns)."""

    LONG_TERM_UNEMPLOYED = "long_term_unemployed", "Long-term unemployed"
    OVER_50 = "over_50", "Aged over 50"
    REFUGEE = "refugee", "Refugee"
    MENTAL_HEALTH = "mental_health", "Accessing mental-health support"
    RETURNER = "returner", "Returning to work"
    IN_WORK_PROGRESSION = "in_work_progression", "In-work progression"
    REDUNDANCY_RISK = "redundancy_risk", "At risk of redundancy"
    CARE_LEAVER = "care_leaver", "Care leaver"
    STUDENT = "student", "Student"
    NEET = "neet", "Young person not in education, employment or training"


class ParticipantQuerySet(AcademyQuerySet["Participant"]):
    def open(self) -> ParticipantQuerySet:
        return self.filter(status=Participant.Status.OPEN)


class Participant(models.Model):
    """A person the academy works with: the case record every report counts."""

    class EntryStatus(models.TextChoices):
        EMPLOYED = "employed", "Employed"
        UNEMPLOYED = "unemployed", "Unemployed"
        INACTIVE = "inactive", "Economically inactive"

    class BenefitType(models.TextChoices):
        UNIVERSAL_CREDIT = "universal_credit", "Universal Credit"
        JSA = "jsa", "Jobseeker's Allowance"
        ESA = "esa", "Employment and Support Allowance"
        PIP = "pip", "Personal Independence Payment"
        INCOME_SUPPORT = "income_support", "Income Support"
        OTHER = "other", "Other benefit"

    class Source(models.TextChoices):
        JOB_CENTRE = "job_centre", "Job centre"
        CAMPAIGN = "campaign", "Recruitment campaign"
        EVENT = "event", "Event"
        DROP_IN = "drop_in", "Drop-in"
        PARTNER_REFERRAL = "partner_referral", "Referred by a partner"
        SELF = "self", "Came by themselves"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class CloseReason(models.TextChoices):
        SUSTAINED_WORK = "sustained_work", "In sustained work"
        NO_LONGER_INTERESTED = "not_interested", "No longer interested"
        LOST_CONTACT = "lost_contact", "Lost contact"
        MOVED_AWAY = "moved_away", "Moved out of the area"
        NOT_ELIGIBLE = "not_eligible", "Not eligible"
        OTHER = "other", "Other"

    class DbsLevel(models.TextChoices):
        NONE = "none", "None"
        BASIC = "basic", "Basic"
        STANDARD = "standard", "Standard"
        ENHANCED = "enhanced", "Enhanced"

    class ContactBy(models.TextChoices):
        """How the person agreed to be sent confirmations and reminders."""

        NONE = "none", "Not to be sent messages"
        SMS = "sms", "Text message"
        EMAIL = "email", "E-mail"

    class RightToWork(models.TextChoices):
        UNKNOWN = "unknown", "Not checked yet"
        YES = "yes", "Confirmed"
        NO = "no", "No right to work yet"

    class RightToWorkDocument(models.TextChoices):
        """The kind of evidence seen (Home Office lists): never the document itself."""

        UK_IRISH_PASSPORT = "uk_irish_passport", "UK or Irish passport or passport card"
        BIRTH_CERTIFICATE = (
            "birth_certificate",
            "UK birth or adoption certificate with National Insurance number",
        )
        NATURALISATION = (
            "naturalisation",
            "Certificate of registration or naturalisation",
        )
        SHARE_CODE = "share_code", "Home Office online check (share code, eVisa)"
        DIGITAL_IDENTITY = (
            "digital_identity",
            "Digital identity check (certified provider)",
        )
        EMPLOYER_CHECKING = "employer_checking", "Home Office Employer Checking Service"
        OTHER = "other", "Another document on the Home Office lists"

    # No index of its own: every index of the table but the trigram ones starts with
    # the academy (the reference key among them), and each written row costs one
    # write per index (an import writes 100,000).
    academy = models.ForeignKey(
        Academy, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    reference = models.CharField(
        max_length=40, help_text="The academy's own reference; unique in the academy."
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    email = models.EmailField(blank=True)
    phone = PhoneField()
    postcode = models.CharField(max_length=10, blank=True)
    is_claimant = models.BooleanField("benefit claimant", default=False)
    benefit_type = models.CharField(
        max_length=24, choices=BenefitType.choices, blank=True
    )
    status_at_entry = models.CharField(
        "economic status at start",
        max_length=16,
        choices=EntryStatus.choices,
        blank=True,
    )
    source = models.CharField(
        "how they came", max_length=24, choices=Source.choices, blank=True
    )
    referring_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The partner who referred them, if any.",
    )
    registered_on = models.DateField()
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="caseload",
    )
    # What matching (vacancies app) weighs; all optional at registration.
    hours_wanted = models.PositiveSmallIntegerField(
        "hours a week wanted",
        null=True,
        blank=True,
        validators=[MaxValueValidator(80)],
    )
    has_driving_licence = models.BooleanField("full driving licence", default=False)
    has_car = models.BooleanField("has a car", default=False)
    dbs_level = models.CharField(
        "DBS check held", max_length=10, choices=DbsLevel.choices, default=DbsLevel.NONE
    )
    right_to_work = models.CharField(
        max_length=8, choices=RightToWork.choices, default=RightToWork.UNKNOWN
    )
    # The evidence funders ask for at a person's start: who checked the right to work,
    # when, and which kind of document (not the document).
    right_to_work_checked_on = models.DateField(
        "right to work checked on", null=True, blank=True
    )
    right_to_work_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="right to work checked by",
    )
    right_to_work_document = models.CharField(
        "document kind seen",
        max_length=20,
        choices=RightToWorkDocument.choices,
        blank=True,
    )
    # Current consent: a copy of the latest entry of each kind in the ConsentRecord
    # ledger, written only by services.casework.consent_refresh (one source of truth).
    has_consent_to_hold = models.BooleanField(default=False)
    has_consent_to_share = models.BooleanField(default=False)
    # Written only by services.casework.contact_preference_set (an opt-out by text
    # reply or e-mail link included), which notes each change on the timeline.
    contact_by = models.CharField(
        "reminders by",
        max_length=8,
        choices=ContactBy.choices,
        default=ContactBy.NONE,
        help_text="Only with the person's agreement: confirmations and reminders of "
        "appointments, interviews and events.",
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(null=True, blank=True)
    close_reason = models.CharField(
        max_length=20, choices=CloseReason.choices, blank=True
    )
    close_note = EncryptedCharField(max_length=500, blank=True)
    last_contact_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[ParticipantQuerySet] = ParticipantQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["academy", "reference"], name="participant_reference_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["academy", "last_name", "first_name"]),
            models.Index(fields=["academy", "registered_on"]),
            models.Index(fields=["academy", "email"]),
            models.Index(fields=["academy", "phone"]),
            models.Index(fields=["academy", "last_contact_at"]),
            # Matching a vacancy: the academy's open cases with the DBS check it
            # needs, without reading every (wide) row of the academy.
            models.Index(
                fields=["academy", "dbs_level"],
                condition=models.Q(status="open"),
                name="participant_open_dbs",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def get_absolute_url(self) -> str:
        return reverse("participants:detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_erased(self) -> bool:
        """Erased at the person's request or by the retention schedule: a nameless
        record that still counts in figures, never to be worked on again."""
        return self.reference.startswith(ERASED_PREFIX)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class ParticipantCohort(models.Model):
    """One cohort of a participant: a person in several cohorts has several rows."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="cohorts"
    )
    code = models.CharField(max_length=24, choices=Cohort.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "code"], name="participant_cohort_unique"
            )
        ]
        indexes = [models.Index(fields=["code", "participant"])]

    def __str__(self) -> str:
        return self.get_code_display()


_M = TypeVar("_M", bound=models.Model)


class CaseQuerySet(AcademyQuerySet[_M], Generic[_M]):
    """Rows that reach their academy through their participant."""

    academy_path = "participant__academy"


class ConsentRecord(models.Model):
    """One entry of a consent ledger: given or withdrawn, by whom, when."""

    class Kind(models.TextChoices):
        HOLD_DATA = "hold_data", "To hold their data"
        SHARE_WITH_PROVIDERS = (
            "share_with_providers",
            (
                "To share their name and contact details with providers they are "
                "referred to"
            ),
        )

    class Source(models.TextChoices):
        STAFF = "staff", "Recorded by staff"
        IMPORT = "import", "Stated in an imported file"

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="consents"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    is_given = models.BooleanField()
    source = models.CharField(
        max_length=8, choices=Source.choices, default=Source.STAFF
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField()
    note = EncryptedCharField(max_length=300, blank=True)

    objects: ClassVar[CaseQuerySet[ConsentRecord]] = CaseQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["participant", "kind", "recorded_at"])]

    def __str__(self) -> str:
        verb = "given" if self.is_given else "withdrawn"
        return f"Consent {self.get_kind_display().lower()} {verb}"
