"""The audit trail (spec/security.md LOG-1 to LOG-5): access records for every view and
export of people's data, a change history of casework kept by database triggers, and
sign-in events; all three append-only. Import from here."""

from ..models.audit import AccessRecord, ChangeRecord, SignInEvent
from .context import (
    REQUEST_ID_HEADER,
    AuditContext,
    AuditMiddleware,
    audit_context,
    audit_purge,
    current,
)
from .records import access_record, sign_in_event

__all__ = [
    "REQUEST_ID_HEADER",
    "AccessRecord",
    "AuditContext",
    "AuditMiddleware",
    "ChangeRecord",
    "SignInEvent",
    "access_record",
    "audit_context",
    "audit_purge",
    "current",
    "sign_in_event",
]
