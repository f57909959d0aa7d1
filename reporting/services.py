"""Writes of the reporting app: PDF report runs, the monthly report e-mail and the
yearly targets."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from academy.forms import too_long_message
from academy.inventory import Retention
from academy.jobs import send_after_commit
from academy.models import Academy, Membership, User
from academy.notify import Attachment, Recipient, notify
from academy.pdf import render_pdf
from academy.permissions import Role
from academy.retention import cutoff

from . import tasks
from .exports import impact_csv_file
from .funders.periods import year_label
from .impact import METRIC_KEYS, ImpactReport, impact_report
from .models import ImpactTarget, ReportRun
from .periods import period_custom
from .presenters import impact_document, narrative_paragraphs
from .selectors import academy_launched_on, target_years

logger = logging.getLogger(__name__)

MAX_PERIOD_DAYS = 366 * 5


def report_period_check(*, academy: Academy, start: dt.date, end: dt.date) -> None:
    """Refuse a period that cannot make a sensible report, saying what to fix."""
    if end < start:
        raise ValidationError("The period ends before it starts. Swap the dates.")
    if start > timezone.localdate():
        raise ValidationError("The period starts in the future.")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ValidationError("Choose a period of five years or less.")


NARRATIVE_MAX = 3000  # ReportRun.narrative's max_length


def report_narrative_clean(text: str) -> str:
    """The narrative as stored: plain text, one kind of line end, no space around
    it; a ValidationError (on `narrative`) when it is longer than 3,000 characters."""
    text = "\n\n".join(narrative_paragraphs(text))
    if len(text) > NARRATIVE_MAX:
        raise ValidationError(
            {"narrative": too_long_message(NARRATIVE_MAX, len(text))},
            code="max_length",
        )
    return text


@transaction.atomic
def report_run_request(
    *,
    academy: Academy,
    start: dt.date,
    end: dt.date,
    publish: bool,
    by: User | None,
    narrative: str = "",
) -> ReportRun:
    """Ask a worker for a PDF; the same request (period, publication and narrative)
    while one waits returns that one."""
    report_period_check(academy=academy, start=start, end=end)
    narrative = report_narrative_clean(narrative)
    waiting = ReportRun.objects.for_academy(academy).filter(
        start=start,
        end=end,
        is_published=publish,
        narrative=narrative,
        status__in=[ReportRun.Status.QUEUED, ReportRun.Status.RUNNING],
    )
    existing = waiting.first()
    if existing is not None:
        return existing
    run = ReportRun.objects.create(
        academy=academy,
        start=start,
        end=end,
        is_published=publish,
        requested_by=by,
        narrative=narrative,
    )
    send_after_commit(tasks.report_run_build.delay, run.pk, label="report")
    return run


def report_run_retry(*, run: ReportRun) -> ReportRun:
    """Queue a failed run again, or send a waiting one to the worker again."""
    if run.status not in (ReportRun.Status.FAILED, ReportRun.Status.QUEUED):
        raise ValidationError(
            "Only a failed report, or one still waiting, can be tried again."
        )
    run.status = ReportRun.Status.QUEUED
    run.error = ""
    run.save(update_fields=["status", "error"])
    send_after_commit(tasks.report_run_build.delay, run.pk, label="report")
    return run


def report_run_fail(
    run_id: int, reason: str, *, was: str = ReportRun.Status.RUNNING
) -> None:
    """Record a PDF as failed, with the reason: one a worker lost (`running`), or one
    whose file has gone (`done`), so that it can be tried again."""
    ReportRun.objects.filter(pk=run_id, status=was).update(
        status=ReportRun.Status.FAILED, error=reason, finished_at=timezone.now()
    )


def impact_pdf(report: ImpactReport, *, publish: bool, narrative: str = "") -> bytes:
    """The impact report's PDF: the one the dashboard's runs, the monthly e-mail and
    the impact_report command all make."""
    document = impact_document(report, publish=publish, narrative=narrative)
    return render_pdf("print/impact_report.html", document.as_context())


def report_run_build(
    *, run: ReportRun, report: ImpactReport | None = None
) -> ReportRun:
    """Build the PDF of a run (from `report` when the caller has computed it already).
    A failure marks the run failed with its reason and leaves no file; the file is
    saved only once the whole PDF is made. A run already built is left as it is."""
    if ReportRun.objects.filter(pk=run.pk, status=ReportRun.Status.DONE).exists():
        run.refresh_from_db()
        return run
    ReportRun.objects.filter(pk=run.pk).update(
        status=ReportRun.Status.RUNNING, started_at=timezone.now(), error=""
    )
    try:
        if report is None:
            report = impact_report(academy=run.academy, start=run.start, end=run.end)
        pdf = impact_pdf(report, publish=run.is_published, narrative=run.narrative)
    except Exception as error:
        logger.exception("impact report %s failed", run.pk)
        run.status = ReportRun.Status.FAILED
        run.error = f"{type(error).__name__}: {error}"
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        return run
    run.file.save(run.filename, ContentFile(pdf), save=False)
    run.status = ReportRun.Status.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["file", "status", "finished_at"])
    return run


def monthly_report_send(*, academy: Academy, today: dt.date) -> ReportRun | None:
    """Build last month's report and e-mail it to the academy's managers."""
    end = today.replace(day=1) - dt.timedelta(days=1)
    period = period_custom(end.replace(day=1), end)
    managers = list(
        Membership.objects.active()
        .filter(academy=academy, role=Role.MANAGER)
        .select_related("user")
    )
    if not managers:
        return None
    # One computation serves both the PDF and the CSV attachment.
    report = impact_report(academy=academy, start=period.start, end=period.end)
    run = ReportRun.objects.create(
        academy=academy, start=period.start, end=period.end, is_monthly=True
    )
    run = report_run_build(run=run, report=report)
    context = {"academy": academy, "period": period, "run": run}
    attachments = []
    if run.status == ReportRun.Status.DONE:
        run.file.open("rb")
        attachments.append(Attachment(run.filename, run.file.read(), "application/pdf"))
        run.file.close()
    attachments.append(
        Attachment(
            run.filename.replace(".pdf", ".csv"),
            impact_csv_file(report, publish=False),
            "text/csv",
        )
    )
    for membership in managers:
        user = membership.user
        notify(
            to=Recipient.member(user),
            template="monthly_report",
            context=context,
            academy=academy,
            key=f"monthly-report:{run.pk}:{user.pk}",
            attachments=attachments,
        )
    return run


TARGET_MAX = 1_000_000


def impact_target_year_check(*, academy: Academy, year: int, today: dt.date) -> None:
    """Refuse a financial year a target cannot be set for, saying which can."""
    years = target_years(academy=academy, today=today)
    if year > years[-1]:
        raise ValidationError(
            {
                "year": f"Targets can be set up to next financial year, "
                f"{year_label(years[-1])}. Choose that year or an earlier one."
            }
        )
    if year < years[0]:
        launched = academy_launched_on(academy)
        raise ValidationError(
            {
                "year": f"The academy launched on {launched.day} {launched:%B %Y}, "
                f"in {year_label(years[0])}. Choose that year or a later one."
            }
        )


@transaction.atomic
def impact_targets_set(
    *,
    academy: Academy,
    year: int,
    values: Mapping[str, int | None],
    by: User,
    today: dt.date | None = None,
) -> int:
    """Set the academy's targets for one financial year (its first year), a whole
    number for each headline metric or None for no target; returns how many
    changed. Every value is checked before any is written."""
    impact_target_year_check(
        academy=academy, year=year, today=today or timezone.localdate()
    )
    problems = {}
    for key, value in values.items():
        if key not in METRIC_KEYS:
            raise ValidationError(f"There is no headline figure '{key}'.")
        if value is not None and not 0 <= value <= TARGET_MAX:
            problems[key] = (
                "A target cannot be negative: give 0 or more, or leave it empty."
                if value < 0
                else f"Give a target of at most {TARGET_MAX:,}."
            )
    if problems:
        raise ValidationError(problems)
    stored = {
        t.metric: t
        for t in ImpactTarget.objects.for_academy(academy)
        .select_for_update()
        .filter(year=year)
    }
    changed = 0
    for key, value in values.items():
        target = stored.get(key)
        if value is None:
            if target is not None:
                target.delete()
                changed += 1
        elif target is None:
            ImpactTarget.objects.create(
                academy=academy, metric=key, year=year, value=value, updated_by=by
            )
            changed += 1
        elif target.value != value:
            target.value, target.updated_by = value, by
            target.save(update_fields=["value", "updated_by", "updated_at"])
            changed += 1
    return changed


@transaction.atomic
def report_runs_expire(now: dt.datetime) -> int:
    """Report runs built more than RETENTION_REPORTS_YEARS ago go, with their files."""
    expired = ReportRun.objects.filter(created_at__lt=cutoff(Retention.REPORT, now))
    count = 0
    for run in expired:
        if run.file:
            run.file.delete(save=False)
        run.delete()
        count += 1
    return count
