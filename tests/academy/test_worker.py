"""The invitation task through a real Celery worker on Redis, as production runs it."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import transaction

from academy import services
from academy.celery import app
from academy.models import User
from academy.permissions import Role
from tests.academy.factories import AcademyFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(postgres, redis_url, tmp_path, transactional_db):
    """A `celery worker` process on its own queue, using the test database."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = postgres.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "REDIS_URL": redis_url,
        "EMAIL_URL": f"filemail://{tmp_path}",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "academy",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    saved = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    yield tmp_path
    app.conf.task_always_eager, app.conf.task_default_queue = saved
    process.terminate()
    output, _ = process.communicate(timeout=30)
    print(output)  # noqa: T201 - shown by pytest when the test fails


@pytest.mark.worker
def test_invitation_is_sent_by_a_real_worker(worker):
    academy = AcademyFactory()
    with transaction.atomic():
        membership = services.member_add(
            academy=academy,
            email="wendy@example.org",
            first_name="Wendy",
            last_name="Wu",
            role=Role.COORDINATOR,
            organisation=None,
        )
        # Not queued before commit: a rolled-back add must never e-mail anyone.
        assert not list(worker.iterdir())

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if User.objects.get(pk=membership.user_id).invited_at is not None:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the worker did not send the invitation within 60 s")

    mails = [path.read_text() for path in worker.iterdir()]
    assert len(mails) == 1
    assert "To: wendy@example.org" in mails[0]
    assert "/accounts/reset/" in mails[0]
