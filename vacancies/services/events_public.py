"""Events for the public, who have no account: signing up on the event's page and
checking in at the door, each within the allowances of the public forms (per e-mail
address or phone number, per event, and per connection: academy/ratelimit.py)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError

from academy import ratelimit

from ..models.events import Event, SignUp
from .events import SignUpResult, self_check_in, signup_create

__all__ = ["check_in_public", "signup_public"]


def _allowances(
    event: Event, *, ip: str, email: str, phone: str, purpose: str
) -> list[ratelimit.Allowance]:
    return ratelimit.public_allowances(
        academy_id=event.academy_id,
        ip=ip,
        contacts=[email, phone],
        event_id=event.pk,
        purpose=purpose,
    )


def signup_public(
    *,
    event: Event,
    ip: str,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    has_consented: bool,
) -> SignUpResult:
    """A member of the public signs up on the event's page: a place, or a place on
    the waiting list when it is full. Raises ratelimit.Limited, saving nothing, when
    the person, the event or the connection has sent enough this hour."""
    if not event.is_public:
        raise ValidationError("This event is by invitation only.")
    allowances = _allowances(event, ip=ip, email=email, phone=phone, purpose="sign-up")
    ratelimit.check(allowances)
    result = signup_create(
        event=event,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        has_consented=has_consented,
        source=SignUp.Source.PUBLIC,
    )
    ratelimit.count_all(allowances, window=settings.PUBLIC_RATE_WINDOW)
    return result


def check_in_public(
    *, event: Event, ip: str, first_name: str, last_name: str, email: str, phone: str
) -> SignUp:
    """Someone checks themselves in at the door, from the QR code's page."""
    allowances = _allowances(event, ip=ip, email=email, phone=phone, purpose="check-in")
    ratelimit.check(allowances)
    signup = self_check_in(
        event=event,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
    )
    ratelimit.count_all(allowances, window=settings.PUBLIC_RATE_WINDOW)
    return signup
