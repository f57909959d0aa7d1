"""A coordinator's day: their tasks (next steps, plan actions, sustainment checks and
others, in one list), and who can hold a caseload."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from academy.models import Membership, User, membership_active_q
from academy.permissions import Role

from ..models import Enquiry, Participant, SuspectedDoubleOutcome, Task
from .tasks import TaskCounts, task_counts, tasks_open


@dataclass
class CoordinatorDay:
    """What a coordinator's home page lists as today's work: their tasks, earliest
    due first, and the counts beside them."""

    tasks: list[Task] = field(default_factory=list)
    counts: TaskCounts = field(default_factory=lambda: TaskCounts(0, 0, 0))
    new_enquiries: int = 0
    caseload: int = 0
    outcome_doubles: int = 0


def coordinator_day(*, membership: Membership, limit: int = 10) -> CoordinatorDay:
    """Today's work of a coordinator: their open tasks (overdue first, because they
    are earlier), new enquiries, their caseload and outcomes to check."""
    return CoordinatorDay(
        tasks=list(tasks_open(membership=membership)[:limit]),
        counts=task_counts(membership=membership),
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
