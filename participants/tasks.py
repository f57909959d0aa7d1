"""Celery tasks of casework: thin callers of services."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task
def sustainment_checks_raise() -> int:
    """Raise the sustainment checks whose day has come as due."""
    return services.sustainment_checks_raise(today=timezone.localdate())


# A 100,000-row file takes about 20 s; the limits leave room for much slower databases.
# The same limits serve a file's check and its import (which checks it again).
IMPORT_TIME_LIMIT = 660


@shared_task(acks_late=True, soft_time_limit=600, time_limit=IMPORT_TIME_LIMIT)
def import_run_check(run_id: int) -> str:
    """Check an uploaded file for its preview, writing nothing."""
    from .models import ImportRun

    run = ImportRun.objects.get(pk=run_id)
    return services.import_run_check(run=run).status


@shared_task(acks_late=True, soft_time_limit=600, time_limit=IMPORT_TIME_LIMIT)
def import_run_apply(run_id: int) -> str:
    """Import a confirmed file: check it again, then write it all or nothing."""
    from .models import ImportRun

    run = ImportRun.objects.get(pk=run_id)
    return services.import_run_apply(run=run).status


@shared_task
def outcome_doubles_find() -> int:
    """List outcomes that look like one job start recorded twice."""
    return services.outcome_doubles_find()


@shared_task
def appointment_reminders_send() -> int:
    """Remind people booked for tomorrow who agreed to messages (once each)."""
    return services.appointment_reminders_send(now=timezone.now())
