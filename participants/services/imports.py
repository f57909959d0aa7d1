"""Writes of imports (spec/import-format.md): a file from the command line, checked and
imported here and now, and an uploaded file kept as an ImportRun, which a worker checks
for its preview and, once confirmed, imports (a large file takes longer than a web
request may: issue 12, observation 7)."""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import PurePath
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from academy.jobs import send_after_commit
from academy.models import Academy, RunStatus, User
from academy.registry import Registry

from .. import imports, tasks
from ..imports import unchanged
from ..models import ImportRun, ImportWritten

logger = logging.getLogger(__name__)

# Called after the commit of a file imported here and now (`records_import`: the
# command line) that created or changed records, with its academy: reporting rebuilds
# the impact summaries. (The worker's imports are followed by reporting's own receiver
# of the import task.) A file that changed nothing changed nothing to rebuild.
import_written_hooks: Registry[Callable[[Academy], None]] = Registry(
    "import_written_hooks"
)


# The first key of the PostgreSQL advisory locks that serialise imports per academy.
_IMPORT_LOCK = 7_301


def _lock_academy_imports(academy: Academy) -> None:
    """Take the academy's import lock until the transaction ends: two imports into
    one academy write one after the other, each matching what the other wrote.

    An advisory lock, so that registrations (which lock the academy row for the next
    reference) do not wait for an import. SQLite writes one transaction at a time.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [_IMPORT_LOCK, academy.pk]
            )


@transaction.atomic
def records_import(
    *,
    academy: Academy,
    kind: str,
    source: IO[bytes],
    file_name: str,
    by: User | None,
    dry_run: bool = False,
    progress: imports.Progress | None = None,
    accept: frozenset[str] = frozenset(),
    coordinator: User | None = None,
) -> imports.ImportResult:
    """Check a file and, unless it has problems or this is a dry run, import it all.

    Conflicts and likely duplicates are held back unless their reference is in
    `accept`; new people belong to `coordinator` unless a row names another.
    Raises `imports.ImportFileError` when the file cannot be read at all.
    """
    imports.file_check(source, name=file_name)
    key = ""
    # Read once: the load key names the coordinators the rows were read with.
    members = (
        imports.coordinators(academy) if kind == ImportRun.Kind.PARTICIPANTS else None
    )
    if not dry_run:
        _lock_academy_imports(academy)
        if members is not None:
            key = unchanged.load_key(
                file=unchanged.file_digest(source),
                file_name=file_name,
                kind=kind,
                by_id=by.pk if by else None,
                coordinator_id=coordinator.pk if coordinator else None,
                accepted=accept,
                coordinators=members,
            )
            again = _written_unchanged(academy, key, progress)
            if again is not None:
                return again
    table = imports.table_read(source, name=file_name)
    plan = imports.import_check(
        academy=academy,
        kind=kind,
        table=table,
        progress=progress,
        accepted=accept,
        coordinator_id=coordinator.pk if coordinator else None,
        members=members,
    )
    if plan.problems or dry_run:
        return imports.ImportResult(plan.summary, plan.problems, is_written=False)
    summary = imports.import_apply(
        plan=plan, by=by, file_name=file_name, progress=progress
    )
    if kind == ImportRun.Kind.PARTICIPANTS:
        _written_record(plan, key)
    if summary.created or summary.updated:
        for hook in import_written_hooks:
            transaction.on_commit(functools.partial(hook, academy))
    return imports.ImportResult(summary, (), is_written=True)


def _written_unchanged(
    academy: Academy, key: str, progress: imports.Progress | None
) -> imports.ImportResult | None:
    """The result of importing again the file of participants last written into the
    academy, with the same key, while its people are as that import left them (under
    the academy's import lock): every row unchanged, as reading it would find
    (participants/imports/unchanged.py). None when it must be read."""
    written = ImportWritten.objects.filter(academy=academy, load_key=key).first()
    if written is None or written.records != unchanged.records_digest(
        academy, with_cohorts=written.with_cohorts
    ):
        return None
    if progress is not None:
        for count in range(
            imports.PROGRESS_EVERY, written.rows + 1, imports.PROGRESS_EVERY
        ):
            progress(f"checked {count:,} rows")
    summary = imports.ImportSummary(
        kind=ImportRun.Kind.PARTICIPANTS,
        rows=written.rows,
        created=0,
        updated=0,
        unchanged=written.rows,
        ignored_columns=tuple(written.ignored_columns),
    )
    return imports.ImportResult(summary, (), is_written=True)


def _written_record(plan: imports.ImportPlan, key: str) -> None:
    """Record what a written file of participants left of the academy's people (as
    matching read them, with its writes); or, when not every row was applied, forget
    the academy's last file, which is no longer the last written."""
    left = unchanged.written_digest(plan)
    if left is None:
        ImportWritten.objects.filter(academy=plan.academy).delete()
        return
    ImportWritten.objects.update_or_create(
        academy=plan.academy,
        defaults={
            "load_key": key,
            "records": left,
            "with_cohorts": plan.cohorts_seen is not None,
            "rows": plan.rows,
            "ignored_columns": list(plan.ignored_columns),
        },
    )


