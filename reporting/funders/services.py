"""Every write to funder returns: installing the shipped ones, an admin's changes,
each of which adds one to the return's version, and the figures stored as counted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from academy.models import Academy, User

from ..models import FunderReturn, FunderReturnFigures, Indicator
from .build import (
    CountedReturn,
    counted_from_json,
    counted_json,
    current_indicators,
    funder_return_count,
)
from .shipped import install_shipped

RETURN_FIELDS = ("code", "name", "funder", "description", "period", "is_retired")
INDICATOR_FIELDS = (
    "code",
    "title",
    "definition",
    "unit",
    "metric",
    "cohort",
    "claimant",
    "age_band",
    "economic_status",
    "sector",
    "order",
    "is_retired",
)


@transaction.atomic
def funder_returns_install(academy: Academy) -> int:
    """Give an academy the shipped returns it does not have yet (by code): at its
    creation, and safe to run again. Returns how many were added."""
    return install_shipped(academy.pk, FunderReturn, Indicator)


def _changed(
    stored: dict[str, Any] | None, instance: Any, fields: tuple[str, ...]
) -> bool:
    return stored is None or any(stored[f] != getattr(instance, f) for f in fields)


def _next_version(funder_return: FunderReturn, *, by: User) -> None:
    """One more version of the return (its row locked, so two admins saving at once
    make two versions)."""
    version = (
        FunderReturn.objects.select_for_update()
        .values_list("version", flat=True)
        .get(pk=funder_return.pk)
    )
    funder_return.version = version + 1
    funder_return.updated_by = by
    funder_return.save(update_fields=["version", "updated_by", "updated_at"])


@transaction.atomic
def funder_return_save(*, funder_return: FunderReturn, by: User) -> FunderReturn:
    """Add a return, or save an admin's change to one (its version goes up by one
    when anything changed)."""
    funder_return.code = funder_return.code.strip().lower()
    taken = (
        FunderReturn.objects.for_academy(funder_return.academy)
        .filter(code=funder_return.code)
        .exclude(pk=funder_return.pk)
    )
    if taken.exists():
        raise ValidationError({"code": "Another return already has this code."})
    funder_return.full_clean()
    stored = (
        FunderReturn.objects.select_for_update()
        .filter(pk=funder_return.pk)
        .values(*RETURN_FIELDS, "version")
        .first()
        if funder_return.pk
        else None
    )
    if stored is not None:
        if not _changed(stored, funder_return, RETURN_FIELDS):
            return funder_return
        funder_return.version = stored["version"] + 1
    funder_return.updated_by = by
    funder_return.save()
    return funder_return


@transaction.atomic
def indicator_save(*, indicator: Indicator, by: User) -> Indicator:
    """Add an indicator to a return or save a change to one (retiring included); the
    return's version goes up by one when anything changed."""
    indicator.code = indicator.code.strip()
    taken = Indicator.objects.filter(
        funder_return=indicator.funder_return, code__iexact=indicator.code
    ).exclude(pk=indicator.pk)
    if taken.exists():
        raise ValidationError(
            {"code": "Another figure of this return has this code: choose another."}
        )
    indicator.full_clean()
    stored = (
        Indicator.objects.filter(pk=indicator.pk).values(*INDICATOR_FIELDS).first()
        if indicator.pk
        else None
    )
    if not _changed(stored, indicator, INDICATOR_FIELDS):
        return indicator
    indicator.save()
    _next_version(indicator.funder_return, by=by)
    return indicator


def funder_figures_count(
    *,
    funder_return: FunderReturn,
    year: int,
    indicators: list[Indicator] | None = None,
) -> CountedReturn:
    """Count a return's figures for a financial year now and store them (replacing
    those stored): about 0.3 s at 100,000 people. `indicators`: its current ones,
    when the caller has them. They are current (not stale) only if no change to the
    academy's casework was made while counting (its `generation` did not move)."""
    # A row first (stale until counted), for a change made while counting to mark;
    # where one is, this waits for a change holding it to commit, then counts it.
    FunderReturnFigures.objects.bulk_create(
        [
            FunderReturnFigures(
                funder_return=funder_return,
                year=year,
                version=0,
                figures={},
                computed_at=timezone.now(),
                is_stale=True,
            )
        ],
        ignore_conflicts=True,
    )
    stored = FunderReturnFigures.objects.filter(funder_return=funder_return, year=year)
    generation = stored.values_list("generation", flat=True).get()
    counted = funder_return_count(
        funder_return=funder_return, year=year, indicators=indicators
    )
    values = {
        "version": counted.version,
        "figures": counted_json(counted),
        "computed_at": timezone.now(),
    }
    # Compare and set: a change that committed (or holds the row) since `generation`
    # was read moved it, and may not be counted: the figures stay stale.
    if not stored.filter(generation=generation).update(**values, is_stale=False):
        stored.update(**values, is_stale=True)
    return counted


def funder_figures_current(
    *, funder_return: FunderReturn, year: int, stale_counted: bool = False
) -> tuple[CountedReturn, FunderReturnFigures]:
    """A return's figures for a financial year as stored, counted and stored now
    when none are, or they count a definition of the return changed since; with
    `stale_counted` (a file to send), also when casework changed since."""
    stored = FunderReturnFigures.objects.filter(
        funder_return=funder_return, year=year
    ).first()
    indicators = list(current_indicators(funder_return))
    if stored is not None and not (stale_counted and stored.is_stale):
        stored.funder_return = funder_return  # read already: not again
        counted = counted_from_json(
            funder_return=funder_return,
            indicators=indicators,
            year=year,
            version=stored.version,
            data=stored.figures,
        )
        if counted is not None:
            return counted, stored
    counted = funder_figures_count(
        funder_return=funder_return, year=year, indicators=indicators
    )
    stored = FunderReturnFigures.objects.get(funder_return=funder_return, year=year)
    stored.funder_return = funder_return
    return counted, stored


def funder_figures_refresh(
    academy: Academy | None = None, *, changed_only: bool = False
) -> int:
    """Count again the stored figures of every return of one academy (or of every
    academy): each year stored; with `changed_only`, only those whose academy's
    casework changed since they were counted (stale). Returns how many."""
    stored = FunderReturnFigures.objects.select_related("funder_return__academy")
    if academy is not None:
        stored = stored.filter(funder_return__academy=academy)
    if changed_only:
        stored = stored.filter(is_stale=True)
    counted = 0
    for figures in stored.order_by("funder_return_id", "year"):
        funder_figures_count(funder_return=figures.funder_return, year=figures.year)
        counted += 1
    return counted


# "Count again now" within this of the last count, with nothing changed since, has
# nothing to count (a member clicking twice, or several at once).
RECOUNT_AFTER = dt.timedelta(minutes=1)


def funder_figures_count_again(*, funder_return: FunderReturn, year: int) -> bool:
    """A member's "Count again now": count the figures for the year unless they were
    counted in the last minute and casework has not changed since. Whether counted."""
    recent = FunderReturnFigures.objects.filter(
        funder_return=funder_return,
        year=year,
        version=funder_return.version,
        is_stale=False,
        computed_at__gt=timezone.now() - RECOUNT_AFTER,
    )
    if recent.exists():
        return False
    funder_figures_count(funder_return=funder_return, year=year)
    return True
