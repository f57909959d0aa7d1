"""The portal's charts, one way for every chart (impact report and labour market):
colours, axes, which labels are drawn, years marked, and the words for an empty chart.

A chart is an SVG with no viewBox, so its text is drawn at its own size in CSS pixels at
every width (a scaled-down chart made 13 px text 7 px on a phone). Horizontal positions
are percentages of the width; what must not overlap is laid out for the narrowest chart,
a card on a phone (NARROWEST). Labels that fit only from WIDE up carry the class
`chart-wide-only`, which static/css/portal.css hides in a narrower chart. Only
presentation attributes are used (the strict CSP forbids style attributes) and every
text is escaped by format_html.
"""

from .axes import (
    AxisLabel,
    YearMark,
    as_month,
    axis_labels,
    axis_ticks,
    year_marks,
    year_starts,
)
from .columns import Columns, column_chart
from .layout import (
    EMPTY,
    FONT,
    MOST_LABELS,
    NARROWEST,
    PALETTE,
    SMALL,
    WIDE,
    Value,
    count_text,
    num,
    text_width,
    wrap,
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

__all__ = [
    "EMPTY",
    "FONT",
    "MOST_LABELS",
    "NARROWEST",
    "PALETTE",
    "SMALL",
    "WIDE",
    "AxisLabel",
    "Columns",
    "Value",
    "YearMark",
    "as_month",
    "axis_labels",
    "axis_ticks",
    "chart_empty",
    "chart_frame",
    "column_chart",
    "count_text",
    "legend",
    "num",
    "svg_chart",
    "svg_text",
    "svg_upright",
    "text_width",
    "what_texts_mean",
    "wrap",
    "year_marks",
    "year_starts",
]
