"""Confirm it's you (spec/security.md AUTH-7): before a sensitive action (a password or
two-step sign-in change, a member's role, lockout or sessions, a bulk export) the
person must have typed their password, and their two-step code if they have one,
within REAUTH_SECONDS. Signing in counts.

`@reauth_required` guards such a view. Past the window it sends a GET to the "Confirm
it's you" page and back to the same address afterwards; a POST is never replayed: it
goes back to the page that had the form, to be sent again. Wrong passwords and codes
count towards the sign-in lockout (django-axes), as at sign-in.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlencode, urlsplit

from axes.utils import reset
from django.conf import settings
from django.contrib.auth import authenticate, logout
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect
from django_otp import match_token

from . import mfa
from .audit import SignInEvent, sign_in_event
from .models import User
from .redirects import safe_next

REAUTHENTICATED_AT = "reauthenticated_at"
# The "Confirm it's you" page was reached from a POST: the form must be sent again.
AGAIN = "again"

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class ReauthFailed(Exception):
    """A wrong password or code; `field` is the form field to show it beside."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def reauth_note(request: HttpRequest) -> None:
    """The person has just proved who they are."""
    request.session[REAUTHENTICATED_AT] = int(time.time())


def reauth_on_sign_in(
    sender: Any, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    """Signing in counts as confirming (connected to `user_logged_in`)."""
    if request is not None and hasattr(request, "session"):
        reauth_note(request)


def is_reauthenticated(request: HttpRequest) -> bool:
    """Whether the person confirmed who they are within REAUTH_SECONDS."""
    at = request.session.get(REAUTHENTICATED_AT)
    return isinstance(at, int) and time.time() - at < settings.REAUTH_SECONDS


def _form_page(request: HttpRequest) -> str:
    """The page on this site that sent the form being posted (from Referer), else
    the home page."""
    referer = urlsplit(str(request.META.get("HTTP_REFERER", "")))
    if referer.netloc != request.get_host():
        return reverse("home")
    path = referer.path + (f"?{referer.query}" if referer.query else "")
    return safe_next(request, path, reverse("home"))


def reauth_url(request: HttpRequest) -> str:
    """The "Confirm it's you" page, with where to go after it."""
    if request.method in ("GET", "HEAD"):
        query = {"next": request.get_full_path()}
    else:
        query = {"next": _form_page(request), AGAIN: "1"}
    return reverse("reauth") + "?" + urlencode(query)


def reauth_required(view: View) -> View:
    """Let the view run only for someone who confirmed who they are within
    REAUTH_SECONDS; ask everyone else first. Put it under the role decorators (a role
    that is refused is refused at once) and above `bulk_limited` (asking is not a
    download)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if is_reauthenticated(request):
            return view(request, *args, **kwargs)
        url = reauth_url(request)
        if request.headers.get("HX-Request"):
            return HttpResponseClientRedirect(url)
        return redirect(url)

    wrapped.reauth_required = True  # type: ignore[attr-defined]
    return cast(View, wrapped)


def reauthenticate(*, request: HttpRequest, password: str, code: str) -> None:
    """Check the signed-in person's password, and their two-step code (or a recovery
    code, which is used up) if they have two-step sign-in; on success note the time
    and give the session a new key. Raises ReauthFailed; a failure counts towards the
    lockout, and the one that locks the account signs this session out too."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101  (only signed-in people reach this)
    # authenticate() runs axes: a locked account is refused, a failure is counted.
    if authenticate(request, username=user.email, password=password) != user:
        _fail(request)
        raise ReauthFailed("password", "That is not your password. Type it again.")
    if mfa.has_mfa(user):
        token = code.strip().replace(" ", "").replace("-", "").lower()
        if match_token(user, token) is None:
            user_login_failed.send(
                sender=__name__, credentials={"username": user.email}, request=request
            )
            _fail(request)
            raise ReauthFailed(
                "code",
                "That code is not right. Type the six digits the app shows now, or "
                "one of your recovery codes.",
            )
    # As at sign-in (AXES_RESET_ON_SUCCESS): the lockout counts failures in a row.
    reset(username=user.email.lower())
    request.session.cycle_key()
    reauth_note(request)
    sign_in_event(SignInEvent.Kind.REAUTHENTICATED, request=request, user=user)


def _fail(request: HttpRequest) -> None:
    if getattr(request, "axes_locked_out", False):
        logout(request)  # AxesMiddleware then answers with the lockout page
