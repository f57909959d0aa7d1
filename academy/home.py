"""Panels that apps add to the role home pages, so the core app imports none of them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import Membership
from .permissions import Role


@dataclass(frozen=True)
class HomePanel:
    """A partial template and its context, shown on a role's home page."""

    template: str
    context: dict[str, Any]


PanelBuilder = Callable[[Membership], HomePanel | None]

_panels: dict[str, list[PanelBuilder]] = defaultdict(list)


def home_panel(*roles: Role) -> Callable[[PanelBuilder], PanelBuilder]:
    """Register a function that builds a panel for the home page of `roles`."""

    def register(builder: PanelBuilder) -> PanelBuilder:
        for role in roles:
            if builder not in _panels[role]:
                _panels[role].append(builder)
        return builder

    return register


def home_panels(membership: Membership) -> list[HomePanel]:
    """The panels of the membership's role, in the order apps registered them."""
    built = (builder(membership) for builder in _panels[membership.role])
    return [panel for panel in built if panel is not None]