def _file_problem(error: Exception) -> list[str]:
    return [str(imports.Problem(1, "file", str(error)))]


def _sha256(upload: File[Any]) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def import_run_create(
    *,
    academy: Academy,
    by: User,
    kind: str,
    upload: File[Any],
    coordinator: User | None = None,
) -> ImportRun:
    """Keep an uploaded file and queue its check by a worker; nothing reads it here.

    The run is `queued` for its check (import_run_check). New people will belong to
    `coordinator` (the uploader, when not given) unless the file's coordinator column
    names another.
    """
    name = PurePath(upload.name or "upload").name
    run = ImportRun(
        academy=academy,
        kind=kind,
        original_name=name[:255],
        created_by=by,
        coordinator=coordinator or by,
        status=ImportRun.Status.QUEUED,
        sha256=_sha256(upload),
    )
    run.file.save(name, upload, save=False)
    with transaction.atomic():
        run.save()
        send_after_commit(tasks.import_run_check.delay, run.pk, label="import check")
    return run


def import_run_check(*, run: ImportRun) -> ImportRun:
    """Check an uploaded file in full for its preview (a worker's job), writing no
    records, and saving on the run how many rows have been checked as it goes.

    The run ends `previewed` (ready to confirm), `rejected` with every problem, or
    `failed` with the reason. A run already checked, or confirmed, is left as it is.
    """
    with transaction.atomic():
        run = (
            ImportRun.objects.select_for_update(of=("self",))
            .select_related("academy")
            .get(pk=run.pk)
        )
        if not run.is_checking:
            return run
        # Already `running`: the task is delivered again because its worker died;
        # the check wrote nothing, so it starts again.
        run.status = ImportRun.Status.RUNNING
        run.progress = 0
        run.started_at = timezone.now()
        run.summary, run.problems = {}, []
        run.save(
            update_fields=["status", "progress", "started_at", "summary", "problems"]
        )
    try:
        with run.file.open("rb") as source:
            imports.file_check(source, name=run.original_name)
            total = imports.rows_count(source, name=run.original_name)
            if total is not None:
                ImportRun.objects.filter(pk=run.pk).update(summary={"rows": total})
            table = imports.table_read(source, name=run.original_name)
            plan = imports.import_check(
                academy=run.academy,
                kind=run.kind,
                table=_counted(run, table),
                coordinator_id=run.coordinator_id,
            )
    except imports.ImportFileError as error:
        return _run_finish(
            run, ImportRun.Status.REJECTED, _file_problem(error), is_check=True
        )
    except OSError as error:  # the stored file has gone or cannot be read
        return _run_finish(run, ImportRun.Status.FAILED, _file_problem(error))
    except Exception as error:
        return _run_finish(run, ImportRun.Status.FAILED, _unexpected(run, error))
    return _run_finish(
        run,
        ImportRun.Status.REJECTED if plan.problems else ImportRun.Status.PREVIEWED,
        [str(problem) for problem in plan.problems],
        summary=plan.summary,
        is_check=True,
    )


