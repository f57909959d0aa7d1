"""The one scoping mechanism: a request's current academy, and querysets scoped to it.

`CurrentAcademyMiddleware` resolves `request.academy` and `request.membership` from the
user's active memberships (the one chosen in the session, else the first). Every
academy-owned model's manager is an `AcademyQuerySet`, and views fetch only through
`Model.objects.for_membership(request.membership)`: another academy's object is a 404.
Models whose rows reach their academy through a relation set `academy_path`; models with
role rules (a provider sees only its own organisation's rows) override `for_membership`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, Self, TypeVar

from django.db import models
from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django_htmx.middleware import HtmxDetails

    from .models import Academy, Membership, User

SESSION_ACADEMY_KEY = "current_academy_id"

_M = TypeVar("_M", bound=models.Model)


class AcademyQuerySet(models.QuerySet[_M], Generic[_M]):
    """A queryset that knows how its rows belong to an academy."""

    academy_path = "academy"

    def for_academy(self, academy: Academy) -> Self:
        """Rows of this academy only."""
        return self.filter(**{self.academy_path: academy})

    def for_membership(self, membership: Membership) -> Self:
        """Rows this membership may see: its academy's, narrowed by role if need be."""
        return self.for_academy(membership.academy)


class AcademyRequest(HttpRequest):
    """A request that has passed `CurrentAcademyMiddleware` and the login check.

    `academy` and `membership` are None only for a user without an active membership,
    whom `role_required` never lets through, so views behind it use them as set.
    """

    user: User
    academy: Academy
    membership: Membership
    memberships: list[Membership]
    htmx: HtmxDetails


def memberships_of(user: User | AnonymousUser) -> list[Membership]:
    """The user's active memberships, with academy and organisation, in one query."""
    from .models import Membership

    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.active()
        .filter(user=user)
        .select_related("academy", "organisation")
        .order_by("academy__name")
    )


class CurrentAcademyMiddleware:
    """Set `request.academy`, `request.membership` and `request.memberships`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        memberships = memberships_of(request.user)
        chosen = request.session.get(SESSION_ACADEMY_KEY) if memberships else None
        current = next(
            (m for m in memberships if m.academy_id == chosen),
            memberships[0] if memberships else None,
        )
        request.memberships = memberships  # type: ignore[attr-defined]
        request.membership = current  # type: ignore[attr-defined]
        request.academy = current.academy if current else None  # type: ignore[attr-defined]
        return self.get_response(request)
