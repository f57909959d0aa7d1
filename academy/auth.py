"""Sign-in lockout: which account a failed sign-in counts against, whether an account
is locked out now, and an admin lifting a lockout with the reason recorded."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from axes.utils import reset
from django.db import transaction
from django.http import HttpRequest

from .audit import SignInEvent, sign_in_event
from .models import LockoutLift, Membership, User


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The e-mail address a sign-in names, as stored (so 'Ann@X' and 'ann@x' count as
    one account)."""
    data = credentials if credentials else getattr(request, "POST", {})
    return str(data.get("username") or "").strip().lower()


def lockout_failures(*, user: User) -> int:
    """Failed sign-ins counted against the account now (0 when not locked)."""
    attempts = AccessAttempt.objects.filter(username=user.email.lower())
    return sum(a.failures_since_start for a in attempts)


def is_locked_out(*, user: User, request: HttpRequest | None = None) -> bool:
    limit = int(get_failure_limit(request, None))
    return lockout_failures(user=user) >= limit


@transaction.atomic
def lockout_lift(*, membership: Membership, by: User, reason: str) -> LockoutLift:
    """Let a locked-out member sign in again now, recording who lifted it and why."""
    user = membership.user
    failures = lockout_failures(user=user)
    reset(username=user.email.lower())
    sign_in_event(SignInEvent.Kind.LOCKOUT_LIFTED, user=user, by=by, detail=reason)
    return LockoutLift.objects.create(
        user=user,
        academy=membership.academy,
        lifted_by=by,
        reason=reason,
        failures=failures,
    )
