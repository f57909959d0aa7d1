"""Issue 12, observation 7: an uploaded file is read and checked by a worker, never in
the web request. The request stores the file and queues its check; the run's page says
how far the check has got and then shows the preview (or the problems)."""

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from academy import jobs
from participants import imports, tasks
from participants.models import ImportRun, Participant
from participants.services.imports import (
    import_run_apply,
    import_run_check,
    import_run_confirm,
)
from tests.participants.import_files import (
    PARTICIPANTS,
    csv_bytes,
    run_create,
    upload,
)

pytestmark = pytest.mark.django_db


def _xlsx(rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()


@pytest.fixture
def queued_checks(monkeypatch):
    """The check tasks queued, recorded instead of run."""
    sent = []
    monkeypatch.setattr(tasks.import_run_check, "delay", sent.append)
    return sent


@pytest.fixture
def no_reading_here(monkeypatch):
    """Make reading or checking a file in this process fail the test."""

    def read(*args, **kwargs):
        raise AssertionError("the file was read in the request")

    for name in ("file_check", "table_read", "import_check", "rows_count"):
        monkeypatch.setattr(imports, name, read)
    monkeypatch.setattr(openpyxl, "load_workbook", read)


# The request stores the file and queues its check


@pytest.mark.parametrize(
    ("name", "content"),
    [("people.csv", csv_bytes(PARTICIPANTS)), ("people.xlsx", _xlsx(PARTICIPANTS))],
)
def test_posting_a_file_stores_it_and_queues_its_check_without_reading_it(
    client_of, coordinator, queued_checks, no_reading_here, name, content
):
    response = upload(client_of(coordinator), "participants", name, content)

    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == run.get_absolute_url()
    assert queued_checks == [run.pk]  # after the commit
    assert run.status == ImportRun.Status.QUEUED
    assert run.is_checking
    assert not run.is_confirmed
    assert (run.summary, run.problems, run.progress) == ({}, [], 0)
    with run.file.open("rb") as stored:
        assert stored.read() == content
    assert run.original_name == name
    assert not Participant.objects.exists()


def test_the_check_is_queued_only_once_the_upload_is_saved(
    client_of, coordinator, queued_checks
):
    upload(client_of(coordinator), "participants", "people.csv", b"x", check=False)

    assert queued_checks == []  # the commit callbacks were not run
    assert ImportRun.objects.get().status == ImportRun.Status.QUEUED


def test_the_page_says_it_waits_then_how_far_the_check_has_got_then_previews(
    client_of, coordinator, queued_checks
):
    client = client_of(coordinator)
    upload(client, "participants", "people.csv", csv_bytes(PARTICIPANTS))
    run = ImportRun.objects.get()
    url = run.get_absolute_url()

    waiting = client.get(url)
    assert b"Waiting for a worker to check your file." in waiting.content
    assert b"Waiting to be checked" in waiting.content
    assert b'hx-trigger="every 2s"' in waiting.content
    assert b"Confirm import" not in waiting.content
    assert b"Would be created" not in waiting.content

    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.RUNNING, progress=12_000, summary={"rows": 200_000}
    )
    part = client.get(url, headers={"HX-Request": "true"})
    text = " ".join(part.content.decode().split())
    assert "Checking your file: <strong>12,000 of 200,000 rows</strong>." in text
    assert "Nothing is imported until you have seen what it would do" in text
    assert 'hx-trigger="every 2s"' in text
    assert "Would be created" not in text

    tasks.import_run_check.run(run.pk)  # what the worker does

    done = client.get(url, headers={"HX-Request": "true"})
    assert b"hx-trigger" not in done.content
    assert b"The file has been checked and nothing has been imported yet" in (
        done.content
    )
    assert b"Would be created" in done.content
    assert b"Confirm import" in done.content
    assert b'name="csrfmiddlewaretoken"' in done.content


def test_while_the_rows_are_not_counted_the_page_says_how_many_so_far(
    client_of, coordinator, queued_checks
):
    client = client_of(coordinator)
    upload(client, "participants", "people.xlsx", _xlsx(PARTICIPANTS))
    run = ImportRun.objects.get()
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.RUNNING, progress=5_000
    )

    part = client.get(run.get_absolute_url(), headers={"HX-Request": "true"})

    assert "Checking your file: <strong>5,000 rows</strong> so far." in " ".join(
        part.content.decode().split()
    )


def test_the_recent_imports_say_which_file_is_being_checked(
    client_of, coordinator, queued_checks
):
    from django.urls import reverse

    client = client_of(coordinator)
    upload(client, "participants", "people.csv", csv_bytes(PARTICIPANTS))
    assert (
        b"Waiting to be checked"
        in client.get(reverse("participants:import-upload")).content
    )
    ImportRun.objects.update(status=ImportRun.Status.RUNNING)
    assert (
        b"Checking the file"
        in client.get(reverse("participants:import-upload")).content
    )


