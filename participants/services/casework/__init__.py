"""Writes of a coordinator's casework: registration, consent, meetings, plans, support,
outcomes, sustainment checks, closing and merging. Each saves all its parts or none.

Modules by subject: people (registration, details, consent, merging), plans and records
(meetings, support, outcomes, sustainment checks, closing). Import from here."""

from .contact import contact_preference_set, participant_recipient
from .people import (
    CASELOAD_ROLES,
    PARTICIPANT_FIELDS,
    caseload_reassign,
    consent_records_add,
    consent_refresh,
    consent_set,
    merge_hooks,
    participant_merge,
    participant_next_reference,
    participant_register,
    participant_update,
)
from .plans import (
    NewAction,
    plan_action_complete,
    plan_action_reopen,
    plan_agree,
    plan_review,
)
from .records import (
    SUSTAINMENT_WEEKS,
    case_close,
    case_reopen,
    contact_record,
    meeting_log,
    outcome_record,
    support_record,
    sustainment_check_record,
    sustainment_checks_raise,
    sustainment_checks_schedule,
    sustainment_checks_schedule_many,
)

__all__ = [
    "CASELOAD_ROLES",
    "PARTICIPANT_FIELDS",
    "SUSTAINMENT_WEEKS",
    "NewAction",
    "case_close",
    "case_reopen",
    "caseload_reassign",
    "consent_records_add",
    "consent_refresh",
    "consent_set",
    "contact_preference_set",
    "contact_record",
    "meeting_log",
    "merge_hooks",
    "outcome_record",
    "participant_merge",
    "participant_next_reference",
    "participant_recipient",
    "participant_register",
    "participant_update",
    "plan_action_complete",
    "plan_action_reopen",
    "plan_agree",
    "plan_review",
    "support_record",
    "sustainment_check_record",
    "sustainment_checks_raise",
    "sustainment_checks_schedule",
    "sustainment_checks_schedule_many",
]
