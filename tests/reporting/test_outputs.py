"""CSV, JSON, command, PDF, dashboard and report runs."""

import csv
import datetime as dt
import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from reporting import services
from reporting.impact import EVENT_METRICS
from reporting.models import ReportRun
from tests.academy.factories import MembershipFactory
from tests.participants.factories import (
    ParticipantCohortFactory,
    ParticipantFactory,
    SkillsActionPlanFactory,
)
from vacancies.models import EventKind

PERIOD = {"period": "custom", "start": "2024-04-01", "end": "2024-06-30"}


@pytest.fixture
def plans(academy):
    """Seven people with a plan: 3 refugees (one not a claimant), 4 others."""
    for n in range(7):
        person = ParticipantFactory(academy=academy, is_claimant=n != 0)
        if n < 3:
            ParticipantCohortFactory(participant=person, code="refugee")
        SkillsActionPlanFactory(participant=person, agreed_on=dt.date(2024, 5, 1))


def command(academy, *extra):
    out = StringIO()
    call_command(
        "impact_report",
        "--academy",
        academy.slug,
        "--from",
        "2024-04-01",
        "--to",
        "2024-06-30",
        *extra,
        stdout=out,
    )
    return out.getvalue()


@pytest.mark.django_db
def test_csv_is_long_format_to_the_letter(academy, plans):
    text = command(academy, "--format", "csv")
    first, *lines = text.splitlines()
    assert first.startswith("# Internal: ")  # issue 14: says what it is
    assert lines[0] == "metric,breakdown,category,value"
    assert lines[1:4] == [
        "action_plan_people,all,all,7",
        "action_plan_people,claimant,yes,6",
        "action_plan_people,claimant,no,1",
    ]
    assert "action_plan_people,cohort,refugee,3" in lines
    assert "support_people,cohort,neet,0" in lines
    # Eight people metrics by 13 categories; the event figures by all and each kind.
    assert len(lines) == 1 + 8 * 13 + len(EVENT_METRICS) * (1 + len(EventKind))
    assert text.endswith("\n")


@pytest.mark.django_db
def test_publish_suppresses_one_to_four(academy, plans):
    values = published_csv(command(academy, "--format", "csv", "--publish"))
    # 7 is shown unless the sums around it would give a small count away.
    assert values[("action_plan_people", "all", "all")] in ("7", "[c]")
    assert values[("action_plan_people", "cohort", "refugee")] == "<5"
    assert values[("action_plan_people", "claimant", "no")] == "<5"
    assert values[("support_people", "all", "all")] == "0"


@pytest.mark.django_db
def test_json_carries_the_same_rows(academy, plans, tmp_path):
    path = tmp_path / "r.json"
    command(academy, "--format", "json", "--output", str(path))
    data = json.loads(path.read_text())
    assert (data["academy"], data["from"], data["to"]) == (
        academy.slug,
        "2024-04-01",
        "2024-06-30",
    )
    assert data["rows"][0] == {
        "metric": "action_plan_people",
        "breakdown": "all",
        "category": "all",
        "value": 7,
    }


@pytest.mark.django_db
def test_command_explains_bad_arguments(academy):
    with pytest.raises(CommandError, match="No academy has the slug 'nope'"):
        call_command(
            "impact_report",
            "--academy",
            "nope",
            "--from",
            "2024-01-01",
            "--to",
            "2024-02-01",
            "--format",
            "csv",
        )
    with pytest.raises(CommandError, match="is not a date"):
        call_command(
            "impact_report",
            "--academy",
            academy.slug,
            "--from",
            "01/02/2024",
            "--to",
            "2024-02-01",
            "--format",
            "csv",
        )
    with pytest.raises(CommandError, match="needs --output"):
        command(academy, "--format", "pdf")


@pytest.mark.django_db
def test_pdf_has_real_text_with_the_figures(academy, plans, tmp_path):
    path = tmp_path / "r.pdf"
    command(academy, "--format", "pdf", "--output", str(path), "--publish")
    reader = PdfReader(path)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert academy.name in text
    assert "1 April 2024 to 30 June 2024" in text
    assert "People supported with a skills action plan" in text
    assert "<5" in text
    assert (
        "Page 1 of" in "\n".join(p.extract_text() for p in reader.pages[1:2])
        or len(reader.pages) >= 2
    )
    assert "Small numbers" in text


