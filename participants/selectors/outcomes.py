"""Reads of outcomes that may be one job start recorded twice: the start a referral
should link to, and the suspected doubles a coordinator resolves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import Lower, Trim

from academy.models import Membership
from academy.registry import Registry

from ..models import Outcome, SuspectedDoubleOutcome

# Functions (outcome) -> (offer, url) or None that other apps register: what to do
# next after an outcome is recorded by hand (the vacancies app: mark the referral it
# belongs to as started).
outcome_followups: Registry[Callable[[Outcome], tuple[str, str] | None]] = Registry(
    "after an outcome recorded by hand"
)

# Two starts of one kind, for one person at one employer, this close together are one
# start recorded twice unless a coordinator says otherwise.
DOUBLE_WINDOW = dt.timedelta(days=14)


def employer_key(employer: str) -> str:
    """How employers are compared: case and surrounding spaces do not matter."""
    return employer.strip().lower()


def outcome_same_start(
    *,
    participant_id: int,
    kind: str,
    employer: str,
    started_on: dt.date,
    exclude_ids: Any = (),
) -> Outcome | None:
    """An outcome already recorded for this start (same person, kind and employer,
    started within DOUBLE_WINDOW), the closest first; None when there is none."""
    candidates = (
        Outcome.objects.filter(
            participant_id=participant_id,
            kind=kind,
            started_on__range=(started_on - DOUBLE_WINDOW, started_on + DOUBLE_WINDOW),
        )
        .annotate(employer_key=Lower(Trim("employer")))
        .filter(employer_key=employer_key(employer))
        .exclude(pk__in=exclude_ids)
    )
    return min(
        candidates,
        key=lambda o: (abs((o.started_on - started_on).days), o.pk),
        default=None,
    )


def outcome_doubles_open(*, membership: Membership) -> QuerySet[SuspectedDoubleOutcome]:
    """Suspected doubles of the membership's academy that nobody has resolved yet."""
    return (
        SuspectedDoubleOutcome.objects.for_membership(membership)
        .filter(resolution="")
        .select_related(
            "first__participant",
            "first__recorded_by",
            "second__participant",
            "second__recorded_by",
        )
    )


def outcome_followup(outcome: Outcome) -> tuple[str, str] | None:
    """What to do next after recording `outcome` by hand, if another app offers it."""
    for followup in outcome_followups:
        offer = followup(outcome)
        if offer is not None:
            return offer
    return None
