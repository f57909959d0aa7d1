"""Every write to funder returns: installing the shipped ones, and an admin's changes,
each of which adds one to the return's version."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from academy.models import Academy, User

from ..models import FunderReturn, Indicator
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
