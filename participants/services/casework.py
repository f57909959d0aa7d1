"""Writes of a coordinator's casework: registration, consent, meetings, plans, support,
outcomes, sustainment checks, closing and merging. Each saves all its parts or none."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from academy.models import Academy, User

from ..models import (
    CaseNote,
    ConsentRecord,
    Enquiry,
    Meeting,
    Outcome,
    Participant,
    ParticipantCohort,
    PlanAction,
    PlanReview,
    SkillsActionPlan,
    Support,
    SustainmentCheck,
)

SUSTAINMENT_WEEKS = (13, 26)

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


@dataclass(frozen=True)
class NewAction:
    """An action typed into a plan form."""

    description: str
    owner: str
    due_on: dt.date


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


@transaction.atomic
def meeting_log(*, participant: Participant, by: User, **fields: Any) -> Meeting:
    """Log a meeting and move the participant's last contact forward."""
    meeting = Meeting(participant=participant, recorded_by=by, **fields)
    meeting.full_clean()
    meeting.save()
    if (
        participant.last_contact_at is None
        or meeting.held_at > participant.last_contact_at
    ):
        participant.last_contact_at = meeting.held_at
        participant.save(update_fields=["last_contact_at", "updated_at"])
    return meeting


def _check_actions(actions: Sequence[NewAction], agreed_on: dt.date) -> None:
    for number, action in enumerate(actions, start=1):
        if action.due_on < agreed_on:
            raise ValidationError(
                f"Action {number} ('{action.description}') is due before the plan was "
                "agreed. Give a due date on or after the day the plan was agreed."
            )


@transaction.atomic
def plan_agree(
    *,
    participant: Participant,
    by: User,
    agreed_on: dt.date,
    pathway: str,
    target_role: str,
    barriers: Sequence[str],
    goals: str = "",
    actions: Sequence[NewAction] = (),
) -> SkillsActionPlan:
    """Agree a skills action plan with its first actions, all saved together."""
    if agreed_on > timezone.localdate():
        raise ValidationError("A plan cannot be agreed in the future. Check the date.")
    _check_actions(actions, agreed_on)
    plan = SkillsActionPlan(
        participant=participant,
        agreed_on=agreed_on,
        pathway=pathway,
        target_role=target_role,
        barriers=sorted(set(barriers)),
        goals=goals,
        agreed_by=by,
    )
    try:
        plan.full_clean()
    except ValidationError as error:
        if "__all__" in error.message_dict:
            raise ValidationError(
                f"A plan agreed on {agreed_on:%d %B %Y} already exists. "
                "Review that plan instead."
            ) from error
        raise
    plan.save()
    PlanAction.objects.bulk_create(
        PlanAction(plan=plan, description=a.description, owner=a.owner, due_on=a.due_on)
        for a in actions
    )
    return plan


@transaction.atomic
def plan_review(
    *,
    plan: SkillsActionPlan,
    by: User,
    reviewed_on: dt.date,
    summary: str,
    pathway: str,
    target_role: str,
    barriers: Sequence[str],
    status: str,
    actions: Sequence[NewAction] = (),
) -> PlanReview:
    """Review a plan: change what was agreed, add actions, and note what changed."""
    if reviewed_on < plan.agreed_on:
        raise ValidationError("A review cannot be dated before the plan was agreed.")
    if reviewed_on > timezone.localdate():
        raise ValidationError("A review cannot be dated in the future. Check the date.")
    _check_actions(actions, reviewed_on)
    plan.pathway = pathway
    plan.target_role = target_role
    plan.barriers = sorted(set(barriers))
    plan.status = status
    plan.full_clean()
    plan.save()
    PlanAction.objects.bulk_create(
        PlanAction(plan=plan, description=a.description, owner=a.owner, due_on=a.due_on)
        for a in actions
    )
    review = PlanReview(
        plan=plan, reviewed_on=reviewed_on, summary=summary, reviewed_by=by
    )
    review.full_clean()
    review.save()
    return review


def plan_action_complete(*, action: PlanAction, on: dt.date) -> PlanAction:
    """Mark an action done on the given day."""
    action.completed_on = on
    action.save(update_fields=["completed_on"])
    return action


def plan_action_reopen(*, action: PlanAction) -> PlanAction:
    """Undo a completion recorded by mistake."""
    action.completed_on = None
    action.save(update_fields=["completed_on"])
    return action


def support_record(*, participant: Participant, by: User, **fields: Any) -> Support:
    """Record support given."""
    support = Support(participant=participant, recorded_by=by, **fields)
    if support.given_on and support.given_on > timezone.localdate():
        raise ValidationError({"given_on": "Support cannot be given in the future."})
    support.full_clean()
    support.save()
    return support


