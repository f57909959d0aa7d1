"""A CSV export too large to stream in one request (the people list, the audit): a
worker writes the file, the run's page shows progress, then a download link that
only the member who asked may follow. The file goes after RETENTION_TRANSIENT_DAYS."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse

from ..tenancy import AcademyQuerySet
from .core import Academy
from .runs import Run


class ExportRun(Run):
    """One export asked for: which kind, with which filters, by whom; the file once
    written (under MEDIA_ROOT, never served but through its download view)."""

    academy = models.ForeignKey(Academy, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40, help_text="an academy.exports kind")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # The list's filters as a query string's lists ({"status": ["open"]}): the same
    # FilterSet reads them again in the worker.
    query = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0, help_text="rows expected")
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    filename = models.CharField(max_length=120)
    error = models.TextField(blank=True)

    objects: ClassVar[AcademyQuerySet[ExportRun]] = AcademyQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self) -> str:
        return f"Export {self.filename}"

    def get_absolute_url(self) -> str:
        return reverse("academy:export-run", args=[self.pk])

    @property
    def percent(self) -> int:
        """How far the file is written, for the progress bar."""
        if not self.total:
            return 0
        return min(100, self.progress * 100 // self.total)
