"""Column charts: vertical bars per category, one colour per series, on the axes
every chart shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .axes import axis_labels, axis_ticks, year_marks, year_starts
from .layout import (
    EMPTY,
    FONT,
    INK,
    MUTED,
    NARROWEST,
    PALETTE,
    RULE,
    SMALL,
    Value,
    num,
    text_width,
)
from .svg import (
    chart_empty,
    chart_frame,
    legend,
    svg_chart,
    svg_text,
    svg_upright,
    what_texts_mean,
)


@dataclass(frozen=True)
class Columns:
    """How a column chart reads its values: whole counts or not, how a value is
    written, whether each bar is labelled, and what a text in place of a value means
    ({'<5': 'a count of 1 to 4'})."""

    whole: bool
    write: Callable[[float], str]
    label_bars: bool = False
    meanings: Mapping[str, str] | None = None
    write_axis: Callable[[float], str] | None = None  # if not as `write`

    def axis(self, value: float) -> str:
        return (self.write_axis or self.write)(value)


def column_chart(
    categories: Sequence[dt.date | str],
    series: Sequence[tuple[str, Sequence[Value]]],
    *,
    title: str,
    columns: Columns,
    empty: str = EMPTY,
) -> SafeString:
    """Vertical bars per category, one colour per series (a value for each
    category), with a key.

    A text in place of a value ('<5', '[c]', 'n/a') draws no bar: the text itself,
    upright, where it fits, else a dot; a note under the chart says what each means.
    """
    numbers = [v for _, vs in series for v in vs if not isinstance(v, str)]
    has_words = any(isinstance(v, str) for _, vs in series for v in vs)
    if not categories or not series or not (has_words or any(numbers)):
        return chart_empty(empty)
    count, plot_h = len(categories), 170.0
    key, key_height = legend([name for name, _ in series])
    top = key_height  # the row the years are named in
    top_margin = top + (FONT + 10 if year_starts(categories) else 8)
    peak = max(numbers, default=0)
    # The widest axis number there could be sets the left margin.
    widest = text_width(columns.axis(axis_ticks(peak * 2, whole=columns.whole)[-1]))
    left = max(8.0, (widest + 8) * 100 / NARROWEST)
    right = max(2.0, text_width("2024") / 2 * 100 / NARROWEST)
    plot = 100 - left - right
    group = plot / count
    bar = min(group * 0.8 / len(series), 12.0)
    room = bar * NARROWEST / 100  # px from one bar to the next on a phone
    upright = room >= SMALL + 2
    bar_room = 0.0  # px above the tallest bar for its label
    flat = False
    if columns.label_bars and numbers:
        longest = max(text_width(columns.write(v), SMALL) for v in numbers)
        flat = longest + 4 <= room
        bar_room = SMALL + 6 if flat else (longest + 8 if upright else 0.0)
    ticks = axis_ticks(peak / (1 - bar_room / plot_h), whole=columns.whole)
    scale = ticks[-1]
    base = top_margin + plot_h
    parts = list(key)
    for tick in ticks:
        y = base - plot_h * tick / scale
        parts.append(_rule(left, 100 - right, y, RULE))
        parts.append(
            svg_text(
                columns.axis(tick),
                x=f"{num(left)}%",
                y=y + 4,
                size=SMALL,
                anchor="end",
                fill=MUTED,
                dx=-4,
            )
        )
    label_bottom = base + 6 + 2 * (FONT + 3)
    parts.extend(_year_marks(categories, left=left, plot=plot, top=top, base=base))
    words: list[str] = []  # the texts drawn in place of values, once each
    dots = False
    for c in range(count):
        x0 = left + c * group + (group - bar * len(series)) / 2
        for s, (name, values) in enumerate(series):
            value = values[c]
            x = x0 + s * bar
            middle = f"{num(x + bar / 2)}%"
            colour = PALETTE[s % len(PALETTE)]
            if isinstance(value, str):
                if value not in words:
                    words.append(value)
                if upright:
                    parts.append(svg_upright(value, x=middle, y=base - 4))
                    continue
                dots = True
                parts.append(
                    format_html(
                        '<circle class="chart-mark" cx="{}" cy="{}" r="3" fill="{}">'
                        "<title>{}: {}</title></circle>",
                        middle,
                        num(base - 5),
                        colour,
                        name,
                        value,
                    )
                )
                continue
            height = plot_h * value / scale
            if height <= 0:
                continue
            parts.append(
                format_html(
                    '<rect class="chart-bar" x="{}%" y="{}" width="{}%" height="{}" '
                    'fill="{}"><title>{}: {}</title></rect>',
                    num(x + bar * 0.05),
                    num(base - height),
                    num(bar * 0.9),
                    num(height),
                    colour,
                    name,
                    columns.write(value),
                )
            )
            if bar_room and flat:
                parts.append(
                    svg_text(
                        columns.write(value),
                        x=middle,
                        y=base - height - 4,
                        size=SMALL,
                        anchor="middle",
                    )
                )
            elif bar_room:
                parts.append(
                    svg_upright(columns.write(value), x=middle, y=base - height - 4)
                )
    parts.append(_rule(left, left + plot, base, MUTED))
    parts.extend(_category_axis(categories, left=left, plot=plot, base=base))
    said = what_texts_mean(words, columns.meanings or {})
    if dots:
        said = f"A dot in place of a bar is a figure not shown ({said})."
    return chart_frame(svg_chart(title, label_bottom + 4, parts), note=said)


def _rule(x1: float, x2: float, y: float, colour: str) -> SafeString:
    """A horizontal line across the chart from x1 to x2 percent."""
    return format_html(
        '<line x1="{}%" x2="{}%" y1="{}" y2="{}" stroke="{}"/>',
        num(x1),
        num(x2),
        num(y),
        num(y),
        colour,
    )


def _year_marks(
    categories: Sequence[dt.date | str],
    *,
    left: float,
    plot: float,
    top: float,
    base: float,
) -> list[SafeString]:
    """A dashed line from the row of years down to the axis where each year starts,
    and the year's name beside it."""
    group = plot / len(categories)
    parts = []
    for mark in year_marks(categories, plot=plot):
        x = f"{num(left + mark.index * group)}%"
        if mark.line:
            parts.append(
                format_html(
                    '<line class="chart-year" x1="{}" x2="{}" y1="{}" y2="{}" '
                    'stroke="{}" stroke-dasharray="4 3"/>',
                    x,
                    x,
                    num(top + 2),
                    num(base + 4),
                    MUTED,
                )
            )
        if mark.named:
            parts.append(
                svg_text(
                    str(mark.year),
                    x=x,
                    y=top + FONT + 1,
                    css="chart-year-name chart-wide-only"
                    if mark.wide_only
                    else "chart-year-name",
                    dx=4,
                )
            )
    return parts


def _category_axis(
    categories: Sequence[dt.date | str], *, left: float, plot: float, base: float
) -> list[SafeString]:
    """Under a column chart: a tick for every category and the labels that
    axis_labels picks, each centred on its category."""
    group = plot / len(categories)
    parts = []
    for c in range(len(categories)):
        x = f"{num(left + c * group + group / 2)}%"
        parts.append(
            format_html(
                '<line class="chart-tick" x1="{}" x2="{}" y1="{}" y2="{}" '
                'stroke="{}"/>',
                x,
                x,
                num(base),
                num(base + 4),
                MUTED,
            )
        )
    for label in axis_labels(categories, plot=plot):
        x = f"{num(left + label.index * group + group / 2)}%"
        more = format_html_join(
            "",
            '<tspan x="{}" dy="{}">{}</tspan>',
            ((x, FONT + 3, line) for line in label.lines[1:]),
        )
        parts.append(
            format_html(
                '<text class="{}" x="{}" y="{}" font-size="{}" text-anchor="middle" '
                'fill="{}">{}{}</text>',
                "chart-label chart-wide-only" if label.wide_only else "chart-label",
                x,
                num(base + 6 + FONT),
                FONT,
                INK,
                label.lines[0],
                more,
            )
        )
    return parts
