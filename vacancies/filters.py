"""The filters of the opportunity and referral lists (academy/lists.py)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from academy.lists import ListFilterSet, ViewFilter

from .models import CareRole, Event, EventKind, Referral, TrainingOpportunity, Vacancy

# Referrals still moving: what providers and coordinators act on.
ACTIVE_STAGES = (
    Referral.Stage.REFERRED,
    Referral.Stage.INTERVIEW,
    Referral.Stage.OFFERED,
)


class VacancyFilterSet(ListFilterSet):
    """Vacancies by status (the live ones unless asked) and role."""

    status = ViewFilter(
        label="Status",
        views={
            "": (
                "Open and paused",
                Q(status__in=[Vacancy.Status.OPEN, Vacancy.Status.PAUSED]),
            ),
            **{s: (label, Q(status=s)) for s, label in Vacancy.Status.choices},
            "all": ("All", Q()),
        },
    )
    role = django_filters.ChoiceFilter(
        label="Role", choices=CareRole.choices, empty_label="Any role"
    )

    class Meta:
        model = Vacancy
        fields: list[str] = []


class TrainingFilterSet(ListFilterSet):
    """Training places: open unless asked, by kind."""

    show = ViewFilter(
        label="Show",
        views={
            "": ("Open", Q(is_open=True)),
            "closed": ("Closed", Q(is_open=False)),
            "all": ("All", Q()),
        },
    )
    kind = django_filters.ChoiceFilter(
        label="Kind", choices=TrainingOpportunity.Kind.choices, empty_label="Any kind"
    )

    class Meta:
        model = TrainingOpportunity
        fields: list[str] = []


class ReferralFilterSet(ListFilterSet):
    """Referrals by stage: the ones in progress unless asked."""

    stage = ViewFilter(
        label="Stage",
        views={
            "": (
                "In progress",  # referred, interview arranged or offered
                Q(stage__in=ACTIVE_STAGES),
            ),
            "all": ("Every stage", Q()),
            **{s: (label, Q(stage=s)) for s, label in Referral.Stage.choices},
        },
    )

    class Meta:
        model = Referral
        fields: list[str] = []


class _WhenFilter(ViewFilter):
    """Upcoming events soonest first (those on now included), or past ones latest
    first; "now" is read at each request, not when the module loads."""

    def filter(self, qs: QuerySet[Event], value: str) -> QuerySet[Event]:
        now = timezone.now()
        if value == "past":
            return qs.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
        return qs.filter(ends_at__gte=now).order_by("starts_at", "pk")


class EventFilterSet(ListFilterSet):
    """Events: upcoming unless asked for past ones, by kind."""

    show = _WhenFilter(
        label="Show",
        views={"": ("Upcoming", Q()), "past": ("Past", Q())},
    )
    kind = django_filters.ChoiceFilter(
        label="Kind", choices=EventKind.choices, empty_label="Any kind"
    )

    class Meta:
        model = Event
        fields: list[str] = []
