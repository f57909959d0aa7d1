"""Every write of the vacancies app. Modules by subject: opportunities (vacancies,
training places, postcodes), referrals (the pipeline and its outcomes), events (dates,
sign-ups and the register), events_public (signing up and checking in without an
account) and event_notices (what those signed up are told). Import from here."""

from .event_notices import event_reminders_send
from .events import *  # noqa: F403
from .events import __all__ as _events
from .events_public import check_in_public, signup_public
from .opportunities import (
    VACANCY_MOVES,
    VacancyMove,
    critical_shortage_notify,
    organisation_for,
    training_save,
    vacancies_close_expired,
    vacancy_save,
    vacancy_status_set,
)
from .referral_notices import interview_reminders_send
from .referrals import (
    NEXT_STAGES,
    interview_said,
    merge_referrals,
    referral_advance,
    referral_create,
    referral_for_outcome,
    referral_interview_rearrange,
    referral_outcome_replace,
    start_outcome_match,
)

__all__ = [
    *_events,
    "NEXT_STAGES",
    "VACANCY_MOVES",
    "VacancyMove",
    "check_in_public",
    "critical_shortage_notify",
    "merge_referrals",
    "organisation_for",
    "referral_advance",
    "referral_create",
    "referral_for_outcome",
    "referral_interview_rearrange",
    "referral_outcome_replace",
    "event_reminders_send",
    "interview_reminders_send",
    "interview_said",
    "signup_public",
    "start_outcome_match",
    "training_save",
    "vacancies_close_expired",
    "vacancy_save",
    "vacancy_status_set",
]
