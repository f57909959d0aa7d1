"""Writes of referrals: referring, moving along the pipeline, the outcome a start
records (once), and what follows merges and outcomes recorded by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from academy import rules
from academy.models import User
from participants import services as casework
from participants.models import Outcome, Participant
from participants.selectors.outcomes import employers_match, outcome_same_start

from .. import selectors
from ..matching import blockers_said
from ..models import Referral, ReferralEvent, TrainingOpportunity, Vacancy
from . import referral_notices

# Where a referral may go next. Finished stages go nowhere.
NEXT_STAGES: dict[str, tuple[str, ...]] = {
    Referral.Stage.SUGGESTED: (Referral.Stage.REFERRED, Referral.Stage.WITHDRAWN),
    Referral.Stage.REFERRED: (
        Referral.Stage.INTERVIEW,
        Referral.Stage.OFFERED,
        Referral.Stage.UNSUCCESSFUL,
        Referral.Stage.WITHDRAWN,
    ),
    Referral.Stage.INTERVIEW: (
        Referral.Stage.OFFERED,
        Referral.Stage.UNSUCCESSFUL,
        Referral.Stage.WITHDRAWN,
    ),
    Referral.Stage.OFFERED: (
        Referral.Stage.STARTED,
        Referral.Stage.UNSUCCESSFUL,
        Referral.Stage.WITHDRAWN,
    ),
}


@transaction.atomic
def referral_create(
    *,
    participant: Participant,
    by: User,
    vacancy: Vacancy | None = None,
    training: TrainingOpportunity | None = None,
    note: str = "",
    stage: str = Referral.Stage.REFERRED,
    blockers_confirmed: Collection[str] = (),
) -> Referral:
    """Refer a participant, only with their consent to share their details; a match
    something rules out (a blocker), only when the caller confirms those blockers by
    kind (`blockers_confirmed`: the kinds shown and ticked)."""
    opportunity = vacancy or training
    if opportunity is None or (vacancy and training):
        raise ValidationError("Refer to one vacancy or one training place.")
    if opportunity.academy_id != participant.academy_id:
        raise ValidationError("That opportunity is not one of this academy's.")
    if not participant.has_consent_to_share:
        raise ValidationError(
            f"{participant.full_name} has not agreed to their details being shared "
            "with providers, so they cannot be referred. Ask them, and record their "
            "consent first."
        )
    if not participant.is_open:
        raise ValidationError("The case is closed. Reopen it to refer the person.")
    if vacancy and not vacancy.is_open_on(timezone.localdate()):
        raise ValidationError("This vacancy is not open.")
    if training and not training.is_open:
        raise ValidationError("This training place is not open.")
    existing = Referral.objects.filter(
        participant=participant, vacancy=vacancy, training=training
    ).first()
    if existing is not None:
        raise ValidationError(
            f"{participant.full_name} is already referred to this "
            f"({existing.get_stage_display().lower()})."
        )
    _blockers_check(
        participant=participant,
        vacancy=vacancy,
        training=training,
        confirmed=blockers_confirmed,
    )
    referral = Referral.objects.create(
        participant=participant,
        vacancy=vacancy,
        training=training,
        stage=stage,
        note=note,
        created_by=by,
    )
    ReferralEvent.objects.create(
        referral=referral, stage=stage, on=timezone.localdate(), note=note, by=by
    )
    if stage == Referral.Stage.REFERRED:
        referral_notices.referral_received_tell(referral=referral)
    return referral


def _blockers_check(
    *,
    participant: Participant,
    vacancy: Vacancy | None,
    training: TrainingOpportunity | None,
    confirmed: Collection[str],
) -> None:
    """Refuse a blocked match unless every blocker was confirmed (issue 15: referable
    only with a confirmation that names the blocker)."""
    match = selectors.match_get(
        participant=participant, vacancy=vacancy, training=training
    )
    unconfirmed = [b for b in match.blockers if b.kind not in confirmed]
    if not unconfirmed:
        return
    said = blockers_said(unconfirmed)
    opportunity = vacancy or training
    if confirmed:
        raise ValidationError(
            f"Not referred: since the page was shown, {participant.full_name} is also "
            f"blocked from {opportunity}: {said}. Check, and confirm again."
        )
    raise ValidationError(
        f"Not referred: {participant.full_name} is blocked from {opportunity}: "
        f"{said}. To refer them all the same, tick \u201cRefer anyway\u201d to confirm."
    )


PLACE_MAX = 200  # Referral.interview_place


def interview_said(referral: Referral) -> str:
    """When and where the interview is: 'Fri 12 Jun 2026, 14:30, Oak House'."""
    if referral.interview_at is None:
        return ""
    when = timezone.localtime(referral.interview_at)
    said = f"{when:%a} {when.day} {when:%b %Y, %H:%M}"
    place = referral_notices.place_in_sentence(referral.interview_place)
    return f"{said}, {place}" if place else said


def _interview_set(referral: Referral, *, at: dt.datetime | None, place: str) -> None:
    """Check and set the interview's date, time and place: all given, in the future."""
    place = " ".join(place.split())
    errors: dict[str, str] = {}
    if at is None:
        errors["interview_on"] = "Give the date and time of the interview."
    elif timezone.is_naive(at):
        raise ValueError("An interview's time must be aware.")
    elif at <= timezone.now():
        errors["interview_on"] = (
            "The interview's date and time have passed. Give a time in the future."
        )
    if not place:
        errors["interview_place"] = (
            "Say where the interview is: an address, or by phone or video call."
        )
    elif len(place) > PLACE_MAX:
        errors["interview_place"] = "Say where in 200 characters or fewer."
    if errors:
        raise ValidationError(errors)
    referral.interview_at = at
    referral.interview_place = place