@pytest.mark.django_db
def test_dashboard_shows_figures_breakdowns_and_charts(client_of, manager, plans):
    response = client_of(manager).get(reverse("reporting:impact"), PERIOD)
    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["report"].value("action_plan_people") == 7
    assert "<svg" in body
    assert "By cohort" in body
    # Managers see aggregates only: no links to the people behind a figure.
    assert reverse("reporting:people", args=["action_plan_people"]) not in body


@pytest.mark.django_db
def test_coordinator_follows_a_figure_to_its_people(client_of, coordinator, plans):
    client = client_of(coordinator)
    body = client.get(reverse("reporting:impact"), PERIOD).content.decode()
    assert reverse("reporting:people", args=["action_plan_people"]) in body
    people = client.get(
        reverse("reporting:people", args=["action_plan_people"]), PERIOD
    )
    assert people.context["page"].paginator.count == 7


@pytest.mark.django_db
def test_dashboard_explains_a_bad_period(client_of, manager):
    response = client_of(manager).get(
        reverse("reporting:impact"),
        {"period": "custom", "start": "2024-06-01", "end": "2024-01-01"},
    )
    assert "The last day must be on or after the first." in response.content.decode()
    assert "report" not in response.context


@pytest.mark.django_db
def test_csv_download_from_the_dashboard(client_of, manager, plans):
    response = client_of(manager).get(reverse("reporting:impact-csv"), PERIOD)
    assert response["Content-Disposition"].startswith("attachment")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff# Internal: ")
    assert text.splitlines()[1] == "metric,breakdown,category,value"
    assert "action_plan_people,all,all,7" in text


@pytest.mark.django_db
def test_asking_for_a_pdf_builds_it_and_offers_it_for_download(
    client_of, manager, plans, django_capture_on_commit_callbacks
):
    client = client_of(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reporting:run-request"), {**PERIOD, "publish": "on"}
        )
    run = ReportRun.objects.get()
    assert response["Location"] == run.get_absolute_url()
    assert (run.status, run.is_published, run.requested_by) == (
        "done",
        True,
        manager.user,
    )
    page = client.get(run.get_absolute_url()).content.decode()
    assert "Download the PDF" in page
    download = client.get(reverse("reporting:run-download", args=[run.pk]))
    content = b"".join(download.streaming_content)
    assert content.startswith(b"%PDF")
    listed = client.get(reverse("reporting:impact")).content.decode()
    assert str(manager.user) in listed


