"""Labour-market charts: rates and counts with decimals, for an area beside its region
and England, drawn the one way academy.charts draws every chart (labels thinned, years
marked, text legible on a phone). A figure the source suppressed or did not publish
has no bar, only its word."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.safestring import SafeString

from ..charts import Columns, Value, chart_empty, column_chart, count_text

# A bar's value; a text (e.g. "suppressed") is written where the bar would be, and
# None (not published) is marked n/a.
Point = Decimal | str | None

NOT_PUBLISHED = "n/a"
MEANINGS = {NOT_PUBLISHED: "not published", "suppressed": "suppressed by the source"}
EMPTY = "No figures published for these periods."


def _percent(value: float) -> str:
    return f"{value:.1f}%"


def _percent_axis(value: float) -> str:
    """An axis step: 10%, 12.5%."""
    return f"{value:g}%"


def grouped_bars(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Point]]],
    *,
    title: str,
    percent: bool,
) -> SafeString:
    """Vertical bars per category, one colour per series, each bar labelled where
    its label fits.

    Rates are fractions and are drawn as percentages; a suppressed or unpublished
    figure draws no bar, only its word.
    """
    if not any(isinstance(v, Decimal) for _, values in series for v in values):
        return chart_empty(EMPTY)
    scale = 100.0 if percent else 1.0

    def drawn(value: Point) -> Value:
        if isinstance(value, Decimal):
            return float(value) * scale
        return value or NOT_PUBLISHED

    return column_chart(
        categories,
        [
            (
                name,
                [
                    drawn(row[c] if c < len(row) else None)
                    for c in range(len(categories))
                ],
            )
            for name, row in series
        ],
        title=title,
        columns=Columns(
            whole=not percent,
            write=_percent if percent else count_text,
            write_axis=_percent_axis if percent else None,
            label_bars=True,
            meanings=MEANINGS,
        ),
        empty=EMPTY,
    )
