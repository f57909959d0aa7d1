"""Confirming an import queues it; a worker checks the file again and writes it all or
nothing, once."""

import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from participants import imports, tasks
from participants.imports import writing
from participants.models import (
    ConsentRecord,
    ImportRun,
    Participant,
)
from participants.services.imports import (
    import_run_confirm,
    import_run_create,
)
from tests.participants.import_files import (
    PARTICIPANTS,
    csv_bytes,
    run_command,
    run_create,
    snapshot,
    upload,
    write_csv,
)

# Confirming queues the import; a worker checks the file again and writes it


@pytest.fixture
def previewed(coordinator):
    """A previewed file of the two participants, uploaded by the coordinator."""

    def make(rows=PARTICIPANTS, name="people.csv"):
        run = run_create(coordinator, csv_bytes(rows), name=name)
        assert run.status == ImportRun.Status.PREVIEWED
        return run

    return make


@pytest.mark.django_db
def test_confirming_queues_the_import_after_commit(
    coordinator, previewed, django_capture_on_commit_callbacks
):
    run = previewed()

    with django_capture_on_commit_callbacks() as callbacks:
        queued = import_run_confirm(run=run, by=coordinator.user)

    assert (queued.status, queued.progress) == (ImportRun.Status.QUEUED, 0)
    assert queued.confirmed_by == coordinator.user
    assert len(callbacks) == 1
    assert not Participant.objects.exists()
    with pytest.raises(ValidationError, match="already being imported"):
        import_run_confirm(run=run, by=coordinator.user)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "message"),
    [
        (ImportRun.Status.REJECTED, "has problems"),
        (ImportRun.Status.FAILED, "has problems"),
        (ImportRun.Status.DONE, "already imported"),
    ],
)
def test_only_a_previewed_file_can_be_confirmed(
    coordinator, previewed, django_capture_on_commit_callbacks, status, message
):
    run = previewed()
    ImportRun.objects.filter(pk=run.pk).update(status=status)

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(ValidationError, match=message),
    ):
        import_run_confirm(run=run, by=coordinator.user)

    assert not callbacks
    assert ImportRun.objects.get(pk=run.pk).status == status


@pytest.mark.django_db
def test_a_file_that_became_invalid_is_rejected_at_confirm(
    coordinator, previewed, django_capture_on_commit_callbacks
):
    run = previewed()
    bad = [*PARTICIPANTS, ["A-3", "Cy", "", "2024-02-30", "no"]]
    with run.file.open("wb") as stored:
        stored.write(csv_bytes(bad))

    with django_capture_on_commit_callbacks(execute=True):
        import_run_confirm(run=run, by=coordinator.user)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.REJECTED
    assert run.problems == [
        "row 4: last_name: required, but empty",
        "row 4: registered_on: '2024-02-30' is not a real date",
    ]
    assert run.summary["rows"] == 3
    assert run.finished_at is not None
    assert not Participant.objects.exists()
    assert not ConsentRecord.objects.exists()


