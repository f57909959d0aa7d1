"""A member's diary: what is booked for them between two moments, from every app.

Participants registers appointments; vacancies registers interviews and the events a
member runs (`diary_sources`, filled in each app's `AppConfig.ready()`). The diary
pages and the private calendar feed read `diary_entries` and nothing else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from academy.models import Membership
from academy.registry import Registry


@dataclass(frozen=True)
class DiaryEntry:
    """One thing in a diary. `uid` is stable across edits (calendar programs update
    the entry they have); `title` carries no more about a person than the member may
    see; `private_title` is what a calendar feed shows (no names: a feed leaves the
    portal)."""

    uid: str
    kind: str  # "appointment", "interview", "event"
    starts_at: dt.datetime
    ends_at: dt.datetime
    title: str
    private_title: str
    place: str = ""
    url: str = ""  # the portal's page for it
    status: str = ""  # shown beside the title, e.g. "Did not attend"
    is_cancelled: bool = False
    version: int = 0  # SEQUENCE in iCalendar: higher on each change
    participant_id: int | None = None  # whose data the title shows (access record)


DiarySource = Callable[[Membership, dt.datetime, dt.datetime], Iterable[DiaryEntry]]

diary_sources: Registry[DiarySource] = Registry("diary_sources")


def diary_entries(
    membership: Membership, start: dt.datetime, end: dt.datetime
) -> list[DiaryEntry]:
    """Everything in `membership`'s diary starting in [start, end), by time."""
    entries = [
        entry
        for source in diary_sources
        for entry in source(membership, start, end)
        if start <= entry.starts_at < end
    ]
    return sorted(entries, key=lambda entry: (entry.starts_at, entry.kind, entry.uid))
