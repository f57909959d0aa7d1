"""Long work that never strands: queueing a run's task once its transaction commits
without ever failing the request (a broker outage leaves the run waiting, and it is sent
again), and reconciling the runs of every kind that a worker lost.

Each kind of run (PDF reports, imports, labour-market loads) registers a `RunKind` in
its app's `ready()`. Their tasks are idempotent: a task delivered again for a run that
is already running starts it over, and one for a finished run does nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .models.runs import QUEUED_RESEND_AFTER
from .registry import Registry

logger = logging.getLogger(__name__)

# A run still running this long past its task's hard time limit lost its worker.
RUNNING_GRACE = dt.timedelta(minutes=2)
# ... and one lost for this many time limits is given up as failed.
GIVE_UP_AFTER_LIMITS = 3
STOPPED = (
    "The worker doing this stopped before it finished (it was restarted or lost) and "
    "did not come back to it. Nothing was half-saved. Try again."
)


@dataclass(frozen=True)
class RunKind:
    """How the reconciler finds and handles one kind of run."""

    label: str
    model: type[models.Model]
    send: Callable[[int], Any]  # queue the task for a run id
    queued: str
    running: str
    time_limit: dt.timedelta  # the task's hard time limit
    started_field: str  # when the worker began ("started_at"; imports: "created_at")
    fail: Callable[[int, str], None]  # record a run as failed, with the reason


run_kinds: Registry[RunKind] = Registry("kinds of run")


def send_after_commit(send: Callable[[int], Any], run_id: int, *, label: str) -> None:
    """Queue a run's task once the transaction commits. If the broker cannot take it,
    log one line and leave the run queued: the reconciler sends it again."""

    def deliver() -> None:
        try:
            send(run_id)
        except Exception as error:
            logger.warning(
                "%s %s not queued yet (%s: %s); it will be sent again",
                label,
                run_id,
                type(error).__name__,
                error,
            )

    transaction.on_commit(deliver)


@dataclass(frozen=True)
class Reconciled:
    resent: int = 0
    restarted: int = 0
    failed: int = 0


def runs_reconcile(*, now: dt.datetime | None = None) -> Reconciled:
    """Send again the runs still queued, restart those whose worker was lost, and give
    up (failed, with the reason) on those lost for too long; every kind of run."""
    now = now or timezone.now()
    resent = restarted = failed = 0
    for kind in run_kinds:
        rows = kind.model._default_manager
        waiting = rows.filter(
            status=kind.queued, created_at__lt=now - QUEUED_RESEND_AFTER
        ).values_list("pk", flat=True)
        for pk in waiting:
            kind.send(pk)
            resent += 1
        lost_since = now - kind.time_limit - RUNNING_GRACE
        give_up_since = now - kind.time_limit * GIVE_UP_AFTER_LIMITS - RUNNING_GRACE
        lost = rows.filter(
            status=kind.running, **{f"{kind.started_field}__lt": lost_since}
        ).values_list("pk", kind.started_field)
        for pk, started in lost:
            if started < give_up_since:
                kind.fail(pk, STOPPED)
                failed += 1
            else:
                kind.send(pk)
                restarted += 1
    if resent or restarted or failed:
        logger.info(
            "runs reconciled: %s sent again, %s restarted, %s failed",
            resent,
            restarted,
            failed,
        )
    return Reconciled(resent, restarted, failed)


@dataclass(frozen=True)
class RunRow:
    """A run as the platform's runs page lists it."""

    kind: str
    run: models.Model
    academy: str
    status: str
    is_stuck: bool


RUNS_LISTED = 25


def runs_overview(*, now: dt.datetime | None = None) -> list[RunRow]:
    """The latest runs of every kind across academies, newest first, with those
    waiting or running past their time marked stuck."""
    now = now or timezone.now()
    rows = []
    for kind in run_kinds:
        for run in kind.model._default_manager.select_related("academy").order_by(
            "-created_at"
        )[:RUNS_LISTED]:
            status = str(getattr(run, "status", ""))
            started = getattr(run, kind.started_field, None) or getattr(
                run, "created_at", None
            )
            waited = now - started if started else dt.timedelta()
            is_stuck = (status == kind.queued and waited > QUEUED_RESEND_AFTER) or (
                status == kind.running and waited > kind.time_limit + RUNNING_GRACE
            )
            academy = getattr(run, "academy", None)
            rows.append(
                RunRow(
                    kind.label,
                    run,
                    str(academy) if academy else "every academy",
                    run.get_status_display(),  # type: ignore[attr-defined]
                    is_stuck,
                )
            )
    return sorted(rows, key=lambda r: r.run.created_at, reverse=True)  # type: ignore[attr-defined]
