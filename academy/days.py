"""Local days as moments: the portal's days are London's (TIME_ZONE), its moments UTC.
Reminders "the day before" and the diary's days are cut here, in one way."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def local_midnight(day: dt.date) -> dt.datetime:
    """The aware moment London's `day` begins (the clocks' changes included)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


def tomorrow_window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The start and end of the London day after `now`'s."""
    tomorrow = timezone.localtime(now).date() + dt.timedelta(days=1)
    return local_midnight(tomorrow), local_midnight(tomorrow + dt.timedelta(days=1))
