"""What every kind of long work shares (PDF reports, imports, labour-market loads): one
status vocabulary and the times and progress the run pages show (academy/jobs.py
queues and reconciles them)."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone

# A run still waiting this long after it was queued is sent to the worker again (by
# academy.jobs.runs_reconcile), and its page says so.
QUEUED_RESEND_AFTER = dt.timedelta(minutes=2)


class RunStatus(models.TextChoices):
    """Where a run is. Not every kind uses every status: only files that are checked
    before they are written are previewed, rejected or dry runs."""

    PREVIEWED = "previewed", "Checked: waiting for confirmation"
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    REJECTED = "rejected", "Has problems: nothing changed"
    FAILED = "failed", "Failed: nothing changed"
    DRY_RUN = "dry_run", "Checked (dry run): nothing written"


IN_PROGRESS = (RunStatus.QUEUED, RunStatus.RUNNING)
FINISHED = (RunStatus.DONE, RunStatus.REJECTED, RunStatus.FAILED, RunStatus.DRY_RUN)


class Run(models.Model):
    """The fields and facts every kind of run has."""

    Status = RunStatus

    status = models.CharField(
        max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    progress = models.PositiveIntegerField(default=0, help_text="rows done")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_in_progress(self) -> bool:
        """Confirmed and not finished: a worker has it, or will."""
        return self.status in IN_PROGRESS

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def is_waiting_long(self) -> bool:
        """Queued for longer than a worker takes to pick a run up."""
        return (
            self.status == RunStatus.QUEUED
            and self.created_at is not None
            and timezone.now() - self.created_at > QUEUED_RESEND_AFTER
        )
