"""A coordinator's day: overdue plan actions, sustainment checks due, next steps, and
who can hold a caseload."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F, QuerySet
from django.utils import timezone

from academy.models import Membership, User, membership_active_q
from academy.permissions import Role

from ..models import (
    Enquiry,
    Meeting,
    Participant,
    PlanAction,
    SuspectedDoubleOutcome,
    SustainmentCheck,
)


def actions_overdue(
    *, membership: Membership, mine_only: bool = False
) -> QuerySet[PlanAction]:
    """Open cases' plan actions past their due date, oldest first."""
    actions = (
        PlanAction.objects.for_membership(membership)
        .filter(
            completed_on__isnull=True,
            due_on__lt=timezone.localdate(),
            plan__participant__status=Participant.Status.OPEN,
        )
        .select_related("plan__participant")
        .order_by("due_on", "pk")
    )
    if mine_only:
        actions = actions.filter(plan__participant__coordinator=membership.user)
    return actions


def checks_due(
    *, membership: Membership, mine_only: bool = False
) -> QuerySet[SustainmentCheck]:
    """Sustainment checks raised as due and not yet answered, oldest first."""
    checks = (
        SustainmentCheck.objects.for_membership(membership)
        .filter(status=SustainmentCheck.Status.DUE)
        .select_related("outcome__participant")
        .order_by("due_on", "pk")
    )
    if mine_only:
        checks = checks.filter(outcome__participant__coordinator=membership.user)
    return checks


def next_steps_due(*, membership: Membership) -> QuerySet[Meeting]:
    """Next steps of the coordinator's caseload due by today with no contact since."""
    return (
        Meeting.objects.for_membership(membership)
        .filter(
            participant__coordinator=membership.user,
            participant__status=Participant.Status.OPEN,
            next_step_on__lte=timezone.localdate(),
            participant__last_contact_at=F("held_at"),
        )
        .exclude(next_step="")
        .select_related("participant")
        .order_by("next_step_on")
    )


@dataclass
class CoordinatorDay:
    """What a coordinator's home page lists as today's work."""

    next_steps: list[Meeting] = field(default_factory=list)
    overdue_actions: list[PlanAction] = field(default_factory=list)
    overdue_action_count: int = 0
    checks_due: list[SustainmentCheck] = field(default_factory=list)
    checks_due_count: int = 0
    new_enquiries: int = 0
    caseload: int = 0
    outcome_doubles: int = 0


def coordinator_day(*, membership: Membership, limit: int = 8) -> CoordinatorDay:
    """Today's work of a coordinator: next steps, overdue actions, checks, enquiries."""
    actions = actions_overdue(membership=membership, mine_only=True)
    checks = checks_due(membership=membership, mine_only=True)
    return CoordinatorDay(
        next_steps=list(next_steps_due(membership=membership)[:limit]),
        overdue_actions=list(actions[:limit]),
        overdue_action_count=actions.count(),
        checks_due=list(checks[:limit]),
        checks_due_count=checks.count(),
        new_enquiries=Enquiry.objects.for_membership(membership)
        .filter(status=Enquiry.Status.NEW)
        .count(),
        caseload=Participant.objects.for_membership(membership)
        .open()
        .filter(coordinator=membership.user)
        .count(),
        outcome_doubles=SuspectedDoubleOutcome.objects.for_membership(membership)
        .filter(resolution="")
        .count(),
    )


def coordinator_choices(*, membership: Membership) -> QuerySet[User]:
    """People who can hold a caseload in the academy: its coordinators and admins."""
    return User.objects.filter(
        membership_active_q("memberships__"),
        memberships__academy=membership.academy,
        memberships__role__in=[Role.COORDINATOR, Role.ADMIN],
    ).order_by("first_name", "last_name")


def caseload_count(*, membership: Membership) -> dict[str, int]:
    """How many people a member coordinates in their academy: open, and in all."""
    people = Participant.objects.for_academy(membership.academy).filter(
        coordinator_id=membership.user_id
    )
    return {"open": people.open().count(), "all": people.count()}
