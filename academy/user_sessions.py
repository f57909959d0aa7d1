"""A person's signed-in sessions (spec/security.md SESS-4): each has a `UserSession` row
(when it started and was last used, the address and browser), written at sign-in and
touched at most once a minute by `SessionActivityMiddleware`. The person sees them on
"Your sessions" and ends any; an admin of their academy ends all of them from the
member's page; a password change, a password reset and deactivation end them too.

Ending always goes through `sessions_end`, which deletes the session from the session
store (so the cookie finds nothing) and its row. Rows of sessions that ended on their
own (idle, 12 hours, a browser closed) are forgotten when the page is read and nightly
(`sessions_forget_expired`, from the `sessions_clear_expired` task).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import re
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from .audit import SignInEvent, sign_in_event
from .middleware import SIGNED_IN_AT
from .models import User, UserSession

logger = logging.getLogger(__name__)
# When the session's row was last touched (epoch seconds), kept in the session itself
# so that most requests need no query.
SEEN_AT = "session_seen_at"
TOUCH_SECONDS = 60


class EndReason(StrEnum):
    """Why sessions were ended (for the record a caller may keep)."""

    BY_USER = "ended by the user"
    BY_ADMIN = "ended by an admin of their academy"
    PASSWORD_CHANGED = "password changed"  # noqa: S105 (a reason, not a password)
    PASSWORD_RESET = "password reset"  # noqa: S105
    DEACTIVATED = "account deactivated"


def _session_store() -> type[SessionBase]:
    store: type[SessionBase] = import_module(settings.SESSION_ENGINE).SessionStore
    return store


def _client_ip(request: HttpRequest) -> str | None:
    """The client's address (TrustedProxyMiddleware has already put the proxy's word
    in REMOTE_ADDR), or None when it is not an address."""
    address = str(request.META.get("REMOTE_ADDR", ""))
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _user_agent(request: HttpRequest) -> str:
    return str(request.META.get("HTTP_USER_AGENT", ""))[:300]


def _signed_in_at(request: HttpRequest) -> dt.datetime:
    started = request.session.get(SIGNED_IN_AT)
    if isinstance(started, int | float):
        return dt.datetime.fromtimestamp(started, tz=dt.UTC)
    return timezone.now()


def session_record(
    sender: Any, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    """Write the row of a session that has just signed in (connected to
    `user_logged_in`; the session key is already the new one)."""
    if request is None or not hasattr(request, "session"):
        return
    key = request.session.session_key
    if not key:
        return
    now = timezone.now()
    UserSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "created_at": now,
            "last_seen_at": now,
            "ip": _client_ip(request),
            "user_agent": _user_agent(request),
        },
    )
    request.session[SEEN_AT] = int(time.time())


def session_forget(
    sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    """Forget the row of a session that is signing out (connected to
    `user_logged_out`, before the session is emptied)."""
    if request is None or not hasattr(request, "session"):
        return
    key = request.session.session_key
    if key:
        UserSession.objects.filter(session_key=key).delete()


def session_touch(request: HttpRequest, user: User) -> None:
    """Note that the session is in use now: its row's last use, address and browser
    (made now if the session has none, e.g. one signed in before rows were kept)."""
    key = request.session.session_key
    if not key:
        return
    now = timezone.now()
    fields = {
        "last_seen_at": now,
        "ip": _client_ip(request),
        "user_agent": _user_agent(request),
    }
    updated = UserSession.objects.filter(session_key=key, user=user).update(**fields)
    if not updated:
        UserSession.objects.update_or_create(
            session_key=key,
            defaults={"user": user, "created_at": _signed_in_at(request), **fields},
        )
    request.session[SEEN_AT] = int(time.time())


def session_key_moved(*, request: HttpRequest, old: str) -> None:
    """The request gave its session a new key (signing in, a password change,
    confirming it's you): the row follows it, or goes if no one is signed in now."""
    new = request.session.session_key
    user = request.user
    if not new or not user.is_authenticated or not isinstance(user, User):
        UserSession.objects.filter(session_key=old).delete()
        return
    if UserSession.objects.filter(session_key=new).exists():  # signed in again
        UserSession.objects.filter(session_key=old).delete()
        return
    moved = UserSession.objects.filter(session_key=old, user=user).update(
        session_key=new
    )
    UserSession.objects.filter(session_key=old).delete()
    if not moved:
        session_touch(request, user)


def sessions_end(
    *,
    user: User,
    reason: EndReason,
    by: User | None = None,
    keys: Collection[str] | None = None,
    keep: str | None = None,
) -> int:
    """End the user's sessions: those whose keys are given (all when None) except
    `keep` (the session of the request, when a person ends their others). `by` is who
    ended them: the person, an admin, or None for the portal itself. Returns how many
    were ended. The one place sessions are ended, for whoever records it."""
    rows = UserSession.objects.filter(user=user)
    if keys is not None:
        rows = rows.filter(session_key__in=list(keys))
    if keep:
        rows = rows.exclude(session_key=keep)
    ended = list(rows.values_list("session_key", flat=True))
    store = _session_store()()
    for key in ended:
        store.delete(key)
    UserSession.objects.filter(session_key__in=ended).delete()
    if ended:
        sign_in_event(
            SignInEvent.Kind.SESSIONS_ENDED,
            user=user,
            by=by if by is not None and by.pk != user.pk else None,
            detail=f"{len(ended)} ended: {reason}",
        )
        logger.info(
            "%s session(s) of user %s ended: %s (by user %s)",
            len(ended),
            user.pk,
            reason,
            by.pk if by else "-",
        )
    return len(ended)


def _is_live(row: UserSession) -> bool:
    """Whether the row's session could still be used: it is in the store, unexpired,
    of this user, signed in with their current password, and under 12 hours old."""
    data = _session_store()(session_key=row.session_key).load()
    user = row.user
    if not user.is_active or str(data.get(SESSION_KEY)) != str(user.pk):
        return False
    if not constant_time_compare(
        str(data.get(HASH_SESSION_KEY, "")), user.get_session_auth_hash()
    ):
        return False  # the password changed since: Django refuses this session
    started = data.get(SIGNED_IN_AT, row.created_at.timestamp())
    return bool(time.time() - started < settings.SESSION_ABSOLUTE_SECONDS)


def sessions_forget_expired(*, user: User | None = None) -> int:
    """Forget the rows of sessions that have ended on their own (of one user, or of
    everyone), deleting whatever the session store still holds of them."""
    rows = UserSession.objects.select_related("user")
    if user is not None:
        rows = rows.filter(user=user)
    dead = [row.session_key for row in rows.iterator() if not _is_live(row)]
    store = _session_store()()
    for key in dead:
        store.delete(key)
    UserSession.objects.filter(session_key__in=dead).delete()
    return len(dead)


@dataclass(frozen=True)
class SessionRow:
    """One session as "Your sessions" shows it."""

    pk: int
    started_at: dt.datetime
    last_seen_at: dt.datetime
    device: str
    ip: str
    is_current: bool


def session_list(*, user: User, current_key: str | None) -> list[SessionRow]:
    """The user's sessions, this one first, then the most recently used."""
    rows = [
        SessionRow(
            pk=row.pk,
            started_at=row.created_at,
            last_seen_at=row.last_seen_at,
            device=device_label(row.user_agent),
            ip=row.ip or "",
            is_current=row.session_key == current_key,
        )
        for row in UserSession.objects.filter(user=user).order_by("-last_seen_at")
    ]
    return sorted(rows, key=lambda row: not row.is_current)


def session_count(*, user: User) -> int:
    return int(UserSession.objects.filter(user=user).count())


# Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari".
_BROWSERS = [
    ("Edge", r"Edg(e|A|iOS)?/"),
    ("Opera", r"OPR/|Opera"),
    ("Samsung Internet", r"SamsungBrowser/"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/"),
    ("Safari", r"Safari/"),
]
_SYSTEMS = [
    ("iPad", r"iPad"),
    ("iPhone", r"iPhone"),
    ("Android", r"Android"),
    ("ChromeOS", r"CrOS"),
    ("Windows", r"Windows"),
    ("Mac", r"Macintosh|Mac OS X"),
    ("Linux", r"Linux|X11"),
]


def device_label(user_agent: str) -> str:
    """A rough name for the browser and system a user agent string describes, such
    as "Chrome on Android" ("Unknown browser" when it says nothing we know)."""
    browser = next((n for n, p in _BROWSERS if re.search(p, user_agent)), "")
    system = next((n for n, p in _SYSTEMS if re.search(p, user_agent)), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or (f"A browser on {system}" if system else "Unknown browser")


class SessionActivityMiddleware:
    """Touch the signed-in session's row at most once a minute, and let the row follow
    the session when a request gives it a new key."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.session.session_key
        user = request.user
        if key and user.is_authenticated and isinstance(user, User):
            seen = request.session.get(SEEN_AT, 0)
            if not isinstance(seen, int) or time.time() - seen >= TOUCH_SECONDS:
                session_touch(request, user)
        response = self.get_response(request)
        if key and request.session.session_key != key:
            session_key_moved(request=request, old=key)
        return response
