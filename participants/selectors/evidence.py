"""The evidence a funder asks for at a person's start, as the database computes it: age
at start and its band, and which evidence is missing (the exceptions a return lists).

A person's start is the day they registered with the academy (`registered_on`).
Economic status at start is `status_at_entry`; the right-to-work check is its status,
the day, who checked and the kind of document seen (never the document).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear

from ..models import Participant

# Age bands at start, as funders report them (UKSPF and DWP programmes use these edges).
AGE_BANDS = (
    ("16_24", "16 to 24", 16, 24),
    ("25_49", "25 to 49", 25, 49),
    ("50_64", "50 to 64", 50, 64),
    ("65_plus", "65 and over", 65, 200),
)
AGE_BAND_LABELS = {code: label for code, label, _, _ in AGE_BANDS}
AGE_UNKNOWN = "unknown"


def age_on(date_of_birth: dt.date | None, day: dt.date) -> int | None:
    """Whole years of age on a day (None without a date of birth, or born after
    that day: an age is never negative)."""
    if date_of_birth is None or date_of_birth > day:
        return None
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - int(before_birthday)


def age_at_start() -> CombinedExpression:
    """Age in whole years on the day of registration, in SQL (NULL without a date of
    birth): the same arithmetic as `age_on`, portable to SQLite and PostgreSQL."""
    birthday_to_come = Case(
        When(
            Q(registered_on__month__lt=ExtractMonth("date_of_birth"))
            | Q(
                registered_on__month=ExtractMonth("date_of_birth"),
                registered_on__day__lt=ExtractDay("date_of_birth"),
            ),
            then=Value(1),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    return (
        ExtractYear("registered_on") - ExtractYear("date_of_birth") - birthday_to_come
    )


def age_band_at_start() -> Case:
    """The age band at start (AGE_BANDS codes, or 'unknown'), in SQL."""
    return Case(
        *[
            When(
                Q(date_of_birth__isnull=False)
                & Q(age__gte=low)  # needs .alias(age=age_at_start())
                & Q(age__lte=high),
                then=Value(code),
            )
            for code, _, low, high in AGE_BANDS
        ],
        default=Value(AGE_UNKNOWN),
    )


@dataclass(frozen=True)
class Missing:
    """One piece of start evidence, and the condition of people who lack it."""

    key: str
    label: str  # what to fix, said to a coordinator
    condition: Q


RTW = Participant.RightToWork
MISSING = (
    Missing(
        "economic_status",
        "Economic status at start not recorded",
        Q(status_at_entry=""),
    ),
    Missing(
        "date_of_birth", "Date of birth not recorded", Q(date_of_birth__isnull=True)
    ),
    Missing(
        "right_to_work",
        "Right to work not confirmed",
        ~Q(right_to_work=RTW.YES),
    ),
    Missing(
        "right_to_work_check",
        "Right-to-work check not recorded (when, by whom, which document)",
        Q(right_to_work=RTW.YES)
        & (
            Q(right_to_work_checked_on__isnull=True)
            | Q(right_to_work_checked_by__isnull=True)
            | Q(right_to_work_document="")
        ),
    ),
)
MISSING_LABELS = {m.key: m.label for m in MISSING}


def evidence_missing() -> Q:
    """People who lack any piece of the start evidence."""
    condition = Q(pk__in=[])
    for missing in MISSING:
        condition |= missing.condition
    return condition


def missing_keys(person: Participant) -> list[str]:
    """Which evidence one person lacks (MISSING keys), for their page and the returns'
    exception lists; the same rules as the conditions above."""
    keys = []
    if not person.status_at_entry:
        keys.append("economic_status")
    if person.date_of_birth is None:
        keys.append("date_of_birth")
    if person.right_to_work != RTW.YES:
        keys.append("right_to_work")
    elif not (
        person.right_to_work_checked_on
        and person.right_to_work_checked_by_id
        and person.right_to_work_document
    ):
        keys.append("right_to_work_check")
    return keys


__all__ = [
    "AGE_BANDS",
    "AGE_BAND_LABELS",
    "AGE_UNKNOWN",
    "MISSING",
    "MISSING_LABELS",
    "age_at_start",
    "age_band_at_start",
    "age_on",
    "evidence_missing",
    "missing_keys",
]
