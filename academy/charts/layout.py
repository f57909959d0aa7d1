"""The measures every chart is laid out by: colours, text sizes, the widths a chart
is drawn for, and how wide a text is."""

from __future__ import annotations

# Dark enough on white for text and lines (WCAG 1.4.11).
PALETTE = ["#12355b", "#0b6e69", "#6f42c1", "#b35c00", "#198754", "#6c757d"]
INK, MUTED, RULE = "#212529", "#495057", "#dee2e6"

FONT = 13  # px: labels, legends and values
SMALL = 12  # px: axis numbers; nothing in a chart is smaller
NARROWEST = 300  # px: a chart in a card on a 360 px phone
WIDE = 480  # px: from here a chart draws its labels marked chart-wide-only
MOST_LABELS = 12
EMPTY = "No figures in this period."

MONTH_STEPS = (1, 2, 3, 4, 6, 12, 24, 36, 60, 120)
OTHER_STEPS = (1, 2, 3, 4, 5, 10, 20, 50, 100)

# A bar's value: a number, or the text shown where a figure is not ("<5", "[c]").
Value = float | str


def text_width(text: str, size: int = FONT) -> float:
    """A generous width of `text` in px (DejaVu Sans, the PDF's font, is wide)."""
    return len(text) * size * 0.62


def count_text(value: float) -> str:
    """A count as a chart writes it: 1,234."""
    return f"{value:,.0f}"


def num(value: float) -> str:
    """A coordinate as an attribute: 12.5, not 12.500000001."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def wrap(text: str, width: float, size: int = FONT) -> list[str]:
    """`text` in lines of at most `width` px (a word longer than that is one line)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]