@pytest.mark.django_db
def test_an_unexpected_error_while_writing_fails_and_writes_nothing(
    coordinator, previewed, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    run = previewed()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # Participants are written first; the consents after them fail.
    monkeypatch.setattr(writing._Ledger, "participants_created", broken)
    with django_capture_on_commit_callbacks(execute=True):
        import_run_confirm(run=run, by=coordinator.user)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert run.problems == [
        "row 1: file: the import stopped with an unexpected error "
        "(RuntimeError: disk full); nothing was imported"
    ]
    assert run.finished_at is not None
    assert not Participant.objects.exists()
    assert "import run" in caplog.text


@pytest.mark.django_db
def test_a_failed_import_shows_its_reason(
    client_of, coordinator, previewed, django_capture_on_commit_callbacks, monkeypatch
):
    run = previewed()

    def broken(**kwargs):
        raise OSError("x")

    monkeypatch.setattr(imports, "import_apply", broken)
    with django_capture_on_commit_callbacks(execute=True):
        import_run_confirm(run=run, by=coordinator.user)

    page = client_of(coordinator).get(run.get_absolute_url())

    assert b"The import failed and nothing was imported" in page.content
    assert b"OSError: x" in page.content
    assert b"Confirm import" not in page.content


@pytest.mark.django_db
def test_a_second_task_for_an_imported_run_does_nothing(
    coordinator, previewed, django_capture_on_commit_callbacks
):
    run = previewed()
    with django_capture_on_commit_callbacks(execute=True):
        import_run_confirm(run=run, by=coordinator.user)
    before = snapshot(coordinator.academy)
    finished_at = ImportRun.objects.get(pk=run.pk).finished_at

    assert tasks.import_run_apply.delay(run.pk).get() == "done"

    assert snapshot(coordinator.academy) == before
    assert ImportRun.objects.get(pk=run.pk).finished_at == finished_at


@pytest.mark.django_db
def test_progress_is_saved_while_the_file_is_checked(
    coordinator, previewed, django_capture_on_commit_callbacks, monkeypatch
):
    run = previewed()
    seen = []
    real_check, real_apply = imports.import_check, imports.import_apply

    def progress():
        seen.append(ImportRun.objects.values_list("status", "progress").get())

    def check(*, table, **kwargs):
        rows = []
        for row in table.rows:
            rows.append(row)
            progress()
        return real_check(table=imports.Table(table.header, iter(rows)), **kwargs)

    def apply(**kwargs):
        progress()
        return real_apply(**kwargs)

    monkeypatch.setattr(imports, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(imports, "import_check", check)
    monkeypatch.setattr(imports, "import_apply", apply)
    with django_capture_on_commit_callbacks(execute=True):
        import_run_confirm(run=run, by=coordinator.user)

    assert seen == [("running", 0), ("running", 1), ("running", 2)]
    run.refresh_from_db()
    assert (run.status, run.progress) == ("done", 2)


@pytest.mark.django_db
def test_the_run_page_polls_while_the_import_waits(client_of, coordinator, previewed):
    run = previewed()
    client = client_of(coordinator)
    client.post(run.get_absolute_url())  # its task is queued after a commit: not here
    url = run.get_absolute_url()

    page = client.get(url)
    part = client.get(url, headers={"HX-Request": "true"})

    assert b"Waiting for a worker to start the import" in page.content
    assert b"<html" in page.content
    assert b"<html" not in part.content
    assert part.content.lstrip().startswith(b'<div id="run-status"')
    for attribute in (
        f'hx-get="{url}"',
        'hx-trigger="every 2s"',
        'hx-swap="outerHTML"',
    ):
        assert attribute.encode() in page.content
        assert attribute.encode() in part.content
    assert b"0 of 2 rows" in part.content
    assert b"spinner-border" in part.content
    assert b"Confirm import" not in part.content


@pytest.mark.django_db
def test_the_run_page_stops_polling_when_the_import_is_done(
    client_of, coordinator, previewed, django_capture_on_commit_callbacks
):
    run = previewed()
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.RUNNING, progress=1, confirmed_by=coordinator.user
    )
    client = client_of(coordinator)
    working = client.get(run.get_absolute_url(), headers={"HX-Request": "true"})
    assert b"1 of 2 rows" in working.content
    assert b"Checking the file again" in working.content
    ImportRun.objects.filter(pk=run.pk).update(progress=2)
    writing_now = client.get(run.get_absolute_url(), headers={"HX-Request": "true"})
    assert b"Now writing the records" in writing_now.content
    assert b"2 of 2 rows" in writing_now.content
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.QUEUED)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.import_run_apply.delay(run.pk)

    done = client.get(run.get_absolute_url(), headers={"HX-Request": "true"})

    assert b"The file has been imported." in done.content
    assert b"hx-trigger" not in done.content
    assert b"Created" in done.content


@pytest.mark.django_db
def test_the_command_imports_without_a_worker(academy, tmp_path, monkeypatch):
    monkeypatch.setattr(tasks.import_run_apply, "delay", None)  # no queue at all
    path = write_csv(tmp_path / "people.csv", PARTICIPANTS)

    out, _ = run_command(academy, "participants", path)

    assert "2 created" in out
    assert not ImportRun.objects.exists()


def _wait_for_worker(run, deadline_s=90):
    """Poll the run until a worker has finished with it; return the statuses seen."""
    seen = set()
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        run.refresh_from_db()
        seen.add(run.status)
        if not run.is_in_progress:
            break
        time.sleep(0.1)
    return seen


@pytest.mark.worker
def test_a_confirmed_import_is_done_by_a_real_worker(worker, coordinator):
    run = import_run_create(
        academy=coordinator.academy,
        by=coordinator.user,
        kind="participants",
        upload=SimpleUploadedFile("people.csv", csv_bytes(PARTICIPANTS)),
    )
    _wait_for_worker(run)  # its check
    assert run.status == "previewed", run.problems
    with transaction.atomic():
        import_run_confirm(run=run, by=coordinator.user)
        assert ImportRun.objects.get(pk=run.pk).status == "queued"

    seen = _wait_for_worker(run)
    assert run.status == "done", run.problems
    assert seen & {"queued", "running"}
    assert (run.progress, run.summary["created"]) == (2, 2)
    people = Participant.objects.for_academy(coordinator.academy)
    assert sorted(people.values_list("reference", flat=True)) == ["A-1", "A-2"]
    # Stated in the file, not given to the person who confirmed it.
    hold = ConsentRecord.objects.filter(kind="hold_data", source="import")
    assert hold.count() == 2
    assert not hold.filter(recorded_by__isnull=False).exists()


@pytest.mark.worker
def test_an_uploaded_file_is_checked_by_a_real_worker(worker, client_of, coordinator):
    client = client_of(coordinator)
    started = time.monotonic()
    response = upload(client, "participants", "people.csv", csv_bytes(PARTICIPANTS))
    answered_in = time.monotonic() - started
    run = ImportRun.objects.get()
    assert response["Location"] == run.get_absolute_url()
    assert answered_in < 5

    _wait_for_worker(run)

    assert run.status == "previewed", run.problems
    assert (run.progress, run.summary["created"]) == (2, 2)
    page = client.get(run.get_absolute_url())
    assert b"Would be created" in page.content
    assert b"Confirm import" in page.content
    assert not Participant.objects.exists()
