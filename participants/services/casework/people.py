"""Writes about the person: registration, details (with the right-to-work check),
consent and merging two records of one person."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from academy import rules
from academy.home import academy_homes_refresh, home_refresh
from academy.models import Academy, Membership, User
from academy.permissions import Role
from academy.registry import Registry
from academy.services import membership_update

from ...models import (
    Appointment,
    CaseNote,
    ConsentRecord,
    Enquiry,
    Meeting,
    Outcome,
    Participant,
    ParticipantCohort,
    SkillsActionPlan,
    Support,
    Task,
)
from .records import _note
from .right_to_work import (
    CHECK_FIELDS,
    RightToWorkCheck,
    has_complete_check,
    right_to_work_check_record,
)
from .tasks import tasks_hand_all

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
    "right_to_work_checked_on",
    "right_to_work_document",
)
# Who checked the right to work is never typed: right_to_work_check_record sets it.
_RIGHT_TO_WORK = ("right_to_work", *CHECK_FIELDS)


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


def _registered_check(participant: Participant) -> None:
    try:
        rules.date_not_future(participant.registered_on, what="The registration date")
    except ValidationError as error:
        raise ValidationError({"registered_on": error.messages}) from error


# Fields _clean_contact may change, so saved with any edit.
_CLEANED = ("first_name", "last_name", "email", "postcode", "benefit_type")


def _clean_contact(participant: Participant) -> None:
    participant.first_name = participant.first_name.strip()
    participant.last_name = participant.last_name.strip()
    participant.email = participant.email.strip().lower()
    try:
        participant.postcode = rules.postcode_clean(participant.postcode)
    except ValidationError as error:
        raise ValidationError({"postcode": error.messages}) from error
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
    _registered_check(participant)
    checked = right_to_work_check_record(participant, before=RightToWorkCheck(), by=by)
    participant.reference = participant_next_reference(academy=academy)
    if participant.coordinator is None:
        participant.coordinator = by
    _clean_contact(participant)
    participant.full_clean()
    participant.save()
    if checked:
        _note(participant, checked, by)
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
    """Save edited details and cohorts of a participant; a change to the right to work
    records, keeps or clears its check (right_to_work_check_record) and says so on
    the timeline."""
    if participant.is_erased:
        raise ValidationError("This person was erased: their details cannot be edited.")
    unknown = set(fields) - set(PARTICIPANT_FIELDS)
    if unknown:
        raise TypeError(f"not participant fields: {sorted(unknown)}")
    checks_right_to_work = bool(set(fields) & set(_RIGHT_TO_WORK))
    before = RightToWorkCheck.stored(participant) if checks_right_to_work else None
    for name, value in fields.items():
        setattr(participant, name, value)
    _registered_check(participant)
    checked = (
        right_to_work_check_record(participant, before=before, by=by)
        if before is not None
        else ""
    )
    _clean_contact(participant)
    participant.full_clean()
    # Only what was edited: a stale copy must not write back consent, status or
    # contact times that changed since it was read.
    participant.save(
        update_fields=[
            *_CLEANED,
            *fields,
            *(_RIGHT_TO_WORK if checks_right_to_work else ()),
            "updated_at",
        ]
    )
    _set_cohorts(participant, cohorts)
    if checked:
        _note(participant, checked, by)
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
    record = ConsentRecord(
        participant=participant,
        kind=kind,
        is_given=is_given,
        recorded_by=by,
        recorded_at=timezone.now(),
        note=note,
    )
    consent_records_add(records=[record])
    participant.refresh_from_db(fields=[*_CONSENT_FIELDS.values(), "updated_at"])
    return record


def consent_records_add(*, records: Sequence[ConsentRecord]) -> None:
    """Add entries to consent ledgers (in bulk: imports use this too), then show each
    person's consent as their ledger's latest entry."""
    ConsentRecord.objects.bulk_create(records, batch_size=_REFRESH_CHUNK)
    consent_refresh(participant_ids={record.participant_id for record in records})


_CONSENT_FIELDS = {
    ConsentRecord.Kind.HOLD_DATA: "has_consent_to_hold",
    ConsentRecord.Kind.SHARE_WITH_PROVIDERS: "has_consent_to_share",
}
_REFRESH_CHUNK = 2_000


def consent_refresh(*, participant_ids: Iterable[int]) -> None:
    """Set each participant's shown consent to the latest entry of their ledger (no
    entry: not given). The only writer of `has_consent_to_*`: the ledger is truth."""

    def latest(kind: str) -> Coalesce:
        entry = ConsentRecord.objects.filter(
            participant=OuterRef("pk"), kind=kind
        ).order_by("-recorded_at", "-pk")
        return Coalesce(Subquery(entry.values("is_given")[:1]), Value(False))

    ids = list(participant_ids)
    for start in range(0, len(ids), _REFRESH_CHUNK):
        Participant.objects.filter(pk__in=ids[start : start + _REFRESH_CHUNK]).update(
            **{field: latest(kind) for kind, field in _CONSENT_FIELDS.items()},
            updated_at=timezone.now(),
        )


# Related rows that follow a participant when two records of one person are merged.
_MERGED_RELATIONS = (
    Meeting,
    SkillsActionPlan,
    Support,
    Outcome,
    ConsentRecord,
    CaseNote,
    Enquiry,
    Task,
    Appointment,
)
ALREADY_MERGED = (
    "{reference} has already been merged into another record (by a colleague, or by "
    "this form sent twice), so nothing was changed. Find the person again to see the "
    "record that remains."
)


def _lock_pair(keep_pk: int, duplicate_pk: int) -> dict[int, Participant]:
    """Lock both records, lowest id first (so that two merges of one pair, from either
    side, queue instead of deadlocking), and return those that still exist."""
    found: dict[int, Participant] = {}
    for pk in sorted((keep_pk, duplicate_pk)):
        person = Participant.objects.select_for_update().filter(pk=pk).first()
        if person is not None:
            found[pk] = person
    return found


@transaction.atomic
def participant_merge(
    *, keep: Participant, duplicate: Participant, by: User
) -> Participant:
    """Merge `duplicate` into `keep`: all history moves over (every record of both
    people survives), blanks are filled, and the duplicate record is deleted. Other
    apps' rows follow through `merge_hooks`.

    Both records are locked and read again first: a merge that a colleague (or a
    resent form) has already done is refused, and changes nothing.
    """
    if keep.pk == duplicate.pk:
        raise ValidationError("Choose two different records to merge.")
    locked = _lock_pair(keep.pk, duplicate.pk)
    for asked in (duplicate, keep):
        if asked.pk not in locked:
            raise ValidationError(ALREADY_MERGED.format(reference=asked.reference))
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
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
        if name in _RIGHT_TO_WORK:
            continue
        if getattr(keep, name) in ("", None) and getattr(duplicate, name) not in (
            "",
            None,
        ):
            setattr(keep, name, getattr(duplicate, name))
    # A right-to-work check moves whole (status, day, who, document), never in parts:
    # the duplicate's complete one replaces what the kept record lacks.
    if not has_complete_check(keep) and has_complete_check(duplicate):
        for name in _RIGHT_TO_WORK:
            setattr(keep, name, getattr(duplicate, name))
    keep.registered_on = min(keep.registered_on, duplicate.registered_on)
    contacts = [c for c in (keep.last_contact_at, duplicate.last_contact_at) if c]
    keep.last_contact_at = max(contacts) if contacts else None
    keep.save(
        update_fields=[
            *PARTICIPANT_FIELDS,
            "right_to_work_checked_by",
            "registered_on",
            "last_contact_at",
            "updated_at",
        ]
    )
    # Both ledgers are one now: the shown consent is its latest entry.
    consent_refresh(participant_ids=[keep.pk])
    keep.refresh_from_db()
    _note(
        keep,
        f"Merged record {duplicate.reference} ({duplicate.full_name}) into this one.",
        by,
    )
    duplicate.delete()
    # No home kept a minute may lead to the record merged away (once this commits).
    transaction.on_commit(partial(academy_homes_refresh, keep.academy_id))
    return keep


# Functions (keep, duplicate) that other apps register to move their own rows on merge,
# so that participants never imports them (DESIGN.md: dependencies point one way).
merge_hooks: Registry[Callable[[Participant, Participant], None]] = Registry(
    "merging two records"
)


@transaction.atomic
def caseload_reassign(
    *, leaver: Membership, to: Membership, by: User, deactivate: bool = False
) -> int:
    """Give every person coordinated by `leaver` in their academy to `to`, noting it on
    each timeline, with the leaver's open tasks and the appointments booked ahead in
    their diary; optionally end the leaver's access. Return how many people moved."""
    if to.academy_id != leaver.academy_id or to.pk == leaver.pk:
        raise ValidationError({"to": "Choose a colleague in this academy."})
    if to.role not in CASELOAD_ROLES or not to.is_active:
        raise ValidationError(
            {"to": "Choose an active coordinator or admin to take the caseload."}
        )
    people = Participant.objects.select_for_update().filter(
        academy_id=leaver.academy_id, coordinator_id=leaver.user_id
    )
    ids = list(people.values_list("pk", flat=True))
    Participant.objects.filter(pk__in=ids).update(
        coordinator_id=to.user_id, updated_at=timezone.now()
    )
    now = timezone.now()
    CaseNote.objects.bulk_create(
        CaseNote(
            participant_id=pk,
            text=f"Caseload moved from {leaver.user} to {to.user}.",
            written_by=by,
            written_at=now,
        )
        for pk in ids
    )
    tasks_hand_all(academy=leaver.academy, owner=leaver.user, to=to.user, by=by)
    Appointment.objects.for_academy(leaver.academy).filter(
        coordinator_id=leaver.user_id,
        status=Appointment.Status.BOOKED,
        starts_at__gt=now,
    ).update(coordinator_id=to.user_id, updated_at=now)
    if deactivate and leaver.is_active:
        membership_update(
            membership=leaver,
            role=Role(leaver.role),
            organisation=leaver.organisation,
            is_active=False,
        )
    # Both coordinators' homes show the move at once (once this commits).
    for user_id in (leaver.user_id, to.user_id):
        transaction.on_commit(partial(home_refresh, user_id))
    return len(ids)


# Who can hold a caseload.
CASELOAD_ROLES = (Role.COORDINATOR, Role.ADMIN)
