"""Reads of outcomes that may be one job start recorded twice: the start a referral
should link to, and the suspected doubles a coordinator resolves."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

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


# Words that say what kind of body an employer is, not which: left out when comparing.
_LEGAL_WORDS = frozenset({"ltd", "limited", "plc", "llp", "cic", "the"})


def employer_key(employer: str) -> str:
    """An employer's name as it is compared: case, punctuation, a part in brackets
    ("(demo)", "(Plymouth)") and words such as Ltd do not matter."""
    plain = re.sub(r"\([^)]*\)", " ", employer.lower())
    words = re.findall(r"[a-z0-9]+", plain.replace("&", " and "))
    return " ".join(w for w in words if w not in _LEGAL_WORDS)


def employers_match(a: str, b: str) -> bool:
    """Whether two employer names name one employer: the same key, or one key is the
    other's start ("Tamar Care" and "Tamar Care Homes")."""
    key_a, key_b = employer_key(a), employer_key(b)
    if not key_a or not key_b:
        return False
    short, long = sorted((key_a, key_b), key=len)
    return long == short or long.startswith(short + " ")


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
    candidates = [
        outcome
        for outcome in Outcome.objects.filter(
            participant_id=participant_id,
            kind=kind,
            started_on__range=(started_on - DOUBLE_WINDOW, started_on + DOUBLE_WINDOW),
        ).exclude(pk__in=exclude_ids)
        if employers_match(outcome.employer, employer)
    ]
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
