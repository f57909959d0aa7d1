"""Exports that are never cut off (issue 16): a small export streams at once; a large
one becomes an `ExportRun` that a worker writes to a private file, with progress on
its page and then a download link for the member who asked.

An app offers an export by registering an `ExportKind` in its `ready()`
(`export_kinds`): its roles, where the list is, and `source`, which reads the list's
filters as its list page does and returns an `ExportSource` (a count, and the rows as
a plain query streams them). Runs execute like every other run (academy/jobs.py): a
Celery task after commit, in-process when there is no broker (`make run`)."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from celery import shared_task
from django.core.files import File
from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.utils import timezone

from .csv_files import csv_stream
from .jobs import send_after_commit
from .models import Membership, User
from .models.exports import ExportRun
from .models.runs import IN_PROGRESS, RunStatus
from .permissions import Role
from .registry import Registry

logger = logging.getLogger(__name__)

# An export of more rows than this is written by a worker: at ~20,000 rows a second
# (tests/bench/test_bench_exports.py) 5,000 rows stream in well under a second, far
# inside gunicorn's timeout, while a whole academy's list could not be promised to.
DIRECT_ROWS = 5_000
# The rows a run writes between two progress updates (one UPDATE each).
PROGRESS_EVERY = 5_000
EXPORT_TIME_LIMIT = 600  # the task's hard limit, seconds
FAILED = "The file could not be written ({error}). Nothing was kept. Try again."
NO_ACCESS = "You no longer have a role in this academy that may export this list."


class ExportSource(Protocol):
    """An export's rows: how many (for the choice and the progress), and the rows,
    header first, streamed from one plain query; and which of the filters given did
    not fit (left out, as the list leaves them out)."""

    @property
    def ignored(self) -> list[str]: ...

    def count(self) -> int: ...

    def rows(self) -> Iterator[Sequence[object]]: ...


@dataclass(frozen=True)
class ExportKind:
    """One list that can be exported."""

    key: str  # stored in ExportRun.kind
    label: str  # "the people list": said on the run's page
    roles: frozenset[Role]
    list_url: str  # the list's URL name, to go back to
    filename: str  # the file's stem: "participants" -> participants-2026-03-02.csv
    # The list's filters read as its page reads them, for a member: (request, query).
    source: Callable[[HttpRequest, QueryDict], ExportSource]


export_kinds: Registry[ExportKind] = Registry("kinds of export")


def export_kind(key: str) -> ExportKind:
    """The registered kind `key` (KeyError if none)."""
    for kind in export_kinds:
        if kind.key == key:
            return kind
    raise KeyError(key)


def export_filename(kind: ExportKind, *, day: dt.date | None = None) -> str:
    return f"{kind.filename}-{(day or timezone.localdate()).isoformat()}.csv"


def export_is_direct(total: int) -> bool:
    """Whether an export of `total` rows streams at once (else a run writes it)."""
    return total <= DIRECT_ROWS


def export_hint(total: int) -> str:
    """What a list says beside its download button when the file will be a run."""
    if export_is_direct(total):
        return ""
    return (
        f"More than {DIRECT_ROWS:,} rows: the file is written in the background, "
        "and its page gives you the link when it is ready."
    )


def _query_dict(query: dict[str, list[str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, values in query.items():
        data.setlist(name, [str(v) for v in values])
    return data


def _clean(text: str) -> str:
    # A NUL cannot be stored in PostgreSQL's JSON; such a filter is left out anyway.
    return text.replace("\x00", "")[:200]


@transaction.atomic
def export_run_request(
    *, kind: ExportKind, membership: Membership, by: User, query: QueryDict, total: int
) -> ExportRun:
    """Ask a worker for an export's file. The same export asked again while the first
    is still being written is that run, not a second one (a page reloaded)."""
    wanted = {
        _clean(name): [_clean(value) for value in query.getlist(name)]
        for name in sorted(query)
    }
    waiting = ExportRun.objects.for_academy(membership.academy).filter(
        kind=kind.key, requested_by=by, status__in=IN_PROGRESS, query=wanted
    )
    run = waiting.first()
    if run is not None:
        return run
    run = ExportRun.objects.create(
        academy=membership.academy,
        kind=kind.key,
        requested_by=by,
        query=wanted,
        total=total,
        filename=export_filename(kind),
    )
    send_after_commit(export_run_write_task.delay, run.pk, label="export")
    return run


def _membership_of(run: ExportRun, kind: ExportKind) -> Membership | None:
    return (
        Membership.objects.active()
        .select_related("academy", "user")
        .filter(academy_id=run.academy_id, user_id=run.requested_by_id)
        .filter(role__in=kind.roles)
        .first()
    )


def _worker_request(membership: Membership) -> HttpRequest:
    """What a list's FilterSet reads of a request, for a worker that has none."""
    request = HttpRequest()
    request.user = membership.user
    request.membership = membership  # type: ignore[attr-defined]
    request.academy = membership.academy  # type: ignore[attr-defined]
    return request


