"""Keeping the impact summaries up with casework (reporting/summaries.py): a saved or
deleted record marks its person changed, in the same transaction; a finished import
rebuilds the academy's summaries. ReportingConfig.ready() connects these."""

from __future__ import annotations

from typing import Any

from participants.models import Participant

from .summaries import impact_people_changed, refresh_impact_summaries


def record_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A plan, outcome, support or cohort of a person was saved or deleted."""
    academy_id = (
        Participant.objects.filter(pk=instance.participant_id)
        .values_list("academy_id", flat=True)
        .first()
    )
    if academy_id is not None:
        impact_people_changed(academy_id, [instance.participant_id])


def participant_changed(sender: Any, instance: Participant, **kwargs: Any) -> None:
    """A person was registered, changed (claimant status, registration day) or
    deleted."""
    impact_people_changed(instance.academy_id, [instance.pk])


def participants_merged(keep: Participant, duplicate: Participant) -> None:
    """Two records of one person were merged: the duplicate's records moved."""
    impact_people_changed(keep.academy_id, [keep.pk, duplicate.pk])


def import_finished(sender: Any = None, args: Any = (), **kwargs: Any) -> None:
    """After the worker's import task: a finished import's academy is rebuilt (an
    import writes many rows at once, past the per-record receivers)."""
    from participants.models import ImportRun

    if not args:
        return
    run = ImportRun.objects.filter(pk=args[0]).first()
    if run is not None and run.status == ImportRun.Status.DONE:
        refresh_impact_summaries(run.academy)
