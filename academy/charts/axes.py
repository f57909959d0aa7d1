"""A chart's axes: round ticks, which categories are labelled at any length, and the
years a monthly chart spans."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .layout import (
    FONT,
    MONTH_STEPS,
    MOST_LABELS,
    NARROWEST,
    OTHER_STEPS,
    WIDE,
    text_width,
)


def axis_ticks(top: float, *, whole: bool, most: int = 5) -> list[float]:
    """Evenly spaced round values from 0 to at or above `top`, at most `most` of them.

    Steps are 1, 2, 2.5 or 5 times a power of ten; a count axis has whole steps, so
    an axis up to 1 reads 0, 1 (never 0, 0, 0, 1, 1).
    """
    if top <= 0:
        return [0.0, 1.0]
    power = 10 ** math.floor(math.log10(top / (most - 1)))
    for factor in (1, 2, 2.5, 5, 10, 20):
        step = Decimal(str(factor)) * Decimal(str(power))
        if whole and (step < 1 or step != step.to_integral_value()):
            continue
        intervals = math.ceil(Decimal(str(top)) / step)
        if intervals <= most - 1:
            return [float(step * n) for n in range(intervals + 1)]
    raise AssertionError("unreachable: a step of 20 powers covers every top")


def as_month(category: dt.date | str) -> dt.date | None:
    """The month a category names ('Apr 24', 'Apr 2024', 'April 2024', '2024-04'), if
    it is one."""
    if isinstance(category, dt.date):
        return category.replace(day=1)
    for pattern in ("%b %y", "%b %Y", "%B %Y", "%Y-%m"):
        try:
            return dt.datetime.strptime(category, pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class AxisLabel:
    """A category that is labelled: its place, its lines ('Jan', '2025'), and whether
    it is drawn only in a chart at least WIDE px wide."""

    index: int
    lines: tuple[str, ...]
    wide_only: bool


def _labelled(
    count: int,
    slot: float,
    widest: float,
    aligned: Callable[[int, int], bool],
    steps: Sequence[int],
) -> tuple[int, list[int]] | None:
    """The first step that labels at most MOST_LABELS places `slot` px apart, none
    closer than `widest` px, and those places: the first, the last, and every
    `step`th (on the calendar) far enough from them. None if no step will do."""
    gap = math.ceil(widest / slot)
    for step in steps:
        if step < gap:
            continue
        middle = [i for i in range(gap, count - gap) if aligned(i, step)]
        chosen = sorted({0, count - 1, *middle})
        if len(chosen) <= MOST_LABELS:
            return step, chosen
    return None


def axis_labels(
    categories: Sequence[dt.date | str], *, plot: float, size: int = FONT
) -> list[AxisLabel]:
    """Which categories to label, in a plot `plot` percent of the chart's width.

    At most MOST_LABELS, never overlapping: the first and the last always, and
    between them every so many, on the calendar for months (January, April, ...).
    The first and last month carry their year under them ('Apr', '2022'); year_marks
    names the years between.
    """
    count = len(categories)
    if not count:
        return []
    months = [as_month(c) for c in categories]
    texts: list[tuple[str, ...]]
    steps: Sequence[int]
    if all(months):
        texts = [(f"{m:%b}", str(m.year)) for m in months if m]
        steps = MONTH_STEPS
    else:
        texts = [(str(c),) for c in categories]
        steps = OTHER_STEPS

    def aligned(i: int, step: int) -> bool:
        month = months[i]
        if month is None:
            return i % step == 0
        if step <= 12:
            return (month.year * 12 + month.month - 1) % step == 0
        return month.month == 1 and month.year % (step // 12) == 0

    widest = max(text_width(line, size) for t in texts for line in t) + size / 2
    slot = plot / 100 * NARROWEST / count
    picked = _labelled(count, slot, widest, aligned, steps)
    if picked is None:  # longer than the steps cover: every so many places
        step = max(math.ceil(widest / slot), math.ceil(count / (MOST_LABELS - 1)))
        picked = step, sorted({0, count - 1, *range(step, count - step, step)})
    narrow_step, narrow = picked
    # From WIDE up, the narrow chart's labels and more between them: a step that
    # divides the narrow one keeps every label of it.
    wide = _labelled(
        count,
        plot / 100 * WIDE / count,
        widest,
        aligned,
        [s for s in steps if narrow_step % s == 0],
    )
    shown = set(narrow) | set(wide[1] if wide else ())
    ends = (0, count - 1)
    return [
        AxisLabel(i, texts[i] if i in ends else texts[i][:1], wide_only=i not in narrow)
        for i in sorted(shown)
    ]


@dataclass(frozen=True)
class YearMark:
    """A year over a monthly chart: a dashed line where it starts (none for the
    first month) and its name beside the line where there is room."""

    index: int
    year: int
    line: bool
    named: bool
    wide_only: bool


def year_marks(categories: Sequence[dt.date | str], *, plot: float) -> list[YearMark]:
    """Each year a monthly chart spans, named left to right wherever its name does
    not run into the last one named or off the chart (every year up to five years
    on a phone)."""
    months = [as_month(c) for c in categories]
    if not year_starts(categories):
        return []  # within one year: the first and last month's labels name it
    starts = [0, *year_starts(categories)]
    need = text_width("2024", FONT) + 8

    def named(width: float, keep: Sequence[int] = ()) -> list[int]:
        slot = plot / 100 * width / len(months)
        chosen: list[int] = []
        for i in starts:
            # The first month's label names its year: its mark gives way to the next.
            after = [k for k in (starts[1:2] if i == 0 else keep) if k > i]
            clear_left = not chosen or (i - chosen[-1]) * slot >= need
            clear_right = i * slot + need <= (after[0] if after else len(months)) * slot
            if i in keep or (clear_left and clear_right):
                chosen.append(i)
        return chosen

    narrow = named(NARROWEST)
    wide = named(WIDE, keep=narrow)
    return [
        YearMark(
            i,
            months[i].year,  # type: ignore[union-attr]
            line=i > 0,
            named=i in narrow or i in wide,
            wide_only=i not in narrow,
        )
        for i in starts
    ]


def year_starts(categories: Sequence[dt.date | str]) -> list[int]:
    """The places where a new year starts (each January after the first month)."""
    months = [as_month(c) for c in categories]
    return [i for i, m in enumerate(months) if i and m is not None and m.month == 1]
