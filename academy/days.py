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


def day_said(when: dt.datetime | dt.date, *, short: bool = False) -> str:
    """A day as messages to people say it: 'Friday 12 June' ('Fri 12 Jun' when
    `short`), with the year only when it is not this year's (a moment is London's)."""
    if isinstance(when, dt.datetime):
        when = timezone.localtime(when).date()
    said = (
        f"{when:%a} {when.day} {when:%b}"
        if short
        else f"{when:%A} {when.day} {when:%B}"
    )
    return said if when.year == timezone.localdate().year else f"{said} {when.year}"


def moment_said(when: dt.datetime, *, short: bool = False) -> str:
    """A moment as messages to people say it: 'Friday 12 June at 14:30' (London time;
    `short` and the year as in `day_said`)."""
    local = timezone.localtime(when)
    return f"{day_said(local, short=short)} at {local:%H:%M}"
