"""The impact report's charts as server-rendered SVG, the same markup on the dashboard
and in the PDF, drawn the one way academy.charts draws every chart: text at its own
size on a phone, labels thinned and years marked at any period length, and a figure not
shown for publication ('<5', '[c]', any text) drawn as its text, never as a bar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString

from academy.charts import (
    EMPTY,
    FONT,
    NARROWEST,
    PALETTE,
    Columns,
    chart_empty,
    chart_frame,
    column_chart,
    count_text,
    num,
    svg_chart,
    svg_text,
    what_texts_mean,
    wrap,
)

# What a text in place of a count means (reporting/disclosure.py writes them).
MEANINGS = {
    "<5": "a count of 1 to 4",
    "[c]": "withheld so that a small count cannot be worked out",
}
BAR, GAP, LINE = 18, 12, FONT + 4  # px
BAR_ROOM = 82.0  # percent of the width the longest bar takes; its number follows it


def bar_chart(
    items: Sequence[tuple[str, int | str]], *, title: str, empty: str = EMPTY
) -> SafeString:
    """Horizontal bars, one per (label, value), each label above its bar; a value
    that is not a count ('<5', '[c]') has no bar, only its text."""
    numbers = [v for _, v in items if isinstance(v, int)]
    if not any(numbers) and all(isinstance(v, int) for _, v in items):
        return chart_empty(empty)
    top = max(numbers, default=0) or 1
    parts: list[SafeString] = []
    y = 0.0
    for i, (label, value) in enumerate(items):
        for line in wrap(label, NARROWEST):
            y += LINE
            parts.append(svg_text(line, x="0", y=y - 4))
        length = BAR_ROOM * value / top if isinstance(value, int) else 0.0
        if length > 0:
            parts.append(
                format_html(
                    '<rect class="chart-bar" x="0" y="{}" width="{}%" height="{}" '
                    'fill="{}" rx="2"/>',
                    num(y),
                    num(length),
                    BAR,
                    PALETTE[i % 2],
                )
            )
        shown = count_text(value) if isinstance(value, int) else value
        parts.append(
            svg_text(
                shown,
                x=f"{num(length)}%",
                y=y + BAR - 4,
                bold=True,
                dx=6 if length > 0 else 0,
            )
        )
        y += BAR + GAP
    words = [v for _, v in items if isinstance(v, str)]
    return chart_frame(
        svg_chart(title, y, parts), note=what_texts_mean(words, MEANINGS)
    )


def trend_chart(
    months: Sequence[dt.date | str],
    series: Sequence[tuple[str, Sequence[int | str]]],
    *,
    title: str,
    empty: str = EMPTY,
) -> SafeString:
    """Grouped monthly bars, one colour per series, with a key; `months` are dates
    or their names ('Apr 24'). At most a dozen months are labelled, each year is
    named and a dashed line starts it."""
    return column_chart(
        months,
        series,
        title=title,
        columns=Columns(whole=True, write=count_text, meanings=MEANINGS),
        empty=empty,
    )
