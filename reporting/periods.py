"""Report periods a manager picks: presets and any two dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from academy.models import Academy


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str


PRESETS = [
    ("this_month", "This month"),
    ("last_month", "Last month"),
    ("last_quarter", "Last quarter"),
    ("financial_year", "This financial year"),
    ("last_financial_year", "Last financial year"),
    ("since_launch", "Since launch"),
]


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _previous_month(day: dt.date) -> tuple[dt.date, dt.date]:
    end = _month_start(day) - dt.timedelta(days=1)
    return _month_start(end), end


def period_preset(name: str, *, academy: Academy, today: dt.date) -> Period:
    """The dates of a preset; quarters and financial years follow the UK (April)."""
    if name == "this_month":
        return Period(_month_start(today), today, f"{today:%B %Y} so far")
    if name == "last_month":
        start, end = _previous_month(today)
        return Period(start, end, f"{start:%B %Y}")
    if name == "last_quarter":
        # Financial quarters: Apr-Jun, Jul-Sep, Oct-Dec, Jan-Mar.
        first_month = ((today.month - 1) // 3) * 3 + 1
        this_quarter = today.replace(month=first_month, day=1)
        end = this_quarter - dt.timedelta(days=1)
        start = end.replace(month=end.month - 2, day=1)
        return Period(start, end, f"{start:%B} to {end:%B %Y}")
    if name in ("financial_year", "last_financial_year"):
        year = today.year if today.month >= 4 else today.year - 1
        if name == "last_financial_year":
            year -= 1
        start, end = dt.date(year, 4, 1), dt.date(year + 1, 3, 31)
        label = f"Financial year {year}/{str(year + 1)[2:]}"
        if end > today:
            return Period(start, today, f"{label} so far")
        return Period(start, end, label)
    if name == "since_launch":
        launched = academy.launched_on
        if launched is not None and launched > today:
            # Stored before launch dates had to be past (core.not_in_future).
            start = min(academy.created_at.date(), today)
            return Period(
                start,
                today,
                f"Since the academy was added ({start:%B %Y}): its launch date, "
                f"{launched.day} {launched:%B %Y}, is in the future. An admin can "
                "correct it in Academy settings",
            )
        start = launched or academy.created_at.date()
        return Period(start, today, f"Since launch ({start:%B %Y})")
    raise KeyError(name)


def period_custom(start: dt.date, end: dt.date) -> Period:
    """Any two dates, both included."""
    return Period(start, end, f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}")
