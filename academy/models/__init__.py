"""The core app's models: academies, organisations, people who sign in and their
memberships (core), and the labour-market figures every academy shares. Import from
here."""

from .audit import AccessRecord, ChangeRecord, SignInEvent
from .core import (
    Academy,
    FormSubmission,
    HttpsURLField,
    LockoutLift,
    Membership,
    MembershipQuerySet,
    Organisation,
    User,
    UserManager,
    membership_active_q,
)

# isort: split
from .exports import ExportRun
from .labour_market import (
    REFRESH_STOPPED_AFTER,
    LabourMarketChange,
    LabourMarketObservation,
    RefreshRun,
    RefreshRunQuerySet,
)
from .messages import Message, MessageQuerySet, NoticeChoice
from .places import PlaceName, Postcode
from .runs import FINISHED, IN_PROGRESS, Run, RunStatus
from .sessions import UserSession

__all__ = [
    "FINISHED",
    "IN_PROGRESS",
    "REFRESH_STOPPED_AFTER",
    "Academy",
    "AccessRecord",
    "ChangeRecord",
    "ExportRun",
    "FormSubmission",
    "HttpsURLField",
    "LabourMarketChange",
    "LabourMarketObservation",
    "LockoutLift",
    "Membership",
    "MembershipQuerySet",
    "Message",
    "MessageQuerySet",
    "NoticeChoice",
    "Organisation",
    "PlaceName",
    "Postcode",
    "RefreshRun",
    "RefreshRunQuerySet",
    "Run",
    "RunStatus",
    "SignInEvent",
    "User",
    "UserManager",
    "UserSession",
    "membership_active_q",
]
