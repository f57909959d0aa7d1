"""The impact report's charts (bar and by-month) and the period box (issue 14, seen 4
and 5): legible at any period length and on a phone, honest about what is not shown."""

import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from pypdf import PdfReader

from academy.pdf import render_pdf
from reporting.charts import bar_chart, trend_chart
from reporting.impact import impact_report
from reporting.presenters import impact_page
from tests.participants.factories import ParticipantFactory, SkillsActionPlanFactory

SVG = "{http://www.w3.org/2000/svg}"
MONTH = re.compile(r"^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)")
NARROWEST, WIDE = 300, 480  # px: a chart in a card on a phone, and from a tablet up


def parsed(markup) -> ET.Element:
    return ET.fromstring(f"<root>{markup}</root>")  # noqa: S314 - the portal's own


def texts(root) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def month_labels(root) -> list[ET.Element]:
    return [t for t in root.iter(f"{SVG}text") if MONTH.match("".join(t.itertext()))]


def since_launch(first=dt.date(2022, 4, 1), count=37) -> list[dt.date]:
    months = []
    year, month = first.year, first.month
    for _ in range(count):
        months.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def of_class(chart, tag: str, name: str) -> list[ET.Element]:
    return [e for e in chart.iter(f"{SVG}{tag}") if name in e.get("class", "").split()]


def wide_only(element) -> bool:
    """Drawn only in a chart at least WIDE px wide."""
    return "chart-wide-only" in element.get("class", "").split()


def years_named(chart, *, narrow=False) -> set[int]:
    """The years the chart names, on its month labels or over its year lines; only
    those drawn on a phone if `narrow`."""
    named = set()
    for text in chart.iter(f"{SVG}text"):
        if narrow and wide_only(text):
            continue
        named |= {int(y) for y in re.findall(r"\b20\d\d\b", " ".join(text.itertext()))}
    return named


def centre(label, width: int) -> float:
    return float(label.get("x").rstrip("%")) * width / 100


def apart(labels, width: int) -> float:
    """The least distance between two neighbouring labels' centres, in px."""
    xs = sorted(centre(label, width) for label in labels)
    return min((b - a for a, b in itertools.pairwise(xs)), default=width)


def widest(labels) -> float:
    """A generous width of the widest line of the labels at their size."""
    return max(
        len(line) * float(label.get("font-size")) * 0.62
        for label in labels
        for line in label.itertext()
    )


def test_since_launch_by_month_labels_a_dozen_months_at_most_and_marks_each_year():
    """Seen: 37 overlapping labels on the since-launch monthly chart."""
    months = since_launch()
    chart = parsed(
        trend_chart(
            [f"{m:%b %y}" for m in months],  # as the presenter passes them
            [("Plans agreed", [n % 7 for n in range(37)])],
            title="People by month",
        )
    )

    labels = month_labels(chart)
    assert len(labels) <= 12
    # Every month keeps its tick; each January starts a marked year.
    ticks = [
        line
        for line in chart.iter(f"{SVG}line")
        if "chart-tick" in line.get("class", "")
    ]
    assert len(ticks) == 37
    years = [
        line
        for line in chart.iter(f"{SVG}line")
        if "chart-year" in line.get("class", "")
    ]
    assert len(years) == 3  # January 2023, 2024 and 2025
    said = ["".join(label.itertext()) for label in labels]
    assert said[0] == "Apr2022"  # the first month, with its year under it
    assert said[-1] == "Apr2025"  # the last month
    assert years_named(chart) >= {2022, 2023, 2024, 2025}
    # Labels never overlap: on a phone those for a narrow chart, from a tablet up all.
    narrow = [
        label for label in labels if "chart-wide-only" not in label.get("class", "")
    ]
    assert apart(narrow, NARROWEST) > widest(narrow)
    assert apart(labels, WIDE) > widest(labels)


@pytest.mark.parametrize("count", [1, 2, 3, 12, 13, 24, 37, 61, 121])
def test_any_period_length_labels_first_and_last_month_and_every_year(count):
    months = since_launch(dt.date(2023, 11, 1), count)
    chart = parsed(trend_chart(months, [("Supported", [1] * count)], title="By month"))

    labels = month_labels(chart)
    said = ["".join(label.itertext()) for label in labels]
    assert 1 <= len(labels) <= 12
    assert said[0] == f"{months[0]:%b}{months[0].year}"
    assert said[-1].startswith(f"{months[-1]:%b}")
    narrow = [
        label for label in labels if "chart-wide-only" not in label.get("class", "")
    ]
    years = {m.year for m in months}
    assert years_named(chart) == years
    if count <= 61:  # up to five years, every year is named on a phone too
        assert years_named(chart, narrow=True) == years
    assert apart(narrow, NARROWEST) > widest(narrow)
    assert apart(labels, WIDE) > widest(labels)


