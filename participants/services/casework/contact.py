"""How a person may be sent confirmations and reminders: their contact preference,
written only here, each change noted on their timeline."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from academy import rules
from academy.models import Academy, User
from academy.notify import Channel, Recipient

from ...models import CaseNote, Participant

__all__ = ["contact_preference_set", "participant_recipient", "reach_us"]

_CHANNELS = {
    Participant.ContactBy.SMS: Channel.SMS,
    Participant.ContactBy.EMAIL: Channel.EMAIL,
}


def participant_recipient(participant: Participant) -> Recipient:
    """The person as a message's recipient: reachable only by the channel they agreed
    to, only while their case is open and their record not erased."""
    agreed = (
        participant.contact_by != Participant.ContactBy.NONE
        and participant.is_open
        and not participant.is_erased
    )
    return Recipient(
        name=participant.first_name,
        email=participant.email if participant.contact_by == "email" else "",
        phone=str(participant.phone or "") if participant.contact_by == "sms" else "",
        has_agreed=agreed,
        prefers=_CHANNELS.get(participant.contact_by),  # type: ignore[call-overload]
    )


def reach_us(academy: Academy, coordinator: User | None = None) -> dict[str, str]:
    """How a person reaches the academy, for the end of every message to them
    (templates emails/_reach_us.txt and sms/_reach_us.txt): its public phone and
    e-mail (Academy settings); without either, their coordinator's work e-mail."""
    said = {
        "academy_name": academy.name,
        "academy_phone": rules.phone_shown(academy.public_phone),
        "academy_email": academy.public_email,
        "coordinator_name": "",
        "coordinator_email": "",
    }
    has_public = bool(academy.public_phone or academy.public_email)
    if coordinator is not None and coordinator.is_active and not has_public:
        said["coordinator_name"] = coordinator.get_full_name() or coordinator.email
        said["coordinator_email"] = coordinator.email
    return said


@transaction.atomic
def contact_preference_set(
    *,
    participant: Participant,
    contact_by: str,
    by: User | None,
    how: str = "",
) -> bool:
    """Record how the person agreed to be contacted (or that they opted out: `how`
    says how, e.g. "replied STOP to a text message"). Returns whether it changed."""
    row = Participant.objects.select_for_update().get(pk=participant.pk)
    if row.contact_by == contact_by:
        participant.contact_by = contact_by
        return False
    row.contact_by = contact_by
    row.save(update_fields=["contact_by", "updated_at"])
    participant.contact_by = contact_by
    label = Participant.ContactBy(contact_by).label
    text = (
        "No more reminders or confirmations"
        if contact_by == Participant.ContactBy.NONE
        else f"Agreed to reminders and confirmations by {label.lower()}"
    )
    CaseNote.objects.create(
        participant=row,
        text=f"{text}{f' ({how})' if how else ''}.",
        written_by=by,
        written_at=timezone.now(),
    )
    return True
