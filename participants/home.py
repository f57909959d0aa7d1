"""The coordinator's 'today's work' panel on the home page."""

from __future__ import annotations

from django.utils import timezone

from academy.home import HomePanel, home_panel
from academy.models import Membership
from academy.permissions import Role

from . import selectors


@home_panel(Role.COORDINATOR)
def todays_work(membership: Membership) -> HomePanel:
    """The coordinator's tasks by due date, new enquiries and their caseload."""
    day = selectors.coordinator_day(membership=membership)
    return HomePanel(
        "participants/_home_today.html",
        {"day": day, "today": timezone.localdate()},
        people=[task.participant_id for task in day.tasks],
    )
