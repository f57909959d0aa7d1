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
    """The member's diary for today, tasks by due date, new enquiries and their
    caseload (for an admin only when they hold tasks, people or appointments)."""
    day = selectors.coordinator_day(membership=membership)
    today = timezone.localdate()
    diary = selectors.diary_page(membership=membership, first=today, days=1)
    is_admin = membership.role == Role.ADMIN
    if is_admin and not (day.counts.open or day.caseload or diary.people):
        return None  # an admin who holds no caseload: nothing to show
    return HomePanel(
        "participants/_home_today.html",
        {
            "day": day,
            "today": today,
            "diary": diary.days[0],
            "now": timezone.now(),
            "is_admin": is_admin,
        },
        people=[task.participant_id for task in day.tasks] + diary.people,
    )
