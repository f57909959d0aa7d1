"""Uploaded files of records, previewed first and imported when confirmed."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse

from academy.models import Academy, Run
from academy.tenancy import AcademyQuerySet


class ImportRun(Run):
    """An uploaded file of records: checked by a worker and previewed first, imported
    when confirmed. Until it is confirmed, `queued` and `running` are its check."""

    class Kind(models.TextChoices):
        PARTICIPANTS = "participants", "Participants"
        ACTION_PLANS = "action_plans", "Skills action plans"
        SUPPORT = "support", "Support"
        OUTCOMES = "outcomes", "Outcomes"

    academy = models.ForeignKey(Academy, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    summary = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, help_text="of the file")
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who new people belong to, unless the file's coordinator column "
        "says otherwise.",
    )
    accepted = models.JSONField(
        default=list,
        blank=True,
        help_text="References whose conflicts or likely duplicates the user ticked "
        "to import anyway.",
    )
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
    objects: ClassVar[AcademyQuerySet[ImportRun]] = AcademyQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse("participants:import-detail", args=[self.pk])

    @classmethod
    def wrote_records(cls) -> models.Q:
        """Runs that finished having created or changed records (an import that
        found every row unchanged wrote nothing: nothing to count again)."""
        return models.Q(status=cls.Status.DONE) & (
            models.Q(summary__created__gt=0) | models.Q(summary__updated__gt=0)
        )

    @property
    def is_confirmed(self) -> bool:
        """Confirmed for import: a worker's work on it is the import, not the check."""
        return self.confirmed_by_id is not None

    @property
    def is_checking(self) -> bool:
        """Uploaded and waiting for, or having, a worker to check it."""
        return self.is_in_progress and not self.is_confirmed

    @property
    def status_label(self) -> str:
        """The status in words, telling the check from the import."""
        if self.is_checking:
            if self.status == self.Status.QUEUED:
                return "Waiting to be checked"
            return "Checking the file"
        return str(self.get_status_display())

    @property
    def rows_total(self) -> int:
        """The file's data rows, as counted when it was checked (while it is being
        checked: as counted before, or 0 when not known)."""
        return int(self.summary.get("rows", 0))


class ImportWritten(models.Model):
    """The last file of participants an import written here and now (the command
    line: `records_import`) wrote into an academy, and a digest of what it left of
    the records an import of people compares. The same file imported again with the
    same options, while the records still give that digest, finds every row
    unchanged: it is recorded so without its rows being read."""

    academy = models.OneToOneField(Academy, on_delete=models.CASCADE, related_name="+")
    load_key = models.CharField(
        max_length=64,
        help_text="SHA-256 of the file, its name, the options it was imported with, "
        "the academy's coordinators and the importer's code.",
    )
    records = models.CharField(
        max_length=64,
        help_text="SHA-256 of the academy's people (and cohorts) as the import left "
        "them, in the fields it compares.",
    )
    with_cohorts = models.BooleanField(default=False)
    rows = models.PositiveIntegerField(default=0)
    ignored_columns = models.JSONField(default=list, blank=True)
    written_at = models.DateTimeField(auto_now=True)
    objects: ClassVar[AcademyQuerySet[ImportWritten]] = AcademyQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name_plural = "imports written"

    def __str__(self) -> str:
        return f"Last participants import into academy {self.academy_id}"
