"""Keeping the impact summaries up with casework (reporting/summaries.py): a saved or
deleted record marks its person changed, in the same transaction; a changed sign-up,
event or enquiry has its academy's event attendances counted again; a finished import
rebuilds the academy's summaries and its stored funder-return figures.
ReportingConfig.ready() connects these."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models.signals import post_delete

from participants.models import Outcome, Participant, SustainmentCheck
from vacancies.models import Event, Referral, ReferralEvent

from .summaries import (
    impact_events_changed,
    impact_people_changed,
    refresh_impact_summaries,
)

if TYPE_CHECKING:
    from academy.models import Academy

# Records that reach their person through another record: (its key, that model).
THROUGH: dict[type[Any], tuple[str, type[Any]]] = {
    SustainmentCheck: ("outcome_id", Outcome),
    ReferralEvent: ("referral_id", Referral),
}


def record_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A plan, outcome, support, cohort, meeting, sustainment check, referral or
    referral move of a person was saved or deleted."""
    participant_id = getattr(instance, "participant_id", None)
    if sender in THROUGH:
        key, model = THROUGH[sender]
        participant_id = (
            model._default_manager.filter(pk=getattr(instance, key))
            .values_list("participant_id", flat=True)
            .first()
        )
    if participant_id is None:
        return
    academy_id = (
        Participant.objects.filter(pk=participant_id)
        .values_list("academy_id", flat=True)
        .first()
    )
    if academy_id is not None:
        impact_people_changed(academy_id, [participant_id])


def participant_changed(sender: Any, instance: Participant, **kwargs: Any) -> None:
    """A person was registered, changed (claimant status, registration day) or
    deleted (their sign-ups then belong to no record)."""
    impact_people_changed(instance.academy_id, [instance.pk])
    if kwargs.get("signal") is post_delete:
        impact_events_changed(instance.academy_id)


def attendance_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A sign-up, an event or an enquiry (which may become a person) was saved or
    deleted: who came, and who is one person, may have changed."""
    academy_id = getattr(instance, "academy_id", None)
    if academy_id is None:  # a sign-up: its event's academy
        academy_id = (
            Event.objects.filter(pk=instance.event_id)
            .values_list("academy_id", flat=True)
            .first()
        )
    if academy_id is not None:
        impact_events_changed(academy_id)


def participants_merged(keep: Participant, duplicate: Participant) -> None:
    """Two records of one person were merged: the duplicate's records and sign-ups
    moved."""
    impact_people_changed(keep.academy_id, [keep.pk, duplicate.pk])
    impact_events_changed(keep.academy_id)


def academy_rewritten(academy: Academy) -> None:
    """Many of an academy's rows written at once, past the per-record receivers (an
    import): its impact summaries rebuilt, its stored funder figures counted again."""
    from .funders.services import funder_figures_refresh

    refresh_impact_summaries(academy)
    funder_figures_refresh(academy)


def import_finished(sender: Any = None, args: Any = (), **kwargs: Any) -> None:
    """After the worker's import task: the academy of a finished import that created
    or changed records is rebuilt (an import writes many rows at once, past the
    per-record receivers)."""
    from participants.models import ImportRun

    if not args:
        return
    run = ImportRun.objects.filter(ImportRun.wrote_records(), pk=args[0]).first()
    if run is not None:
        academy_rewritten(run.academy)
