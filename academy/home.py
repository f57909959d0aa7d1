"""Panels that apps add to the role home pages, so the core app imports none of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .models import Membership
from .permissions import Role
from .registry import Registry


@dataclass(frozen=True)
class HomePanel:
    """A partial template and its context, shown on a role's home page."""

    template: str
    context: dict[str, Any]
    # The participants whose data the panel shows (ids), for the access record.
    people: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class PanelBuilder:
    """Builds a panel (or nothing) for the home page of some roles."""

    roles: frozenset[Role]
    build: Callable[[Membership], HomePanel | None]
    order: int = 50  # panels show in this order, then in the order registered

    def __call__(self, membership: Membership) -> HomePanel | None:
        return self.build(membership)


def home_panel(
    *roles: Role, order: int = 50
) -> Callable[[Callable[[Membership], HomePanel | None]], PanelBuilder]:
    """Mark a function as the builder of a panel for the home page of `roles`; the
    app registers the result in `home_panels` from its `ready()`."""

    def wrap(build: Callable[[Membership], HomePanel | None]) -> PanelBuilder:
        return PanelBuilder(frozenset(roles), build, order)

    return wrap


home_panels: Registry[PanelBuilder] = Registry("home page panels")


def home_panels_for(membership: Membership) -> list[HomePanel]:
    """The panels of the membership's role, in the order apps registered them."""
    builders = sorted(
        (b for b in home_panels if membership.role in b.roles), key=lambda b: b.order
    )
    built = (builder(membership) for builder in builders)
    return [panel for panel in built if panel is not None]
