"""Every CSV the portal gives out opens cleanly in Excel (issue 15): UTF-8 with a
byte-order mark before anything else (the impact CSV's first line included), labels as
the screen shows them rather than codes, and dates in one form: ISO 8601, a day as
YYYY-MM-DD and a moment as YYYY-MM-DD HH:MM:SS (UK time; the audit says UTC)."""

import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from academy.csv_files import BOM, cell, csv_file_bytes, utc_moment
from participants.models import Cohort, Participant, ParticipantCohort
from tests.participants.factories import ParticipantFactory, SkillsActionPlanFactory
from tests.reporting.test_funders_views import QUERY
from tests.reporting.test_funders_views import ukspf as ukspf

UTF8_BOM = b"\xef\xbb\xbf"
LONDON = ZoneInfo("Europe/London")
MOMENT = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _rows(raw: bytes) -> list[list[str]]:
    assert raw.startswith(UTF8_BOM), raw[:20]
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.fixture
def zoe(academy, coordinator):
    person = ParticipantFactory(
        academy=academy,
        first_name="Zoë",
        last_name="Ó Briain-Müller",
        coordinator=coordinator.user,
        benefit_type=Participant.BenefitType.UNIVERSAL_CREDIT,
        last_contact_at=dt.datetime(2026, 3, 2, 10, 15, 30, tzinfo=LONDON),
    )
    ParticipantCohort.objects.create(participant=person, code=Cohort.OVER_50)
    return person


@pytest.mark.django_db
def test_people_csv_reads_as_the_screen_does_in_excel(client_of, coordinator, zoe):
    raw = _body(client_of(coordinator).get(reverse("participants:export")))
    text = raw.decode("utf-8-sig")
    rows = _rows(raw)
    header, row = rows[0], rows[1]
    shown = dict(zip(header, row, strict=True))
    assert shown["First name"] == "Zoë"
    assert shown["Last name"] == "Ó Briain-Müller"
    assert shown["Benefit"] == "Universal Credit"
    assert shown["Cohorts"] == "Aged over 50"
    assert shown["Benefit claimant"] == "Yes"
    assert shown["Date of birth"] == "1980-05-17"
    assert shown["Last contact"] == "2026-03-02 10:15:30"
    for code in ("universal_credit", "over_50", "job_centre"):
        assert code not in text


@pytest.mark.django_db
def test_people_csv_with_codes_keeps_the_codes_an_import_takes(
    client_of, coordinator, zoe
):
    raw = _body(
        client_of(coordinator).get(reverse("participants:export"), {"columns": "codes"})
    )
    shown = dict(zip(*_rows(raw)[:2], strict=True))
    assert shown["benefit_type"] == "universal_credit"
    assert shown["cohorts"] == "over_50"
    assert shown["claimant"] == "yes"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["access", "changes", "sign-ins"])
def test_audit_csv_has_labels_and_plain_times(client_of, admin, coordinator, zoe, kind):
    client_of(coordinator).get(reverse("participants:detail", args=[zoe.pk]))
    raw = _body(client_of(admin).get(reverse("academy:audit-export", args=[kind])))
    rows = _rows(raw)
    assert rows[0][0] == "When (UTC)"
    assert len(rows) > 1
    for row in rows[1:]:
        assert MOMENT.match(row[0]), row[0]
    if kind == "access":
        roles = {row[2] for row in rows[1:]}
        assert "Coordinator" in roles
        assert "coordinator" not in roles


@pytest.mark.django_db
def test_impact_csv_puts_the_bom_before_its_first_line(client_of, manager, academy):
    SkillsActionPlanFactory(participant__academy=academy)
    raw = _body(client_of(manager).get(reverse("reporting:impact-csv")))
    rows = _rows(raw)
    assert rows[0][0].startswith("# ")  # the first line rule: BOM, then the line
    assert rows[1] == ["metric", "breakdown", "category", "value"]


@pytest.mark.django_db
def test_monthly_report_csv_attachment_opens_in_excel(
    academy, manager, django_capture_on_commit_callbacks
):
    from reporting.tasks import monthly_reports_send

    SkillsActionPlanFactory(
        participant__academy=academy, agreed_on=dt.date(2024, 5, 10)
    )
    with (
        time_machine.travel("2024-06-01 07:00", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        monthly_reports_send.delay().get()
    body = next(
        body for name, body, _ in mail.outbox[0].attachments if name.endswith(".csv")
    )
    raw = body if isinstance(body, bytes) else body.encode("utf-8")
    rows = _rows(raw)
    assert rows[1] == ["metric", "breakdown", "category", "value"]


@pytest.mark.django_db
def test_funder_return_csv_opens_in_excel(client_of, manager, ukspf):
    response = client_of(manager).get(
        reverse("reporting:funder-return-csv", args=[ukspf.pk]), QUERY
    )
    rows = _rows(_body(response))
    assert len(rows) > 2


@pytest.mark.django_db
def test_import_template_csv_opens_in_excel(client_of, coordinator):
    response = client_of(coordinator).get(
        reverse("participants:import-upload"), {"template": "participants"}
    )
    assert _rows(_body(response))[0][0]


def test_cells_write_days_moments_and_yes_no_one_way():
    moment = dt.datetime(2026, 7, 1, 8, 5, 7, tzinfo=dt.UTC)  # 09:05:07 in BST
    assert cell(dt.date(2026, 7, 1)) == "2026-07-01"
    assert cell(moment) == "2026-07-01 09:05:07"
    assert utc_moment(moment) == "2026-07-01 08:05:07"
    assert cell(True) == "Yes"
    assert cell(False) == "No"
    assert cell(None) == ""
    assert cell(3) == 3
    assert cell("=SUM(A1)") == "'=SUM(A1)"


def test_a_csv_file_for_a_person_starts_with_the_bom():
    data = csv_file_bytes([("Zoë", dt.date(2026, 1, 2))])
    assert data.startswith(UTF8_BOM)
    assert data.decode("utf-8") == BOM + "Zoë,2026-01-02\r\n"
