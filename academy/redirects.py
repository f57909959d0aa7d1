"""The one check of a `next` address a page was asked to return to."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, wanted: object, default: str = "") -> str:
    """`wanted` if it is a path on this site, else `default` (so that a link from
    elsewhere cannot send a signed-in person to another site)."""
    text = str(wanted or "")
    is_safe = text.startswith("/") and url_has_allowed_host_and_scheme(
        text, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return text if is_safe else default
