"""Reads of casework, always scoped to a membership: lists, duplicates, the timeline and
a coordinator's day.

Modules by subject: people (list, duplicates, detail, export), timeline and day (a
coordinator's work for today). Import from here."""

from .day import (
    CoordinatorDay,
    actions_overdue,
    checks_due,
    coordinator_choices,
    coordinator_day,
    next_steps_due,
)
from .people import (
    EXPORT_COLUMNS,
    NO_CONTACT_DAYS,
    SORTS,
    ParticipantFilter,
    consent_latest,
    participant_detail,
    participant_duplicates,
    participant_export_rows,
    participant_list,
    plan_current,
)
from .timeline import TimelineEntry, participant_timeline, timeline_hooks

__all__ = [
    "EXPORT_COLUMNS",
    "NO_CONTACT_DAYS",
    "SORTS",
    "CoordinatorDay",
    "ParticipantFilter",
    "TimelineEntry",
    "actions_overdue",
    "checks_due",
    "consent_latest",
    "coordinator_choices",
    "coordinator_day",
    "next_steps_due",
    "participant_detail",
    "participant_duplicates",
    "participant_export_rows",
    "participant_list",
    "participant_timeline",
    "plan_current",
    "timeline_hooks",
]
