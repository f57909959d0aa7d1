"""The manager's headline figures on the home page."""

from __future__ import annotations

from django.utils import timezone

from academy.home import HomePanel, home_panel
from academy.models import Membership
from academy.permissions import Role

from .impact import METRICS, impact_report
from .periods import period_preset


@home_panel(Role.MANAGER)
def headline_figures(membership: Membership) -> HomePanel:
    """The impact report's headline figures since launch."""
    period = period_preset(
        "since_launch", academy=membership.academy, today=timezone.localdate()
    )
    report = impact_report(
        academy=membership.academy, start=period.start, end=period.end
    )
    figures = [(m, report.value(m.key)) for m in METRICS]
    return HomePanel(
        "reporting/_home_headlines.html", {"figures": figures, "period": period}
    )
