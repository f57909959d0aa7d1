"""Issue 17: the impact report's event figures in the CSV, JSON, dashboard and PDF,
under the report's rules (every kind with zeros, small counts suppressed when
published)."""

import csv
import io
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from reporting.impact import EVENT_METRICS, impact_report
from reporting.summaries import impact_changes_apply
from tests.vacancies.events_data import END, START, hand_made_events
from vacancies.models import EventKind

pytestmark = pytest.mark.django_db
PERIOD = {"period": "custom", "start": START.isoformat(), "end": END.isoformat()}


@pytest.fixture
def events(academy, other_academy):
    hand_made_events(academy, other_academy)


def rows(academy, *extra):
    out = StringIO()
    call_command(
        "impact_report",
        "--academy",
        academy.slug,
        "--from",
        START.isoformat(),
        "--to",
        END.isoformat(),
        *extra,
        stdout=out,
    )
    return out.getvalue()


def csv_values(text):
    """The rows by key, after the first line (internal or for publication)."""
    first, rest = text.split("\n", 1)
    assert first.startswith("# ")
    return {
        (r["metric"], r["breakdown"], r["category"]): r["value"]
        for r in csv.DictReader(io.StringIO(rest))
    }


def test_the_csv_has_events_held_and_event_attendees_by_kind(academy, events):
    values = csv_values(rows(academy, "--format", "csv"))

    assert values["events_held", "all", "all"] == "4"
    assert values["event_attendees", "all", "all"] == "5"
    assert {
        kind: values["events_held", "event_kind", kind] for kind in EventKind.values
    } == {
        "recruitment": "1",
        "careers": "0",
        "information": "1",
        "drop_in": "2",
        "job_centre": "0",
        "school": "0",
        "interview_prep": "0",
        "taster": "0",
    }
    assert values["event_attendees", "event_kind", "drop_in"] == "3"
    assert values["event_attendees", "event_kind", "recruitment"] == "3"
    assert values["event_attendees_new", "all", "all"] == "3"
    assert values["event_attendees_job_start_6m", "event_kind", "recruitment"] == "2"
    assert values["event_attendees_referral_6m", "all", "all"] == "1"


def test_every_event_metric_has_all_and_every_kind_zeros_included(academy):
    report = impact_report(academy=academy, start=START, end=END)
    assert len(report.event_rows) == len(EVENT_METRICS) * (1 + len(EventKind.values))
    assert {r.value for r in report.event_rows} == {0}
    text = rows(academy, "--format", "csv")
    assert "events_held,all,all,0" in text.splitlines()
    assert "event_attendees,event_kind,taster,0" in text.splitlines()


def test_publication_suppresses_small_event_counts(academy, events):
    values = csv_values(rows(academy, "--format", "csv", "--publish"))
    assert values["events_held", "all", "all"] == "<5"
    assert values["event_attendees", "all", "all"] == "5"
    assert values["event_attendees", "event_kind", "drop_in"] == "<5"
    assert values["events_held", "event_kind", "school"] == "0"


def test_json_carries_the_event_rows(academy, events):
    data = json.loads(rows(academy, "--format", "json"))
    found = {
        (r["metric"], r["breakdown"], r["category"]): r["value"] for r in data["rows"]
    }
    assert found["event_attendees", "all", "all"] == 5
    assert found["events_held", "event_kind", "information"] == 1


def test_the_dashboard_shows_events_and_what_came_of_them(client_of, manager, events):
    response = client_of(manager).get(reverse("reporting:impact"), PERIOD)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Events and what came of them" in body
    assert response.context["events"][0].attendees == 5
    shown = [row.label for row in response.context["events"]]
    # Kinds not run in the period stay out of the table (they are in the CSV).
    assert shown == [
        "All events",
        "Recruitment event",
        "Information session",
        "Drop-in",
    ]


def test_the_published_dashboard_suppresses_them(client_of, manager, events):
    response = client_of(manager).get(
        reverse("reporting:impact"), {**PERIOD, "publish": "on"}
    )
    all_events = response.context["events"][0]
    assert (all_events.held, all_events.attendees, all_events.new) == (
        "<5",
        5,
        "<5",
    )
    plan = all_events.went_on[0]
    assert (plan.label, plan.three, plan.six) == ("Plan agreed", "<5", "<5")


def test_the_pdf_has_the_event_figures_as_text(academy, events, tmp_path):
    path = tmp_path / "r.pdf"
    rows(academy, "--format", "pdf", "--output", str(path))
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    assert "Events and what came of them" in text
    assert "Events held, which 5 people came to (3 new to the academy)" in text
    assert "who went on to a job start within 6 months" in text


def test_event_figures_take_the_same_queries_however_many_came(
    academy, other_academy, django_assert_max_num_queries
):
    impact_report(academy=academy, start=START, end=END)  # builds the summaries
    with django_assert_max_num_queries(20) as few:
        impact_report(academy=academy, start=START, end=END)
    hand_made_events(academy, other_academy)
    hand_made_events(academy, other_academy)
    # People the events registered are counted in the summaries first (not events).
    impact_changes_apply(academy)
    with django_assert_max_num_queries(len(few.captured_queries)):
        report = impact_report(academy=academy, start=START, end=END)
    assert report.value("events_held") == 8
