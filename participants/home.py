"""The "today's work" panel of the home page of those who hold caseloads and tasks:
coordinators and admins."""

from __future__ import annotations

from django.utils import timezone

from academy.home import HomePanel, home_panel
from academy.models import Membership
from academy.permissions import Role

from . import selectors


@home_panel(Role.COORDINATOR, Role.ADMIN)
def todays_work(membership: Membership) -> HomePanel | None:
    """The member's tasks by due date, new enquiries and their caseload (for an admin
    only when they hold tasks or people)."""
    day = selectors.coordinator_day(membership=membership)
    is_admin = membership.role == Role.ADMIN
    if is_admin and not (day.counts.open or day.caseload):
        return None  # an admin who holds no caseload: nothing to show
    return HomePanel(
        "participants/_home_today.html",
        {"day": day, "today": timezone.localdate(), "is_admin": is_admin},
        people=[task.participant_id for task in day.tasks],
    )