def import_run_send(run_id: int) -> None:
    """Queue the task a run waits for (how the reconciler sends it again): its check
    until it is confirmed, its import after. A run deleted meanwhile needs nothing."""
    run = ImportRun.objects.only("confirmed_by").filter(pk=run_id).first()
    if run is None:
        return
    task = tasks.import_run_apply if run.is_confirmed else tasks.import_run_check
    task.delay(run_id)


def import_run_confirm(
    *, run: ImportRun, by: User, accepted: Iterable[str] = ()
) -> ImportRun:
    """Queue a previewed file for import by a worker, which checks it again first.
    `accepted` are the references whose conflicts or likely duplicates the user
    ticked to import anyway.

    Raises ValidationError for a run that is already imported, being imported, or was
    rejected, and while another upload of the same file is being imported.
    """
    with transaction.atomic():
        # Lock the run: two confirmations at once must not queue the file twice.
        run = ImportRun.objects.select_for_update().get(pk=run.pk)
        if run.status == ImportRun.Status.DONE:
            raise ValidationError(
                "This file is already imported; it was not imported again."
            )
        if run.is_checking:
            raise ValidationError(
                "This file is still being checked. Its preview shows here when the "
                "check is done; confirm it then."
            )
        if run.is_in_progress:
            raise ValidationError(
                "This file is already being imported; it was not queued again."
            )
        if run.status != ImportRun.Status.PREVIEWED:
            raise ValidationError(
                "This file has problems, so nothing can be imported from it. "
                "Fix the file and upload it again."
            )
        same_file = (
            ImportRun.objects.filter(
                academy_id=run.academy_id,
                sha256=run.sha256,
                status__in=[ImportRun.Status.QUEUED, ImportRun.Status.RUNNING],
                confirmed_by__isnull=False,  # being imported, not only checked
            )
            .exclude(pk=run.pk)
            .first()
        )
        if run.sha256 and same_file is not None:
            raise ValidationError(
                f"The same file is being imported already, as import {same_file.pk}. "
                "Wait for it to finish: importing it again would change nothing."
            )
        offered = {
            str(item["reference"])
            for key in ("conflicts", "duplicates")
            for item in run.summary.get(key, [])
        }
        run.status = ImportRun.Status.QUEUED
        run.confirmed_by = by
        run.progress = 0
        run.accepted = sorted(offered & set(accepted))
        run.save(update_fields=["status", "confirmed_by", "progress", "accepted"])
        send_after_commit(tasks.import_run_apply.delay, run.pk, label="import")
    return run


