"""Roles and the decorator that declares which roles may use a view (spec/roles.md)."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest
from django.http.response import HttpResponseBase


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "Coordinator"
    PROVIDER = "provider", "Provider"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Admin"


ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])


def role_required(*roles: Role) -> Callable[[ViewFunc], ViewFunc]:
    """Let a view run only for a member of the current academy holding one of `roles`.

    Anyone else gets 403. The roles are kept on the view (`required_roles`) so that the
    URL-coverage test can prove every view declares them.
    """
    if not roles:
        raise ValueError("role_required needs at least one role")

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(
            request: HttpRequest, *args: Any, **kwargs: Any
        ) -> HttpResponseBase:
            membership = getattr(request, "membership", None)
            if membership is None or membership.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_roles = frozenset(roles)  # type: ignore[attr-defined]
        return cast(ViewFunc, wrapped)

    return decorator


def superuser_required(view: ViewFunc) -> ViewFunc:
    """Let a view run only for platform staff (superusers), who manage all academies."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.required_roles = frozenset({"superuser"})  # type: ignore[attr-defined]
    return cast(ViewFunc, wrapped)


def any_member(view: ViewFunc) -> ViewFunc:
    """Let a view run for any member of the current academy, whatever the role."""
    return role_required(*EVERYONE)(view)


# The role sets of spec/roles.md, named once: views declare them, the menu and the
# permission tests read them back from the views.
CASEWORK = frozenset({Role.COORDINATOR, Role.ADMIN})
OPPORTUNITIES = frozenset({Role.COORDINATOR, Role.PROVIDER, Role.ADMIN})
REPORT_READERS = frozenset({Role.COORDINATOR, Role.MANAGER, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})
EVERYONE = frozenset(Role)

casework_required = role_required(*CASEWORK)
opportunities_required = role_required(*OPPORTUNITIES)
report_readers_required = role_required(*REPORT_READERS)
admin_required = role_required(*ADMINS)
