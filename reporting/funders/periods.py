"""The periods of a return in one financial year (April to March, both days
included): its quarters or half-years, then the whole year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..models import FunderReturn

YEAR = "year"


@dataclass(frozen=True)
class ReturnPeriod:
    key: str  # "Q1".."Q4", "H1", "H2" or "year"
    label: str
    start: dt.date
    end: dt.date

    @property
    def short(self) -> str:
        """'Q1', 'H2' or '2024/25' (the year)."""
        return year_label(self.start.year) if self.key == YEAR else self.key

    @property
    def months(self) -> str:
        return f"{self.start:%b} to {self.end:%b}"

    @property
    def dates(self) -> str:
        return f"{self.start.day} {self.start:%b %Y} to {self.end.day} {self.end:%b %Y}"


def financial_year_of(day: dt.date) -> int:
    """The first calendar year of the financial year `day` is in: 2024 for
    1 April 2024 to 31 March 2025."""
    return day.year if day.month >= 4 else day.year - 1


def year_label(year: int) -> str:
    return f"{year}/{str(year + 1)[2:]}"


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _span(year: int, first_month: int, months: int) -> tuple[dt.date, dt.date]:
    """`months` months from `first_month` of the financial year (1 = April)."""
    start_month = 3 + first_month  # 4 = April; past 12 runs into the next year
    start = dt.date(year + (start_month - 1) // 12, (start_month - 1) % 12 + 1, 1)
    last = start_month + months - 1
    return start, _month_end(year + (last - 1) // 12, (last - 1) % 12 + 1)


def return_periods(pattern: str, year: int) -> list[ReturnPeriod]:
    """The periods of `pattern` in financial year `year`, then the year itself."""
    parts: list[ReturnPeriod] = []
    if pattern == FunderReturn.Period.QUARTER:
        for n in range(4):
            start, end = _span(year, 1 + 3 * n, 3)
            parts.append(
                ReturnPeriod(
                    f"Q{n + 1}", f"Q{n + 1} ({start:%b} to {end:%b %Y})", start, end
                )
            )
    elif pattern == FunderReturn.Period.HALF_YEAR:
        for n in range(2):
            start, end = _span(year, 1 + 6 * n, 6)
            parts.append(
                ReturnPeriod(
                    f"H{n + 1}", f"H{n + 1} ({start:%b} to {end:%b %Y})", start, end
                )
            )
    whole = ReturnPeriod(
        YEAR, f"Year {year_label(year)}", dt.date(year, 4, 1), dt.date(year + 1, 3, 31)
    )
    return [*parts, whole]