@pytest.mark.django_db
def test_a_failed_pdf_says_why_offers_no_file_and_can_be_retried(
    client_of, manager, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise OSError("font cache is read-only")

    monkeypatch.setattr(services, "render_pdf", broken)
    client = client_of(manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reporting:run-request"), PERIOD)
    run = ReportRun.objects.get()
    assert run.status == "failed"
    assert not run.file
    assert (
        "font cache is read-only" in client.get(run.get_absolute_url()).content.decode()
    )
    assert (
        client.get(reverse("reporting:run-download", args=[run.pk])).status_code == 404
    )

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reporting:run-retry", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == "done"
    assert run.file


@pytest.mark.django_db
def test_a_pending_run_is_polled_by_htmx(client_of, manager, academy):
    run = ReportRun.objects.create(
        academy=academy, start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 31)
    )
    client = client_of(manager)
    page = client.get(run.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 2s"' in page
    partial = client.get(
        run.get_absolute_url(), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in partial
    assert "Waiting for a worker" in partial


@pytest.mark.django_db
def test_the_same_request_twice_while_waiting_is_one_run(academy, manager):
    first = services.report_run_request(
        academy=academy,
        start=dt.date(2024, 1, 1),
        end=dt.date(2024, 1, 31),
        publish=False,
        by=None,
    )
    second = services.report_run_request(
        academy=academy,
        start=dt.date(2024, 1, 1),
        end=dt.date(2024, 1, 31),
        publish=False,
        by=None,
    )
    assert first.pk == second.pk


@pytest.mark.django_db
def test_monthly_report_is_emailed_to_the_managers(
    academy, manager, coordinator, django_capture_on_commit_callbacks
):
    SkillsActionPlanFactory(
        participant__academy=academy, agreed_on=dt.date(2024, 5, 10)
    )
    MembershipFactory(academy=academy, role="manager", is_active=False)
    import time_machine

    from reporting.tasks import monthly_reports_send

    with (
        time_machine.travel("2024-06-01 07:00", tick=False),
        django_capture_on_commit_callbacks(execute=True),  # sent after the commit
    ):
        assert monthly_reports_send.delay().get() == 1
    message = mail.outbox[0]
    assert message.to == [manager.user.email]
    assert "1 May 2024 to 31 May 2024" in message.subject
    names = [name for name, *_ in message.attachments]
    assert any(name.endswith(".pdf") for name in names)
    csv_text = next(
        body for name, body, _ in message.attachments if name.endswith(".csv")
    )
    assert "action_plan_people,all,all,1" in csv_text


@pytest.mark.django_db
def test_the_publication_pdfs_monthly_table_suppresses_one_to_four(academy, plans):
    """Issue 14, seen: the publication PDF's month-by-month table printed 3 and 4
    while the dashboard, the CSV and the PDF's other tables showed <5."""
    from django.template.loader import render_to_string

    from reporting.impact import impact_report
    from reporting.presenters import impact_page

    SkillsActionPlanFactory(
        participant=ParticipantFactory(academy=academy),
        agreed_on=dt.date(2024, 6, 3),
    )
    report = impact_report(
        academy=academy, start=dt.date(2024, 4, 1), end=dt.date(2024, 6, 30)
    )
    page = impact_page(report, publish=True)
    html = render_to_string("print/impact_report.html", page.as_context())
    table = html[html.index("Month by month") :]
    table = table[: table.index("</table>")]
    may = table[table.index("May 2024") : table.index("June 2024")]
    june = table[table.index("June 2024") :]
    assert ">7<" in may  # 7 plans in May: shown
    assert ">&lt;5<" in june  # 1 plan in June: suppressed
    assert ">1<" not in june
    # The internal PDF shows it.
    internal = render_to_string(
        "print/impact_report.html", impact_page(report, publish=False).as_context()
    )
    internal_june = internal[
        internal.index("June 2024", internal.index("Month by month")) :
    ]
    assert ">1<" in internal_june[: internal_june.index("</tr>")]


def published_csv(text):
    """The CSV's rows by (metric, breakdown, category), after its first line."""
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[1] == "metric,breakdown,category,value"
    return {(m, b, c): v for m, b, c, v in csv.reader(lines[2:])}


@pytest.mark.django_db
def test_no_suppressed_count_can_be_worked_out_by_subtraction(academy, plans):
    """Issue 14, seen: 7 people with a plan, 6 claimants and '<5' not claimants: the
    hidden 1 was 7 - 6. Now one of the shown cells is withheld as well."""
    values = published_csv(command(academy, "--format", "csv", "--publish"))
    assert values["action_plan_people", "claimant", "no"] == "<5"
    assert values["action_plan_people", "claimant", "yes"] == "[c]"
    hidden = {key for key, value in values.items() if not value.isdigit()}
    categories = {(b, c) for _, b, c in values if b in ("all", "claimant", "cohort")}
    sums = [
        [(m, "all", "all"), (m, "claimant", "yes"), (m, "claimant", "no")]
        for m, b, _ in values
        if b == "all"
    ] + [
        [
            ("action_plan_people", b, c),
            ("action_plan_claimants", b, c),
            ("action_plan_non_claimants", b, c),
        ]
        for b, c in categories
    ]
    for members in sums:
        assert sum(m in hidden for m in members) != 1, members


@pytest.mark.django_db
def test_internal_and_publication_files_say_which_they_are(client_of, manager, plans):
    """Issue 14, seen: both CSVs had one name and nothing inside told them apart."""
    client = client_of(manager)
    url = reverse("reporting:impact-csv")
    internal = client.get(url, PERIOD)
    published = client.get(url, {**PERIOD, "publish": "on"})
    assert internal["Content-Disposition"].endswith('-internal.csv"')
    assert published["Content-Disposition"].endswith('-for-publication.csv"')
    first = {
        kind: b"".join(r.streaming_content).decode().lstrip("\ufeff").splitlines()[0]
        for kind, r in (("internal", internal), ("published", published))
    }
    assert first["internal"].startswith("# Internal")
    assert first["published"].startswith("# For publication")
    lines = command(academy_of(manager), "--format", "csv", "--publish").splitlines()
    assert lines[0].startswith("# For publication")
    data = json.loads(command(academy_of(manager), "--format", "json"))
    assert data["classification"] == "internal"
    run = ReportRun(academy=manager.academy, start=dt.date(2024, 4, 1))
    run.end, run.is_published = dt.date(2024, 6, 30), True
    assert run.filename.endswith("-for-publication.pdf")


def academy_of(membership):
    return membership.academy