def test_a_file_being_checked_cannot_be_confirmed(
    client_of, coordinator, queued_checks, django_capture_on_commit_callbacks
):
    client = client_of(coordinator)
    upload(client, "participants", "people.csv", csv_bytes(PARTICIPANTS))
    run = ImportRun.objects.get()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        refused = client.post(run.get_absolute_url(), follow=True)

    assert not callbacks
    assert b"still being checked" in refused.content
    run.refresh_from_db()
    assert (run.status, run.confirmed_by) == (ImportRun.Status.QUEUED, None)
    assert not Participant.objects.exists()


# The worker's check: the same preview and problems as before, once


def test_the_checked_run_has_the_preview_the_request_used_to_make(coordinator):
    run = run_create(coordinator, csv_bytes(PARTICIPANTS))

    assert run.status == ImportRun.Status.PREVIEWED
    assert (run.summary["rows"], run.summary["created"]) == (2, 2)
    assert (run.progress, run.problems) == (2, [])
    assert run.started_at is not None
    assert run.finished_at is None  # checked, not finished: it waits for confirmation
    assert not Participant.objects.exists()


def test_a_file_with_problems_is_rejected_by_its_check(client_of, coordinator):
    bad = [PARTICIPANTS[0], ["A-1", "Ann", "Jones", "2024-13-01", "yes"]]
    run = run_create(coordinator, csv_bytes(bad))

    assert run.status == ImportRun.Status.REJECTED
    assert run.problems == ["row 2: registered_on: '2024-13-01' is not a real date"]
    page = client_of(coordinator).get(run.get_absolute_url()).content
    assert b"nothing can be imported from this file" in page
    assert b"checked again when it was confirmed" not in page


def test_a_csv_that_stops_being_utf8_past_its_start_is_rejected_by_the_check(
    client_of, coordinator
):
    # The form reads only the first 64 KB; the worker reads all of it.
    content = csv_bytes(PARTICIPANTS) + b"x" * (70 * 1024) + "Zoë\r\n".encode("latin-1")
    client = client_of(coordinator)

    response = upload(client, "participants", "people.csv", content)

    run = ImportRun.objects.get()
    assert response["Location"] == run.get_absolute_url()
    assert run.status == ImportRun.Status.REJECTED
    assert "not UTF-8" in run.problems[0]


def test_a_stored_file_that_has_gone_fails_its_check_saying_why(
    client_of, coordinator, queued_checks
):
    client = client_of(coordinator)
    upload(client, "participants", "people.csv", csv_bytes(PARTICIPANTS))
    run = ImportRun.objects.get()
    run.file.delete(save=False)

    run = import_run_check(run=run)

    assert run.status == ImportRun.Status.FAILED
    page = client.get(run.get_absolute_url()).content
    assert b"The file could not be checked, and nothing was imported." in page


def test_progress_is_saved_while_the_upload_is_checked(
    coordinator, queued_checks, monkeypatch, client_of
):
    upload(
        client_of(coordinator), "participants", "people.csv", csv_bytes(PARTICIPANTS)
    )
    run = ImportRun.objects.get()
    seen = []
    real_check = imports.import_check

    def check(*, table, **kwargs):
        rows = []
        for row in table.rows:
            rows.append(row)
            seen.append(
                ImportRun.objects.values_list("status", "progress", "summary").get()
            )
        return real_check(table=imports.Table(table.header, iter(rows)), **kwargs)

    monkeypatch.setattr(imports, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(imports, "import_check", check)

    import_run_check(run=run)

    assert seen == [("running", 0, {"rows": 2}), ("running", 1, {"rows": 2})]
    run.refresh_from_db()
    assert (run.status, run.progress) == ("previewed", 2)


def test_a_second_check_task_changes_nothing(coordinator):
    run = run_create(coordinator, csv_bytes(PARTICIPANTS))
    before = ImportRun.objects.values().get(pk=run.pk)

    assert tasks.import_run_check.delay(run.pk).get() == "previewed"

    assert ImportRun.objects.values().get(pk=run.pk) == before


def test_a_check_whose_worker_died_starts_again(coordinator, client_of, queued_checks):
    upload(
        client_of(coordinator), "participants", "people.csv", csv_bytes(PARTICIPANTS)
    )
    run = ImportRun.objects.get()
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.RUNNING, progress=1, summary={"rows": 2}
    )

    run = import_run_check(run=run)

    assert (run.status, run.progress, run.summary["created"]) == ("previewed", 2, 2)


def test_a_check_task_for_a_confirmed_run_leaves_its_import_alone(
    coordinator, django_capture_on_commit_callbacks
):
    run = run_create(coordinator, csv_bytes(PARTICIPANTS))
    with django_capture_on_commit_callbacks():  # the import is queued, not run
        import_run_confirm(run=run, by=coordinator.user)

    assert import_run_check(run=run).status == ImportRun.Status.QUEUED
    assert ImportRun.objects.get(pk=run.pk).progress == 0


