"""The invitation task through a real Celery worker on Redis, as production runs it."""

import time

import pytest
from django.db import transaction

from academy import services
from academy.permissions import Role
from tests.academy.factories import AcademyFactory


@pytest.mark.worker
def test_invitation_is_sent_by_a_real_worker(worker):
    academy = AcademyFactory()
    with transaction.atomic():
        services.member_add(
            academy=academy,
            email="wendy@example.org",
            first_name="Wendy",
            last_name="Wu",
            role=Role.COORDINATOR,
            organisation=None,
        )
        # Not queued before commit: a rolled-back add must never e-mail anyone.
        assert not list(worker.mail_dir.iterdir())

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if list(worker.mail_dir.iterdir()):
            break
        time.sleep(0.2)
    else:
        pytest.fail("the worker did not send the invitation within 60 s")

    mails = [path.read_text() for path in worker.mail_dir.iterdir()]
    assert len(mails) == 1
    assert "To: wendy@example.org" in mails[0]
    assert "/accounts/invitation/" in mails[0]
