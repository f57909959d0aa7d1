"""Writes of campaign enquiries: the public sign-up with its allowances (per e-mail
address or phone number, and a far higher one per connection, which a job centre's or
a venue's visitors share), then a coordinator's triage (contacted, closed) and the
retention purge."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from academy import ratelimit, rules
from academy.models import Academy, User

from ..models import Enquiry

# The privacy notice promises deletion after this many months (unless registered).
ENQUIRY_RETENTION_MONTHS: int = settings.ENQUIRY_RETENTION_MONTHS

WAITING = (Enquiry.Status.NEW, Enquiry.Status.CONTACTED)


def enquiry_submit(
    *,
    academy: Academy,
    ip: str,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    postcode: str = "",
    interest: str = "",
    vacancy_title: str = "",
) -> Enquiry:
    """Store a sign-up from the public form, counted against the person's e-mail
    address and phone number and the connection it came from; raises
    ratelimit.Limited, saving nothing, when one of those has sent enough this hour."""
    allowances = ratelimit.public_allowances(
        academy_id=academy.pk, ip=ip, contacts=[email, phone]
    )
    ratelimit.check(allowances)
    enquiry = Enquiry(
        academy=academy,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip().lower(),
        phone=phone.strip(),
        postcode=rules.postcode_clean(postcode),
        interest=interest.strip(),
        vacancy_title=vacancy_title.strip(),
    )
    enquiry.full_clean()
    enquiry.save()
    ratelimit.count_all(allowances, window=settings.PUBLIC_RATE_WINDOW)
    return enquiry


def _append_note(enquiry: Enquiry, *, by: User, text: str) -> None:
    stamp = f"{timezone.localtime():%d %b %Y %H:%M}"
    line = f"{stamp}, {by}: {text}"
    enquiry.notes = f"{enquiry.notes}\n{line}" if enquiry.notes else line


@transaction.atomic
def enquiry_from_event(
    *,
    academy: Academy,
    by: User,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    postcode: str = "",
    interest: str = "",
    event_title: str,
    event_on: dt.date,
) -> Enquiry:
    """An enquiry for someone met at an event (a walk-in, or someone who signed up),
    made by the coordinator who met them; it waits in the enquiries list like one
    from the public form, its notes saying where they were met."""
    if not last_name.strip():
        raise ValidationError(
            {"last_name": "Give their last name: an enquiry needs it."}
        )
    if not (email.strip() or str(phone).strip()):
        raise ValidationError("Give an e-mail address or a phone number to reach them.")
    enquiry = Enquiry(
        academy=academy,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip().lower(),
        phone=str(phone).strip(),
        postcode=rules.postcode_clean(postcode),
        interest=interest.strip(),
    )
    _append_note(enquiry, by=by, text=f"Met at {event_title} on {event_on:%d %b %Y}.")
    enquiry.full_clean()
    enquiry.save()
    return enquiry


def _lock(enquiry: Enquiry) -> None:
    # Re-read under a row lock, so that two coordinators acting at once see each other.
    enquiry.refresh_from_db(from_queryset=Enquiry.objects.select_for_update())


@transaction.atomic
def enquiry_mark_contacted(*, enquiry: Enquiry, by: User, note: str = "") -> Enquiry:
    """Record that someone got in touch with the enquirer, with an optional note."""
    _lock(enquiry)
    if enquiry.status not in WAITING:
        raise ValidationError(
            f"This enquiry is already {enquiry.get_status_display().lower()}, so it "
            "cannot be marked as contacted."
        )
    enquiry.status = Enquiry.Status.CONTACTED
    enquiry.contacted_at = timezone.now()
    enquiry.handled_by = by
    note = note.strip()
    _append_note(enquiry, by=by, text="Contacted." + (f" {note}" if note else ""))
    enquiry.full_clean()
    enquiry.save(update_fields=["status", "contacted_at", "handled_by", "notes"])
    return enquiry


@transaction.atomic
def enquiry_close(
    *, enquiry: Enquiry, by: User, reason: Enquiry.CloseReason | str, note: str = ""
) -> Enquiry:
    """Close an enquiry that will not become a participant, with the reason why."""
    _lock(enquiry)
    if enquiry.status == Enquiry.Status.CONVERTED:
        raise ValidationError(
            "This enquiry is already registered as a participant, so it cannot be "
            "closed. Close the participant's case instead if they no longer need help."
        )
    if enquiry.status == Enquiry.Status.CLOSED:
        raise ValidationError("This enquiry is already closed.")
    if reason not in Enquiry.CloseReason.values:
        raise ValidationError(
            {"close_reason": "Choose why you are closing this enquiry."}
        )
    enquiry.status = Enquiry.Status.CLOSED
    enquiry.close_reason = reason
    enquiry.handled_by = by
    note = note.strip()
    label = Enquiry.CloseReason(reason).label
    _append_note(
        enquiry, by=by, text=f"Closed: {label}." + (f" {note}" if note else "")
    )
    enquiry.full_clean()
    enquiry.save(update_fields=["status", "close_reason", "handled_by", "notes"])
    return enquiry


def enquiries_delete_expired(*, now: dt.datetime | None = None) -> int:
    """Delete enquiries older than the retention period that never became a
    participant (the privacy notice promises it); return how many went."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=ENQUIRY_RETENTION_MONTHS * 365 // 12)
    deleted, _ = (
        Enquiry.objects.filter(created_at__lt=cutoff)
        .exclude(status=Enquiry.Status.CONVERTED)
        .delete()
    )
    return deleted


__all__ = [
    "ENQUIRY_RETENTION_MONTHS",
    "enquiries_delete_expired",
    "enquiry_close",
    "enquiry_from_event",
    "enquiry_mark_contacted",
    "enquiry_submit",
]
