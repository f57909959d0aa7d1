"""Writes about the person: registration, details, consent and merging two records of
one person; the contact normalisers the rest of the app compares with."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from academy.models import Academy, User

from ...models import (
    CaseNote,
    ConsentRecord,
    Enquiry,
    Meeting,
    Outcome,
    Participant,
    ParticipantCohort,
    SkillsActionPlan,
    Support,
)
from .records import _note

# Fields a coordinator types at registration and edits later (an allow-list: nothing
# else of a Participant is set from a form).
PARTICIPANT_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "email",
    "phone",
    "postcode",
    "is_claimant",
    "benefit_type",
    "status_at_entry",
    "source",
    "referring_organisation",
    "registered_on",
    "coordinator",
    "hours_wanted",
    "has_driving_licence",
    "has_car",
    "dbs_level",
    "right_to_work",
)


def normalise_postcode(value: str) -> str:
    """Upper case with one space before the inward code: 'pl11aa' -> 'PL1 1AA'."""
    compact = "".join(value.split()).upper()
    if len(compact) > 3:
        return f"{compact[:-3]} {compact[-3:]}"
    return compact


def normalise_phone(value: str) -> str:
    """Digits only, +44 folded to 0, so that the same number always compares equal."""
    digits = "".join(ch for ch in value if ch.isdigit())
    international = digits.startswith("44") and len(digits) == 12
    if value.strip().startswith("+44") or international:
        digits = "0" + digits[2:]
    return digits


def participant_next_reference(*, academy: Academy) -> str:
    """The next free reference of the form CA-000123 (call inside a transaction)."""
    # Lock the academy row so that two registrations cannot take the same number.
    Academy.objects.select_for_update().filter(pk=academy.pk).first()
    taken = (
        Participant.objects.for_academy(academy)
        .filter(reference__regex=r"^CA-[0-9]{6}$")
        .aggregate(top=Max("reference"))["top"]
    )
    number = int(taken[3:]) + 1 if taken else 1
    return f"CA-{number:06d}"


def _set_cohorts(participant: Participant, cohorts: Iterable[str]) -> None:
    wanted = set(cohorts)
    participant.cohorts.exclude(code__in=wanted).delete()
    have = set(participant.cohorts.values_list("code", flat=True))
    ParticipantCohort.objects.bulk_create(
        ParticipantCohort(participant=participant, code=code)
        for code in sorted(wanted - have)
    )


def _clean_contact(participant: Participant) -> None:
    participant.first_name = participant.first_name.strip()
    participant.last_name = participant.last_name.strip()
    participant.email = participant.email.strip().lower()
    participant.postcode = normalise_postcode(participant.postcode)
    participant.phone = participant.phone.strip()
    if not participant.is_claimant:
        participant.benefit_type = ""


@transaction.atomic
def participant_register(
    *,
    academy: Academy,
    by: User,
    cohorts: Sequence[str] = (),
    consent_to_hold: bool,
    consent_to_share: bool,
    enquiry: Enquiry | None = None,
    **fields: Any,
) -> Participant:
    """Register a person with the next free reference, their cohorts and consents.

    Registration needs consent to hold their data. An enquiry, if given, is marked as
    converted to this participant.
    """
    if not consent_to_hold:
        raise ValidationError(
            "The person must agree to the academy holding their data before they can "
            "be registered. Record their agreement, or do not register them."
        )
    unknown = set(fields) - set(PARTICIPANT_FIELDS)
    if unknown:
        raise TypeError(f"not participant fields: {sorted(unknown)}")
    participant = Participant(academy=academy, **fields)
    participant.reference = participant_next_reference(academy=academy)
    if participant.coordinator is None:
        participant.coordinator = by
    _clean_contact(participant)
    participant.full_clean()
    participant.save()
    _set_cohorts(participant, cohorts)
    consent_set(
        participant=participant, kind=ConsentRecord.Kind.HOLD_DATA, is_given=True, by=by
    )
    consent_set(
        participant=participant,
        kind=ConsentRecord.Kind.SHARE_WITH_PROVIDERS,
        is_given=consent_to_share,
        by=by,
    )
    if enquiry is not None:
        enquiry.status = Enquiry.Status.CONVERTED
        enquiry.participant = participant
        enquiry.handled_by = by
        enquiry.save(update_fields=["status", "participant", "handled_by"])
    return participant


@transaction.atomic
def participant_update(
    *, participant: Participant, by: User, cohorts: Sequence[str], **fields: Any
) -> Participant:
    """Save edited details and cohorts of a participant."""
    unknown = set(fields) - set(PARTICIPANT_FIELDS)
    if unknown:
        raise TypeError(f"not participant fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(participant, name, value)
    _clean_contact(participant)
    participant.full_clean()
    participant.save()
    _set_cohorts(participant, cohorts)
    return participant


@transaction.atomic
def consent_set(
    *,
    participant: Participant,
    kind: ConsentRecord.Kind | str,
    is_given: bool,
    by: User | None,
    note: str = "",
) -> ConsentRecord:
    """Record consent given or withdrawn; it takes effect at once."""
    record = ConsentRecord.objects.create(
        participant=participant,
        kind=kind,
        is_given=is_given,
        recorded_by=by,
        recorded_at=timezone.now(),
        note=note,
    )
    field = (
        "has_consent_to_hold"
        if kind == ConsentRecord.Kind.HOLD_DATA
        else "has_consent_to_share"
    )
    setattr(participant, field, is_given)
    participant.save(update_fields=[field, "updated_at"])
    return record


# Related rows that follow a participant when two records of one person are merged.
_MERGED_RELATIONS = (
    Meeting,
    SkillsActionPlan,
    Support,
    Outcome,
    ConsentRecord,
    CaseNote,
    Enquiry,
)


@transaction.atomic
def participant_merge(
    *, keep: Participant, duplicate: Participant, by: User
) -> Participant:
    """Merge `duplicate` into `keep`: all history moves over, blanks are filled, and the
    duplicate record is deleted. Other apps' rows follow through `merge_hooks`."""
    if keep.pk == duplicate.pk:
        raise ValidationError("Choose two different records to merge.")
    if keep.academy_id != duplicate.academy_id:
        raise ValidationError("Only records of the same academy can be merged.")
    # A plan agreed the same day on both records would break one-plan-per-day.
    same_day = set(keep.plans.values_list("agreed_on", flat=True))
    clash = duplicate.plans.filter(agreed_on__in=same_day).first()
    if clash is not None:
        raise ValidationError(
            f"Both records have a plan agreed on {clash.agreed_on:%d %B %Y}. "
            "Change the date of one of them first."
        )
    for model in _MERGED_RELATIONS:
        model.objects.filter(participant=duplicate).update(participant=keep)
    _set_cohorts(
        keep,
        set(keep.cohorts.values_list("code", flat=True))
        | set(duplicate.cohorts.values_list("code", flat=True)),
    )
    for hook in merge_hooks:
        hook(keep, duplicate)
    for name in PARTICIPANT_FIELDS:
        if getattr(keep, name) in ("", None) and getattr(duplicate, name) not in (
            "",
            None,
        ):
            setattr(keep, name, getattr(duplicate, name))
    keep.registered_on = min(keep.registered_on, duplicate.registered_on)
    contacts = [c for c in (keep.last_contact_at, duplicate.last_contact_at) if c]
    keep.last_contact_at = max(contacts) if contacts else None
    keep.has_consent_to_share = (
        keep.has_consent_to_share and duplicate.has_consent_to_share
    )
    keep.save()
    _note(
        keep,
        f"Merged record {duplicate.reference} ({duplicate.full_name}) into this one.",
        by,
    )
    try:
        duplicate.delete()
    except IntegrityError as error:  # pragma: no cover - a hook left a protected row
        raise ValidationError(f"The duplicate could not be removed: {error}") from error
    return keep


# Functions (keep, duplicate) that other apps register to move their own rows on merge,
# so that participants never imports them (DESIGN.md: dependencies point one way).
merge_hooks: list[Any] = []
