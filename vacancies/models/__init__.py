"""What the academy brings people to: providers' vacancies and training places, the
referrals of participants to them, with their pipeline, and events (information
sessions, drop-ins, recruitment fairs) with their sign-ups. Modules by subject; import
from here."""

from .opportunities import (
    DBS_ORDER,
    SOC2020,
    CareRole,
    OpportunityQuerySet,
    Setting,
    TrainingOpportunity,
    Vacancy,
    VacancyQuerySet,
)

# isort: split
from .events import Event, EventKind, EventQuerySet, EventSeries, SignUp, SignUpQuerySet
from .feeds import CalendarFeed
from .referrals import Referral, ReferralEvent, ReferralQuerySet

__all__ = [
    "DBS_ORDER",
    "SOC2020",
    "CalendarFeed",
    "CareRole",
    "Event",
    "EventKind",
    "EventQuerySet",
    "EventSeries",
    "OpportunityQuerySet",
    "Referral",
    "ReferralEvent",
    "ReferralQuerySet",
    "Setting",
    "SignUp",
    "SignUpQuerySet",
    "TrainingOpportunity",
    "Vacancy",
    "VacancyQuerySet",
]
