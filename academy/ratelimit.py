"""Counting requests in a window, in the shared cache: the public forms (register your
interest, event sign-up and check-in) per e-mail address or phone number, per event
and, with a much higher ceiling, per internet connection, so that a job centre or a
venue whose visitors share one connection is not turned away (`public_allowances`);
and bulk copies of people's data per user (exports and PDFs, `bulk_limited`), so that
one account cannot copy out everything."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.crypto import salted_hmac


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


@dataclass(frozen=True)
class Allowance:
    """At most `limit` uses of `key` in a window."""

    key: str
    limit: int

    @property
    def is_used_up(self) -> bool:
        return used(self.key) >= self.limit


class Limited(Exception):
    """An allowance is used up: the request is refused (429) and nothing is saved."""

    def __init__(self, allowance: Allowance) -> None:
        super().__init__(allowance.key)
        self.allowance = allowance


def check(allowances: Iterable[Allowance]) -> None:
    """Raise Limited for the first allowance used up."""
    for allowance in allowances:
        if allowance.is_used_up:
            raise Limited(allowance)


def count_all(allowances: Iterable[Allowance], *, window: int) -> None:
    for allowance in allowances:
        count(allowance.key, window=window)


def contact_key(value: str) -> str:
    """An e-mail address or phone number as a key: a keyed hash, so that the cache
    holds no one's details."""
    text = value.strip().lower()
    return salted_hmac("academy.ratelimit.contact", text).hexdigest()[:32]


def public_allowances(
    *,
    academy_id: int,
    ip: str,
    contacts: Sequence[str] = (),
    event_id: int | None = None,
    purpose: str = "",
) -> list[Allowance]:
    """A public form's allowances: each e-mail address and phone number given (the
    person), the event for `purpose` (sign-ups, check-ins) if there is one, and the
    connection it came from, whose ceiling is far higher: a venue's visitors share
    one."""
    prefix = f"public:{academy_id}"
    allowances = [
        Allowance(
            f"{prefix}:contact:{contact_key(c)}", settings.PUBLIC_RATE_PER_CONTACT
        )
        for c in contacts
        if c.strip()
    ]
    if event_id is not None:
        allowances.append(
            Allowance(
                f"{prefix}:event:{event_id}:{purpose}", settings.PUBLIC_RATE_PER_EVENT
            )
        )
    allowances.append(
        Allowance(f"{prefix}:address:{ip}", settings.PUBLIC_RATE_PER_ADDRESS)
    )
    return allowances


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
