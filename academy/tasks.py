"""Celery tasks of the core app: thin callers of services, taking ids."""

import secrets

from celery import Task, shared_task
from django.core.management import call_command


@shared_task(
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def user_invite_send(membership_id: int) -> None:
    """Send the invitation e-mail of a new member."""
    from . import services
    from .models import Membership

    membership = Membership.objects.select_related("user", "academy").get(
        pk=membership_id
    )
    services.user_invite_send(membership=membership)


@shared_task
def sessions_clear_expired() -> int:
    """Delete expired sessions from the database, and forget their rows on "Your
    sessions"."""
    from .user_sessions import sessions_forget_expired

    call_command("clearsessions")
    return sessions_forget_expired()


@shared_task
def retention_apply() -> dict[str, int]:
    """Apply the retention schedule: every class's rule (academy/retention.py)."""
    from .retention import retention_apply as apply

    return apply()


@shared_task
def form_submissions_purge() -> int:
    """Forget the one-time tokens of forms sent more than two days ago."""
    from .once import form_submissions_purge as purge

    return purge()


# A file of every English area takes well under a minute; the limits leave room for a
# much slower database, and stay below the broker's visibility timeout (JOB-6).
REFRESH_TIME_LIMIT = 660


@shared_task(acks_late=True, soft_time_limit=600, time_limit=REFRESH_TIME_LIMIT)
def refresh_run_process(run_id: int) -> str:
    """Check a labour-market file in full; load it if the run is a confirmed load."""
    from .labour_market import refresh
    from .models import RefreshRun

    run = RefreshRun.objects.get(pk=run_id)
    return refresh.refresh_run_process(run=run).status


NOMIS_RETRIES = 5


@shared_task(bind=True, acks_late=True, soft_time_limit=600, time_limit=660)
def nomis_claimant_count_fetch(self: Task) -> str:  # type: ignore[type-arg]
    """Fetch and load the Nomis claimant count; network failures are tried again
    with backoff and jitter, at most five times (spec/security.md JOB-5)."""
    from .labour_market import fetch

    try:
        run = fetch.nomis_claimant_count_fetch()
    except fetch.FetchError as error:
        if not error.is_transient or self.request.retries >= NOMIS_RETRIES:
            return "failed"
        delay = min(600, 30 * 2**self.request.retries)
        raise self.retry(
            exc=error,
            countdown=delay + secrets.randbelow(30),
            max_retries=NOMIS_RETRIES,
        ) from error
    return "not configured" if run is None else run.status


@shared_task
def beat_heartbeat() -> None:
    """Beat's every-minute tick, which /health/ reads to tell that beat runs."""
    from .health import beat_tick

    beat_tick()


@shared_task
def runs_reconcile() -> str:
    """Send waiting runs again, restart those a worker lost, give up on the rest."""
    from .jobs import runs_reconcile as reconcile

    done = reconcile()
    return f"{done.resent} sent again, {done.restarted} restarted, {done.failed} failed"


@shared_task(bind=True, acks_late=True, max_retries=None)
def message_send(self: Task, message_id: int) -> str:  # type: ignore[type-arg]
    """Send one logged message (academy/messaging.py); a transient failure is tried
    again with back-off, until NOTIFY_MAX_ATTEMPTS."""
    from .messaging import message_send as send

    result = send(message_id=message_id)
    # In-process (no broker, and tests) there is no later: try again at once.
    while result.retry_in is not None and self.request.is_eager:
        result = send(message_id=message_id)
    if result.retry_in is not None:
        raise self.retry(countdown=result.retry_in)
    return result.status


@shared_task
def messages_due_send() -> int:
    """Send the messages that wait: deferred by the rate limit, or whose task the
    broker lost."""
    from .messaging import messages_due

    due = messages_due()
    for message_id in due:
        message_send.delay(message_id)
    return len(due)


@shared_task
def notices_digest_send() -> int:
    """Each member's daily digest of the notices they chose to have that way."""
    from .messaging import notices_digest_send as send

    return send()