def export_run_fail(
    run_id: int, reason: str, *, was: Sequence[str] | str = IN_PROGRESS
) -> None:
    """Record a run as failed with its reason: one waiting or running, or (`was`
    "done") one whose file has gone."""
    states = [was] if isinstance(was, str) else list(was)
    ExportRun.objects.filter(pk=run_id, status__in=states).update(
        status=RunStatus.FAILED, error=reason, finished_at=timezone.now()
    )


def export_run_write(*, run: ExportRun) -> ExportRun:
    """Write a run's file from its kind's plain query, through a temporary file (the
    rows are never all in memory), updating its progress as it goes; a delivery of
    a finished run does nothing, one of a running run starts it over."""
    if run.status not in IN_PROGRESS:
        return run
    kind = export_kind(run.kind)
    membership = _membership_of(run, kind)
    if membership is None:
        export_run_fail(run.pk, NO_ACCESS)
        run.refresh_from_db()
        return run
    ExportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), progress=0, error=""
    )
    source = kind.source(_worker_request(membership), _query_dict(run.query))
    done = 0

    def counted(rows: Iterator[Sequence[object]]) -> Iterator[Sequence[object]]:
        nonlocal done
        yield next(rows)  # the header
        for row in rows:
            yield row
            done += 1
            if done % PROGRESS_EVERY == 0:
                ExportRun.objects.filter(pk=run.pk).update(progress=done)

    try:
        with tempfile.TemporaryFile() as out:
            for chunk in csv_stream(counted(iter(source.rows()))):
                out.write(chunk.encode("utf-8"))
            out.seek(0)
            run.file.save(run.filename, File(out), save=False)
    except Exception as error:
        logger.exception("export run %s failed", run.pk)
        export_run_fail(run.pk, FAILED.format(error=type(error).__name__))
        run.refresh_from_db()
        return run
    run.status = RunStatus.DONE
    run.progress = run.total = done
    run.finished_at = timezone.now()
    run.save(update_fields=["file", "status", "progress", "total", "finished_at"])
    return run


@shared_task(
    acks_late=True, soft_time_limit=EXPORT_TIME_LIMIT - 60, time_limit=EXPORT_TIME_LIMIT
)
def export_run_write_task(run_id: int) -> str:
    """Write the file of an export run."""
    run = ExportRun.objects.filter(pk=run_id).first()
    if run is None:  # removed (retention) before a worker got to it
        return "gone"
    return export_run_write(run=run).status


def export_runs_expire(now: dt.datetime) -> int:
    """Export runs older than RETENTION_TRANSIENT_DAYS go, with their files: a file of
    people's data is kept only long enough to be downloaded."""
    from .inventory import Retention
    from .retention import cutoff

    expired = ExportRun.objects.filter(created_at__lt=cutoff(Retention.TRANSIENT, now))
    removed = 0
    for run in expired.iterator():
        if run.file:
            run.file.delete(save=False)
        run.delete()
        removed += 1
    return removed


def exports_register() -> None:
    """The export runs among every kind of run (reconciler, platform runs page), their
    retention rule and the audit's exports: called from the academy app's
    `ready()`."""
    from .audit.exports import AUDIT_EXPORTS
    from .inventory import Retention
    from .jobs import RunKind, run_kinds
    from .retention import RetentionRule, retention_rules

    for kind in AUDIT_EXPORTS.values():
        export_kinds.register(kind)

    run_kinds.register(
        RunKind(
            "export",
            ExportRun,
            send=export_run_write_task.delay,
            queued=RunStatus.QUEUED,
            running=RunStatus.RUNNING,
            time_limit=dt.timedelta(seconds=EXPORT_TIME_LIMIT),
            started_field="started_at",
            fail=export_run_fail,
        )
    )
    retention_rules.register(
        RetentionRule(Retention.TRANSIENT, "exported files deleted", export_runs_expire)
    )
