"""No run is stranded (issue 11, observations 1 to 3): a broker outage neither fails
the request nor orphans the run, and the reconciler sends waiting runs again, restarts
runs a worker lost and gives up on those lost too long, for every kind of run."""

import dataclasses
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from academy import jobs
from academy.models import RefreshRun
from participants.models import ImportRun
from participants.services.imports import import_run_create
from reporting import tasks as reporting_tasks
from reporting.models import ReportRun
from tests.conftest import log_in

PERIOD = {"period": "custom", "start": "2024-04-01", "end": "2024-06-30"}


@pytest.fixture
def sent(monkeypatch):
    """Record what the reconciler sends, per kind, instead of queueing it."""
    calls: list[tuple[str, int]] = []
    patched = jobs.Registry("test kinds")
    for kind in jobs.run_kinds:
        patched.register(
            dataclasses.replace(
                kind, send=lambda pk, label=kind.label: calls.append((label, pk))
            )
        )
    monkeypatch.setattr(jobs, "run_kinds", patched)
    return calls


@pytest.mark.django_db
def test_every_kind_of_run_is_reconciled():
    labels = {kind.label for kind in jobs.run_kinds}
    assert labels == {"PDF report", "import", "labour-market load", "export"}


@pytest.mark.django_db
def test_asking_for_a_pdf_while_the_broker_is_down_waits_instead_of_failing(
    manager, monkeypatch, django_capture_on_commit_callbacks
):
    def down(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(reporting_tasks.report_run_build, "delay", down)
    client = Client(raise_request_exception=False)
    log_in(client, manager.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:run-request"), PERIOD)
    run = ReportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == run.get_absolute_url()
    assert run.status == ReportRun.Status.QUEUED
    # Asked again while it waits, the same run is offered, and can be sent again.
    page = client.get(run.get_absolute_url())
    assert page.status_code == 200


@pytest.mark.django_db
def test_a_waiting_run_is_sent_again(academy, sent):
    run = ReportRun.objects.create(
        academy=academy, start=dt.date(2024, 4, 1), end=dt.date(2024, 6, 30)
    )
    assert jobs.runs_reconcile().resent == 0  # just queued: left alone
    later = timezone.now() + jobs.QUEUED_RESEND_AFTER + dt.timedelta(seconds=1)
    done = jobs.runs_reconcile(now=later)
    assert done.resent == 1
    assert sent == [("PDF report", run.pk)]


@pytest.mark.django_db
def test_a_run_whose_worker_was_lost_is_restarted_then_given_up(academy, sent):
    started = timezone.now() - dt.timedelta(minutes=10)
    run = ReportRun.objects.create(
        academy=academy,
        start=dt.date(2024, 4, 1),
        end=dt.date(2024, 6, 30),
        status=ReportRun.Status.RUNNING,
        started_at=started,
    )
    done = jobs.runs_reconcile()
    assert (done.restarted, done.failed) == (1, 0)
    assert sent == [("PDF report", run.pk)]

    ReportRun.objects.filter(pk=run.pk).update(
        started_at=timezone.now() - dt.timedelta(hours=1)
    )
    done = jobs.runs_reconcile()
    assert done.failed == 1
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED
    assert "stopped before it finished" in run.error


@pytest.mark.django_db
def test_a_live_run_is_left_alone(academy, sent):
    ReportRun.objects.create(
        academy=academy,
        start=dt.date(2024, 4, 1),
        end=dt.date(2024, 6, 30),
        status=ReportRun.Status.RUNNING,
        started_at=timezone.now() - dt.timedelta(minutes=1),
    )
    assert jobs.runs_reconcile() == jobs.Reconciled(0, 0, 0)
    assert sent == []


@pytest.mark.django_db
def test_a_lost_import_fails_saying_nothing_was_imported(coordinator, sent):
    run = import_run_create(
        academy=coordinator.academy,
        by=coordinator.user,
        kind="participants",
        upload=SimpleUploadedFile(
            "p.csv", b"reference,first_name,last_name,registered_on,claimant\r\n"
        ),
    )
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.RUNNING,
        started_at=timezone.now() - dt.timedelta(hours=2),
    )
    assert jobs.runs_reconcile().failed == 1
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert "Nothing was half-saved" in run.problems[0]


@pytest.mark.django_db
def test_a_lost_labour_market_load_fails(sent):
    run = RefreshRun.objects.create(
        source="nomis-claimant-count",
        action=RefreshRun.Action.LOAD,
        filename="cc.csv",
        status=RefreshRun.Status.RUNNING,
        started_at=timezone.now() - dt.timedelta(hours=2),
    )
    assert jobs.runs_reconcile().failed == 1
    run.refresh_from_db()
    assert run.status == RefreshRun.Status.FAILED


@pytest.mark.django_db
def test_the_reconciler_runs_every_five_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["academy-runs-reconcile"]
    assert entry["task"] == "academy.tasks.runs_reconcile"


@pytest.mark.django_db
def test_a_waiting_pdf_can_be_sent_again_by_hand(
    manager, django_capture_on_commit_callbacks, monkeypatch
):
    run = ReportRun.objects.create(
        academy=manager.academy, start=dt.date(2024, 4, 1), end=dt.date(2024, 6, 30)
    )
    queued = []
    monkeypatch.setattr(
        reporting_tasks.report_run_build, "delay", lambda pk: queued.append(pk)
    )
    client = Client()
    log_in(client, manager.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reporting:run-retry", args=[run.pk]))
    assert queued == [run.pk]


@pytest.mark.django_db
def test_platform_staff_see_every_kind_of_run_and_the_stuck_ones(academy, client, sent):
    from tests.academy.factories import UserFactory

    ReportRun.objects.create(
        academy=academy,
        start=dt.date(2024, 4, 1),
        end=dt.date(2024, 6, 30),
        status=ReportRun.Status.RUNNING,
        started_at=timezone.now() - dt.timedelta(minutes=10),
    )
    log_in(client, UserFactory(is_superuser=True, is_staff=True))
    page = client.get(reverse("academy:platform-runs")).content.decode()
    assert "PDF report" in page
    assert "Stuck" in page
    response = client.post(reverse("academy:platform-runs"), follow=True)
    assert "1 restarted" in response.content.decode()


@pytest.mark.django_db
def test_academy_admins_cannot_see_every_academys_runs(client_of, admin):
    assert client_of(admin).get(reverse("academy:platform-runs")).status_code == 403


@pytest.mark.django_db
def test_a_run_waiting_long_says_it_is_sent_again(manager):
    run = ReportRun.objects.create(
        academy=manager.academy, start=dt.date(2024, 4, 1), end=dt.date(2024, 6, 30)
    )
    ReportRun.objects.filter(pk=run.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=10)
    )
    client = Client()
    log_in(client, manager.user)
    page = client.get(run.get_absolute_url()).content.decode()
    assert "No worker has picked this up yet" in page
    assert 'hx-trigger="every 2s"' in page
