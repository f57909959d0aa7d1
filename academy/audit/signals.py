"""Sign-in events from Django's and django-axes' signals (connected in
AcademyConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ..models import SignInEvent, User
from .records import sign_in_event


def _user_named(username: str) -> User | None:
    if not username:
        return None
    return User.objects.filter(email__iexact=username.strip()).first()


def on_signed_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    sign_in_event(SignInEvent.Kind.SIGNED_IN, request=request, user=user)


def on_signed_out(
    sender: Any, request: HttpRequest, user: User | None, **kwargs: Any
) -> None:
    if user is not None:
        sign_in_event(SignInEvent.Kind.SIGNED_OUT, request=request, user=user)


def on_failed(
    sender: Any,
    credentials: dict[str, Any],
    request: HttpRequest | None = None,
    **kwargs: Any,
) -> None:
    username = str(credentials.get("username") or credentials.get("email") or "")
    sign_in_event(
        SignInEvent.Kind.FAILED,
        request=request,
        user=_user_named(username),
        username=username,
    )


def on_locked_out(
    sender: Any, request: HttpRequest, username: str | None = None, **kwargs: Any
) -> None:
    name = username or ""
    sign_in_event(
        SignInEvent.Kind.LOCKED_OUT,
        request=request,
        user=_user_named(name),
        username=name,
    )
