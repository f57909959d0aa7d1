"""Writes about outcomes that may be one job start recorded twice: the nightly search
that lists them, and a coordinator's resolution."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from academy.models import User
from academy.registry import Registry

from ..models import Outcome, SuspectedDoubleOutcome, SustainmentCheck
from ..selectors.outcomes import DOUBLE_WINDOW, employers_match
from .casework.records import _note

# Functions (kept, removed) other apps register to move their links to a removed
# outcome (the vacancies app: the referral whose start it was).
outcome_replaced_hooks: Registry[Callable[[Outcome, Outcome], None]] = Registry(
    "one start recorded twice, resolved"
)


def outcome_doubles_find() -> int:
    """List pairs of outcomes that look like one start recorded twice (same person and
    kind, employers that match, within DOUBLE_WINDOW), once each; return how many are
    new."""
    pairs = Outcome.objects.filter(
        participant__outcomes__kind=F("kind"),
        participant__outcomes__pk__gt=F("pk"),
        participant__outcomes__started_on__gte=F("started_on") - DOUBLE_WINDOW,
        participant__outcomes__started_on__lte=F("started_on") + DOUBLE_WINDOW,
    ).values_list(
        "pk",
        "employer",
        "participant__outcomes__pk",
        "participant__outcomes__employer",
        "participant__academy",
    )
    academy_of: dict[int, int] = {}
    found = set()
    for first, employer, second, other, academy_id in pairs:
        if employers_match(employer, other):
            found.add((first, second))
            academy_of[first] = academy_id
    known = set(
        SuspectedDoubleOutcome.objects.filter(
            first_id__in={first for first, _ in found}
        ).values_list("first_id", "second_id")
    )
    new = [
        SuspectedDoubleOutcome(
            first_id=first, second_id=second, academy_id=academy_of[first]
        )
        for first, second in sorted(found - known)
    ]
    SuspectedDoubleOutcome.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


@transaction.atomic
def outcome_double_resolve(
    *,
    pair: SuspectedDoubleOutcome,
    by: User,
    is_same_start: bool,
    keep: Outcome | None = None,
) -> SuspectedDoubleOutcome:
    """Resolve a suspected double: two different starts (both stay), or one start
    recorded twice (`keep` stays; the other goes, its answered sustainment checks and
    its links moving to the one kept)."""
    pair = SuspectedDoubleOutcome.objects.select_for_update().get(pk=pair.pk)
    if pair.resolution:
        raise ValidationError("A colleague has already resolved this pair.")
    pair.resolution = (
        SuspectedDoubleOutcome.Resolution.SAME
        if is_same_start
        else SuspectedDoubleOutcome.Resolution.DIFFERENT
    )
    pair.resolved_at = timezone.now()
    pair.resolved_by = by
    pair.save()
    if not is_same_start:
        return pair
    if keep is None or keep.pk not in (pair.first_id, pair.second_id):
        raise ValidationError("Choose which of the two records to keep.")
    removed = pair.second if keep.pk == pair.first_id else pair.first
    for check in removed.sustainment_checks.filter(status=SustainmentCheck.Status.DONE):
        kept_check = keep.sustainment_checks.filter(weeks=check.weeks).first()
        if kept_check is not None and kept_check.status != SustainmentCheck.Status.DONE:
            kept_check.delete()
            check.outcome = keep
            check.save(update_fields=["outcome"])
    for hook in outcome_replaced_hooks:
        hook(keep, removed)
    _note(
        keep.participant,
        f"{removed} at {removed.employer or 'an unnamed employer'} was the same start "
        f"as {keep}: recorded once now.",
        by,
    )
    removed.delete()
    return pair
