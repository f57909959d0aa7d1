"""Issue 14: every published output of the impact report, rendered, shows no count
from 1 to 4 anywhere, and nothing hidden can be worked out along the sums it shows."""

import datetime as dt
import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse

from reporting.disclosure import WITHHELD
from reporting.impact import impact_report, published_figures, report_sums
from reporting.presenters import impact_page
from tests.participants.factories import (
    MeetingFactory,
    OutcomeFactory,
    ParticipantCohortFactory,
    ParticipantFactory,
    SkillsActionPlanFactory,
    SupportFactory,
)

START, END = dt.date(2024, 4, 1), dt.date(2024, 6, 30)
PERIOD = {"period": "custom", "start": "2024-04-01", "end": "2024-06-30"}
SMALL = re.compile(r">\s*[1-4]\s*<")  # a table cell or figure that is just 1 to 4


@pytest.fixture
def tempting(academy):
    """Counts placed to tempt subtraction: 12 with a plan (10 claimants, 2 not), 3 of
    them in May; 7 over 50 (1 not a claimant); 3 refugees; sources 9 + 3; 6 supported;
    2 into care jobs; 1 meeting."""
    people = []
    for n in range(12):
        person = ParticipantFactory(
            academy=academy,
            is_claimant=n >= 2,
            registered_on=dt.date(2024, 4, 2),
            source="event" if n < 3 else "job_centre",
        )
        people.append(person)
        SkillsActionPlanFactory(
            participant=person,
            agreed_on=dt.date(2024, 5, 6) if n < 3 else dt.date(2024, 4, 8),
        )
        if n >= 5 or n == 0:
            ParticipantCohortFactory(participant=person, code="over_50")
        if 4 <= n < 7:
            ParticipantCohortFactory(participant=person, code="refugee")
        if n < 6:
            SupportFactory(participant=person, kind="careers", given_on=START)
    for person in people[:2]:
        OutcomeFactory(
            participant=person,
            kind="employment",
            sector="health_social_care",
            started_on=dt.date(2024, 6, 1),
        )
    MeetingFactory(participant=people[0])
    return people


def small_counts_in(html: str) -> list[str]:
    """Cells whose whole text is 1 to 4, outside the charts' axes."""
    without_charts = re.sub(r"<svg.*?</svg>", "", html, flags=re.S)
    return SMALL.findall(without_charts)


def report(academy):
    return impact_report(academy=academy, start=START, end=END)


@pytest.mark.django_db
def test_the_data_has_small_counts_to_hide(academy, tempting):
    internal = published_figures(report(academy), publish=False)
    assert internal["action_plan_people", "claimant", "no"] == 2
    assert internal["action_plan_people", "month", "2024-05"] == 3
    assert small_counts_in(
        render_to_string(
            "print/impact_report.html",
            impact_page(report(academy), publish=False).as_context(),
        )
    )


@pytest.mark.django_db
def test_no_published_figure_is_small_or_alone_in_a_sum(academy, tempting):
    shown = published_figures(report(academy), publish=True)
    assert not [k for k, v in shown.items() if isinstance(v, int) and 0 < v < 5]
    for s in report_sums(report(academy)):
        hidden = [m for m in s.members if not isinstance(shown[m], int)]
        assert len(hidden) != 1, (s, hidden)
    assert WITHHELD in shown.values()  # the sums made something else hidden


@pytest.mark.django_db
def test_every_published_output_shows_no_small_count(
    academy, tempting, client_of, manager, tmp_path
):
    client = client_of(manager)
    dashboard = client.get(reverse("reporting:impact"), {**PERIOD, "publish": "on"})
    assert dashboard.status_code == 200
    assert small_counts_in(dashboard.content.decode()) == []

    pdf_html = render_to_string(
        "print/impact_report.html",
        impact_page(report(academy), publish=True).as_context(),
    )
    assert small_counts_in(pdf_html) == []

    response = client.get(reverse("reporting:impact-csv"), {**PERIOD, "publish": "on"})
    lines = b"".join(response.streaming_content).decode().splitlines()[2:]
    values = [line.rsplit(",", 1)[1] for line in lines]
    assert not {"1", "2", "3", "4"} & set(values)

    out = StringIO()
    call_command(
        "impact_report",
        "--academy",
        academy.slug,
        "--from",
        "2024-04-01",
        "--to",
        "2024-06-30",
        "--format",
        "json",
        "--publish",
        stdout=out,
    )
    rows = json.loads(out.getvalue())["rows"]
    assert not [r for r in rows if r["value"] in (1, 2, 3, 4)]


@pytest.mark.django_db
def test_the_pdf_beside_the_previous_period_and_targets_shows_no_small_count(
    academy, tempting
):
    """The PDF adds the previous period (its own report, through the same rules),
    the change, progress towards targets and sustainment percentages: none gives a
    small count away, by itself or as a percentage or a difference."""
    from reporting.models import ImpactTarget
    from reporting.presenters import impact_document

    academy.launched_on = dt.date(2023, 4, 1)
    academy.save()
    for _ in range(2):  # the quarter before: 2 with a plan, so '<5' there
        SkillsActionPlanFactory(
            participant__academy=academy, agreed_on=dt.date(2024, 2, 5)
        )
    for metric, value in (
        ("action_plan_people", 40),
        ("employment_health_social_care", 10),  # 2 this quarter: hidden
    ):
        ImpactTarget.objects.create(
            academy=academy, metric=metric, year=2024, value=value
        )
    document = impact_document(report(academy), publish=True)
    figures = {row.metric.key: row for row in document.figures}
    assert figures["action_plan_people"].previous == "<5"
    assert figures["action_plan_people"].change == "\u2013"  # not 12 - '<5'
    assert figures["employment_health_social_care"].progress == "<5 of 10 target"

    html = render_to_string("print/impact_report.html", document.as_context())
    assert small_counts_in(html) == []
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<svg.*?</svg>", "", html, flags=re.S))
    assert not re.search(r"(?<![\d,])[1-4] of \d", text)  # '2 of 10 target'

    internal = render_to_string(
        "print/impact_report.html",
        impact_document(report(academy), publish=False).as_context(),
    )
    assert "2 of 10 target, 20%" in internal  # the data does tempt


@pytest.mark.django_db
def test_the_month_chart_says_a_hidden_month_is_hidden_rather_than_empty(
    academy, tempting
):
    """Helper-found: a month of 3 was drawn as an empty month (0) in the chart."""
    page = impact_page(report(academy), publish=True)
    chart = str(page.trend_chart)
    assert "&lt;5" in chart