def _noted(interview: str, note: str) -> str:
    # A full stop ends the place: the note must not run into it on one line.
    return f"Interview: {interview}" + (f".\n{note}" if note else "")


def _move_date_check(referral: Referral, on: dt.date) -> None:
    """A move happened on or after the referral was made and the move before it (a
    history in order: not 'Interview arranged, 1 Jan 1900' before the referral)."""
    made = timezone.localdate(referral.created_at)
    moves = list(referral.events.order_by("at", "pk").values_list("stage", "on"))
    # Never after today (a clock set back in a test; a record's day has happened).
    made = min([made, timezone.localdate(), *(day for _, day in moves[:1])])
    if on < made:
        raise ValidationError(
            f"The referral was made on {made:%-d %b %Y}: the date it happened "
            "cannot be before that.",
            code="before_referral",
        )
    stage, day = max(moves, key=lambda move: move[1], default=("", on))
    if on < day:
        raise ValidationError(
            f"It moved to {Referral.Stage(stage).label.lower()} on {day:%-d %b %Y}: "
            "the date it happened cannot be before that.",
            code="before_last_move",
        )


@transaction.atomic
def referral_advance(
    *,
    referral: Referral,
    to: str,
    by: User,
    on: dt.date | None = None,
    note: str = "",
    link_outcome: bool = True,
    interview_at: dt.datetime | None = None,
    interview_place: str = "",
) -> Referral:
    """Move a referral one pipeline step; a start also records the Outcome, once.

    A start links to the outcome already recorded for it (same person, kind and
    employer within two weeks, see `start_outcome_match`) unless `link_outcome` is
    off: then it is a different job, recorded as a new outcome. An interview is
    arranged with its date, time (`interview_at`, aware) and place; moving on keeps
    them as the record of it. Those it concerns are told (`referral_notices`).
    """
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related(
            "participant", "vacancy__organisation", "training__organisation"
        )
        .get(pk=referral.pk)
    )
    on = on or timezone.localdate()
    allowed = NEXT_STAGES.get(referral.stage, ())
    if to not in allowed:
        current = referral.get_stage_display().lower()
        target = Referral.Stage(to).label.lower() if to in Referral.Stage.values else to
        raise ValidationError(f"A referral that is {current} cannot move to {target}.")
    try:
        rules.date_not_future(on, what="The date it happened")
        _move_date_check(referral, on)
    except ValidationError as error:
        raise ValidationError({"on": error.messages}) from error
    was = referral.stage
    referral.stage = to
    if note:
        referral.note = note
    event_note = note
    if to == Referral.Stage.INTERVIEW:
        _interview_set(referral, at=interview_at, place=interview_place)
        event_note = _noted(interview_said(referral), note)
    if to == Referral.Stage.STARTED and referral.outcome_id is None:
        match = start_outcome_match(referral=referral, on=on) if link_outcome else None
        outcome = match or casework.outcome_record(
            participant=referral.participant, by=by, **_start_fields(referral, on=on)
        )
        referral.outcome_id = outcome.pk
    referral.save()
    ReferralEvent.objects.create(
        referral=referral, stage=to, on=on, note=event_note, by=by
    )
    referral_notices.referral_moved_tell(referral=referral, was=was, by=by)
    return referral


@transaction.atomic
def referral_interview_rearrange(
    *,
    referral: Referral,
    by: User,
    interview_at: dt.datetime | None,
    interview_place: str,
    note: str = "",
) -> Referral:
    """Give an arranged interview a new date, time or place; the move is noted on the
    referral's history and those it concerns are told again."""
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related(
            "participant", "vacancy__organisation", "training__organisation"
        )
        .get(pk=referral.pk)
    )
    if referral.stage != Referral.Stage.INTERVIEW:
        raise ValidationError(
            "Only an arranged interview can be rearranged: this referral is "
            f"{referral.get_stage_display().lower()}."
        )
    before = (referral.interview_at, referral.interview_place)
    _interview_set(referral, at=interview_at, place=interview_place)
    if (referral.interview_at, referral.interview_place) == before:
        raise ValidationError(
            "That is when and where the interview is already. Change the date, the "
            "time or the place."
        )
    referral.save(update_fields=["interview_at", "interview_place", "updated_at"])
    ReferralEvent.objects.create(
        referral=referral,
        stage=Referral.Stage.INTERVIEW,
        on=timezone.localdate(),
        note=_noted(f"moved to {interview_said(referral)}", note),
        by=by,
    )
    referral_notices.interview_rearranged_tell(referral=referral, by=by, was=before[0])
    return referral


