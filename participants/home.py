"""The coordinator's 'today's work' panel on the home page."""

from __future__ import annotations

from academy.home import HomePanel, home_panel
from academy.models import Membership
from academy.permissions import Role

from . import selectors


@home_panel(Role.COORDINATOR)
def todays_work(membership: Membership) -> HomePanel:
    """Next steps due, overdue actions, sustainment checks due and new enquiries."""
    day = selectors.coordinator_day(membership=membership)
    return HomePanel(
        "participants/_home_today.html",
        {"day": day},
        people=[m.participant_id for m in day.next_steps]
        + [a.plan.participant_id for a in day.overdue_actions]
        + [c.outcome.participant_id for c in day.checks_due],
    )
