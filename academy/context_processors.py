"""Template context every page needs: the site name and the user's academies."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .menu import menu_for


def portal(request: HttpRequest) -> dict[str, Any]:
    """The site name, current membership, the academies the user may switch to, and
    the main menu of what they may open."""
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "portal_name": settings.SITE_NAME,
        "main_menu": SimpleLazyObject(lambda: menu_for(membership, user))
        if signed_in
        else [],
        "current_membership": getattr(request, "membership", None),
        "current_academy": getattr(request, "academy", None),
        "user_memberships": getattr(request, "memberships", []),
    }