@pytest.mark.parametrize("top", [1, 2, 3, 4, 7, 13, 99, 653, 1234])
def test_the_count_axis_has_whole_distinct_ticks_from_zero_past_the_top(top):
    """Seen: an axis of 0, 0, 0, 1, 1."""
    chart = parsed(
        trend_chart(since_launch(count=3), [("Plans", [0, top, 1])], title="t")
    )

    ticks = [
        int(t.replace(",", "")) for t in texts(chart) if re.fullmatch(r"[\d,]+", t)
    ]
    assert ticks == sorted(set(ticks))
    assert ticks[0] == 0
    assert ticks[-1] >= top
    assert 2 <= len(ticks) <= 6


def test_a_chart_with_no_figures_says_so_in_words():
    """Seen: an empty chart was an empty axis reading 0, 0, 0, 1, 1."""
    months = since_launch(count=12)

    for chart in (
        trend_chart(months, [("Plans", [0] * 12), ("Supported", [0] * 12)], title="t"),
        trend_chart([], [("Plans", [])], title="t"),
        bar_chart([("Plans", 0), ("Registered", 0)], title="t"),
        bar_chart([], title="t"),
    ):
        assert "No figures in this period." in chart
        assert "<svg" not in chart


def test_a_suppressed_count_has_no_bar_and_says_what_it_is():
    chart = parsed(
        bar_chart(
            [("Plans", 12), ("Jobs in care", "<5"), ("Registered", "[c]")], title="t"
        )
    )

    assert len(list(chart.iter(f"{SVG}rect"))) == 1
    said = texts(chart)
    assert said.count("<5") == 1
    assert said.count("[c]") == 1
    assert "Jobs in care" in said
    assert "12" in said


def test_a_suppressed_month_has_no_bar_but_a_mark_that_is_explained():
    months = since_launch(count=4)
    markup = trend_chart(
        months, [("Into care jobs", [7, "<5", "[c]", 0])], title="By month"
    )
    chart = parsed(markup)

    assert len(of_class(chart, "rect", "chart-bar")) == 1  # 7; none for <5, [c], 0
    said = " ".join(chart.itertext())
    assert "<5" in said
    assert "[c]" in said


def test_suppressed_months_in_a_long_chart_are_dots_explained_under_it():
    months = since_launch()
    values = [n if n % 5 else "<5" for n in range(37)]
    values[7] = "[c]"
    chart = parsed(trend_chart(months, [("Into care jobs", values)], title="t"))

    dots = list(chart.iter(f"{SVG}circle"))
    assert len(dots) == values.count("<5") + 1
    assert "<5" in "".join(dots[0].itertext())  # its tooltip
    assert not [
        r
        for r in of_class(chart, "rect", "chart-bar")
        if r.get("x") in {d.get("cx") for d in dots}
    ]
    note = "".join(chart.find("div/p").itertext())
    assert note.startswith("A dot in place of a bar is a figure not shown")
    assert "<5: a count of 1 to 4" in note
    assert "[c]: withheld so that a small count cannot be worked out" in note


def test_chart_text_is_never_scaled_below_twelve_pixels():
    """Seen: on a phone the SVG scaled 13 px text to about 7 px. With no viewBox the
    text is drawn at its own size in CSS pixels at every width."""
    for markup in (
        trend_chart(since_launch(), [("Plans", list(range(37)))], title="t"),
        bar_chart([("Supported with a very long label indeed", 40)], title="t"),
    ):
        chart = parsed(markup)
        svg = next(chart.iter(f"{SVG}svg"))
        assert svg.get("viewBox") is None
        assert svg.get("width") == "100%"
        sizes = [float(t.get("font-size")) for t in chart.iter(f"{SVG}text")]
        assert sizes
        assert min(sizes) >= 12


def test_a_long_bar_label_wraps_within_a_phones_chart():
    label = "Given careers, employability, financial or mental-health support"
    chart = parsed(bar_chart([(label, 40), ("Registered", 3)], title="t"))

    lines = [t for t in chart.iter(f"{SVG}text") if t.text and t.text[0].isalpha()]
    assert " ".join(t.text for t in lines[:-1]) == label
    assert all(len(t.text) * 13 * 0.62 <= NARROWEST for t in lines)


