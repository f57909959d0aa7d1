"""Charts as server-rendered SVG, the same markup on the dashboard and in the PDF.

Only presentation attributes are used (no style attributes), so the strict CSP holds,
and every label is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from academy.charts import PALETTE


def bar_chart(
    items: Sequence[tuple[str, int | str]], *, title: str, width: int = 640
) -> SafeString:
    """Horizontal bars, one per (label, value); a suppressed value ('<5') has no bar."""
    label_width, bar_height, gap = 240, 22, 10
    numbers = [v for _, v in items if isinstance(v, int)]
    top = max(numbers, default=0) or 1
    height = len(items) * (bar_height + gap) + 10
    room = width - label_width - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(items):
        y = 5 + i * (bar_height + gap)
        length = round(room * value / top) if isinstance(value, int) else 0
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end" '
            f'font-size="13" fill="#212529">{escape(label)}</text>'
        )
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{max(length, 1)}" '
            f'height="{bar_height}" fill="{PALETTE[i % 2]}" rx="2"/>'
        )
        parts.append(
            f'<text x="{label_width + max(length, 1) + 6}" y="{y + 16}" '
            f'font-size="13" font-weight="bold" fill="#212529">'
            f"{escape(str(value))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped  # nosec B308 B703


def trend_chart(
    months: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    title: str,
    width: int = 640,
    height: int = 260,
) -> SafeString:
    """Grouped monthly bars, one colour per series, with a legend."""
    left, bottom, top_margin = 40, 40, 30
    plot_w, plot_h = width - left - 10, height - bottom - top_margin
    top = max((v for _, values in series for v in values), default=0) or 1
    group = plot_w / max(len(months), 1)
    bar = max(min(group * 0.8 / max(len(series), 1), 24), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for step in range(5):
        value = round(top * step / 4)
        y = top_margin + plot_h - plot_h * step / 4
        parts.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#dee2e6"/><text x="{left - 4}" y="{y + 4:.1f}" '
            f'text-anchor="end" font-size="10" fill="#495057">{value}</text>'
        )
    for m, month in enumerate(months):
        x0 = left + m * group + (group - bar * len(series)) / 2
        for s, (_, values) in enumerate(series):
            h = plot_h * values[m] / top
            parts.append(
                f'<rect x="{x0 + s * bar:.1f}" y="{top_margin + plot_h - h:.1f}" '
                f'width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[s % len(PALETTE)]}"/>'
            )
        parts.append(
            f'<text x="{left + m * group + group / 2:.1f}" y="{height - bottom + 16}" '
            f'text-anchor="middle" font-size="10" fill="#495057">{escape(month)}</text>'
        )
    for s, (name, _) in enumerate(series):
        x = left + s * (plot_w / max(len(series), 1))
        parts.append(
            f'<rect x="{x:.1f}" y="6" width="10" height="10" '
            f'fill="{PALETTE[s % len(PALETTE)]}"/><text x="{x + 14:.1f}" y="15" '
            f'font-size="10" fill="#212529">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped  # nosec B308 B703
