"""Template context every page needs: the site name and the user's academies."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, Any]:
    """The site name, current membership and the academies the user may switch to."""
    return {
        "portal_name": settings.SITE_NAME,
        "current_membership": getattr(request, "membership", None),
        "current_academy": getattr(request, "academy", None),
        "user_memberships": getattr(request, "memberships", []),
    }
