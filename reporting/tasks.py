"""Celery tasks of reporting: thin callers of services, taking ids."""

import secrets

from celery import Task, shared_task
from django.utils import timezone


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def report_run_build(run_id: int) -> str:
    """Build the PDF of a report run."""
    from . import services
    from .models import ReportRun

    run = ReportRun.objects.select_related("academy").get(pk=run_id)
    return services.report_run_build(run=run).status


@shared_task
def monthly_reports_send() -> int:
    """E-mail last month's report to every academy's managers; return how many went."""
    from academy.models import Academy

    from . import services

    today = timezone.localdate()
    sent = 0
    for academy in Academy.objects.all():
        if services.monthly_report_send(academy=academy, today=today) is not None:
            sent += 1
    return sent


# A file of every English area takes well under a minute; the limits leave room for a
# much slower database, and stay below the broker's visibility timeout (JOB-6).
@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def refresh_run_process(run_id: int) -> str:
    """Check a labour-market file in full; load it if the run is a confirmed load."""
    from .labour_market import refresh
    from .models import RefreshRun

    run = RefreshRun.objects.get(pk=run_id)
    return refresh.refresh_run_process(run=run).status


NOMIS_RETRIES = 5


@shared_task(bind=True, acks_late=True, soft_time_limit=600, time_limit=660)
def nomis_claimant_count_fetch(self: Task) -> str:  # type: ignore[type-arg]
    """Fetch and load the Nomis claimant count; network failures are tried again
    with backoff and jitter, at most five times (spec/security.md JOB-5)."""
    from .labour_market import fetch

    try:
        run = fetch.nomis_claimant_count_fetch()
    except fetch.FetchError as error:
        if not error.is_transient or self.request.retries >= NOMIS_RETRIES:
            return "failed"
        delay = min(600, 30 * 2**self.request.retries)
        raise self.retry(
            exc=error,
            countdown=delay + secrets.randbelow(30),
            max_retries=NOMIS_RETRIES,
        ) from error
    return "not configured" if run is None else run.status
