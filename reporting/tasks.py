"""Celery tasks of reporting: thin callers of services, taking ids."""

from celery import shared_task
from django.utils import timezone

REPORT_TIME_LIMIT = 300


@shared_task(acks_late=True, soft_time_limit=240, time_limit=REPORT_TIME_LIMIT)
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


@shared_task
def impact_summaries_refresh() -> None:
    """Rebuild every academy's impact summaries and count its stored funder-return
    figures again (nightly: catches any change made past the per-record receivers,
    such as a bulk update)."""
    from .funders.services import funder_figures_refresh
    from .summaries import refresh_impact_summaries

    refresh_impact_summaries()
    funder_figures_refresh()


@shared_task
def impact_changes_apply() -> int:
    """Bring every academy's impact summaries up with casework and events changed
    since, so that the next reader does not wait for it, and count again every
    academy's stale stored funder-return figures; return how many people."""
    from academy.models import Academy

    from .funders.services import funder_figures_refresh
    from .models import FunderReturnFigures, ImpactSummary
    from .summaries import impact_changes_apply as apply

    summarised = Academy.objects.filter(
        pk__in=ImpactSummary.objects.values("academy_id")
    ).order_by("pk")
    people = 0
    for academy in summarised:
        people += apply(academy)
    stale = Academy.objects.filter(
        pk__in=FunderReturnFigures.objects.filter(is_stale=True).values(
            "funder_return__academy_id"
        )
    ).order_by("pk")
    for academy in stale:
        funder_figures_refresh(academy, changed_only=True)
    return people
