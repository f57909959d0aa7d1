"""Celery tasks of vacancies: thin callers of services, taking ids."""

from celery import shared_task
from django.utils import timezone


@shared_task(
    autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5
)
def critical_shortage_notify(vacancy_id: int) -> int:
    """E-mail the academy's coordinators about a critical shortage."""
    from . import services
    from .models import Vacancy

    vacancy = Vacancy.objects.select_related("organisation", "academy").get(
        pk=vacancy_id
    )
    return services.critical_shortage_notify(vacancy=vacancy)


@shared_task
def vacancies_close_expired() -> int:
    """Close vacancies past their closing date."""
    from . import services

    return services.vacancies_close_expired(today=timezone.localdate())


@shared_task
def event_reminders_send() -> int:
    """Remind those booked on tomorrow's events, once each."""
    from . import services

    return services.event_reminders_send()


@shared_task
def interview_reminders_send() -> int:
    """Remind the people and providers of tomorrow's interviews, once each."""
    from . import services

    return services.interview_reminders_send()
