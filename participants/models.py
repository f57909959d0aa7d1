"""A coordinator's casework: participants, consent, enquiries, meetings, plans, support
and outcomes. spec/impact-report.md fixes the codes the impact report counts."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Generic, TypeVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from academy.models import Academy, Organisation
from academy.tenancy import AcademyQuerySet


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

    class RightToWork(models.TextChoices):
        UNKNOWN = "unknown", "Not checked yet"
        YES = "yes", "Confirmed"
        NO = "no", "No right to work yet"

    academy = models.ForeignKey(Academy, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(
        max_length=40, help_text="The academy's own reference; unique in the academy."
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    is_claimant = models.BooleanField("benefit claimant", default=False)
    benefit_type = models.CharField(
        max_length=24, choices=BenefitType.choices, blank=True
    )
    status_at_entry = models.CharField(
        max_length=16, choices=EntryStatus.choices, blank=True
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
        on_delete=models.SET_NULL,
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
    # Current consent, kept in step with the ConsentRecord ledger by services.
    has_consent_to_hold = models.BooleanField(default=False)
    has_consent_to_share = models.BooleanField(default=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(null=True, blank=True)
    close_reason = models.CharField(
        max_length=20, choices=CloseReason.choices, blank=True
    )
    close_note = models.CharField(max_length=500, blank=True)
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
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def get_absolute_url(self) -> str:
        return reverse("participants:detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

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


class PlanActionQuerySet(AcademyQuerySet["PlanAction"]):
    academy_path = "plan__participant__academy"


class SustainmentCheckQuerySet(AcademyQuerySet["SustainmentCheck"]):
    academy_path = "outcome__participant__academy"


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

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="consents"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    is_given = models.BooleanField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)

    objects: ClassVar[CaseQuerySet[ConsentRecord]] = CaseQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        verb = "given" if self.is_given else "withdrawn"
        return f"Consent {self.get_kind_display().lower()} {verb}"


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
    phone = models.CharField(max_length=32, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    interest = models.CharField("what interests you", max_length=500, blank=True)
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
        on_delete=models.SET_NULL,
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
    notes = models.TextField(blank=True)
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

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def get_absolute_url(self) -> str:
        return reverse("participants:enquiry-detail", args=[self.pk])


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
        Participant, on_delete=models.CASCADE, related_name="meetings"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    held_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    next_step = models.CharField(max_length=300, blank=True)
    next_step_on = models.DateField("next step by", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
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
        Participant, on_delete=models.CASCADE, related_name="plans"
    )
    agreed_on = models.DateField()
    pathway = models.CharField(max_length=10, choices=Pathway.choices, blank=True)
    target_role = models.CharField(max_length=120, blank=True)
    barriers = models.JSONField(default=list, blank=True)
    goals = models.TextField("what they want to achieve", blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
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
        indexes = [models.Index(fields=["agreed_on", "participant"])]

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
    description = models.CharField(max_length=300)
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
    summary = models.TextField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
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
        Participant, on_delete=models.CASCADE, related_name="support"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    given_on = models.DateField()
    notes = models.TextField(blank=True)
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
        on_delete=models.SET_NULL,
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
        Participant, on_delete=models.CASCADE, related_name="outcomes"
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
    evidence = models.CharField(
        max_length=300, blank=True, help_text="How the start was confirmed."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
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
        on_delete=models.SET_NULL,
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


class CaseNote(models.Model):
    """A timeline line for events with no record of their own (merge, close)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="case_notes"
    )
    text = models.CharField(max_length=500)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
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


class ImportRun(models.Model):
    """An uploaded file of records: previewed first, imported when confirmed."""

    class Kind(models.TextChoices):
        PARTICIPANTS = "participants", "Participants"
        ACTION_PLANS = "action_plans", "Skills action plans"
        SUPPORT = "support", "Support"
        OUTCOMES = "outcomes", "Outcomes"

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Checked, waiting for confirmation"
        QUEUED = "queued", "Waiting for a worker"
        IMPORTING = "importing", "Importing…"
        REJECTED = "rejected", "Has problems: nothing imported"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed: nothing imported"

    academy = models.ForeignKey(Academy, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    status = models.CharField(max_length=12, choices=Status.choices)
    summary = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    progress = models.PositiveIntegerField(default=0, help_text="rows done")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[AcademyQuerySet[ImportRun]] = AcademyQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse("participants:import-detail", args=[self.pk])

    @property
    def is_in_progress(self) -> bool:
        """Confirmed and not finished: a worker has it, or will."""
        return self.status in (self.Status.QUEUED, self.Status.IMPORTING)

    @property
    def rows_total(self) -> int:
        """The file's data rows, as counted when it was checked."""
        return int(self.summary.get("rows", 0))
