"""The role home pages: the panels apps add to them (so the core app imports none of
them), and the part of a member's home that is kept for a minute.

The coordinator's home is the page a coordinator opens most, dozens of times a day. It
reads their day (tasks, diary, counts) and the academy's notices in some 25 queries;
opening it again within a minute shows what was read then (issue 16: half the minimal
page's throughput), except that

- anything the member does themself shows at once: every form they send (any POST, by
  `HomeRefreshMiddleware`) makes their home read afresh on the next visit;
- anything they are told of (`academy.notify.notify` to them: a critical shortage, a
  referral moved, an appointment booked for them) shows at once the same way;
- a new day is read afresh;
- a person erased or merged away leaves every kept home of the academy at once;
- a caseload moved shows on both coordinators' homes at once;
- what else others change without telling them (a task handed to them, a new
  enquiry) shows within HOME_KEPT_SECONDS.

What is kept is the member's own (one key per member, academy and role) and holds no
token of the session that read it: each opening puts its own session's CSRF token into
the forms, and records its access to the people shown as the page always has.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from . import selectors
from .kept import kept, refresh
from .models import Membership
from .permissions import Role
from .registry import Registry

# How long a member's home is kept; what others change shows within this.
HOME_KEPT_SECONDS = 60
# The homes kept: the coordinator's (opened all day). A provider's must show a
# referral the moment it is made; managers' and admins' read stored summaries.
KEPT_ROLES = frozenset({Role.COORDINATOR})
BODY_TEMPLATES = {
    Role.COORDINATOR: "academy/_home_coordinator_body.html",
    Role.PROVIDER: "academy/_home_provider_body.html",
    Role.MANAGER: "academy/_home_manager_body.html",
    Role.ADMIN: "academy/_home_admin_body.html",
}
# Rendered in place of the CSRF token in what is kept; each opening puts its own in.
CSRF_MARK = "csrf-token-of-the-session-that-opens-this-page"


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


@dataclass(frozen=True)
class HomeBody:
    """The part of a member's home below the greeting and invitations, and the people
    (ids) it shows, for the access record."""

    html: SafeString
    people: list[int]


def _home_context(membership: Membership) -> tuple[dict[str, Any], list[int]]:
    """What the body of the membership's home shows, and the people in it."""
    panels = home_panels_for(membership)
    context: dict[str, Any] = {"panels": panels}
    if membership.role in (Role.MANAGER, Role.ADMIN):
        context["headlines"] = selectors.academy_headlines(academy=membership.academy)
    if membership.role in (Role.COORDINATOR, Role.PROVIDER):
        context["colleagues"] = selectors.colleague_shortlist(membership=membership)
    if membership.role == Role.COORDINATOR:
        context["partners"] = selectors.partner_shortlist(membership=membership)
    if membership.role == Role.ADMIN:
        context["recent_members"] = selectors.member_list(
            academy=membership.academy
        ).order_by("-created_at")[:5]
    return context, [pk for panel in panels for pk in panel.people]


def _generation_key(user_id: int) -> str:
    return f"home:generation:{user_id}"


def home_refresh(user_id: int) -> None:
    """The member's home is read afresh on their next visit (they did or were told of
    something)."""
    refresh(_generation_key(user_id), seconds=HOME_KEPT_SECONDS)


def academy_homes_refresh(academy_id: int) -> None:
    """Every kept home of the academy's members is read afresh on their next visit (a
    person was erased or merged away: no home may show them, not even for the
    minute)."""
    members = Membership.objects.filter(academy_id=academy_id, role__in=KEPT_ROLES)
    users = members.values_list("user_id", flat=True)
    refresh(*(_generation_key(user_id) for user_id in users), seconds=HOME_KEPT_SECONDS)


def home_body(request: HttpRequest, membership: Membership) -> HomeBody:
    """The body of the membership's home: kept for HOME_KEPT_SECONDS for KEPT_ROLES
    (see the module's docstring), read afresh otherwise."""
    role = Role(membership.role)

    def build() -> tuple[SafeString, list[int]]:
        context, people = _home_context(membership)
        context["csrf_token"] = CSRF_MARK
        return render_to_string(BODY_TEMPLATES[role], context, request), people

    if role in KEPT_ROLES:
        day = timezone.localdate().isoformat()  # a new day is read afresh
        key = (
            f"home:body:{membership.user_id}:{membership.academy_id}:{role.value}:{day}"
        )
        html, people = kept(
            key,
            build,
            seconds=HOME_KEPT_SECONDS,
            generation=_generation_key(membership.user_id),
        )
    else:
        html, people = build()
    if CSRF_MARK in html:
        # The template engine's HTML with Django's own token (letters and digits) in
        # place of the mark: as safe as it was.
        html = SafeString(html.replace(CSRF_MARK, get_token(request)))  # nosec B703
    return HomeBody(html, people)


class HomeRefreshMiddleware:
    """Every form a signed-in member sends (any method but GET, HEAD, OPTIONS) makes
    their home read afresh on their next visit: what they did shows at once."""

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.method not in self.SAFE_METHODS and user and user.is_authenticated:
            home_refresh(user.pk)
        return response