def import_run_apply(*, run: ImportRun) -> ImportRun:
    """Import a confirmed file (a worker's job): check it again against today's
    records, then write it all or nothing.

    The run ends `imported`, `rejected` with the problems found now, or `failed` with
    the reason. A run that has already finished, or was never confirmed, is left as
    it is.
    """
    with transaction.atomic():
        run = (
            ImportRun.objects.select_for_update(of=("self",))
            .select_related("academy", "confirmed_by")
            .get(pk=run.pk)
        )
        if not run.is_in_progress or not run.is_confirmed:
            return run
        # Still `importing`: the task is redelivered because its worker died, and the
        # write transaction died with it, so the import starts again.
        run.status = ImportRun.Status.RUNNING
        run.progress = 0
        run.started_at = timezone.now()
        run.save(update_fields=["status", "progress", "started_at"])
    try:
        with run.file.open("rb") as source:
            imports.file_check(source, name=run.original_name)
            table = imports.table_read(source, name=run.original_name)
            plan = imports.import_check(
                academy=run.academy,
                kind=run.kind,
                table=_counted(run, table),
                accepted=frozenset(run.accepted),
                coordinator_id=run.coordinator_id,
            )
    except (imports.ImportFileError, OSError) as error:
        return _run_finish(run, ImportRun.Status.FAILED, _file_problem(error))
    except Exception as error:
        return _run_finish(run, ImportRun.Status.FAILED, _unexpected(run, error))
    if plan.problems:
        return _run_finish(
            run,
            ImportRun.Status.REJECTED,
            [str(problem) for problem in plan.problems],
            summary=plan.summary,
        )
    # Progress cannot be saved from inside the write transaction: no other connection
    # would see it before the end. So it counts rows checked, all of them by now.
    ImportRun.objects.filter(pk=run.pk).update(progress=plan.rows)
    try:
        with transaction.atomic():
            # Only one task writes a run: another one waits here, then finds it done.
            locked = ImportRun.objects.select_for_update().get(pk=run.pk)
            if locked.status != ImportRun.Status.RUNNING:
                return locked
            # Another import into the academy may have written since the check:
            # wait for it, then match against what it wrote.
            _lock_academy_imports(run.academy)
            plan = imports.import_rematch(plan)
            summary = imports.import_apply(
                plan=plan,
                by=run.confirmed_by,
                file_name=run.original_name,
                label=f"import {run.pk}",
            )
            return _run_finish(run, ImportRun.Status.DONE, [], summary=summary)
    except IntegrityError:
        # Someone added or removed the same records while this file was imported.
        problems = _file_problem(
            Exception("records changed while importing; upload the file again")
        )
        return _run_finish(run, ImportRun.Status.FAILED, problems)
    except Exception as error:
        return _run_finish(run, ImportRun.Status.FAILED, _unexpected(run, error))


def _counted(run: ImportRun, table: imports.Table) -> imports.Table:
    """The same table, saving on the run how many rows have been checked.

    Saved outside any transaction, so that the run's page sees it while it works.
    """

    def rows() -> Iterator[tuple[int, tuple[imports.Cell, ...]]]:
        for count, row in enumerate(table.rows, start=1):
            yield row
            if count % imports.PROGRESS_EVERY == 0:
                ImportRun.objects.filter(pk=run.pk).update(progress=count)

    return imports.Table(header=table.header, rows=rows())


def _unexpected(run: ImportRun, error: Exception) -> list[str]:
    logger.exception("import run %s failed", run.pk)
    return _file_problem(
        Exception(
            f"the import stopped with an unexpected error "
            f"({type(error).__name__}: {error}); nothing was imported"
        )
    )


def _run_finish(
    run: ImportRun,
    status: RunStatus,
    problems: list[str],
    *,
    summary: imports.ImportSummary | None = None,
    is_check: bool = False,
) -> ImportRun:
    """Record how an import or its check ended, unless another task has already
    recorded it. A check that ends previewed or rejected has not finished the run:
    its file waits for confirmation or for a corrected upload."""
    fields: dict[str, Any] = {"status": status, "problems": problems}
    if is_check:
        fields["summary"] = summary.as_dict() if summary is not None else {}
    else:
        fields["finished_at"] = timezone.now()
        if summary is not None:
            fields["summary"] = summary.as_dict()
    if summary is not None and (is_check or status == ImportRun.Status.DONE):
        fields["progress"] = summary.rows
    ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.RUNNING).update(
        **fields
    )
    run.refresh_from_db()
    return run


__all__ = [
    "import_run_apply",
    "import_run_check",
    "import_run_confirm",
    "import_run_create",
    "import_run_fail",
    "import_run_send",
    "import_written_hooks",
    "records_import",
]


def import_run_fail(run_id: int, reason: str) -> None:
    """Record an import or a check a worker lost as failed, with the reason (nothing
    was written: the import writes in one transaction)."""
    ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.RUNNING).update(
        status=ImportRun.Status.FAILED,
        problems=_file_problem(Exception(reason)),
        finished_at=timezone.now(),
    )
