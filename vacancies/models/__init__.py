"""What the academy brings people to: providers' vacancies and training places, and
the referrals of participants to them, with their pipeline. Modules by subject; import
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
from .referrals import Referral, ReferralEvent, ReferralQuerySet

__all__ = [
    "DBS_ORDER",
    "SOC2020",
    "CareRole",
    "OpportunityQuerySet",
    "Referral",
    "ReferralEvent",
    "ReferralQuerySet",
    "Setting",
    "TrainingOpportunity",
    "Vacancy",
    "VacancyQuerySet",
]
