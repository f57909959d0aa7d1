"""Killing the whole worker mid-work loses nothing (issue 11, observation 1): with a
real worker on Redis and PostgreSQL, runs that were waiting or running when it was
killed are finished, each exactly once, after the reconciler has run."""

import datetime as dt
import time

import pytest
from django.db import transaction
from django.utils import timezone

from academy.jobs import runs_reconcile
from reporting import services
from reporting.models import ReportRun
from tests.academy.factories import AcademyFactory

RUNS = 4


def _wait(predicate, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.worker
@pytest.mark.slow
def test_killing_the_whole_worker_strands_nothing_and_doubles_nothing(worker):
    academies = [AcademyFactory(name=f"Kill test {n}") for n in range(RUNS)]
    with transaction.atomic():
        runs = [
            services.report_run_request(
                academy=academy,
                start=dt.date(2024, 4, 1),
                end=dt.date(2024, 6, 30),
                publish=False,
                by=None,
            )
            for academy in academies
        ]
    # Kill it as soon as it has started on the first one.
    assert _wait(lambda: ReportRun.objects.exclude(status="queued").exists(), 60)
    worker.kill()
    left = ReportRun.objects.exclude(status="done").count()
    worker.start()

    # Beat's reconciler, as it would run once the runs are overdue (past the PDF
    # task's time limit, before giving up on them).
    later = timezone.now() + dt.timedelta(minutes=8)
    done = runs_reconcile(now=later)
    assert done.failed == 0
    assert done.resent + done.restarted == left

    assert _wait(lambda: not ReportRun.objects.exclude(status="done").exists())
    for run in runs:
        run.refresh_from_db()
        assert run.status == "done", run.error
        assert run.file.name.endswith(".pdf")
    # Each PDF written once: one file per run in the reports folder.
    stored = {ReportRun.objects.get(pk=r.pk).file.name for r in runs}
    assert len(stored) == RUNS
