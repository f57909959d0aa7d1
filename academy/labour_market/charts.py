"""Labour-market charts as server-rendered SVG, in the style of reporting.charts but
for rates and counts with decimals, where a suppressed figure has no bar."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..charts import PALETTE

# A bar's value; a text (e.g. "suppressed") is written where the bar would be, and
# None (not published) is marked n/a.
Point = Decimal | str | None


def _nice_top(value: float) -> float:
    """A round axis maximum at or above `value` (1, 2, 2.5 or 5 times a power of 10)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def _label(value: float, *, percent: bool) -> str:
    if percent:
        return f"{value:.1f}%"
    return f"{value:,.0f}"


def grouped_bars(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Point]]],
    *,
    title: str,
    percent: bool,
    width: int = 640,
    height: int = 260,
) -> SafeString:
    """Vertical bars per category, one colour per series, each bar labelled.

    Rates are fractions and are drawn as percentages; a suppressed or unpublished
    figure draws no bar, only its word.
    """
    scale = 100.0 if percent else 1.0
    left, bottom, top_margin = 52, 36, 40
    plot_w, plot_h = width - left - 10, height - bottom - top_margin
    values = [
        float(v) * scale for _, vs in series for v in vs if isinstance(v, Decimal)
    ]
    top = _nice_top(max(values, default=0) * 1.1)
    group = plot_w / max(len(categories), 1)
    bar = max(min(group * 0.8 / max(len(series), 1), 40), 2)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for step in range(5):
        y = top_margin + plot_h - plot_h * step / 4
        parts.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#dee2e6"/><text x="{left - 4}" y="{y + 4:.1f}" '
            f'text-anchor="end" font-size="12" fill="#495057">'
            f"{escape(_label(top * step / 4, percent=percent))}</text>"
        )
    for c, category in enumerate(categories):
        x0 = left + c * group + (group - bar * len(series)) / 2
        for s, (_, row) in enumerate(series):
            value = row[c] if c < len(row) else None
            x = x0 + s * bar
            if not isinstance(value, Decimal):
                word = value or "n/a"
                parts.append(
                    f'<text x="{x + bar / 2:.1f}" y="{top_margin + plot_h - 6:.1f}" '
                    f'text-anchor="start" font-size="11" fill="#495057" '
                    f'transform="rotate(-90 {x + bar / 2:.1f} '
                    f'{top_margin + plot_h - 6:.1f})">{escape(word)}</text>'
                )
                continue
            h = plot_h * float(value) * scale / top
            y = top_margin + plot_h - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 2:.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[s % len(PALETTE)]}"/>'
                f'<text x="{x + (bar - 2) / 2:.1f}" y="{y - 3:.1f}" '
                f'text-anchor="middle" font-size="12" fill="#212529">'
                f"{escape(_label(float(value) * scale, percent=percent))}</text>"
            )
        parts.append(
            f'<text x="{left + c * group + group / 2:.1f}" y="{height - bottom + 16}" '
            f'text-anchor="middle" font-size="13" fill="#212529">'
            f"{escape(category)}</text>"
        )
    x = float(left)
    for s, (name, _) in enumerate(series):
        parts.append(
            f'<rect x="{x:.1f}" y="8" width="12" height="12" '
            f'fill="{PALETTE[s % len(PALETTE)]}"/><text x="{x + 16:.1f}" y="19" '
            f'font-size="13" fill="#212529">{escape(name)}</text>'
        )
        x += 30 + 7.5 * len(name)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped  # nosec B308 B703
