"""Exports that are never cut off (issue 16): the people export reads one plain query
(no overdue EXISTS, no list sort, cohorts joined in SQL) at a query count and memory
that do not grow with the list; a large export is a run with progress and a download
link that only the member who asked may follow; bad filters are said, not a 500."""

import csv
import datetime as dt
import io
import tracemalloc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from academy import exports
from academy.models import ExportRun, Membership
from academy.permissions import Role
from participants import exports as people_exports
from participants.models import Cohort, Participant, ParticipantCohort, Task
from tests.academy.factories import MembershipFactory
from tests.participants.factories import ParticipantFactory

EXPORT = reverse("participants:export")


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return (
        b"".join(response) if hasattr(response, "file_to_stream") else response.content
    )


def _rows(raw: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def _people(academy, coordinator, n, *, start=0):
    """`n` open people, each in two cohorts and with an overdue task (what the list
    annotates and prefetches, and the file needs only in part)."""
    people = [
        ParticipantFactory(
            academy=academy,
            coordinator=coordinator.user,
            reference=f"CA-{start + i:06d}",
        )
        for i in range(n)
    ]
    ParticipantCohort.objects.bulk_create(
        ParticipantCohort(participant=p, code=code)
        for p in people
        for code in (Cohort.OVER_50, Cohort.CARE_LEAVER)
    )
    Task.objects.bulk_create(
        Task(
            participant=p,
            title="Call back",
            due_on=timezone.localdate() - dt.timedelta(days=3),
        )
        for p in people
    )
    return people


def _export_queries(client):
    with CaptureQueriesContext(connection) as queries:
        raw = _body(client.get(EXPORT))
    return raw, [q["sql"] for q in queries.captured_queries]


@pytest.mark.django_db
def test_people_export_query_count_does_not_grow_with_the_list(
    client_of, academy, coordinator, monkeypatch
):
    monkeypatch.setattr(people_exports, "CHUNK", 5)  # several chunks at small N
    client = client_of(coordinator)
    _people(academy, coordinator, 4)
    raw, few = _export_queries(client)
    assert len(_rows(raw)) == 1 + 4
    _people(academy, coordinator, 16, start=100)
    raw, many = _export_queries(client)
    assert len(_rows(raw)) == 1 + 20
    assert len(many) == len(few), "\n".join(many)


@pytest.mark.django_db
def test_people_export_reads_one_plain_query(client_of, academy, coordinator):
    _people(academy, coordinator, 3)
    raw, queries = _export_queries(client_of(coordinator))
    rows = [q for q in queries if '"participants_participant"."first_name"' in q]
    assert len(rows) == 1, queries
    sql = rows[0].upper()
    assert "EXISTS" not in sql  # neither the overdue task nor the no-shows
    assert "PARTICIPANTS_TASK" not in sql
    # One order, the reference's (the first column), and none inside.
    assert sql.count("ORDER BY") == 1
    assert sql.rsplit("ORDER BY", 1)[1].strip() in (
        "1 ASC",
        '"PARTICIPANTS_PARTICIPANT"."REFERENCE" ASC',
    )
    # Cohorts come joined in the row, not from a prefetch per chunk.
    assert not any(
        "participants_participantcohort" in q and "IN (" in q for q in queries
    )
    first = dict(zip(*_rows(raw)[:2], strict=True))
    assert first["Cohorts"] == "Care leavers;Over 50s" or ";" in first["Cohorts"]


@pytest.mark.django_db
def test_people_export_rows_match_what_the_screen_says(client_of, academy, coordinator):
    checker = coordinator.user
    person = ParticipantFactory(
        academy=academy,
        coordinator=checker,
        right_to_work=Participant.RightToWork.YES,
        right_to_work_checked_on=dt.date(2025, 1, 2),
        right_to_work_checked_by=checker,
        right_to_work_document=Participant.RightToWorkDocument.SHARE_CODE,
    )
    ParticipantCohort.objects.create(participant=person, code=Cohort.OVER_50)
    raw = _body(client_of(coordinator).get(EXPORT))
    shown = dict(zip(*_rows(raw)[:2], strict=True))
    assert shown["Reference"] == person.reference
    assert shown["Coordinator"] == str(checker)
    assert shown["Right to work checked by"] == str(checker)
    assert shown["Cohorts"] == str(Cohort.OVER_50.label)
    codes = _body(client_of(coordinator).get(EXPORT + "?columns=codes"))
    by_code = dict(zip(*_rows(codes)[:2], strict=True))
    assert by_code["cohorts"] == Cohort.OVER_50
    assert by_code["right_to_work_document"] == "share_code"


def _peak(client) -> tuple[int, int]:
    """The peak memory of writing the file (the view has answered: the access
    record's ids, one per person, are written before the file streams)."""
    response = client.get(EXPORT)
    assert response.streaming
    tracemalloc.start()
    try:
        size = 0
        for piece in response.streaming_content:
            size += len(piece)
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


@pytest.mark.django_db
def test_people_export_streams_in_constant_memory(
    client_of, academy, coordinator, monkeypatch
):
    monkeypatch.setattr(people_exports, "CHUNK", 25)
    monkeypatch.setattr("academy.csv_files.STREAM_PIECE", 4096)
    client = client_of(coordinator)
    _people(academy, coordinator, 100)
    _peak(client)  # warm: templates, imports, caches
    small, small_size = _peak(client)
    _people(academy, coordinator, 300, start=1000)
    large, large_size = _peak(client)
    assert large_size > 3.5 * small_size
    # Four times the rows, not four times the memory: bounded by a chunk and a piece.
    assert large < small * 1.5 + 64 * 1024, (small, large)


@pytest.mark.django_db
def test_a_large_export_becomes_a_run_with_progress_then_a_download(
    client_of, academy, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(exports, "DIRECT_ROWS", 2)
    _people(academy, coordinator, 3)
    client = client_of(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(EXPORT + "?status=open")
    run = ExportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == run.get_absolute_url()
    # No broker: written in-process (make run), at once.
    assert run.status == ExportRun.Status.DONE
    assert (run.total, run.progress) == (3, 3)
    page = client.get(run.get_absolute_url()).content.decode()
    assert "too many to send at once" in page
    assert reverse("academy:export-run-download", args=[run.pk]) in page
    download = client.get(reverse("academy:export-run-download", args=[run.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert run.filename in download["Content-Disposition"]
    rows = _rows(_body(download))
    assert [r[0] for r in rows] == ["Reference", "CA-000000", "CA-000001", "CA-000002"]
    # The export itself is recorded, naming the people in it.
    from academy.audit import AccessRecord

    record = AccessRecord.objects.filter(action__startswith="participants:export").get()
    assert record.count == 3


@pytest.mark.django_db
def test_the_same_export_asked_again_while_written_is_the_same_run(
    client_of, academy, coordinator, monkeypatch
):
    monkeypatch.setattr(exports, "DIRECT_ROWS", 2)
    monkeypatch.setattr(exports.export_run_write_task, "delay", lambda pk: None)
    _people(academy, coordinator, 3)
    client = client_of(coordinator)
    first = client.get(EXPORT)
    second = client.get(EXPORT)
    assert first["Location"] == second["Location"]
    run = ExportRun.objects.get()
    page = client.get(run.get_absolute_url(), headers={"HX-Request": "true"})
    assert "Waiting for a worker to write the file of 3 rows" in page.content.decode()
    ExportRun.objects.filter(pk=run.pk).update(status="running", progress=2)
    page = client.get(run.get_absolute_url(), headers={"HX-Request": "true"})
    assert "2 of 3 rows" in page.content.decode()
    assert "hx-trigger" in page.content.decode()
    not_yet = client.get(reverse("academy:export-run-download", args=[run.pk]))
    assert not_yet.status_code == 404


@pytest.fixture
def done_run(academy, coordinator):
    run = ExportRun.objects.create(
        academy=academy,
        kind="people",
        requested_by=coordinator.user,
        total=1,
        filename="participants-2026-01-01.csv",
        status=ExportRun.Status.DONE,
    )
    from django.core.files.base import ContentFile

    run.file.save(run.filename, ContentFile(b"\xef\xbb\xbfReference\r\nCA-1\r\n"))
    return run


@pytest.mark.django_db
def test_the_download_refuses_a_role_that_may_not_export(
    client_of, academy, done_run, provider
):
    url = reverse("academy:export-run-download", args=[done_run.pk])
    assert client_of(provider).get(url).status_code == 403
    # The member who asked, since made a manager: the role is what is refused.
    Membership.objects.filter(user=done_run.requested_by).update(role=Role.MANAGER)
    membership = Membership.objects.get(user=done_run.requested_by)
    assert client_of(membership).get(url).status_code == 403
    assert client_of(membership).get(done_run.get_absolute_url()).status_code == 403


@pytest.mark.django_db
def test_the_download_refuses_another_member_and_another_academy(
    client_of, academy, done_run, admin, other_coordinator
):
    url = reverse("academy:export-run-download", args=[done_run.pk])
    detail = done_run.get_absolute_url()
    colleague = MembershipFactory(role=Role.COORDINATOR, academy=academy)
    for other in (colleague, admin, other_coordinator):
        client = client_of(other)
        assert client.get(url).status_code == 404
        assert client.get(detail).status_code == 404


@pytest.mark.django_db
def test_a_run_fails_with_a_reason_when_the_member_lost_access(
    academy, coordinator, monkeypatch
):
    monkeypatch.setattr(exports.export_run_write_task, "delay", lambda pk: None)
    run = exports.export_run_request(
        kind=people_exports.PEOPLE_EXPORT,
        membership=coordinator,
        by=coordinator.user,
        query=exports.QueryDict("status=open"),
        total=10,
    )
    Membership.objects.filter(pk=coordinator.pk).update(role=Role.MANAGER)
    run = exports.export_run_write(run=run)
    assert run.status == ExportRun.Status.FAILED
    assert run.error == exports.NO_ACCESS
    assert not run.file


@pytest.mark.django_db
def test_bad_filters_are_said_not_a_server_error(
    client_of, academy, coordinator, monkeypatch
):
    _people(academy, coordinator, 3)
    client = client_of(coordinator)
    bad = "?status=bogus&cohort=nope&coordinator=abc&sort=%00&task_overdue=maybe"
    direct = client.get(EXPORT + bad)
    assert direct.status_code == 200
    assert len(_rows(_body(direct))) == 1 + 3  # left out: the default view
    monkeypatch.setattr(exports, "DIRECT_ROWS", 2)
    response = client.get(EXPORT + bad, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Some filters were not understood and were left out" in page
    assert "Cohort" in page


@pytest.mark.django_db
def test_export_files_go_after_the_transient_period(done_run, settings):
    path = done_run.file.path
    assert exports.export_runs_expire(timezone.now()) == 0
    later = timezone.now() + dt.timedelta(days=settings.RETENTION_TRANSIENT_DAYS + 1)
    assert exports.export_runs_expire(later) == 1
    assert not ExportRun.objects.exists()
    import os

    assert not os.path.exists(path)


@pytest.mark.django_db
def test_the_search_stays_out_of_the_url_and_goes_with_the_run(
    client_of, academy, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    """A search typed on the list (kept in the session) filters the run's file too."""
    monkeypatch.setattr(exports, "DIRECT_ROWS", 0)
    _people(academy, coordinator, 3)
    ParticipantFactory(academy=academy, coordinator=coordinator.user, last_name="Zed")
    client = client_of(coordinator)
    found = client.post(reverse("participants:list"), {"q": "Zed"})
    search = found["Location"].split("search=")[1].split("&")[0]
    with django_capture_on_commit_callbacks(execute=True):
        client.get(EXPORT + f"?search={search}")
    run = ExportRun.objects.get()
    assert run.total == 1
    rows = _rows(
        _body(client.get(reverse("academy:export-run-download", args=[run.pk])))
    )
    assert rows[1][2] == "Zed"


@pytest.mark.worker
@pytest.mark.slow
def test_the_worker_writes_a_large_export_on_postgresql(worker, monkeypatch):
    """Through a real worker on Redis and PostgreSQL: queued, then the file."""
    import time

    from tests.academy.factories import AcademyFactory

    academy = AcademyFactory(slug="worker-export")
    coordinator = MembershipFactory(role=Role.COORDINATOR, academy=academy)
    _people(academy, coordinator, 7)
    run = exports.export_run_request(
        kind=people_exports.PEOPLE_EXPORT,
        membership=coordinator,
        by=coordinator.user,
        query=exports.QueryDict("status=open"),
        total=7,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status in ("done", "failed"):
            break
        time.sleep(0.1)
    assert run.status == "done", (run.status, run.error, worker.output)
    with run.file.open("rb") as handle:
        rows = _rows(handle.read())
    assert len(rows) == 1 + 7
    assert rows[1][0] == "CA-000000"


def _audit_export_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        raw = _body(client.get(url))
    return raw, len(queries.captured_queries)


@pytest.mark.django_db
def test_audit_export_query_count_does_not_grow_with_the_trail(
    client_of, academy, admin, coordinator, monkeypatch
):
    from academy.audit import exports as audit_exports

    monkeypatch.setattr(audit_exports, "CHUNK", 5)
    people = _people(academy, coordinator, 3)
    colleague = client_of(coordinator)
    url = reverse("academy:audit-export")
    for person in people:
        colleague.get(reverse("participants:detail", args=[person.pk]))
    client = client_of(admin)
    raw, few = _audit_export_queries(client, url)
    assert len(_rows(raw)) > 3
    for _ in range(4):
        for person in people:
            colleague.get(reverse("participants:detail", args=[person.pk]))
    raw, many = _audit_export_queries(client, url)
    assert len(_rows(raw)) > 15
    # The export's own access record is one more row, not one more query.
    assert many == few


@pytest.mark.django_db
def test_a_large_audit_export_is_a_run_for_the_admin_alone(
    client_of,
    academy,
    admin,
    coordinator,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    monkeypatch.setattr(exports, "DIRECT_ROWS", 1)
    people = _people(academy, coordinator, 3)
    for person in people:
        client_of(coordinator).get(reverse("participants:detail", args=[person.pk]))
    client = client_of(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("academy:audit-export", args=["changes"]))
    run = ExportRun.objects.get()
    assert response["Location"] == run.get_absolute_url()
    assert run.kind == "audit-changes"
    assert run.status == ExportRun.Status.DONE
    download = client.get(reverse("academy:export-run-download", args=[run.pk]))
    rows = _rows(_body(download))
    assert rows[0][0] == "When (UTC)"
    assert len(rows) == 1 + run.total
    # A coordinator (who may export people, not the audit) cannot reach it.
    url = reverse("academy:export-run-download", args=[run.pk])
    assert client_of(coordinator).get(url).status_code == 404


@pytest.mark.django_db
def test_a_list_says_beside_its_button_when_the_file_will_be_written_later(
    client_of, academy, coordinator, admin, monkeypatch
):
    _people(academy, coordinator, 3)
    people = reverse("participants:list")
    audit = reverse("academy:audit", args=["changes"])
    hint = "rows: the file is written in the background"

    assert hint not in client_of(coordinator).get(people).content.decode()
    assert hint not in client_of(admin).get(audit).content.decode()

    monkeypatch.setattr(exports, "DIRECT_ROWS", 2)
    page = client_of(coordinator).get(people).content.decode()
    assert f"More than 2 {hint}" in page
    assert 'aria-describedby="people-export-hint"' in page
    page = client_of(admin).get(audit).content.decode()
    assert f"More than 2 {hint}" in page
    assert 'aria-describedby="audit-export-hint"' in page
