"""A chart's markup, piece by piece: every text escaped by format_html, and only
presentation attributes (the strict CSP forbids style attributes)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .layout import (
    EMPTY,
    FONT,
    INK,
    MUTED,
    NARROWEST,
    PALETTE,
    SMALL,
    num,
    text_width,
)


def svg_text(
    text: str,
    *,
    x: str,
    y: float,
    size: int = FONT,
    anchor: str = "start",
    fill: str = INK,
    css: str = "",
    bold: bool = False,
    dx: float = 0,
) -> SafeString:
    """One line of text; `x` is an attribute value ('12.5%' or '6')."""
    extra = format_html(
        "{}{}{}",
        format_html(' class="{}"', css) if css else "",
        format_html(' dx="{}"', num(dx)) if dx else "",
        format_html(' font-weight="{}"', "bold") if bold else "",
    )
    return format_html(
        '<text x="{}" y="{}" font-size="{}" text-anchor="{}" fill="{}"{}>{}</text>',
        x,
        num(y),
        size,
        anchor,
        fill,
        extra,
        text,
    )


def svg_upright(text: str, *, x: str, y: float, size: int = SMALL) -> SafeString:
    """Text reading upwards from (x, y), centred on x: a label on a narrow bar.

    A rotation needs a point in px, so the text sits in a one-pixel nested SVG placed
    at the percentage `x`.
    """
    return format_html(
        '<svg x="{}" y="0" width="1" height="1" overflow="visible">'
        '<text transform="rotate(-90)" x="{}" y="{}" font-size="{}" fill="{}">'
        "{}</text></svg>",
        x,
        num(-y),
        num(size * 0.35),
        size,
        MUTED,
        text,
    )


def svg_chart(title: str, height: float, parts: Sequence[SafeString]) -> SafeString:
    """The SVG element: full width, `height` px tall, no viewBox (text keeps its
    size), named for assistive technology."""
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="{}" '
        'role="img" aria-label="{}" class="chart"><title>{}</title>{}</svg>',
        num(height),
        title,
        title,
        format_html_join("", "{}", ((part,) for part in parts)),
    )


def chart_frame(svg: SafeString, *, note: str = "") -> SafeString:
    """A chart as placed on a page: the SVG and a note under it, in the frame whose
    width decides which labels show (static/css/portal.css)."""
    return format_html(
        '<div class="chart-frame">{}{}</div>',
        svg,
        format_html('<p class="chart-note">{}</p>', note) if note else "",
    )


def what_texts_mean(words: Sequence[str], meanings: Mapping[str, str]) -> str:
    """The note under a chart: what each text drawn in place of a value means
    ('<5: a count of 1 to 4; [c]: withheld ...'), once each, in order."""
    return "; ".join(
        f"{w}: {meanings[w]}" if w in meanings else w for w in dict.fromkeys(words)
    )


def chart_empty(message: str = EMPTY) -> SafeString:
    """What a chart with nothing to draw says instead of an empty axis."""
    return format_html('<p class="chart-empty">{}</p>', message)


def legend(names: Sequence[str], *, top: float = 0) -> tuple[list[SafeString], float]:
    """A key of colours, wrapped to rows that fit the narrowest chart; its markup and
    the height it takes."""
    parts: list[SafeString] = []
    x, y = 0.0, top
    for s, name in enumerate(names):
        width = 18 + text_width(name) + 14
        if x and x + width > NARROWEST:
            x, y = 0.0, y + 20
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="12" height="12" fill="{}"/>',
                num(x),
                num(y + 3),
                PALETTE[s % len(PALETTE)],
            )
        )
        parts.append(svg_text(name, x=num(x + 18), y=y + 14))
        x += width
    return parts, (y - top + 24 if names else 0)
