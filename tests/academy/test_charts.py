"""The one way every chart draws its axes (academy/charts.py), and the labour-market
charts that use it (issue 14, seen 4)."""

import datetime as dt
import itertools
import math
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from academy.charts import (
    FONT,
    MOST_LABELS,
    NARROWEST,
    WIDE,
    as_month,
    axis_labels,
    axis_ticks,
    text_width,
    year_marks,
    year_starts,
)
from academy.labour_market.charts import grouped_bars

SVG = "{http://www.w3.org/2000/svg}"
PLOT = 84.0  # percent of the width, about what a count chart's plot takes


def months_from(year: int, month: int, count: int) -> list[dt.date]:
    return [
        dt.date(year + (month - 1 + n) // 12, (month - 1 + n) % 12 + 1, 1)
        for n in range(count)
    ]


def parsed(markup) -> ET.Element:
    return ET.fromstring(f"<root>{markup}</root>")  # noqa: S314 - the portal's own


def of_class(chart, tag: str, name: str) -> list[ET.Element]:
    return [e for e in chart.iter(f"{SVG}{tag}") if name in e.get("class", "").split()]


@pytest.mark.parametrize(
    ("top", "whole", "expected"),
    [
        (0, True, [0, 1]),
        (1, True, [0, 1]),
        (3, True, [0, 1, 2, 3]),
        (7, True, [0, 2, 4, 6, 8]),
        (653, True, [0, 200, 400, 600, 800]),
        (0.4, False, [0, 0.1, 0.2, 0.3, 0.4]),
        (32.2, False, [0, 10, 20, 30, 40]),
        (9.9, False, [0, 2.5, 5, 7.5, 10]),
    ],
)
def test_axis_ticks_are_round_and_reach_the_top(top, whole, expected):
    assert axis_ticks(top, whole=whole) == expected


def test_count_ticks_are_whole_and_distinct_for_any_top():
    for top in range(0, 5000, 7):
        ticks = axis_ticks(top, whole=True)
        assert all(t == int(t) for t in ticks)
        assert ticks == sorted(set(ticks))
        assert ticks[0] == 0
        assert ticks[-1] >= top
        assert 2 <= len(ticks) <= 5


@pytest.mark.parametrize(
    ("name", "month"),
    [
        ("Apr 24", dt.date(2024, 4, 1)),
        ("Mar 2024", dt.date(2024, 3, 1)),
        ("March 2024", dt.date(2024, 3, 1)),
        ("2024-03", dt.date(2024, 3, 1)),
        (dt.date(2024, 3, 17), dt.date(2024, 3, 1)),
        ("2022/23", None),
        ("North Tyneside", None),
    ],
)
def test_a_category_may_name_a_month(name, month):
    assert as_month(name) == month


pairs = itertools.pairwise


def _centres(indexes, count, width):
    return [(i + 0.5) * PLOT / 100 * width / count for i in indexes]


def _closest(indexes, count, width) -> float:
    xs = _centres(indexes, count, width)
    return min((b - a for a, b in itertools.pairwise(xs)), default=math.inf)


def test_month_labels_at_any_length_and_start_are_few_apart_and_name_every_year():
    """Every period from one month to ten years, starting in any month."""
    widest = text_width("2024") + FONT / 2
    for start, count in itertools.product(range(1, 13), range(1, 122)):
        months = months_from(2020, start, count)
        labels = axis_labels(months, plot=PLOT)
        shown = [label.index for label in labels]
        narrow = [label.index for label in labels if not label.wide_only]

        assert len(shown) <= MOST_LABELS
        assert shown[0] == 0
        assert shown[-1] == count - 1
        assert 0 in narrow
        assert count - 1 in narrow
        assert _closest(narrow, count, NARROWEST) >= widest
        assert _closest(shown, count, WIDE) >= widest
        assert labels[0].lines == (f"{months[0]:%b}", str(months[0].year))
        assert labels[-1].lines[-1] == str(months[-1].year)

        marks = year_marks(months, plot=PLOT)
        assert [m.index for m in marks if m.line] == year_starts(months)
        assert all(months[i].month == 1 for i in year_starts(months))
        named = {months[0].year, months[-1].year} | {m.year for m in marks if m.named}
        years = {m.year for m in months}
        if count <= 96:  # up to eight years every year is named from WIDE up
            assert named == years
        else:  # and beyond, every other year at least
            assert all(y in named or y + 1 in named for y in years)
        if count <= 61:  # up to five years every year is named on a phone
            on_phone = {m.year for m in marks if m.named and not m.wide_only}
            assert on_phone | {months[0].year, months[-1].year} == years
        names = [m.index for m in marks if m.named and not m.wide_only]
        gaps = [
            (b - a) * PLOT / 100 * NARROWEST / count
            for a, b in itertools.pairwise(names)
        ]
        assert all(gap >= text_width("2024") for gap in gaps)


def test_years_as_categories_are_labelled_while_they_fit():
    years = [f"{y}/{str(y + 1)[2:]}" for y in range(2010, 2024)]

    labels = axis_labels(years, plot=PLOT)

    assert [label.lines for label in labels][:1] == [("2010/11",)]
    assert labels[-1].lines == ("2023/24",)
    assert len(labels) <= MOST_LABELS
    assert year_marks(years, plot=PLOT) == []


# The labour-market charts.


def rates(count: int, *, hole: int | None = None) -> list[Decimal | str | None]:
    values: list[Decimal | str | None] = [
        Decimal("0.041") + Decimal(n) / 1000 for n in range(count)
    ]
    if hole is not None:
        values[hole] = None
    return values


def test_a_claimant_rate_by_month_is_thinned_and_marks_its_years():
    months = [f"{m:%b %Y}" for m in months_from(2022, 3, 24)]  # as short_period
    chart = parsed(
        grouped_bars(
            months,
            [("North Tyneside", rates(24)), ("England", rates(24, hole=5))],
            title="Claimants as a share of residents aged 16-64, by month",
            percent=True,
        )
    )

    assert 2 <= len(of_class(chart, "text", "chart-label")) <= MOST_LABELS
    assert len(of_class(chart, "line", "chart-year")) == 2  # January 2023 and 2024
    # Too narrow for an upright word: a dot, explained under the chart.
    assert len(list(chart.iter(f"{SVG}circle"))) == 1
    note = chart.find(".//p")
    assert note is not None
    assert "n/a: not published" in "".join(note.itertext())
    sizes = [float(t.get("font-size")) for t in chart.iter(f"{SVG}text")]
    assert min(sizes) >= 12


def test_a_few_years_label_each_bar_and_write_a_missing_figure_upright():
    chart = parsed(
        grouped_bars(
            ["2021/22", "2022/23"],
            [
                ("North Tyneside", [Decimal("0.245"), Decimal("0.23")]),
                ("North East", [None, Decimal("0.264")]),
                ("England", ["suppressed", Decimal("0.283")]),
            ],
            title="Turnover rate by year",
            percent=True,
        )
    )

    said = ["".join(t.itertext()) for t in chart.iter(f"{SVG}text")]
    assert "24.5%" in said
    assert "26.4%" in said
    assert "n/a" in said
    assert "suppressed" in said
    assert "40%" in said  # the axis, in round steps
    assert len(of_class(chart, "rect", "chart-bar")) == 4


def test_a_chart_with_nothing_published_says_so():
    markup = grouped_bars(
        ["2021/22", "2022/23"],
        [("North Tyneside", [None, None])],
        title="Turnover rate by year",
        percent=True,
    )

    assert "<svg" not in markup
    assert "No figures published for these periods." in markup
