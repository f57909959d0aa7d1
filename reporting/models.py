"""Built report files (each PDF is made by a worker and kept for downloading again),
yearly targets, and the funder returns an academy defines."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from academy.models import Academy, Run
from academy.tenancy import AcademyQuerySet
from participants.models import Cohort, Outcome, Participant
from participants.selectors.evidence import AGE_BANDS

from .disclosure import file_name

AGE_BAND_CHOICES = [(code, label) for code, label, _, _ in AGE_BANDS]


class ReportRun(Run):
    """A request for an impact report PDF, and the file once a worker has built it."""

    academy = models.ForeignKey(Academy, on_delete=models.CASCADE, related_name="+")
    start = models.DateField("from")
    end = models.DateField("to")
    is_published = models.BooleanField(
        "for publication", default=False, help_text="Counts of 1 to 4 read '<5'."
    )
    file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_monthly = models.BooleanField(default=False)
    narrative = models.TextField(
        blank=True,
        max_length=3000,
        help_text="A few paragraphs for the first page: what happened in the period.",
    )

    objects: ClassVar[AcademyQuerySet[ReportRun]] = AcademyQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")),
                name="report_period_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"Impact report {self.start:%d %b %Y} to {self.end:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:run-detail", args=[self.pk])

    @property
    def filename(self) -> str:
        stem = f"impact-{self.academy.slug}-{self.start}-to-{self.end}"
        return file_name(stem, publish=self.is_published, ext="pdf")


class ImpactTarget(models.Model):
    """A manager's target for one headline figure in one financial year (April to
    March), printed beside the figure in the impact report."""

    academy = models.ForeignKey(Academy, on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=64)
    year = models.PositiveSmallIntegerField(
        help_text="The financial year's first year: 2025 for April 2025 to March 2026."
    )
    value = models.PositiveIntegerField("target")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects: ClassVar[AcademyQuerySet[ImpactTarget]] = AcademyQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["year", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["academy", "metric", "year"], name="one_target_per_metric_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.year}/{str(self.year + 1)[2:]}: {self.value}"


class FunderReturn(models.Model):
    """A return a funder asks for: a named, versioned set of indicators counted for
    each period of its pattern (quarters, half-years or the financial year)."""

    class Period(models.TextChoices):
        QUARTER = "quarter", "Quarterly (April to June, July to September, …)"
        HALF_YEAR = "half_year", "Half-yearly (April to September, October to March)"
        FINANCIAL_YEAR = "financial_year", "Yearly (April to March)"

    academy = models.ForeignKey(Academy, on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(
        max_length=40, help_text="A short name for files: letters, numbers and hyphens."
    )
    name = models.CharField(max_length=200)
    funder = models.CharField(
        max_length=200, help_text="Who the return is for: the funder or its agent."
    )
    description = models.TextField(blank=True, max_length=2000)
    period = models.CharField(
        "how often", max_length=16, choices=Period.choices, default=Period.QUARTER
    )
    # Every change to the return or its indicators adds one (services), and each
    # built return says which version it used.
    version = models.PositiveIntegerField(default=1)
    is_retired = models.BooleanField(
        "retired", default=False, help_text="No longer offered to build."
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects: ClassVar[AcademyQuerySet[FunderReturn]] = AcademyQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["is_retired", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["academy", "code"],
                name="one_funder_return_per_code",
                violation_error_message="Another return already has this code.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("reporting:funder-return", args=[self.pk])


class IndicatorQuerySet(AcademyQuerySet["Indicator"]):
    academy_path = "funder_return__academy"


class Indicator(models.Model):
    """One figure of a funder return: a metric the portal counts, narrowed to the
    people the funder asks about (reporting/funders/metrics.py)."""

    class Claimant(models.TextChoices):
        YES = "yes", "Benefit claimants only"
        NO = "no", "Not benefit claimants only"

    funder_return = models.ForeignKey(
        FunderReturn, on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField(
        max_length=40, help_text="The funder's reference for the figure."
    )
    title = models.CharField(max_length=300)
    definition = models.TextField(
        max_length=2000, help_text="What is counted, in the words the funder reads."
    )
    unit = models.CharField(max_length=40, default="people")
    metric = models.CharField("what is counted", max_length=64)
    cohort = models.CharField(
        max_length=24, choices=Cohort.choices, blank=True, help_text="Only this cohort."
    )
    claimant = models.CharField(
        "benefit claimants", max_length=3, choices=Claimant.choices, blank=True
    )
    age_band = models.CharField(
        "age at start", max_length=8, choices=AGE_BAND_CHOICES, blank=True
    )
    economic_status = models.CharField(
        "economic status at start",
        max_length=16,
        choices=Participant.EntryStatus.choices,
        blank=True,
    )
    sector = models.CharField(
        "job sector",
        max_length=20,
        choices=Outcome.Sector.choices,
        blank=True,
        help_text="Only for figures that count jobs.",
    )
    order = models.PositiveSmallIntegerField(default=0)
    is_retired = models.BooleanField(
        "retired", default=False, help_text="Left out of returns built from now on."
    )

    objects: ClassVar[IndicatorQuerySet] = IndicatorQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["is_retired", "order", "code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["funder_return", "code"],
                name="one_indicator_per_code",
                violation_error_message="Another figure of this return has this code.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    def clean(self) -> None:
        from .funders.metrics import FUNDER_METRICS

        metric = FUNDER_METRICS.get(self.metric)
        if metric is None:
            raise ValidationError({"metric": "Choose what the figure counts."})
        if self.sector and not metric.is_employment:
            raise ValidationError(
                {
                    "sector": "A job sector narrows only a figure that counts jobs: "
                    "clear it, or choose a figure about jobs."
                }
            )


# The impact report's precomputed figures (reporting/summaries.py). Each headline
# metric counts DISTINCT people over any period, so a month's count cannot be added to
# the next month's; instead each qualifying day of a person is stored once with the
# person's previous qualifying day, and a person counts in a period on the first of
# their days in it: a day in the period whose previous day is before it.


class ImpactDay(models.Model):
    """One day a person qualified for a base metric (several records that day: one
    row), with their previous qualifying day; once with cohort '' and once per cohort
    the person is in, each with the claimant status read when it was stored.

    The activity figures (impact.ACTIVITY) are stored alike, the previous day being
    the counted item's (a referral's, or none for each record), `cohort` holding their
    category (a registration's source); event figures hold the event kind there ('':
    any), and minus the person's first sign-up as `participant_id`."""

    academy = models.ForeignKey(Academy, on_delete=models.CASCADE, related_name="+")
    participant_id = models.BigIntegerField()
    metric = models.CharField(max_length=40)
    cohort = models.CharField(max_length=24, blank=True, choices=Cohort.choices)
    is_claimant = models.BooleanField()
    day = models.DateField()
    month = models.DateField()
    prev_day = models.DateField(null=True)
    prev_month = models.DateField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["academy", "day"], name="impactday_academy_day"),
            models.Index(
                fields=["academy", "prev_day"], name="impactday_academy_prev_day"
            ),
            models.Index(
                fields=["academy", "participant_id"], name="impactday_academy_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.participant_id} {self.day}"


class ImpactMonth(models.Model):
    """How many of the ImpactDay rows of an academy fall in `month` with their previous
    qualifying day in `prev_month` (none: null), for one metric, cohort and claimant
    status: whole months of any period are counted from these few rows."""

    academy = models.ForeignKey(Academy, on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=40)
    cohort = models.CharField(max_length=24, blank=True)
    is_claimant = models.BooleanField()
    month = models.DateField()
    prev_month = models.DateField(null=True)
    n = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["academy", "month"], name="impactmonth_academy_month")
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.cohort} {self.month}: {self.n}"