def test_the_import_task_never_writes_a_file_that_was_not_confirmed(
    client_of, coordinator, queued_checks
):
    upload(
        client_of(coordinator), "participants", "people.csv", csv_bytes(PARTICIPANTS)
    )
    run = ImportRun.objects.get()

    assert import_run_apply(run=run).status == ImportRun.Status.QUEUED
    assert not Participant.objects.exists()


# A check that is stuck is sent again, as its check


@pytest.fixture
def sent(monkeypatch):
    """What the reconciler queues, by task."""
    calls = []
    monkeypatch.setattr(
        tasks.import_run_check, "delay", lambda pk: calls.append(("check", pk))
    )
    monkeypatch.setattr(
        tasks.import_run_apply, "delay", lambda pk: calls.append(("apply", pk))
    )
    return calls


def test_a_check_left_waiting_is_sent_again_as_a_check(client_of, coordinator, sent):
    upload(
        client_of(coordinator), "participants", "people.csv", csv_bytes(PARTICIPANTS)
    )
    run = ImportRun.objects.get()
    sent.clear()
    assert jobs.runs_reconcile().resent == 0  # just queued: left alone

    later = timezone.now() + jobs.QUEUED_RESEND_AFTER + dt.timedelta(seconds=1)
    assert jobs.runs_reconcile(now=later).resent == 1

    assert sent == [("check", run.pk)]


def test_a_confirmed_import_left_waiting_is_sent_again_as_an_import(
    request, coordinator, django_capture_on_commit_callbacks
):
    run = run_create(coordinator, csv_bytes(PARTICIPANTS))
    sent = request.getfixturevalue("sent")  # once the check has run
    with django_capture_on_commit_callbacks():
        import_run_confirm(run=run, by=coordinator.user)

    later = timezone.now() + jobs.QUEUED_RESEND_AFTER + dt.timedelta(seconds=1)
    assert jobs.runs_reconcile(now=later).resent == 1

    assert sent == [("apply", run.pk)]


def test_a_check_whose_worker_was_lost_is_restarted_then_given_up(
    client_of, coordinator, sent
):
    client = client_of(coordinator)
    upload(client, "participants", "people.csv", csv_bytes(PARTICIPANTS))
    run = ImportRun.objects.get()
    sent.clear()
    limit = dt.timedelta(seconds=tasks.IMPORT_TIME_LIMIT)
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.RUNNING,
        started_at=timezone.now()
        - limit
        - jobs.RUNNING_GRACE
        - dt.timedelta(minutes=1),
    )
    assert jobs.runs_reconcile().restarted == 1
    assert sent == [("check", run.pk)]

    ImportRun.objects.filter(pk=run.pk).update(
        started_at=timezone.now() - limit * 4 - jobs.RUNNING_GRACE
    )
    assert jobs.runs_reconcile().failed == 1
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    page = client.get(run.get_absolute_url()).content
    assert b"The file could not be checked" in page
    assert b"Nothing was half-saved" in page


# The first bytes, in the request; counting the rows, in the worker


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("people.csv", b"<html><body>people</body></html>", "web page or XML"),
        ("people.csv", b"reference\r\n\x00\x00", "not a text file"),
        ("people.csv", "reference\r\nZoë\r\n".encode("latin-1"), "not UTF-8"),
        ("people.xlsx", b"reference\r\n", "not an Excel workbook"),
        ("people.txt", b"reference\r\n", "Only .csv and .xlsx"),
    ],
)
def test_the_first_bytes_refuse_what_is_plainly_not_the_file(name, content, message):
    with pytest.raises(imports.ImportFileError, match=message):
        imports.file_sniff(io.BytesIO(content), name=name)


def test_the_first_bytes_are_all_the_request_reads():
    class Counted(io.BytesIO):
        largest = 0

        def read(self, size=-1):
            Counted.largest = max(Counted.largest, size if size >= 0 else 1 << 40)
            return super().read(size)

    source = Counted(csv_bytes(PARTICIPANTS * 20_000))

    imports.file_sniff(source, name="people.csv")

    assert Counted.largest == 64 * 1024
    assert source.tell() == 0


def test_rows_are_counted_for_the_progress(settings):
    content = csv_bytes([*PARTICIPANTS, ["", "", ""], PARTICIPANTS[1]])
    assert imports.rows_count(io.BytesIO(content), name="p.csv") == 3
    assert imports.rows_count(io.BytesIO(_xlsx(PARTICIPANTS)), name="p.xlsx") == 2
    settings.IMPORT_MAX_ROWS = 2
    with pytest.raises(imports.ImportFileError, match="more than 2 rows"):
        imports.rows_count(io.BytesIO(content), name="p.csv")
