"""Whether the portal's services answer: the database, Redis, the worker and beat.
`/health/` and `manage.py health` report it; an outage of the database or Redis turns
pages into a plain "temporarily unavailable" (503) with one line in the log."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.utils import timezone

# Beat writes this every minute (academy.tasks.beat_heartbeat); older means stopped.
BEAT_KEY = "health:beat-last-tick"
BEAT_STALE_AFTER = dt.timedelta(minutes=5)
WORKER_PING_SECONDS = 1.0

# Exceptions that mean a service is down, not that the code is wrong.
OUTAGES: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    redis.ConnectionError,
    redis.TimeoutError,
)


@dataclass(frozen=True)
class Check:
    name: str
    is_ok: bool
    detail: str


def _database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return Check("database", False, f"unreachable: {error.__class__.__name__}")
    return Check("database", True, connection.vendor)


def _redis() -> Check:
    if not settings.REDIS_URL:
        return Check("redis", True, "not used (jobs run in-process)")
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as error:
        return Check("redis", False, f"unreachable: {error.__class__.__name__}")
    return Check("redis", True, "answers")


def _worker() -> Check:
    from .celery import app

    if app.conf.task_always_eager:
        return Check("worker", True, "in-process (no broker)")
    try:
        replies = app.control.ping(timeout=WORKER_PING_SECONDS)
    except Exception as error:
        return Check("worker", False, f"cannot ask: {error.__class__.__name__}")
    if not replies:
        return Check("worker", False, f"no worker answered in {WORKER_PING_SECONDS} s")
    return Check("worker", True, f"{len(replies)} answering")


def _beat() -> Check:
    from .celery import app

    if app.conf.task_always_eager:
        return Check("beat", True, "not used (no broker)")
    try:
        last = cache.get(BEAT_KEY)
    except Exception as error:
        return Check("beat", False, f"cannot read: {error.__class__.__name__}")
    if last is None:
        return Check("beat", False, "no tick seen yet")
    age = timezone.now() - last
    if age > BEAT_STALE_AFTER:
        return Check("beat", False, f"last tick {int(age.total_seconds())} s ago")
    return Check("beat", True, f"last tick {int(age.total_seconds())} s ago")


def health_checks() -> list[Check]:
    """Every check, the database first."""
    return [_database(), _redis(), _worker(), _beat()]


def beat_tick() -> None:
    """Record that beat is alive (its every-minute task)."""
    cache.set(BEAT_KEY, timezone.now(), timeout=None)


class OutageLogFilter(logging.Filter):
    """One line, not a traceback, for a request that failed because a service is down
    (the 503 page says so to the person)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, OUTAGES):
            request = getattr(record, "request", None)
            record.msg = "service unavailable (%s: %s): %s"
            record.args = (
                error.__class__.__name__,
                str(error).strip().splitlines()[0] if str(error).strip() else "",
                getattr(request, "path", ""),
            )
            record.exc_info = None
            record.exc_text = None
        return True
