"""Casework forms: input shape and field checks; rules and saving are in services.

Modules by subject: people (details, registration, consent, closing, merging,
caseloads), records (meetings, plans, support, outcomes, checks), enquiries (the public
form and the queue's actions) and imports (upload and confirm). Import from here."""

from .appointments import (
    AppointmentBookForm,
    AppointmentForm,
    AppointmentNotesForm,
    AppointmentReasonForm,
)
from .enquiries import EnquiryCloseForm, EnquiryContactedForm, EnquiryForm
from .imports import ImportConfirmForm, ImportUploadForm
from .people import (
    CaseloadReassignForm,
    CloseForm,
    ConsentForm,
    EraseForm,
    MergeForm,
    ParticipantForm,
    ParticipantRegisterForm,
)
from .records import (
    PLAN_ACTIONS_MAX,
    MeetingForm,
    OutcomeDoubleForm,
    OutcomeForm,
    PlanActionForm,
    PlanActionFormSet,
    PlanForm,
    PlanReviewForm,
    SupportForm,
    SustainmentCheckForm,
)
from .search import PersonSearchForm

__all__ = [
    "PLAN_ACTIONS_MAX",
    "AppointmentBookForm",
    "AppointmentForm",
    "AppointmentNotesForm",
    "AppointmentReasonForm",
    "CaseloadReassignForm",
    "CloseForm",
    "ConsentForm",
    "EnquiryCloseForm",
    "EnquiryContactedForm",
    "EnquiryForm",
    "EraseForm",
    "ImportConfirmForm",
    "ImportUploadForm",
    "MeetingForm",
    "MergeForm",
    "OutcomeDoubleForm",
    "OutcomeForm",
    "ParticipantForm",
    "ParticipantRegisterForm",
    "PersonSearchForm",
    "PlanActionForm",
    "PlanActionFormSet",
    "PlanForm",
    "PlanReviewForm",
    "SupportForm",
    "SustainmentCheckForm",
]
