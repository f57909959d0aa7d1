"""Reads of the impact report's settings: the period to compare with, the years a
target may be set for, the targets, and the last narrative written."""

from __future__ import annotations

import calendar
import datetime as dt

from academy.models import Academy

from .funders.periods import financial_year_of
from .models import ImpactTarget, ReportRun
from .periods import Period, period_custom


def academy_launched_on(academy: Academy) -> dt.date:
    """The start of 'since launch': the launch date, or when the academy was added."""
    return academy.launched_on or academy.created_at.date()


def _months_back(day: dt.date, months: int) -> dt.date:
    """The same day `months` months before (the month's last day if it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def period_before(*, academy: Academy, start: dt.date, end: dt.date) -> Period | None:
    """The period of the same length just before, to compare with: a period starting
    on the 1st moves back by its number of months (the quarter before a quarter, the
    year before a year, the same days of last month), any other by its number of days.
    None when the period starts on or before launch (since launch has none)."""
    if start <= academy_launched_on(academy):
        return None
    day = dt.timedelta(days=1)
    if start.day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        first = _months_back(start, months)
        whole = (end + day).day == 1
        last = start - day if whole else min(_months_back(end, months), start - day)
        return period_custom(first, last)
    length = end - start + day
    return period_custom(start - length, start - day)


def target_years(*, academy: Academy, today: dt.date) -> range:
    """The financial years a target may be set for (their first years): from the
    year of launch to next year."""
    first = financial_year_of(academy_launched_on(academy))
    return range(first, financial_year_of(today) + 2)


def impact_targets(*, academy: Academy, year: int) -> dict[str, ImpactTarget]:
    """The academy's targets for one financial year, by metric."""
    return {
        target.metric: target
        for target in ImpactTarget.objects.for_academy(academy)
        .filter(year=year)
        .select_related("updated_by")
    }


def report_narrative_last(*, academy: Academy) -> str:
    """The narrative of the academy's latest PDF that had one, to start the next
    from ("" when none has)."""
    narrative = (
        ReportRun.objects.for_academy(academy)
        .exclude(narrative="")
        .order_by("-created_at", "-pk")
        .values_list("narrative", flat=True)
        .first()
    )
    return narrative or ""
