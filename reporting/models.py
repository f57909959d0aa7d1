"""Built report files: each PDF is made by a worker and kept for downloading again."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse

from academy.models import Academy, Run
from academy.tenancy import AcademyQuerySet

from .disclosure import file_name


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
