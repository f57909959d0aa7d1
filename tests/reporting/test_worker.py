"""The PDF task's states through a real Celery worker on Redis (CI proves the stack)."""

import datetime as dt
import time

import pytest
from django.db import transaction
from pypdf import PdfReader

from reporting import services
from reporting.models import ReportRun
from tests.academy.factories import AcademyFactory
from tests.participants.factories import SkillsActionPlanFactory


@pytest.mark.worker
def test_a_pdf_is_built_by_a_real_worker(worker):
    academy = AcademyFactory(name="Worker Test Academy")
    for _ in range(6):
        SkillsActionPlanFactory(
            participant__academy=academy, agreed_on=dt.date(2024, 5, 2)
        )
    with transaction.atomic():
        run = services.report_run_request(
            academy=academy,
            start=dt.date(2024, 4, 1),
            end=dt.date(2024, 6, 30),
            publish=False,
            by=None,
        )
        assert ReportRun.objects.get(pk=run.pk).status == "queued"

    seen = set()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        run.refresh_from_db()
        seen.add(run.status)
        if run.is_finished:
            break
        time.sleep(0.1)
    assert run.status == "done", run.error
    assert seen & {"queued", "running"}
    assert run.started_at <= run.finished_at
    with run.file.open("rb") as handle:
        text = PdfReader(handle).pages[0].extract_text()
    assert "Worker Test Academy" in text
    assert "6" in text
