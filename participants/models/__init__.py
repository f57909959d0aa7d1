"""A coordinator's casework: participants, consent, enquiries, meetings, plans, support
and outcomes. spec/impact-report.md fixes the codes the impact report counts.

Modules by subject; import from here. They are imported in the order the models were
first defined in, which is the order the app registry lists them (content types,
permissions and delete cascades follow it)."""

from .participant import (
    CaseQuerySet,
    Cohort,
    ConsentRecord,
    Participant,
    ParticipantCohort,
    ParticipantQuerySet,
)

# isort: split
from .enquiry import Enquiry, EnquiryQuerySet

# isort: split
from .casework import (
    Barrier,
    CaseNote,
    Meeting,
    Outcome,
    PlanAction,
    PlanActionQuerySet,
    PlanReview,
    SkillsActionPlan,
    Support,
)
from .imports import ImportRun, ImportWritten
from .outcomes import (
    SuspectedDoubleOutcome,
    SustainmentCheck,
    SustainmentCheckQuerySet,
)

# isort: split
from .diary import Appointment, Task

__all__ = [
    "Appointment",
    "Barrier",
    "CaseNote",
    "CaseQuerySet",
    "Cohort",
    "ConsentRecord",
    "Enquiry",
    "EnquiryQuerySet",
    "ImportRun",
    "ImportWritten",
    "Meeting",
    "Outcome",
    "Participant",
    "ParticipantCohort",
    "ParticipantQuerySet",
    "PlanAction",
    "PlanActionQuerySet",
    "PlanReview",
    "SkillsActionPlan",
    "Support",
    "SuspectedDoubleOutcome",
    "SustainmentCheck",
    "SustainmentCheckQuerySet",
    "Task",
]
