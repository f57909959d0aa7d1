"""Writing the audit trail: access records (who saw or exported whose data) and sign-in
events. Change history is written by the database (triggers.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.utils import timezone

from ..models.audit import AccessRecord, SignInEvent
from .context import current

if TYPE_CHECKING:
    from ..models import User


def _ids(objects: Iterable[Any]) -> list[int]:
    return sorted({o if isinstance(o, int) else o.pk for o in objects})


def access_record(
    request: HttpRequest,
    *,
    participants: Iterable[Any] = (),
    enquiries: Iterable[Any] = (),
    action: str = "",
) -> AccessRecord | None:
    """Record that this request shows or exports these people's data (participants or
    their ids; enquiries likewise). Nothing is written when the request shows nobody.
    `action` defaults to the URL's name and the method ("participants:detail GET")."""
    # Each person once per request, however many parts of the page show them.
    seen: dict[str, set[int]] = request.__dict__.setdefault(
        "_audit_seen", {"participants": set(), "enquiries": set()}
    )
    participant_ids = [i for i in _ids(participants) if i not in seen["participants"]]
    enquiry_ids = [i for i in _ids(enquiries) if i not in seen["enquiries"]]
    if not participant_ids and not enquiry_ids:
        return None
    seen["participants"].update(participant_ids)
    seen["enquiries"].update(enquiry_ids)
    user = request.user
    membership = getattr(request, "membership", None)
    match = request.resolver_match
    if not action:
        action = f"{match.view_name if match else request.path} {request.method}"
    return AccessRecord.objects.create(
        at=timezone.now(),
        user_id=user.pk if user.is_authenticated else None,
        user_email=getattr(user, "email", "") if user.is_authenticated else "",
        role=str(membership.role) if membership is not None else "",
        academy_id=membership.academy_id if membership is not None else None,
        action=action[:120],
        path=request.path[:300],
        request_id=getattr(request, "request_id", "") or current().request_id,
        ip=_ip(request),
        participant_ids=participant_ids,
        enquiry_ids=enquiry_ids,
        count=len(participant_ids) + len(enquiry_ids),
    )


def _ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # TrustedProxyMiddleware has already put the client's address here.
    return request.META.get("REMOTE_ADDR") or None


def sign_in_event(
    kind: SignInEvent.Kind,
    *,
    request: HttpRequest | None = None,
    user: User | None = None,
    username: str = "",
    by: User | None = None,
    detail: str = "",
) -> SignInEvent:
    """Record a sign-in event. `by` is who did it when it was not the user (an admin
    lifting a lockout or resetting two-step sign-in)."""
    if user is not None and not username:
        username = user.email
    return SignInEvent.objects.create(
        at=timezone.now(),
        kind=kind,
        user_id=user.pk if user is not None else None,
        username=username.strip().lower()[:254],
        by_user_id=by.pk if by is not None else None,
        ip=_ip(request),
        request_id=(getattr(request, "request_id", "") if request else "")
        or current().request_id,
        detail=detail[:300],
    )
