"""The manager's headline figures on the home page."""

from __future__ import annotations

from django.utils import timezone

from academy.home import HomePanel, home_panel
from academy.models import Membership
from academy.permissions import Role

from .impact import METRICS, impact_figures
from .periods import period_preset


@home_panel(Role.MANAGER)
def headline_figures(membership: Membership) -> HomePanel:
    """The impact report's headline figures since launch (from the summaries)."""
    period = period_preset(
        "since_launch", academy=membership.academy, today=timezone.localdate()
    )
    counted = impact_figures(
        academy=membership.academy, start=period.start, end=period.end
    )
    headline = {row.metric: row.value for row in counted.rows if row.breakdown == "all"}
    figures = [(m, headline[m.key]) for m in METRICS]
    return HomePanel(
        "reporting/_home_headlines.html", {"figures": figures, "period": period}
    )