def test_chart_text_is_escaped():
    markup = bar_chart([("<b>Plans</b>", 3)], title="A & B")

    assert "<b>" not in markup
    assert "&lt;b&gt;Plans&lt;/b&gt;" in markup
    parsed(markup)  # well-formed


@pytest.mark.django_db
def test_the_publication_pdfs_charts_are_real_text_and_say_less_than_five(academy):
    academy.launched_on = dt.date(2022, 4, 1)
    academy.save()
    for n in range(8):
        SkillsActionPlanFactory(
            participant=ParticipantFactory(academy=academy),
            agreed_on=dt.date(2022 + n // 3, 1 + n, 10),
        )
    report = impact_report(
        academy=academy, start=dt.date(2022, 4, 1), end=dt.date(2025, 4, 30)
    )
    pdf = render_pdf(
        "print/impact_report.html", impact_page(report, publish=True).as_context()
    )
    import io

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    chart = text[text.index("Month by month") :]
    for year in ("2022", "2023", "2024", "2025"):
        assert year in chart
    assert "Apr" in chart
    assert "<5" in text[: text.index("Month by month")]  # the headline chart's labels


# The period box (issue 14, seen 5).


@pytest.mark.django_db
def test_on_first_opening_the_period_box_shows_since_launch(client_of, manager):
    """Seen: the box said "This month" while the page showed since launch."""
    manager.academy.launched_on = dt.date(2024, 4, 1)
    manager.academy.save()

    response = client_of(manager).get(reverse("reporting:impact"))

    form = response.context["form"]
    assert form["period"].value() == "since_launch"
    body = response.content.decode()
    assert re.search(r'<option value="since_launch"[^>]* selected>', body)
    assert not re.search(r'<option value="this_month"[^>]* selected>', body)
    # The date boxes hold the dates shown, for a change to "Two dates" to start from.
    assert form["start"].value() == "2024-04-01"
    assert form["end"].value() == response.context["report"].end.isoformat()


@pytest.mark.django_db
def test_a_preset_puts_its_dates_in_the_date_boxes(client_of, manager):
    response = client_of(manager).get(
        reverse("reporting:impact"), {"period": "last_month"}
    )

    form = response.context["form"]
    report = response.context["report"]
    assert form["period"].value() == "last_month"
    assert form["start"].value() == report.start.isoformat()
    assert form["end"].value() == report.end.isoformat()


@pytest.mark.django_db
def test_a_preset_chosen_with_old_dates_in_the_boxes_shows_the_preset(
    client_of, manager
):
    """The boxes hold the previous period's dates when the select is changed."""
    response = client_of(manager).get(
        reverse("reporting:impact"),
        {"period": "last_month", "start": "2020-01-01", "end": "2020-02-01"},
    )

    report = response.context["report"]
    assert report.start != dt.date(2020, 1, 1)
    assert response.context["form"]["start"].value() == report.start.isoformat()


@pytest.mark.django_db
def test_two_dates_show_the_dates_given(client_of, manager):
    response = client_of(manager).get(
        reverse("reporting:impact"),
        {"period": "custom", "start": "2024-04-01", "end": "2024-06-30"},
    )

    form = response.context["form"]
    assert form["period"].value() == "custom"
    assert (form["start"].value(), form["end"].value()) == ("2024-04-01", "2024-06-30")
    assert response.context["report"].start == dt.date(2024, 4, 1)


@pytest.mark.django_db
def test_dates_without_a_period_are_two_dates(client_of, manager):
    response = client_of(manager).get(
        reverse("reporting:impact"), {"start": "2024-04-01", "end": "2024-06-30"}
    )

    assert response.context["form"]["period"].value() == "custom"
    assert response.context["report"].end == dt.date(2024, 6, 30)


@pytest.mark.django_db
def test_a_bad_period_keeps_what_was_typed_and_says_what_to_fix(client_of, manager):
    response = client_of(manager).get(
        reverse("reporting:impact"),
        {"period": "custom", "start": "2024-06-01", "end": "2024-01-01"},
    )

    form = response.context["form"]
    assert "The last day must be on or after the first." in response.content.decode()
    assert (form["start"].value(), form["end"].value()) == ("2024-06-01", "2024-01-01")
    assert form["period"].value() == "custom"


@pytest.mark.django_db
def test_an_unknown_period_is_explained(client_of, manager):
    response = client_of(manager).get(
        reverse("reporting:impact"), {"period": "fortnight"}
    )

    assert response.status_code == 200
    assert "report" not in response.context
    assert "Select a valid choice" in response.content.decode()
