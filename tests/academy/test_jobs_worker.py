"""Killing the whole worker mid-work loses nothing (issue 11, observation 1): with a
real worker on Redis and PostgreSQL, 20 times over, the worker's whole process group
is killed while it builds PDFs; after a restart and the reconciler, every run is done,
each exactly once: 0 lost, 0 doubled, 0 stranded."""

import datetime as dt
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from academy.jobs import runs_reconcile
from reporting import services
from reporting.models import ReportRun
from tests.academy.factories import AcademyFactory

ROUNDS = 20
RUNS_A_ROUND = 3


def _wait(predicate, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.worker
@pytest.mark.slow
def test_killing_the_whole_worker_strands_nothing_and_doubles_nothing(worker):
    academies = [AcademyFactory(name=f"Kill test {n}") for n in range(RUNS_A_ROUND)]
    all_runs = []
    for _ in range(ROUNDS):
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
        all_runs += runs
        # Kill it as soon as it has started on this round's work.
        waiting = ReportRun.objects.filter(pk__in=[r.pk for r in runs])
        assert _wait(lambda w=waiting: w.exclude(status="queued").exists(), 60)
        worker.kill()
        worker.start()
        # Beat's reconciler, as it runs once runs are overdue (past the PDF task's
        # time limit, before giving up on them).
        done = runs_reconcile(now=timezone.now() + dt.timedelta(minutes=8))
        assert done.failed == 0
        assert _wait(lambda w=waiting: not w.exclude(status="done").exists())

    statuses = set(
        ReportRun.objects.filter(pk__in=[r.pk for r in all_runs]).values_list(
            "status", flat=True
        )
    )
    assert statuses == {"done"}  # none lost, none stranded
    pdfs = list((Path(settings.MEDIA_ROOT) / "reports").rglob("*.pdf"))
    assert len(pdfs) == ROUNDS * RUNS_A_ROUND  # none built twice
