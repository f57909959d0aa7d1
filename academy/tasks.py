"""Celery tasks of the core app: thin callers of services, taking ids."""

from celery import shared_task
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
def sessions_clear_expired() -> None:
    """Delete expired sessions from the database."""
    call_command("clearsessions")


@shared_task
def form_submissions_purge() -> int:
    """Forget the one-time tokens of forms sent more than two days ago."""
    from .once import form_submissions_purge as purge

    return purge()
