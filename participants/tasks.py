"""Celery tasks of casework: thin callers of services."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task
def sustainment_checks_raise() -> int:
    """Raise the sustainment checks whose day has come as due."""
    return services.sustainment_checks_raise(today=timezone.localdate())


@shared_task
def enquiries_delete_expired() -> int:
    """Delete enquiries past their retention period."""
    return services.enquiries_delete_expired()