@transaction.atomic
def outcome_record(
    *, participant: Participant, by: User | None, **fields: Any
) -> Outcome:
    """Record an outcome; an employment start also schedules its sustainment checks."""
    outcome = Outcome(participant=participant, recorded_by=by, **fields)
    if outcome.kind == Outcome.Kind.EMPLOYMENT and not outcome.sector:
        raise ValidationError(
            {
                "sector": "Choose the sector of the job: health or social care, "
                "or another."
            }
        )
    if outcome.kind != Outcome.Kind.EMPLOYMENT:
        outcome.sector = outcome.sector if outcome.sector else ""
    outcome.full_clean()
    outcome.save()
    if outcome.kind == Outcome.Kind.EMPLOYMENT:
        sustainment_checks_schedule(outcome=outcome)
    return outcome


def sustainment_checks_schedule(*, outcome: Outcome) -> list[SustainmentCheck]:
    """Create the 13- and 26-week checks of an employment start."""
    today = timezone.localdate()
    checks = []
    for weeks in SUSTAINMENT_WEEKS:
        due_on = outcome.started_on + dt.timedelta(weeks=weeks)
        status = (
            SustainmentCheck.Status.DUE
            if due_on <= today
            else SustainmentCheck.Status.SCHEDULED
        )
        check, _ = SustainmentCheck.objects.get_or_create(
            outcome=outcome, weeks=weeks, defaults={"due_on": due_on, "status": status}
        )
        checks.append(check)
    return checks


def sustainment_checks_raise(*, today: dt.date) -> int:
    """Mark scheduled checks whose day has come as due; return how many."""
    return SustainmentCheck.objects.filter(
        status=SustainmentCheck.Status.SCHEDULED, due_on__lte=today
    ).update(status=SustainmentCheck.Status.DUE)


def sustainment_check_record(
    *,
    check: SustainmentCheck,
    by: User,
    is_in_work: bool,
    confirmed_how: str,
    confirmed_by: str,
    checked_on: dt.date,
) -> SustainmentCheck:
    """Record the answer of a sustainment check."""
    if checked_on > timezone.localdate():
        raise ValidationError({"checked_on": "A check cannot be made in the future."})
    if checked_on < check.outcome.started_on:
        raise ValidationError(
            {"checked_on": "A check cannot be made before the job started."}
        )
    check.is_in_work = is_in_work
    check.confirmed_how = confirmed_how
    check.confirmed_by = confirmed_by
    check.checked_on = checked_on
    check.checked_by = by
    check.status = SustainmentCheck.Status.DONE
    check.full_clean()
    check.save()
    return check


def _note(participant: Participant, text: str, by: User | None) -> CaseNote:
    return CaseNote.objects.create(
        participant=participant, text=text, written_by=by, written_at=timezone.now()
    )


@transaction.atomic
def case_close(
    *,
    participant: Participant,
    by: User,
    reason: str,
    note: str = "",
    on: dt.date | None = None,
) -> Participant:
    """Close a case with a reason."""
    if not participant.is_open:
        raise ValidationError("This case is already closed.")
    participant.status = Participant.Status.CLOSED
    participant.closed_on = on or timezone.localdate()
    participant.close_reason = reason
    participant.close_note = note
    participant.full_clean()
    participant.save()
    label = Participant.CloseReason(reason).label
    _note(participant, f"Case closed: {label}." + (f" {note}" if note else ""), by)
    return participant


@transaction.atomic
def case_reopen(*, participant: Participant, by: User, note: str = "") -> Participant:
    """Reopen a closed case."""
    if participant.is_open:
        raise ValidationError("This case is already open.")
    participant.status = Participant.Status.OPEN
    participant.closed_on = None
    participant.close_reason = ""
    participant.close_note = ""
    participant.save()
    _note(participant, "Case reopened." + (f" {note}" if note else ""), by)
    return participant


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

__all__ = [
    "PARTICIPANT_FIELDS",
    "SUSTAINMENT_WEEKS",
    "NewAction",
    "case_close",
    "case_reopen",
    "consent_set",
    "meeting_log",
    "merge_hooks",
    "normalise_phone",
    "normalise_postcode",
    "outcome_record",
    "participant_merge",
    "participant_next_reference",
    "participant_register",
    "participant_update",
    "plan_action_complete",
    "plan_action_reopen",
    "plan_agree",
    "plan_review",
    "support_record",
    "sustainment_check_record",
    "sustainment_checks_raise",
    "sustainment_checks_schedule",
]
