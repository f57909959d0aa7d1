"""Writes of labour-market data: a refresh is all or nothing.

A run parses its whole file first (no database), then compares the observations with
what is stored in one query, then writes every new and changed figure, the history of
the changed ones and its own success in ONE transaction. The RefreshRun row is written
outside that transaction, so a failure is recorded; a run whose process is killed
leaves the last good figures untouched and is later marked stopped. Loading the same
file again changes nothing; a file loaded before (the same bytes, source, name and year,
read by the same loader) and not overtaken by another load of its source since is
recognised by its key and recorded as unchanged without being read again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from functools import cache
from pathlib import Path, PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from academy.models import Academy, User

from .. import tasks
from ..jobs import send_after_commit
from ..models import REFRESH_STOPPED_AFTER, RefreshRun, RunStatus
from . import changes
from .adapters import adapter_for
from .observations import ParseResult, Progress, SourceFileError

logger = logging.getLogger(__name__)

REJECTED_KEPT = 1000
# What a file's figures depend on besides its bytes: the parsers, their configuration
# and the shipped lookups. Changing any gives every file a new load key.
LOADER_FILES = (
    "adapters/*.py",
    "config.py",
    "observations.py",
    "reading.py",
    "reference.py",
    "data/*.csv",
)
STOPPED_ERROR = (
    "The refresh stopped before it finished (its process was killed, or the machine "
    "restarted). Nothing from it was written; the figures loaded before it are still "
    "shown."
)


def _finish(
    run: RefreshRun,
    status: RunStatus,
    *,
    result: ParseResult | None = None,
    plan: changes.Plan | None = None,
    error: str = "",
) -> RefreshRun:
    """Record how a run ended."""
    fields: dict[str, Any] = {
        "status": status,
        "error": error,
        "stage": "",
        "finished_at": timezone.now(),
    }
    if result is not None:
        fields.update(
            rejected_count=len(result.rejected),
            rejected=[
                {"row": r.row, "reason": r.reason}
                for r in result.rejected[:REJECTED_KEPT]
            ],
            progress=result.rows,
        )
    if result is not None and plan is not None:
        fields.update(
            new_count=len(plan.new),
            changed_count=len(plan.changed),
            unchanged_count=plan.unchanged,
            summary=changes.plan_summary(
                result, plan, written=status == RefreshRun.Status.DONE
            ),
        )
    RefreshRun.objects.filter(pk=run.pk).update(**fields)
    run.refresh_from_db()
    return run


@cache
def _loader_digest() -> str:
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for pattern in LOADER_FILES:
        for path in sorted(here.glob(pattern)):
            digest.update(path.relative_to(here).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def load_key(*, source: str, filename: str, period: str, checksum: str) -> str:
    """What a file reads as: its bytes (SHA-256), source, name and year (either may
    give the period), and the loader that reads it."""
    parts = (source, filename, period, checksum, _loader_digest())
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _loaded_unchanged(run: RefreshRun) -> RefreshRun | None:
    """The last load of the same file, if no load of its source has written a figure
    since (call under the source's lock); None otherwise."""
    loaded = (
        RefreshRun.objects.filter(
            source=run.source,
            load_key=run.load_key,
            action=RefreshRun.Action.LOAD,
            status=RefreshRun.Status.DONE,
            finished_at__isnull=False,
        )
        .exclude(pk=run.pk)
        .order_by("-finished_at", "-pk")
        .first()
    )
    if loaded is None or loaded.finished_at is None:
        return None
    written_since = RefreshRun.objects.filter(
        Q(new_count__gt=0) | Q(changed_count__gt=0),
        source=run.source,
        action=RefreshRun.Action.LOAD,
        status=RefreshRun.Status.DONE,
        finished_at__gt=loaded.finished_at,
    ).exists()
    return None if written_since else loaded


def _finish_unchanged(
    run: RefreshRun, progress: Progress | None, stage: Callable[[str], None]
) -> RefreshRun | None:
    """Record a file loaded before and unchanged since as reading and comparing it
    would: every figure unchanged, the same rows left out, nothing new. None when
    it must be read (never loaded, or a load of its source has written since)."""
    with transaction.atomic():
        changes.source_lock(run.source)
        loaded = _loaded_unchanged(run)
        if loaded is None:
            return None
        if progress is not None:
            progress(loaded.progress)
        stage("writing" if run.action == RefreshRun.Action.LOAD else "comparing")
        status = {
            RefreshRun.Action.LOAD: RefreshRun.Status.DONE,
            RefreshRun.Action.PREVIEW: RefreshRun.Status.PREVIEWED,
            RefreshRun.Action.DRY_RUN: RefreshRun.Status.DRY_RUN,
        }[RefreshRun.Action(run.action)]
        RefreshRun.objects.filter(pk=run.pk).update(
            status=status,
            error="",
            stage="",
            finished_at=timezone.now(),
            rejected_count=loaded.rejected_count,
            rejected=loaded.rejected,
            progress=loaded.progress,
            new_count=0,
            changed_count=0,
            unchanged_count=(
                loaded.new_count + loaded.changed_count + loaded.unchanged_count
            ),
            summary=changes.summary_unchanged(loaded.summary),
        )
    run.refresh_from_db()
    return run


def refresh_runs_mark_stopped() -> int:
    """Record runs whose process died mid-way as failed; return how many."""
    return RefreshRun.objects.filter(
        status=RefreshRun.Status.RUNNING,
        started_at__lt=timezone.now() - REFRESH_STOPPED_AFTER,
    ).update(
        status=RefreshRun.Status.FAILED,
        error=STOPPED_ERROR,
        stage="",
        finished_at=timezone.now(),
    )


def _claim(run: RefreshRun) -> RefreshRun | None:
    """Mark a queued run running; None if it has finished already."""
    with transaction.atomic():
        locked = RefreshRun.objects.select_for_update().get(pk=run.pk)
        # Still `running`: a worker died and the task was delivered again; the write
        # transaction died with it, so the run starts over.
        if locked.status not in (RefreshRun.Status.QUEUED, RefreshRun.Status.RUNNING):
            return None
        locked.status = RefreshRun.Status.RUNNING
        locked.stage = RefreshRun.Stage.READING
        locked.progress = 0
        locked.error = ""
        locked.started_at = timezone.now()
        locked.finished_at = None
        locked.save(
            update_fields=[
                "status",
                "stage",
                "progress",
                "error",
                "started_at",
                "finished_at",
            ]
        )
    return locked


def _stored_bytes(run: RefreshRun) -> bytes:
    if not run.file:
        raise SourceFileError("The run has no stored file to read.")
    try:
        with run.file.open("rb") as stored:
            return bytes(stored.read())
    except OSError as error:
        raise SourceFileError(f"The stored file cannot be read: {error}.") from error


def _progress_saver(run: RefreshRun, also: Progress | None) -> Progress:
    """Save rows read on the run (outside any transaction, so its page sees it)."""

    def saved(rows: int) -> None:
        RefreshRun.objects.filter(pk=run.pk).update(progress=rows)
        if also is not None:
            also(rows)

    return saved


def _unexpected(run: RefreshRun, error: Exception) -> str:
    logger.exception("labour-market refresh run %s failed", run.pk)
    return (
        f"The refresh stopped with an unexpected error ({type(error).__name__}: "
        f"{error}). Nothing was written; the figures loaded before it are still shown."
    )


def refresh_run_process(
    *,
    run: RefreshRun,
    data: bytes | None = None,
    progress: Progress | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> RefreshRun:
    """Check a run's file in full; unless previewing or a dry run, load it all in one
    transaction. Ends `previewed`, `dry_run`, `succeeded` or `failed` with why."""
    claimed = _claim(run)
    if claimed is None:
        run.refresh_from_db()
        return run
    run = claimed
    refresh_runs_mark_stopped()
    stage = on_stage or (lambda _: None)
    stage("reading")
    unchanged = _finish_unchanged(run, progress, stage) if run.load_key else None
    if unchanged is not None:
        return unchanged
    try:
        data = _stored_bytes(run) if data is None else data
        result = adapter_for(run.source).parse(
            data,
            run.filename,
            period=run.period or None,
            progress=_progress_saver(run, progress),
        )
        if run.action != RefreshRun.Action.LOAD:
            stage("comparing")
            plan = changes.observations_compare(result)
            status = (
                RefreshRun.Status.PREVIEWED
                if run.action == RefreshRun.Action.PREVIEW
                else RefreshRun.Status.DRY_RUN
            )
            return _finish(run, status, result=result, plan=plan)
    except SourceFileError as error:
        return _finish(run, RefreshRun.Status.FAILED, error=str(error))
    except Exception as error:
        return _finish(run, RefreshRun.Status.FAILED, error=_unexpected(run, error))
    RefreshRun.objects.filter(pk=run.pk).update(
        stage=RefreshRun.Stage.WRITING, progress=result.rows
    )
    stage("writing")
    try:
        with transaction.atomic():
            changes.source_lock(run.source)
            plan = changes.observations_compare(result)
            changes.observations_write(plan, run)
            # Inside the transaction: the run reads "loaded" only if the figures are.
            return _finish(run, RefreshRun.Status.DONE, result=result, plan=plan)
    except Exception as error:
        return _finish(run, RefreshRun.Status.FAILED, error=_unexpected(run, error))


def refresh_run_new(
    *,
    source: str,
    action: RefreshRun.Action,
    filename: str,
    data: bytes,
    academy: Academy | None = None,
    by: User | None = None,
    period: str = "",
) -> RefreshRun:
    # A fetched file is named after its source and day, not its long URL.
    if "://" in filename:
        name = f"{source}-{timezone.localdate()}.csv"
    else:
        name = PurePath(filename).name or "download"
    run = RefreshRun(
        academy=academy,
        source=RefreshRun.Source(source),
        action=action,
        filename=filename[:500],
        period=period,
        checksum=hashlib.sha256(data).hexdigest(),
        created_by=by,
    )
    run.load_key = load_key(
        source=run.source,
        filename=run.filename,
        period=run.period,
        checksum=run.checksum,
    )
    run.file.save(name[:100], ContentFile(data), save=False)
    run.save()
    return run


def labour_market_refresh(
    *,
    source: str,
    data: bytes,
    filename: str,
    period: str = "",
    dry_run: bool = False,
    progress: Progress | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> RefreshRun:
    """Load a source file here and now (the command line): kept with its run."""
    action = RefreshRun.Action.DRY_RUN if dry_run else RefreshRun.Action.LOAD
    run = refresh_run_new(
        source=source, action=action, filename=filename, data=data, period=period
    )
    return refresh_run_process(run=run, data=data, progress=progress, on_stage=on_stage)


def refresh_run_upload(
    *,
    academy: Academy,
    by: User,
    source: str,
    data: bytes,
    filename: str,
    period: str = "",
) -> RefreshRun:
    """Keep an uploaded file and queue its check; nothing is written until confirmed."""
    with transaction.atomic():
        run = refresh_run_new(
            source=source,
            action=RefreshRun.Action.PREVIEW,
            filename=PurePath(filename).name,
            data=data,
            academy=academy,
            by=by,
            period=period,
        )
        send_after_commit(tasks.refresh_run_process.delay, run.pk, label="refresh")
    return run


def refresh_run_confirm(*, run: RefreshRun, by: User) -> RefreshRun:
    """Queue a previewed file for loading; the worker checks it again first.

    Raises ValidationError unless the run is waiting for confirmation.
    """
    with transaction.atomic():
        run = RefreshRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RefreshRun.Status.PREVIEWED:
            raise ValidationError(
                "Only a checked file waiting for confirmation can be loaded; this one "
                f"is {run.get_status_display().lower()}."
            )
        run.action = RefreshRun.Action.LOAD
        run.status = RefreshRun.Status.QUEUED
        run.confirmed_by = by
        run.progress = 0
        run.save(update_fields=["action", "status", "confirmed_by", "progress"])
        send_after_commit(tasks.refresh_run_process.delay, run.pk, label="refresh")
    return run


def refresh_run_fail(run_id: int, reason: str) -> None:
    """Record a load a worker lost as failed, with the reason (it writes in one
    transaction, so nothing changed)."""
    RefreshRun.objects.filter(pk=run_id, status=RefreshRun.Status.RUNNING).update(
        status=RefreshRun.Status.FAILED,
        error=reason,
        stage="",
        finished_at=timezone.now(),
    )
