"""The main menu, built from what apps register and filtered by the roles each page's
view declares (`required_roles`), so a menu item never shows to a role its page would
refuse."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from django.urls import resolve, reverse

from .models import Membership, User
from .registry import Registry


@dataclass(frozen=True)
class MenuItem:
    """A link in a section of the main menu; `kwargs` builds the URL's arguments."""

    section: str
    label: str
    url_name: str
    order: int = 100
    kwargs: Callable[[Membership], dict[str, object]] | None = None
    # For a page anyone may open (the public board): the roles whose menu shows it.
    only_for: frozenset[str] | None = None


@dataclass(frozen=True)
class MenuLink:
    label: str
    url: str


@dataclass(frozen=True)
class MenuSection:
    """A top-level entry: one link, or a dropdown of several."""

    label: str
    links: list[MenuLink] = field(default_factory=list)


# The order sections appear in; a section with one link is shown as that link.
SECTIONS = (
    "Home",
    "Diary",
    "Casework",
    "Jobs",
    "Events",
    "Impact",
    "Labour market",
    "Manage",
)

menu_items: Registry[MenuItem] = Registry("main menu")


@cache
def _roles_of(url_name: str, sample_url: str) -> frozenset[str] | None:
    """The roles the view behind a URL declares; None for a page anyone may open."""
    roles = getattr(resolve(sample_url).func, "required_roles", None)
    return frozenset(roles) if roles is not None else None


def may_open(item: MenuItem, membership: Membership | None, user: User | None) -> bool:
    """Whether the view behind `item` lets this member (or platform staff) in."""
    url = _url(item, membership)
    if url is None:
        return False
    roles = _roles_of(item.url_name, url)
    if roles is None:
        roles = item.only_for
    if roles is None:
        return membership is not None
    if "superuser" in roles:
        return bool(user is not None and user.is_superuser)
    return membership is not None and membership.role in roles


def _url(item: MenuItem, membership: Membership | None) -> str | None:
    if item.kwargs is not None:
        if membership is None:
            return None
        return reverse(item.url_name, kwargs=item.kwargs(membership))
    return reverse(item.url_name)


def menu_for(membership: Membership | None, user: User | None) -> list[MenuSection]:
    """The sections and links this member may open, in menu order."""
    sections: dict[str, MenuSection] = {name: MenuSection(name) for name in SECTIONS}
    for item in sorted(menu_items, key=lambda i: i.order):
        if may_open(item, membership, user):
            url = _url(item, membership)
            assert url is not None  # noqa: S101 - may_open checked it
            sections.setdefault(item.section, MenuSection(item.section))
            sections[item.section].links.append(MenuLink(item.label, url))
    return [section for section in sections.values() if section.links]
