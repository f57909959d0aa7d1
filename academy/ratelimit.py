"""Counting requests in a window, in the shared cache: the public sign-up form per
address (participants/services/enquiries.py), and bulk copies of people's data per user
(exports and PDFs, `bulk_limited`), so that one account cannot copy out everything."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render


def used(key: str) -> int:
    """How many times `key` has been counted in its current window."""
    return int(cache.get(f"rate:{key}", 0))


def count(key: str, *, window: int) -> None:
    """Count one more use of `key`; the window starts at its first use."""
    full = f"rate:{key}"
    # add() starts the window; incr() keeps its expiry on LocMem and Redis alike.
    if not cache.add(full, 1, timeout=window):
        try:
            cache.incr(full)
        except ValueError:  # the window ended between add() and incr()
            cache.set(full, 1, timeout=window)


View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def bulk_limited(view: View) -> View:
    """Allow each user BULK_LIMIT exports and PDFs an hour; past that, a 429 page
    that says when they can go on. Wraps views that copy people's data out."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        key = f"bulk:{request.user.pk}"
        if used(key) >= settings.BULK_LIMIT:
            return render(
                request, "429.html", {"limit": settings.BULK_LIMIT}, status=429
            )
        count(key, window=settings.BULK_WINDOW)
        return view(request, *args, **kwargs)

    return cast(View, wrapped)
