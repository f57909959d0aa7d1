"""What labour-market data adds to other pages: roles in demand on the coordinator's
home page (registered by ReportingConfig.ready()) and for matching, and the impact
report's context section."""

from __future__ import annotations

from typing import Any

from academy.home import HomePanel, home_panel
from academy.models import Academy, Membership
from academy.permissions import Role

from . import selectors
from .config import SOURCES
from .figures import Comparison
from .observations import Source


@home_panel(Role.COORDINATOR, order=90)  # below the day's work
def roles_in_demand_panel(membership: Membership) -> HomePanel | None:
    """The care roles in demand in the academy's area, on the coordinator's home."""
    roles = selectors.roles_in_demand(academy=membership.academy)
    if not roles:
        return None
    return HomePanel(
        "labour_market/_home_roles.html",
        {
            "roles": roles,
            "period": roles[0].period,
            "source": SOURCES[Source.SKILLS_FOR_CARE],
        },
    )


def _compared(comparison: Comparison, overview: selectors.AreaOverview) -> str:
    """'29.5% (South West 32.2%; England 28.3%)'."""
    assert comparison.area is not None  # noqa: S101 - callers skip empty ones
    others = [
        f"{place.name} {figure}"
        for place, figure in (
            (overview.region, comparison.region),
            (overview.england, comparison.england),
        )
        if place is not None and figure is not None
    ]
    if comparison.measure.kind != "rate" or not others:
        return comparison.area.text
    return f"{comparison.area} ({'; '.join(others)})"


def labour_market_context(academy: Academy) -> dict[str, Any] | None:
    """The area's workforce and claimant figures for the impact report, or None."""
    overview = selectors.area_overview(academy=academy)
    if overview is None or not overview.has_data:
        return None
    rows: list[tuple[str, str]] = [("Area", f"{overview.area.name}")]
    sources = []
    if overview.workforce_period:
        period = overview.workforce_period
        for comparison in overview.headline:
            if comparison.area is not None:
                label = f"{comparison.measure.label} ({period})"
                rows.append((label, _compared(comparison, overview)))
        if overview.roles_in_demand:
            names = "; ".join(r.label for r in overview.roles_in_demand)
            rows.append((f"Roles in demand ({period})", names))
        info = overview.workforce_source
        sources.append(f"{info.publisher}, {info.title}, {period}. {info.licence}.")
    if overview.claimant:
        count, rate = overview.claimant
        label = f"Claimant count ({overview.claimant_period})"
        if count.area is not None:
            rows.append((label, count.area.text))
        if rate.area is not None:
            rows.append(
                (
                    f"{rate.measure.label} ({overview.claimant_period})",
                    _compared(rate, overview),
                )
            )
        info = overview.claimant_source
        sources.append(
            f"{info.publisher}, {info.title}, {overview.claimant_period}. "
            f"{info.licence}."
        )
    if len(rows) == 1:
        return None
    return {
        "title": "Labour-market context",
        "rows": rows,
        "source": " ".join(sources),
    }
