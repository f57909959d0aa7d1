"""Writes of opportunities: posting, pausing and closing vacancies, training places,
the critical-shortage e-mail and the postcode table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from academy import notify as notifications
from academy import rules
from academy.models import Membership, Organisation, User
from academy.permissions import Role
from academy.places.geo import place_of, postcode_parts

from .. import tasks
from ..models import TrainingOpportunity, Vacancy


def _place(obj: Vacancy | TrainingOpportunity, *, required: bool) -> None:
    """Normalise the postcode and store its centroid; refuse one we cannot place."""
    if not obj.postcode:
        obj.latitude = obj.longitude = None
        return
    parts = postcode_parts(obj.postcode)
    if parts is None:
        raise ValidationError({"postcode": f"'{obj.postcode}' is not a UK postcode."})
    obj.postcode = parts[1]
    place = place_of(obj.postcode)
    if place is None and required:
        raise ValidationError(
            {
                "postcode": f"We cannot find where {obj.postcode} is. Check it, or ask "
                "the academy's admin to load the postcode directory."
            }
        )
    obj.latitude = place.latitude if place else None
    obj.longitude = place.longitude if place else None


@transaction.atomic
def vacancy_save(*, vacancy: Vacancy, by: User, notify: bool = True) -> Vacancy:
    """Post or update a vacancy; coordinators hear at once of a new critical shortage
    (unless `notify` is off, as when seeding the demo)."""
    today = timezone.localdate()
    before = (
        Vacancy.objects.filter(pk=vacancy.pk)
        .values("closing_on", "is_critical_shortage")
        .first()
    )
    if vacancy.closing_on < today and (
        before is None or before["closing_on"] != vacancy.closing_on
    ):
        raise ValidationError(
            {"closing_on": "The closing date has passed. Choose today or later."}
        )
    if vacancy.pay_max is not None and vacancy.pay_max < vacancy.pay_min:
        raise ValidationError(
            {"pay_max": "The highest pay is below the lowest. Swap them."}
        )
    try:
        rules.pay_check(
            amount=vacancy.pay_min,
            unit=vacancy.pay_unit,
            hours_per_week=vacancy.hours_per_week,
            on=vacancy.starts_on or vacancy.closing_on,
        )
    except ValidationError as error:
        raise ValidationError({"pay_min": error.messages}) from error
    if vacancy.organisation.academy_id != vacancy.academy_id:
        raise ValidationError(
            {"organisation": "Choose an organisation of this academy."}
        )
    _place(vacancy, required=True)
    if vacancy.pk is None:
        vacancy.created_by = by
    vacancy.full_clean()
    vacancy.save()
    was_critical = bool(before and before["is_critical_shortage"])
    newly_critical = vacancy.is_critical_shortage and not was_critical
    if notify and newly_critical and vacancy.status == Vacancy.Status.OPEN:
        transaction.on_commit(lambda: tasks.critical_shortage_notify.delay(vacancy.pk))
    return vacancy


@dataclass(frozen=True)
class VacancyMove:
    """A status a vacancy may move to, as its page offers it."""

    to: str
    button: str  # "Pause"
    done: str  # "paused"
    style: str  # the button's Bootstrap class


# Where a vacancy may go from each status (the service refuses any other move).
VACANCY_MOVES: dict[str, tuple[VacancyMove, ...]] = {
    Vacancy.Status.OPEN: (
        VacancyMove(Vacancy.Status.PAUSED, "Pause", "paused", "btn-outline-secondary"),
        VacancyMove(Vacancy.Status.CLOSED, "Close", "closed", "btn-outline-danger"),
    ),
    Vacancy.Status.PAUSED: (
        VacancyMove(Vacancy.Status.OPEN, "Re-open", "re-opened", "btn-outline-primary"),
        VacancyMove(Vacancy.Status.CLOSED, "Close", "closed", "btn-outline-danger"),
    ),
    Vacancy.Status.CLOSED: (
        VacancyMove(Vacancy.Status.OPEN, "Re-open", "re-opened", "btn-outline-primary"),
    ),
}


def vacancy_status_set(*, vacancy: Vacancy, status: str) -> VacancyMove:
    """Pause, close or re-open a vacancy; return the move made. Raises
    ValidationError for a move its status does not allow."""
    move = next((m for m in VACANCY_MOVES[vacancy.status] if m.to == status), None)
    if move is None:
        current = vacancy.get_status_display().lower()
        raise ValidationError(
            f"This vacancy is {current}; choose one of the buttons on its page."
        )
    if status == Vacancy.Status.OPEN and vacancy.closing_on < timezone.localdate():
        raise ValidationError(
            "The closing date has passed: edit the vacancy to give a new one, then "
            "re-open it."
        )
    vacancy.status = status
    vacancy.closed_at = timezone.now() if status == Vacancy.Status.CLOSED else None
    vacancy.save(update_fields=["status", "closed_at", "updated_at"])
    return move


def vacancies_close_expired(*, today: dt.date) -> int:
    """Close open or paused vacancies past their closing date; return how many."""
    return Vacancy.objects.filter(
        status__in=[Vacancy.Status.OPEN, Vacancy.Status.PAUSED], closing_on__lt=today
    ).update(
        status=Vacancy.Status.CLOSED,
        closed_at=timezone.now(),
        updated_at=timezone.now(),
    )


def critical_shortage_notify(*, vacancy: Vacancy) -> int:
    """E-mail the academy's coordinators about a critical shortage; return how many."""
    coordinators = list(
        Membership.objects.active()
        .filter(academy_id=vacancy.academy_id, role=Role.COORDINATOR)
        .select_related("user")
    )
    context = {
        "vacancy": vacancy,
        "link": settings.SITE_URL.rstrip("/")
        + reverse("vacancies:matches", args=[vacancy.pk]),
    }
    sent = 0
    for membership in coordinators:
        user = membership.user
        channel = notifications.notify(
            to=notifications.Recipient.member(user),
            template="critical_shortage",
            context=context,
            academy=vacancy.academy,
            key=f"critical-shortage:{vacancy.pk}:{user.pk}:{timezone.localdate()}",
            notice=notifications.Notice.CRITICAL_SHORTAGE,
        )
        sent += channel is not None
    return sent


def training_save(*, training: TrainingOpportunity) -> TrainingOpportunity:
    """Offer or update a training place, placement or interview-preparation session."""
    if training.pk is None and training.starts_on < timezone.localdate():
        raise ValidationError(
            {"starts_on": "The start date has passed. Choose today or later."}
        )
    if training.organisation.academy_id != training.academy_id:
        raise ValidationError(
            {"organisation": "Choose an organisation of this academy."}
        )
    _place(training, required=False)
    training.full_clean()
    training.save()
    return training


def organisation_for(
    membership: Membership, organisation: Organisation | None
) -> Organisation:
    """The organisation a new vacancy is for: a provider's own, whatever was sent."""
    if membership.role == Role.PROVIDER:
        assert membership.organisation is not None  # noqa: S101 - the model's constraint
        return membership.organisation
    if organisation is None:
        raise ValidationError({"organisation": "Choose the provider offering this."})
    return organisation
