"""Parts of pages kept a short while in the cache (Redis), the one way the portal does
it: the coordinator's home (academy/home.py) and the public job board's results and
filter form (vacancies/views/board.py).

A kept value is read afresh when its time is up, when its generation has changed
since it was kept (`refresh`: something it shows has changed), or when the cache
cannot be reached: a Redis outage makes a page slower, never unavailable."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from typing import TypeVar

import redis
from django.core.cache import cache

logger = logging.getLogger(__name__)

T = TypeVar("T")


def kept(key: str, build: Callable[[], T], *, seconds: int, generation: str = "") -> T:
    """What `build()` returns, kept `seconds` under `key`; built afresh once the
    value of the key `generation` (if given) is not what it was when it was kept."""
    keys = [key, generation] if generation else [key]
    try:
        found = cache.get_many(keys)
    except redis.RedisError as error:
        logger.warning("Not kept (%s): %s", key, error.__class__.__name__)
        return build()
    # Read before building, so that a refresh while it is built is not lost.
    stamp = found.get(generation) if generation else None
    entry = found.get(key)
    now = time.time()  # the cache's own clock may differ: the entry says its end
    if entry is not None and entry[0] == stamp and now < entry[1]:
        return entry[2]  # type: ignore[no-any-return]
    value = build()
    try:
        cache.set(key, (stamp, now + seconds, value), seconds)
    except redis.RedisError as error:
        logger.warning("Not kept (%s): %s", key, error.__class__.__name__)
    return value


def refresh(*generations: str, seconds: int) -> None:
    """What is kept under each of `generations` (for at most `seconds`) is built
    afresh: one round trip however many."""
    if not generations:
        return
    stamp = secrets.token_hex(8)
    try:
        # Outlives everything kept before it, so none of it is taken again.
        cache.set_many(dict.fromkeys(generations, stamp), 2 * seconds)
    except redis.RedisError as error:
        logger.warning(
            "Not refreshed (%s): %s", generations[0], error.__class__.__name__
        )
