"""Reads of casework, always scoped to a membership: lists, duplicates, the timeline and
a coordinator's day.

Modules by subject: people (list, duplicates, detail, export), timeline and day (a
coordinator's work for today). Import from here."""

from .day import (
    CoordinatorDay,
    actions_overdue,
    caseload_count,
    checks_due,
    coordinator_choices,
    coordinator_day,
    next_steps_due,
)
from .outcomes import (
    DOUBLE_WINDOW,
    employer_key,
    employers_match,
    outcome_doubles_open,
    outcome_followup,
    outcome_followups,
    outcome_same_start,
)
from .people import (
    EXPORT_COLUMNS,
    NO_CONTACT_DAYS,
    SORTS,
    consent_latest,
    enquiry_queue,
    import_run_people,
    participant_detail,
    participant_duplicates,
    participant_export_rows,
    participant_list,
    people_in_cohort,
    people_matching,
    people_on_pathway,
    people_sorted,
    people_with_overdue_action,
    people_without_contact,
    plan_current,
    postcode_notices,
)
from .timeline import TimelineEntry, participant_timeline, timeline_hooks

__all__ = [
    "DOUBLE_WINDOW",
    "EXPORT_COLUMNS",
    "NO_CONTACT_DAYS",
    "SORTS",
    "CoordinatorDay",
    "TimelineEntry",
    "actions_overdue",
    "caseload_count",
    "checks_due",
    "consent_latest",
    "coordinator_choices",
    "coordinator_day",
    "employer_key",
    "employers_match",
    "enquiry_queue",
    "import_run_people",
    "next_steps_due",
    "outcome_doubles_open",
    "outcome_followup",
    "outcome_followups",
    "outcome_same_start",
    "participant_detail",
    "participant_duplicates",
    "participant_export_rows",
    "participant_list",
    "participant_timeline",
    "people_in_cohort",
    "people_matching",
    "people_on_pathway",
    "people_sorted",
    "people_with_overdue_action",
    "people_without_contact",
    "plan_current",
    "postcode_notices",
    "timeline_hooks",
]
