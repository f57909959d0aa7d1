"""Labour-market figures every academy shares, the runs that load them and the history
of their changes (academy/labour_market/ reads, loads and shows them). The tables keep
the names the reporting app gave them, where these models began (db_table)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from ..tenancy import AcademyQuerySet
from .core import Academy
from .runs import Run

# Far beyond the refresh task's time limit (11 minutes): a run still `running` after
# this has lost its process (killed, or the machine restarted) and wrote nothing.
REFRESH_STOPPED_AFTER = dt.timedelta(hours=1)


class RefreshRunQuerySet(AcademyQuerySet["RefreshRun"]):
    def for_academy(self, academy: Academy) -> RefreshRunQuerySet:
        """The academy's uploads, and the runs of the schedule and the command line,
        which load figures every academy shares."""
        return self.filter(models.Q(academy=academy) | models.Q(academy__isnull=True))


class RefreshRun(Run):
    """One load of a labour-market source file: checked in full, then written in one
    transaction (or only previewed, or a dry run), with what it changed or why not."""

    class Source(models.TextChoices):
        SKILLS_FOR_CARE = "skills-for-care", "Skills for Care"
        LG_INFORM = "lg-inform", "LG Inform"
        NOMIS_CLAIMANT_COUNT = "nomis-claimant-count", "Nomis claimant count"

    class Action(models.TextChoices):
        PREVIEW = "preview", "Check and wait for confirmation"
        LOAD = "load", "Check and load"
        DRY_RUN = "dry_run", "Check only (dry run)"

    class Stage(models.TextChoices):
        READING = "reading", "Reading the file"
        COMPARING = "comparing", "Comparing with the stored figures"
        WRITING = "writing", "Writing the figures"

    academy = models.ForeignKey(
        Academy,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="The academy whose admin uploaded the file; empty for the "
        "schedule and the command line.",
    )
    source = models.CharField(max_length=32, choices=Source.choices)
    action = models.CharField(max_length=8, choices=Action.choices)
    stage = models.CharField(max_length=10, choices=Stage.choices, blank=True)
    filename = models.CharField(max_length=500, help_text="file name or URL")
    period = models.CharField(
        "year",
        max_length=16,
        blank=True,
        help_text="The year the figures are for, when the file does not say.",
    )
    file = models.FileField(upload_to="labour-market/%Y/%m/", blank=True)
    checksum = models.CharField("SHA-256", max_length=64, blank=True)
    load_key = models.CharField(
        max_length=64,
        blank=True,
        help_text="SHA-256 of the file, its source, name and year, and the loader's "
        "code and lookups: a later file with the same key reads the same figures.",
    )
    new_count = models.PositiveIntegerField(default=0)
    changed_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    rejected = models.JSONField(
        default=list, blank=True, help_text="[{'row': n, 'reason': text}, ...]"
    )
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    objects: ClassVar[RefreshRunQuerySet] = RefreshRunQuerySet.as_manager()  # type: ignore[assignment]

    class Meta(Run.Meta):
        db_table = "reporting_refreshrun"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["source", "status"])]

    def __str__(self) -> str:
        return f"{self.get_source_display()} from {self.filename}"

    def get_absolute_url(self) -> str:
        return reverse("labour_market:run-detail", args=[self.pk])

    @property
    def is_in_progress(self) -> bool:
        """Waiting for or held by a worker, and not stopped."""
        return (
            self.status in (self.Status.QUEUED, self.Status.RUNNING)
            and not self.is_stopped
        )

    @property
    def is_stopped(self) -> bool:
        """Running for longer than any run may: its process died mid-way."""
        return (
            self.status == self.Status.RUNNING
            and self.started_at is not None
            and timezone.now() - self.started_at > REFRESH_STOPPED_AFTER
        )

    @property
    def duration(self) -> dt.timedelta | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return self.finished_at - self.started_at


class LabourMarketObservation(models.Model):
    """The current value of one published figure, keyed by source, area, period,
    measure and breakdown. Rates are fractions, stored as published (never worked out
    from counts); `unit` is what the source used."""

    source = models.CharField(max_length=32, choices=RefreshRun.Source.choices)
    area_code = models.CharField("ONS area code", max_length=9)
    area_name = models.CharField(max_length=200)
    period = models.CharField(max_length=16, help_text="2022/23, or 2024-03")
    measure = models.CharField(max_length=32)
    sector = models.CharField(max_length=120, default="all")
    service = models.CharField(max_length=120, default="all")
    job_role = models.CharField(max_length=120, default="all")
    value = models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
    status = models.CharField(max_length=10, default="published")
    unit = models.CharField(max_length=10, help_text="as published: count, %, ...")
    raw_value = models.CharField(max_length=40, blank=True)
    run = models.ForeignKey(
        RefreshRun, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "reporting_labourmarketobservation"
        ordering = ["source", "area_code", "period", "measure"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "source",
                    "area_code",
                    "period",
                    "measure",
                    "sector",
                    "service",
                    "job_role",
                ],
                name="lmi_observation_key",
            ),
            models.CheckConstraint(
                condition=models.Q(status="suppressed", value__isnull=True)
                | models.Q(status="published", value__isnull=False),
                name="lmi_suppressed_has_no_value",
            ),
        ]
        indexes = [models.Index(fields=["area_code", "source", "period"])]

    def __str__(self) -> str:
        return f"{self.area_code} {self.period} {self.measure}: {self.value}"


class LabourMarketChange(models.Model):
    """A figure a refresh changed: its old and new value and status, kept for good."""

    observation = models.ForeignKey(
        LabourMarketObservation, on_delete=models.CASCADE, related_name="changes"
    )
    run = models.ForeignKey(
        RefreshRun, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    old_value = models.DecimalField(
        max_digits=18, decimal_places=6, null=True, blank=True
    )
    old_status = models.CharField(max_length=10)
    new_value = models.DecimalField(
        max_digits=18, decimal_places=6, null=True, blank=True
    )
    new_status = models.CharField(max_length=10)
    changed_at = models.DateTimeField()

    class Meta:
        db_table = "reporting_labourmarketchange"
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.observation}: {self.old_value} -> {self.new_value}"
