"""Writes of imports (spec/import-format.md): a file from the command line, and an
uploaded file kept as an ImportRun, previewed first and imported on confirmation."""

from __future__ import annotations

from pathlib import PurePath
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from academy.models import Academy, User

from .. import imports
from ..models import ImportRun


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
) -> imports.ImportResult:
    """Check a file and, unless it has problems or this is a dry run, import it all.

    Raises `imports.ImportFileError` when the file cannot be read at all.
    """
    imports.file_check(source, name=file_name)
    table = imports.table_read(source, name=file_name)
    plan = imports.import_check(
        academy=academy, kind=kind, table=table, progress=progress
    )
    if plan.problems or dry_run:
        return imports.ImportResult(plan.summary, plan.problems, is_written=False)
    summary = imports.import_apply(
        plan=plan, by=by, file_name=file_name, progress=progress
    )
    return imports.ImportResult(summary, (), is_written=True)


def _file_problem(error: Exception) -> list[str]:
    return [str(imports.Problem(1, "file", str(error)))]


def import_run_create(
    *, academy: Academy, by: User, kind: str, upload: File[Any]
) -> ImportRun:
    """Keep an uploaded file and check it in full, writing no records.

    The run is `previewed` (ready to confirm) or `rejected` with every problem.
    """
    name = PurePath(upload.name or "upload").name
    run = ImportRun(
        academy=academy,
        kind=kind,
        original_name=name[:255],
        created_by=by,
        status=ImportRun.Status.REJECTED,
    )
    run.file.save(name, upload, save=False)
    try:
        with run.file.open("rb") as source:
            table = imports.table_read(source, name=name)
            plan = imports.import_check(academy=academy, kind=kind, table=table)
    except imports.ImportFileError as error:
        run.problems = _file_problem(error)
    else:
        run.summary = plan.summary.as_dict()
        run.problems = [str(problem) for problem in plan.problems]
        if not plan.problems:
            run.status = ImportRun.Status.PREVIEWED
    run.save()
    return run


def import_run_confirm(*, run: ImportRun, by: User) -> ImportRun:
    """Import a previewed file, checked again against today's records, all or nothing.

    Raises ValidationError for a run that is already imported or was rejected; a file
    that has problems now is rejected with them, and nothing is imported.
    """
    with transaction.atomic():
        # Lock the run: two confirmations at once must not import the file twice.
        run = ImportRun.objects.select_for_update().get(pk=run.pk)
        if run.status == ImportRun.Status.IMPORTED:
            raise ValidationError(
                "This file is already imported; it was not imported again."
            )
        if run.status != ImportRun.Status.PREVIEWED:
            raise ValidationError(
                "This file has problems, so nothing can be imported from it. "
                "Fix the file and upload it again."
            )
        try:
            with run.file.open("rb") as source:
                result = records_import(
                    academy=run.academy,
                    kind=run.kind,
                    source=source,
                    file_name=run.original_name,
                    by=by,
                )
        except (imports.ImportFileError, OSError) as error:
            run.status = ImportRun.Status.FAILED
            run.problems = _file_problem(error)
        except IntegrityError:
            # Someone added the same records while this file was being imported.
            run.status = ImportRun.Status.FAILED
            run.problems = _file_problem(
                Exception("records changed while importing; upload the file again")
            )
        else:
            run.summary = result.summary.as_dict()
            run.problems = [str(problem) for problem in result.problems]
            run.status = (
                ImportRun.Status.IMPORTED
                if result.is_written
                else ImportRun.Status.REJECTED
            )
        run.finished_at = timezone.now()
        run.save()
    return run


__all__ = ["import_run_confirm", "import_run_create", "records_import"]