def _start_fields(referral: Referral, *, on: dt.date) -> dict[str, Any]:
    """The casework Outcome a start records: a job in care, or the training."""
    if referral.vacancy is not None:
        vacancy = referral.vacancy
        return {
            "kind": Outcome.Kind.EMPLOYMENT,
            "sector": Outcome.Sector.HEALTH_SOCIAL_CARE,
            "started_on": on,
            "employer": vacancy.organisation.name,
            "role": vacancy.get_role_display(),
            "hours_per_week": vacancy.hours_per_week,
            "hourly_pay": vacancy.pay_min
            if vacancy.pay_unit == Vacancy.PayUnit.HOURLY
            else None,
            "evidence": f"Started through referral to vacancy '{vacancy.title}'",
        }
    training = referral.opportunity
    assert isinstance(training, TrainingOpportunity)  # noqa: S101
    kind = (
        Outcome.Kind.WORK_EXPERIENCE
        if training.kind == TrainingOpportunity.Kind.PLACEMENT
        else Outcome.Kind.TRAINING
    )
    return {
        "kind": kind,
        "started_on": on,
        "employer": training.organisation.name,
        "role": training.title,
        "evidence": f"Started through referral to '{training.title}'",
    }


def start_outcome_match(*, referral: Referral, on: dt.date) -> Outcome | None:
    """The outcome already recorded for this referral's start, if any: same person,
    kind and employer within two weeks, and not the start of another referral."""
    fields = _start_fields(referral, on=on)
    linked = Referral.objects.exclude(outcome_id=None).exclude(pk=referral.pk)
    return outcome_same_start(
        participant_id=referral.participant_id,
        kind=fields["kind"],
        employer=fields["employer"],
        started_on=on,
        exclude_ids=linked.values("outcome_id"),
    )


def referral_for_outcome(outcome: Outcome) -> tuple[str, str] | None:
    """The open referral an outcome recorded by hand may be the start of, as an offer
    to mark it started (participants' outcome follow-up hook)."""
    kinds: dict[str, Q] = {
        Outcome.Kind.EMPLOYMENT: Q(vacancy__isnull=False),
        Outcome.Kind.TRAINING: Q(training__isnull=False),
        Outcome.Kind.WORK_EXPERIENCE: Q(training__isnull=False),
    }
    if outcome.kind not in kinds or not outcome.employer.strip():
        return None
    for referral in (
        Referral.objects.filter(participant_id=outcome.participant_id)
        .filter(kinds[outcome.kind])
        .exclude(stage__in=[s for s in Referral.Stage if s not in NEXT_STAGES])
        .select_related("vacancy__organisation", "training__organisation")
    ):
        if employers_match(referral.opportunity.organisation.name, outcome.employer):
            return (
                f"Mark the referral to {referral.opportunity} as started here: it "
                "will be linked to the outcome you recorded, not counted twice.",
                referral.get_absolute_url(),
            )
    return None


def referral_outcome_replace(kept: Outcome, removed: Outcome) -> None:
    """Point the referral whose start was `removed` at `kept` (participants' hook
    when one start recorded twice is resolved)."""
    if Referral.objects.filter(outcome_id=kept.pk).exists() and (
        Referral.objects.filter(outcome_id=removed.pk).exists()
    ):
        raise ValidationError(
            "Both records are the starts of different referrals, so they are two "
            "starts. Resolve them as different jobs."
        )
    Referral.objects.filter(outcome_id=removed.pk).update(outcome_id=kept.pk)


def merge_referrals(keep: Participant, duplicate: Participant) -> None:
    """Move a duplicate's referrals, with their history, to the kept record
    (participants' merge hook). One to an opportunity the kept record is also referred
    to is kept too, marked as merged from the duplicate's reference."""
    for referral in Referral.objects.filter(participant=duplicate):
        clash = Referral.objects.filter(
            participant=keep,
            vacancy=referral.vacancy,
            training=referral.training,
            merged_from="",
        ).exists()
        referral.participant = keep
        referral.academy_id = keep.academy_id
        if clash:
            referral.merged_from = duplicate.reference
        referral.save(
            update_fields=["participant", "academy", "merged_from", "updated_at"]
        )