class ImpactChange(models.Model):
    """A person whose casework changed since their summary rows were stored: counted
    again before the academy's summaries are next read (or by the worker)."""

    academy_id = models.BigIntegerField(db_index=True)
    participant_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.academy_id}/{self.participant_id}"


class ImpactSummary(models.Model):
    """An academy's summaries: when they were last built in full. Its row is locked
    while they are written, so that two writers never interleave."""

    academy = models.OneToOneField(Academy, on_delete=models.CASCADE, related_name="+")
    refreshed_at = models.DateTimeField(null=True)
    # Event attendances are counted for events started before this moment; none:
    # a sign-up, event or enquiry changed, and they are counted again when next read.
    events_until = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.academy_id}: {self.refreshed_at}"


class FunderReturnFiguresQuerySet(AcademyQuerySet["FunderReturnFigures"]):
    academy_path = "funder_return__academy"


class FunderReturnFigures(models.Model):
    """A funder return's figures for one financial year as last counted (raw counts:
    the publication rules apply when they are shown), so that its page and files read
    them rather than count every person again (issue 16)."""

    funder_return = models.ForeignKey(
        FunderReturn, on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField()  # the financial year from April `year`
    version = models.PositiveIntegerField()  # of the return's definition counted
    figures = models.JSONField()  # reporting/funders/build.py counted_json
    computed_at = models.DateTimeField()
    # Set by whatever changes the academy's casework, in its transaction, with
    # `generation` one more; a count clears it only if `generation` did not move
    # while it counted (reporting/summaries.py impact_people_changed).
    is_stale = models.BooleanField(default=False)
    generation = models.PositiveBigIntegerField(default=0)

    objects: ClassVar[FunderReturnFiguresQuerySet] = (
        FunderReturnFiguresQuerySet.as_manager()  # type: ignore[assignment]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["funder_return", "year"], name="funder_figures_once_a_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.funder_return_id} {self.year} at {self.computed_at}"
