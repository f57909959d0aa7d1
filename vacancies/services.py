"""Every write of the vacancies app: posting, pausing and closing, training places,
referrals and their pipeline, and the postcode table."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from academy import rules
from academy.models import Membership, Organisation, User
from academy.permissions import Role
from participants import services as casework
from participants.models import Outcome, Participant
from participants.selectors.outcomes import employer_key, outcome_same_start

from . import tasks
from .geo import place_of, postcode_parts
from .models import Postcode, Referral, ReferralEvent, TrainingOpportunity, Vacancy

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


def _place(obj: Vacancy | TrainingOpportunity, *, required: bool) -> None:
    """Normalise the postcode and store its centroid; refuse one we cannot place."""
    if not obj.postcode:
        obj.latitude = obj.longitude = None
        return
    parts = postcode_parts(obj.postcode)
    if parts is None:
        raise ValidationError({"postcode": f"'{obj.postcode}' is not a UK postcode."})
    obj.postcode = parts[1]
    place = place_of(obj.postcode)
    if place is None and required:
        raise ValidationError(
            {
                "postcode": f"We cannot find where {obj.postcode} is. Check it, or ask "
                "the academy's admin to load the postcode directory."
            }
        )
    obj.latitude = place.latitude if place else None
    obj.longitude = place.longitude if place else None


@transaction.atomic
def vacancy_save(*, vacancy: Vacancy, by: User, notify: bool = True) -> Vacancy:
    """Post or update a vacancy; coordinators hear at once of a new critical shortage
    (unless `notify` is off, as when seeding the demo)."""
    today = timezone.localdate()
    before = (
        Vacancy.objects.filter(pk=vacancy.pk)
        .values("closing_on", "is_critical_shortage")
        .first()
    )
    if vacancy.closing_on < today and (
        before is None or before["closing_on"] != vacancy.closing_on
    ):
        raise ValidationError(
            {"closing_on": "The closing date has passed. Choose today or later."}
        )
    if vacancy.pay_max is not None and vacancy.pay_max < vacancy.pay_min:
        raise ValidationError(
            {"pay_max": "The highest pay is below the lowest. Swap them."}
        )
    try:
        rules.pay_check(
            amount=vacancy.pay_min,
            unit=vacancy.pay_unit,
            hours_per_week=vacancy.hours_per_week,
            on=vacancy.starts_on or vacancy.closing_on,
        )
    except ValidationError as error:
        raise ValidationError({"pay_min": error.messages}) from error
    if vacancy.organisation.academy_id != vacancy.academy_id:
        raise ValidationError(
            {"organisation": "Choose an organisation of this academy."}
        )
    _place(vacancy, required=True)
    if vacancy.pk is None:
        vacancy.created_by = by
    vacancy.full_clean()
    vacancy.save()
    was_critical = bool(before and before["is_critical_shortage"])
    newly_critical = vacancy.is_critical_shortage and not was_critical
    if notify and newly_critical and vacancy.status == Vacancy.Status.OPEN:
        transaction.on_commit(lambda: tasks.critical_shortage_notify.delay(vacancy.pk))
    return vacancy


@dataclass(frozen=True)
class VacancyMove:
    """A status a vacancy may move to, as its page offers it."""

    to: str
    button: str  # "Pause"
    done: str  # "paused"
    style: str  # the button's Bootstrap class


# Where a vacancy may go from each status (the service refuses any other move).
VACANCY_MOVES: dict[str, tuple[VacancyMove, ...]] = {
    Vacancy.Status.OPEN: (
        VacancyMove(Vacancy.Status.PAUSED, "Pause", "paused", "btn-outline-secondary"),
        VacancyMove(Vacancy.Status.CLOSED, "Close", "closed", "btn-outline-danger"),
    ),
    Vacancy.Status.PAUSED: (
        VacancyMove(Vacancy.Status.OPEN, "Re-open", "re-opened", "btn-outline-primary"),
        VacancyMove(Vacancy.Status.CLOSED, "Close", "closed", "btn-outline-danger"),
    ),
    Vacancy.Status.CLOSED: (
        VacancyMove(Vacancy.Status.OPEN, "Re-open", "re-opened", "btn-outline-primary"),
    ),
}


def vacancy_status_set(*, vacancy: Vacancy, status: str) -> VacancyMove:
    """Pause, close or re-open a vacancy; return the move made. Raises
    ValidationError for a move its status does not allow."""
    move = next((m for m in VACANCY_MOVES[vacancy.status] if m.to == status), None)
    if move is None:
        current = vacancy.get_status_display().lower()
        raise ValidationError(
            f"This vacancy is {current}; choose one of the buttons on its page."
        )
    if status == Vacancy.Status.OPEN and vacancy.closing_on < timezone.localdate():
        raise ValidationError(
            "The closing date has passed: edit the vacancy to give a new one, then "
            "re-open it."
        )
    vacancy.status = status
    vacancy.closed_at = timezone.now() if status == Vacancy.Status.CLOSED else None
    vacancy.save(update_fields=["status", "closed_at", "updated_at"])
    return move


def vacancies_close_expired(*, today: dt.date) -> int:
    """Close open or paused vacancies past their closing date; return how many."""
    return Vacancy.objects.filter(
        status__in=[Vacancy.Status.OPEN, Vacancy.Status.PAUSED], closing_on__lt=today
    ).update(
        status=Vacancy.Status.CLOSED,
        closed_at=timezone.now(),
        updated_at=timezone.now(),
    )


def critical_shortage_notify(*, vacancy: Vacancy) -> int:
    """E-mail the academy's coordinators about a critical shortage; return how many."""
    coordinators = list(
        Membership.objects.active()
        .filter(academy_id=vacancy.academy_id, role=Role.COORDINATOR)
        .values_list("user__email", flat=True)
    )
    if not coordinators:
        return 0
    context = {
        "vacancy": vacancy,
        "link": settings.SITE_URL.rstrip("/")
        + reverse("vacancies:matches", args=[vacancy.pk]),
    }
    subject = render_to_string("emails/critical_shortage_subject.txt", context).strip()
    body = render_to_string("emails/critical_shortage_body.txt", context)
    return send_mass_mail([(subject, body, None, [email]) for email in coordinators])


