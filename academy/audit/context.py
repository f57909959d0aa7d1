"""Who is acting, for the audit trail: the user, academy and request behind every write.

The context lives in a context variable, set for each request by `AuditMiddleware` and
around background work by `audit_context(...)`. The database triggers that keep the
change history read it: on PostgreSQL from session settings sent just before each write
to a tracked table, on SQLite from functions registered on the connection.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"


@dataclass(frozen=True)
class AuditContext:
    actor_id: int | None = None
    academy_id: int | None = None
    request_id: str = ""
    # True only inside `audit_purge()`: erasure and retention may remove audit rows.
    purge: bool = False


_NOBODY = AuditContext()
_current: ContextVar[AuditContext] = ContextVar("audit_context", default=_NOBODY)


def current() -> AuditContext:
    return _current.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextlib.contextmanager
def audit_context(
    *,
    actor_id: int | None = None,
    academy_id: int | None = None,
    request_id: str | None = None,
) -> Iterator[AuditContext]:
    """Attribute the writes inside to a user and academy (background work: a run's
    task passes the user who started it). A request id is made up when none is given."""
    token = _current.set(
        AuditContext(
            actor_id=actor_id,
            academy_id=academy_id,
            request_id=request_id or new_request_id(),
        )
    )
    try:
        yield _current.get()
    finally:
        _current.reset(token)


@contextlib.contextmanager
def audit_purge() -> Iterator[None]:
    """The one path on which audit and history rows may be changed or deleted: erasing a
    person and applying retention periods. Use inside `transaction.atomic()`."""
    from django.db import connection

    token = _current.set(replace(_current.get(), purge=True))
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('academy.purge', 'on', true)")
        yield
    finally:
        _current.reset(token)
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('academy.purge', '', true)")


class AuditMiddleware:
    """Give every request an id (sent back as X-Request-ID) and make its user and
    academy the audit context. After authentication and CurrentAcademyMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        academy = getattr(request, "academy", None)
        token = _current.set(
            AuditContext(
                actor_id=user.pk if user and user.is_authenticated else None,
                academy_id=academy.pk if academy is not None else None,
                request_id=request_id,
            )
        )
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


# ---- how the database learns the context ------------------------------------------

_WRITES = ("INSERT", "UPDATE", "DELETE", "WITH")


def _postgres_send_context(
    execute: Callable[..., Any],
    sql: str,
    params: Any,
    many: bool,
    context: dict[str, Any],
) -> Any:
    """Before a write that may fire a history trigger, set the session settings the
    trigger reads. Sent on the raw cursor, so query counts stay as they were."""
    from .triggers import touches_tracked_table

    if sql.lstrip()[:6].upper().startswith(_WRITES) and touches_tracked_table(sql):
        state = _current.get()
        context["cursor"].cursor.execute(
            "SELECT set_config('academy.actor_id', %s, false),"
            " set_config('academy.academy_id', %s, false),"
            " set_config('academy.request_id', %s, false)",
            [
                "" if state.actor_id is None else str(state.actor_id),
                "" if state.academy_id is None else str(state.academy_id),
                state.request_id,
            ],
        )
    return execute(sql, params, many, context)


def _sqlite_register_functions(connection: BaseDatabaseWrapper) -> None:
    raw = connection.connection
    raw.create_function("academy_actor", 0, lambda: _current.get().actor_id)
    raw.create_function("academy_academy", 0, lambda: _current.get().academy_id)
    raw.create_function("academy_request", 0, lambda: _current.get().request_id)
    raw.create_function("academy_purge", 0, lambda: int(_current.get().purge))


def connection_created(
    sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any
) -> None:
    """Wire every new database connection to the audit context."""
    if connection.vendor == "postgresql":
        if _postgres_send_context not in connection.execute_wrappers:
            connection.execute_wrappers.append(_postgres_send_context)
    elif connection.vendor == "sqlite":
        _sqlite_register_functions(connection)