def training_save(*, training: TrainingOpportunity) -> TrainingOpportunity:
    """Offer or update a training place, placement or interview-preparation session."""
    if training.pk is None and training.starts_on < timezone.localdate():
        raise ValidationError(
            {"starts_on": "The start date has passed. Choose today or later."}
        )
    if training.organisation.academy_id != training.academy_id:
        raise ValidationError(
            {"organisation": "Choose an organisation of this academy."}
        )
    _place(training, required=False)
    training.full_clean()
    training.save()
    return training


@transaction.atomic
def referral_create(
    *,
    participant: Participant,
    by: User,
    vacancy: Vacancy | None = None,
    training: TrainingOpportunity | None = None,
    note: str = "",
    stage: str = Referral.Stage.REFERRED,
) -> Referral:
    """Refer a participant, only with their consent to share their details."""
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
    return referral


@transaction.atomic
def referral_advance(
    *,
    referral: Referral,
    to: str,
    by: User,
    on: dt.date | None = None,
    note: str = "",
    link_outcome: bool = True,
) -> Referral:
    """Move a referral one pipeline step; a start also records the Outcome, once.

    A start links to the outcome already recorded for it (same person, kind and
    employer within two weeks, see `start_outcome_match`) unless `link_outcome` is
    off: then it is a different job, recorded as a new outcome.
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
    if on > timezone.localdate():
        raise ValidationError("The date is in the future.")
    referral.stage = to
    if note:
        referral.note = note
    if to == Referral.Stage.STARTED and referral.outcome_id is None:
        match = start_outcome_match(referral=referral, on=on) if link_outcome else None
        outcome = match or casework.outcome_record(
            participant=referral.participant, by=by, **_start_fields(referral, on=on)
        )
        referral.outcome_id = outcome.pk
    referral.save()
    ReferralEvent.objects.create(referral=referral, stage=to, on=on, note=note, by=by)
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
    key = employer_key(outcome.employer)
    for referral in (
        Referral.objects.filter(participant_id=outcome.participant_id)
        .filter(kinds[outcome.kind])
        .exclude(stage__in=[s for s in Referral.Stage if s not in NEXT_STAGES])
        .select_related("vacancy__organisation", "training__organisation")
    ):
        if employer_key(referral.opportunity.organisation.name) == key:
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
        if clash:
            referral.merged_from = duplicate.reference
        referral.save(update_fields=["participant", "merged_from", "updated_at"])


@transaction.atomic
def postcodes_load(*, path: Path, source: str) -> int:
    """Load postcode centroids from an ONS Postcode Directory style CSV (columns `pcds`
    or `postcode`, and `lat`/`latitude`, `long`/`longitude`); all rows or none."""
    loaded = 0
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = {name.lower(): name for name in reader.fieldnames or []}
        code = fields.get("pcds") or fields.get("postcode")
        lat = fields.get("lat") or fields.get("latitude")
        lon = fields.get("long") or fields.get("longitude")
        if not (code and lat and lon):
            raise ValidationError(
                "The file needs a postcode column (pcds or postcode) and lat/latitude "
                "and long/longitude columns."
            )
        batch: list[Postcode] = []
        for number, row in enumerate(reader, start=2):
            parts = postcode_parts(row[code])
            if parts is None:
                raise ValidationError(
                    f"row {number}: {code}: '{row[code]}' is not a postcode"
                )
            try:
                latitude, longitude = float(row[lat]), float(row[lon])
            except ValueError as error:
                raise ValidationError(
                    f"row {number}: coordinates are not numbers"
                ) from error
            if not (49 <= latitude <= 61 and -9 <= longitude <= 2.5):
                continue  # ONSPD marks postcodes with no grid reference as 99.999999
            batch.append(
                Postcode(
                    postcode=parts[1],
                    latitude=latitude,
                    longitude=longitude,
                    source=source,
                )
            )
            loaded += 1
        Postcode.objects.bulk_create(
            batch,
            batch_size=5000,
            update_conflicts=True,
            unique_fields=["postcode"],
            update_fields=["latitude", "longitude", "source"],
        )
    return loaded


def organisation_for(
    membership: Membership, organisation: Organisation | None
) -> Organisation:
    """The organisation a new vacancy is for: a provider's own, whatever was sent."""
    if membership.role == Role.PROVIDER:
        assert membership.organisation is not None  # noqa: S101 - the model's constraint
        return membership.organisation
    if organisation is None:
        raise ValidationError({"organisation": "Choose the provider offering this."})
    return organisation
