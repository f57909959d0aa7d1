"""Importing records from CSV and XLSX (spec/import-format.md): the command, the
service, and the upload → preview → confirm pages."""

import datetime as dt
import io
import time
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from participants import imports, tasks
from participants.imports import writing
from participants.models import (
    ConsentRecord,
    ImportRun,
    Outcome,
    Participant,
    ParticipantCohort,
    SkillsActionPlan,
    Support,
    SustainmentCheck,
)
from participants.services.imports import (
    import_run_confirm,
    import_run_create,
    records_import,
)
from tests.participants.factories import (
    OutcomeFactory,
    ParticipantCohortFactory,
    ParticipantFactory,
)


def cells(line):
    return line.split(",")


PARTICIPANTS = [
    cells(
        "reference,first_name,last_name,registered_on,claimant,postcode,email,cohorts,"
        "source,consent_to_share"
    ),
    cells(
        "A-1,Ann,Jones,2024-01-15,yes,pl11aa,Ann@Example.NET,over_50; refugee,"
        "job_centre,yes"
    ),
    cells("A-2,Bob,Smith,2024-02-01,No,,,,,no"),
]

OTHER_KINDS = {
    "action_plans": (
        [
            ["participant_reference", "agreed_on", "pathway", "target_role", "status"],
            ["A-1", "2024-01-20", "demand", "Care worker", ""],
            ["A-2", "2024-02-10", "supply", "", "completed"],
        ],
        SkillsActionPlan,
    ),
    "support": (
        [
            ["participant_reference", "date", "kind", "notes"],
            ["A-1", "2024-01-22", "careers", "CV written"],
            ["A-1", "2024-01-22", "financial", ""],
        ],
        Support,
    ),
    "outcomes": (
        [
            cells(
                "participant_reference,kind,started_on,sector,employer,role,"
                "hours_per_week"
            ),
            cells(
                "A-1,employment,2024-03-01,health_social_care,Tamar Care,Care worker,"
                "37.5"
            ),
            ["A-2", "training", "2024-03-05", "", "", "", ""],
        ],
        Outcome,
    ),
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def write_csv(path, rows, *, bom=False):
    text = "\r\n".join(",".join(row) for row in rows) + "\r\n"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode())
    return path


def run_command(academy, kind, path, *extra):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_records",
        "--academy",
        academy.slug,
        "--kind",
        kind,
        str(path),
        *extra,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def failing_command(academy, kind, path, *extra):
    """Run the command expecting it to fail; return its stderr lines and error."""
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command(
            "import_records",
            "--academy",
            academy.slug,
            "--kind",
            kind,
            str(path),
            *extra,
            stdout=io.StringIO(),
            stderr=err,
        )
    return err.getvalue().splitlines(), str(failure.value)


def import_via(via, academy, kind, path):
    """Import a file through the command or the service; return the counts."""
    if via == "command":
        out, _ = run_command(academy, kind, path)
        return out
    with path.open("rb") as source:
        result = records_import(
            academy=academy, kind=kind, source=source, file_name=path.name, by=None
        )
    assert result.is_written
    summary = result.summary
    return f"{summary.created} created, {summary.updated} updated"


def snapshot(academy):
    """Everything an import touches, to prove a second import changes nothing."""
    people = Participant.objects.for_academy(academy)
    return (
        list(people.order_by("pk").values()),
        list(ParticipantCohort.objects.order_by("pk").values()),
        list(ConsentRecord.objects.order_by("pk").values()),
        list(SkillsActionPlan.objects.order_by("pk").values()),
        list(Support.objects.order_by("pk").values()),
        list(Outcome.objects.order_by("pk").values()),
        list(SustainmentCheck.objects.order_by("pk").values()),
    )


def people_a1_a2(academy):
    ParticipantFactory(academy=academy, reference="A-1")
    ParticipantFactory(academy=academy, reference="A-2")


# The command and the service


@pytest.mark.django_db
@pytest.mark.parametrize("via", ["command", "service"])
def test_participants_are_imported_with_consents_and_cohorts(academy, tmp_path, via):
    path = write_csv(tmp_path / "people.csv", PARTICIPANTS)

    assert "2 created, 0 updated" in import_via(via, academy, "participants", path)

    ann = Participant.objects.for_academy(academy).get(reference="A-1")
    assert (ann.first_name, ann.registered_on) == ("Ann", dt.date(2024, 1, 15))
    assert (ann.postcode, ann.email, ann.source) == (
        "PL1 1AA",
        "ann@example.net",
        "job_centre",
    )
    assert ann.is_claimant
    assert ann.has_consent_to_hold
    assert ann.has_consent_to_share
    assert set(ann.cohorts.values_list("code", flat=True)) == {"over_50", "refugee"}
    consents = {
        (c.kind, c.is_given, c.source, c.recorded_by) for c in ann.consents.all()
    }
    assert consents == {
        ("hold_data", True, "import", None),
        ("share_with_providers", True, "import", None),
    }
    assert all(
        c.note.startswith("Stated in the imported file people.csv")
        for c in ann.consents.all()
    )
    bob = Participant.objects.for_academy(academy).get(reference="A-2")
    assert not bob.is_claimant
    assert not bob.has_consent_to_share
    assert not bob.cohorts.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("via", ["command", "service"])
@pytest.mark.parametrize("kind", sorted(OTHER_KINDS))
def test_each_kind_of_record_is_imported(academy, tmp_path, via, kind):
    people_a1_a2(academy)
    rows, model = OTHER_KINDS[kind]
    path = write_csv(tmp_path / f"{kind}.csv", rows)

    assert "2 created, 0 updated" in import_via(via, academy, kind, path)

    assert model.objects.for_academy(academy).count() == 2


@pytest.mark.django_db
def test_imported_records_carry_the_values_of_the_file(academy, tmp_path):
    people_a1_a2(academy)
    for kind, (rows, _) in OTHER_KINDS.items():
        run_command(academy, kind, write_csv(tmp_path / f"{kind}.csv", rows))

    plans = SkillsActionPlan.objects.order_by("agreed_on")
    assert [(p.pathway, p.target_role, p.status) for p in plans] == [
        ("demand", "Care worker", "active"),
        ("supply", "", "completed"),
    ]
    assert set(Support.objects.values_list("kind", "given_on", "notes")) == {
        ("careers", dt.date(2024, 1, 22), "CV written"),
        ("financial", dt.date(2024, 1, 22), ""),
    }
    job = Outcome.objects.get(kind="employment")
    assert (job.sector, job.employer, job.role, job.hours_per_week) == (
        "health_social_care",
        "Tamar Care",
        "Care worker",
        Decimal("37.5"),
    )


@pytest.mark.django_db
def test_employment_outcome_gets_its_sustainment_checks(academy, tmp_path):
    ParticipantFactory(academy=academy, reference="A-1")
    soon = timezone.localdate() - dt.timedelta(days=7)
    path = write_csv(
        tmp_path / "outcomes.csv",
        [
            ["participant_reference", "kind", "started_on", "sector"],
            ["A-1", "employment", "2024-03-01", "other"],
            ["A-1", "employment", soon.isoformat(), "health_social_care"],
            ["A-1", "volunteering", "2024-03-01", ""],
        ],
    )

    run_command(academy, "outcomes", path)

    checks = SustainmentCheck.objects.order_by("outcome__started_on", "weeks")
    assert [(c.weeks, c.due_on, c.status) for c in checks] == [
        (13, dt.date(2024, 5, 31), "due"),
        (26, dt.date(2024, 8, 30), "due"),
        (13, soon + dt.timedelta(weeks=13), "scheduled"),
        (26, soon + dt.timedelta(weeks=26), "scheduled"),
    ]


# File formats and headers


@pytest.mark.django_db
def test_csv_with_a_byte_order_mark_is_read(academy, tmp_path):
    path = write_csv(tmp_path / "people.csv", PARTICIPANTS, bom=True)

    run_command(academy, "participants", path)

    assert Participant.objects.for_academy(academy).count() == 2


@pytest.mark.django_db
def test_xlsx_with_date_cells_is_read(academy, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Reference", "First_Name", "last_name", "registered_on", "claimant"])
    sheet.append(["X-1", "Cara", "Lee", dt.date(2023, 11, 3), "yes"])
    midnight = dt.datetime(2023, 12, 1)  # noqa: DTZ001 - Excel has no time zones
    sheet.append([1002, "Dev", "Patel", midnight, "no"])
    sheet.append([None, None, None, None, None])  # blank rows are skipped
    sheet.append(["X-3", "Eve", "Moss", "2024-01-05", "no"])
    path = tmp_path / "people.xlsx"
    workbook.save(path)

    out, _ = run_command(academy, "participants", path)

    assert "3 created" in out
    registered = dict(
        Participant.objects.for_academy(academy).values_list(
            "reference", "registered_on"
        )
    )
    assert registered == {
        "X-1": dt.date(2023, 11, 3),
        "1002": dt.date(2023, 12, 1),
        "X-3": dt.date(2024, 1, 5),
    }


@pytest.mark.django_db
def test_xlsx_problems_are_numbered_as_spreadsheet_rows(academy, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["reference", "first_name", "last_name", "registered_on", "claimant"])
    sheet.append(["X-1", "Cara", "Lee", dt.date(2023, 11, 3), "yes"])
    sheet.append([None] * 5)
    sheet.append(["X-2", "Dev", "Patel", "1 Dec 2023", "no"])
    path = tmp_path / "people.xlsx"
    workbook.save(path)

    lines, _ = failing_command(academy, "participants", path)

    assert lines == [
        "row 4: registered_on: '1 Dec 2023' is not a date in the form YYYY-MM-DD"
    ]


@pytest.mark.django_db
def test_xlsx_missing_a_required_column_imports_nothing(academy, tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["participant_reference", "kind"])
    workbook.active.append(["A-1", "careers"])
    path = tmp_path / "support.xlsx"
    workbook.save(path)

    lines, _ = failing_command(academy, "support", path)

    assert lines == ["row 1: date: required column is missing"]


@pytest.mark.django_db
def test_header_case_order_and_spaces_do_not_matter(academy, tmp_path):
    path = write_csv(
        tmp_path / "people.csv",
        [
            [" CLAIMANT ", "Last_Name", "Registered_On", "reference", "FIRST_NAME"],
            ["yes", "Jones", "2024-01-15", "A-1", "Ann"],
        ],
    )

    run_command(academy, "participants", path)

    ann = Participant.objects.for_academy(academy).get()
    assert (ann.reference, ann.first_name, ann.last_name) == ("A-1", "Ann", "Jones")
    assert ann.is_claimant


@pytest.mark.django_db
def test_unknown_columns_are_reported_and_ignored(academy, tmp_path):
    rows = [
        row + extra
        for row, extra in zip(PARTICIPANTS, [["Shoe size"], ["9"], ["10"]], strict=True)
    ]
    path = write_csv(tmp_path / "people.csv", rows)

    out, err = run_command(academy, "participants", path)

    assert "Ignored unknown columns: Shoe size" in err
    assert "2 created" in out


@pytest.mark.django_db
def test_a_missing_required_column_is_one_problem_on_row_1(academy, tmp_path):
    path = write_csv(
        tmp_path / "people.csv",
        [
            ["reference", "first_name", "last_name", "claimant"],
            ["A-1", "Ann", "J", "yes"],
        ],
    )

    lines, message = failing_command(academy, "participants", path)

    assert lines == ["row 1: registered_on: required column is missing"]
    assert "nothing was imported" in message
    assert not Participant.objects.exists()


@pytest.mark.django_db
def test_bad_rows_import_nothing_and_every_problem_is_listed(academy, tmp_path):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    path = write_csv(
        tmp_path / "people.csv",
        [
            cells(
                "reference,first_name,last_name,registered_on,claimant,email,cohorts,"
                "source"
            ),
            ["A-1", "Ann", "Jones", "2024-01-15", "yes", "", "", ""],
            ["A-2", "", "Smith", "15/01/2024", "maybe", "bob@", "", ""],
            ["A-3", "Cy", "Lee", tomorrow, "no", "", "retired;over_50", "radio"],
            ["A-1", "Ann", "Again", "2024-02-30", "yes", "", "", ""],
            ["A-4", "Di", "Moss", "2024-02-03", "no", "", "", ""],
        ],
    )

    lines, message = failing_command(academy, "participants", path)

    assert lines == [
        "row 3: first_name: required, but empty",
        "row 3: registered_on: '15/01/2024' is not a date in the form YYYY-MM-DD",
        "row 3: claimant: 'maybe' is not yes or no",
        "row 3: email: 'bob@' is not an e-mail address",
        f"row 4: registered_on: '{tomorrow}' is in the future",
        "row 4: source: 'radio' is not one of: job_centre, campaign, event, "
        "drop_in, partner_referral, self",
        "row 4: cohorts: 'retired' is not a cohort; use codes separated by ';' "
        "from: long_term_unemployed, over_50, refugee, mental_health, returner, "
        "in_work_progression, redundancy_risk, care_leaver, student, neet",
        "row 5: registered_on: '2024-02-30' is not a real date",
    ]
    assert message.startswith("8 problem(s) in people.csv: nothing was imported")
    assert not Participant.objects.exists()


@pytest.mark.django_db
def test_a_repeated_reference_is_a_problem_on_the_later_row(academy, tmp_path):
    path = write_csv(tmp_path / "people.csv", [*PARTICIPANTS, PARTICIPANTS[1]])

    lines, _ = failing_command(academy, "participants", path)

    assert lines == ["row 4: reference: repeats row 2 (same reference)"]


@pytest.mark.django_db
def test_a_repeated_support_record_is_a_problem_on_the_later_row(academy, tmp_path):
    people_a1_a2(academy)
    rows, _ = OTHER_KINDS["support"]
    path = write_csv(tmp_path / "support.csv", [*rows, rows[1]])

    lines, _ = failing_command(academy, "support", path)

    assert lines == [
        "row 4: participant_reference: repeats row 2 (same participant, date and kind)"
    ]


# Idempotence and updates


@pytest.mark.django_db
def test_importing_the_same_files_twice_changes_nothing(academy, tmp_path):
    participants = write_csv(tmp_path / "people.csv", PARTICIPANTS)
    run_command(academy, "participants", participants)
    others = {
        kind: write_csv(tmp_path / f"{kind}.csv", rows)
        for kind, (rows, _) in OTHER_KINDS.items()
    }
    for kind, path in others.items():
        run_command(academy, kind, path)
    before = snapshot(academy)

    out, _ = run_command(academy, "participants", participants)
    assert "0 created, 0 updated, 2 unchanged" in out
    for kind, path in others.items():
        out, _ = run_command(academy, kind, path)
        assert "0 created, 0 updated, 2 unchanged" in out

    assert snapshot(academy) == before


@pytest.mark.django_db
def test_a_changed_field_updates_only_that_participant(academy, tmp_path):
    run_command(academy, "participants", write_csv(tmp_path / "a.csv", PARTICIPANTS))
    before = dict(Participant.objects.values_list("reference", "updated_at"))
    changed = [row[:] for row in PARTICIPANTS]
    changed[2][5] = "pl46ab"

    out, _ = run_command(
        academy, "participants", write_csv(tmp_path / "b.csv", changed)
    )

    assert "0 created, 1 updated, 1 unchanged" in out
    after = dict(Participant.objects.values_list("reference", "updated_at"))
    assert after["A-1"] == before["A-1"]
    assert after["A-2"] > before["A-2"]
    assert Participant.objects.get(reference="A-2").postcode == "PL4 6AB"


@pytest.mark.django_db
def test_cohorts_and_consent_to_share_follow_the_file(academy, tmp_path):
    ann = ParticipantFactory(
        academy=academy, reference="A-1", has_consent_to_share=True
    )
    ParticipantCohortFactory(participant=ann, code="neet")
    path = write_csv(
        tmp_path / "people.csv",
        [
            cells(
                "reference,first_name,last_name,registered_on,claimant,cohorts,"
                "consent_to_share"
            ),
            [
                *("A-1", ann.first_name, ann.last_name, "2024-01-15", "yes"),
                *("student;over_50", "no"),
            ],
        ],
    )

    out, _ = run_command(academy, "participants", path)

    assert "1 updated" in out
    ann.refresh_from_db()
    assert not ann.has_consent_to_share
    assert set(ann.cohorts.values_list("code", flat=True)) == {"student", "over_50"}
    ledger = list(ann.consents.values_list("kind", "is_given"))
    assert ledger == [("share_with_providers", False)]  # hold: not new, so no row


@pytest.mark.django_db
def test_optional_columns_left_out_keep_their_values(academy, tmp_path):
    ann = ParticipantFactory(academy=academy, reference="A-1", postcode="PL4 6AB")
    ParticipantCohortFactory(participant=ann, code="neet")
    path = write_csv(
        tmp_path / "people.csv",
        [
            ["reference", "first_name", "last_name", "registered_on", "claimant"],
            ["A-1", ann.first_name, ann.last_name, "2024-01-15", "yes"],
        ],
    )

    out, _ = run_command(academy, "participants", path)

    assert "1 unchanged" in out
    ann.refresh_from_db()
    assert ann.postcode == "PL4 6AB"
    assert list(ann.cohorts.values_list("code", flat=True)) == ["neet"]


@pytest.mark.django_db
def test_a_changed_outcome_is_updated_without_new_checks(academy, tmp_path):
    outcome = OutcomeFactory(
        participant__academy=academy,
        participant__reference="A-1",
        started_on=dt.date(2024, 3, 1),
        employer="Old Ltd",
    )
    path = write_csv(
        tmp_path / "outcomes.csv",
        [
            ["participant_reference", "kind", "started_on", "sector", "employer"],
            ["A-1", "employment", "2024-03-01", "health_social_care", "New Ltd"],
        ],
    )

    out, _ = run_command(academy, "outcomes", path)

    assert "0 created, 1 updated" in out
    outcome.refresh_from_db()
    assert outcome.employer == "New Ltd"
    assert not SustainmentCheck.objects.exists()


# Rules of the other kinds


@pytest.mark.django_db
def test_an_unknown_participant_reference_is_a_problem(academy, tmp_path):
    ParticipantFactory(academy=academy, reference="A-1")
    rows, _ = OTHER_KINDS["action_plans"]
    path = write_csv(tmp_path / "plans.csv", rows)

    lines, _ = failing_command(academy, "action_plans", path)

    assert lines == [
        "row 3: participant_reference: no participant with reference 'A-2' in "
        "this academy"
    ]
    assert not SkillsActionPlan.objects.exists()


@pytest.mark.django_db
def test_another_academys_participant_is_not_found(academy, other_academy, tmp_path):
    ParticipantFactory(academy=academy, reference="A-1")
    ParticipantFactory(academy=other_academy, reference="A-2")
    rows, _ = OTHER_KINDS["support"]
    path = write_csv(
        tmp_path / "support.csv", [*rows, ["A-2", "2024-01-22", "careers", ""]]
    )

    lines, _ = failing_command(academy, "support", path)

    assert lines == [
        "row 4: participant_reference: no participant with reference 'A-2' in "
        "this academy"
    ]
    assert not Support.objects.exists()


@pytest.mark.django_db
def test_employment_without_a_sector_is_refused(academy, tmp_path):
    ParticipantFactory(academy=academy, reference="A-1")
    path = write_csv(
        tmp_path / "outcomes.csv",
        [
            ["participant_reference", "kind", "started_on", "sector", "hours_per_week"],
            ["A-1", "employment", "2024-03-01", "", "16"],
            ["A-1", "training", "2024-03-02", "", "90"],
            ["A-1", "education", "2024-03-03", "farming", ""],
        ],
    )

    lines, _ = failing_command(academy, "outcomes", path)

    assert lines == [
        "row 2: sector: required for employment: one of health_social_care, other",
        "row 3: hours_per_week: '90' is not a number of hours from 0 to 80",
        "row 4: sector: 'farming' is not one of: health_social_care, other",
    ]
    assert not Outcome.objects.exists()


@pytest.mark.django_db
def test_dates_in_the_future_are_refused_but_a_job_may_start_soon(academy, tmp_path):
    ParticipantFactory(academy=academy, reference="A-1")
    today = timezone.localdate()
    soon, too_far = today + dt.timedelta(days=90), today + dt.timedelta(days=91)
    path = write_csv(
        tmp_path / "outcomes.csv",
        [
            ["participant_reference", "kind", "started_on", "sector"],
            ["A-1", "employment", soon.isoformat(), "other"],
            ["A-1", "training", too_far.isoformat(), ""],
        ],
    )

    lines, _ = failing_command(academy, "outcomes", path)

    assert lines == [f"row 3: started_on: '{too_far}' is more than 90 days ahead"]


@pytest.mark.django_db
def test_dry_run_writes_nothing_and_says_what_would_happen(academy, tmp_path):
    ParticipantFactory(academy=academy, reference="A-2", first_name="Robert")
    path = write_csv(tmp_path / "people.csv", PARTICIPANTS)

    out, _ = run_command(academy, "participants", path, "--dry-run")

    assert "Dry run, nothing written" in out
    # The stored A-2 is Robert, the file's Bob: held back unless accepted.
    assert "A-2 is stored as Robert" in out
    assert "1 created, 0 updated, 0 unchanged, 1 held back" in out
    accepted, _ = run_command(
        academy, "participants", path, "--dry-run", "--accept", "A-2"
    )
    assert "1 created, 1 updated, 0 unchanged" in accepted
    assert list(Participant.objects.values_list("reference", "first_name")) == [
        ("A-2", "Robert")
    ]
    assert not ConsentRecord.objects.exists()


@pytest.mark.django_db
def test_an_unknown_academy_is_a_clear_error(academy, tmp_path):
    path = write_csv(tmp_path / "people.csv", PARTICIPANTS)

    with pytest.raises(CommandError, match="no academy with slug 'nowhere'"):
        call_command(
            "import_records", "--academy", "nowhere", "--kind", "participants", path
        )


@pytest.mark.django_db
def test_a_csv_that_is_not_utf8_is_refused(academy, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes("reference,first_name\r\nA-1,Zoë\r\n".encode("latin-1"))

    with pytest.raises(CommandError, match="not UTF-8"):
        run_command(academy, "participants", path)


# The upload, preview and confirm pages


def upload(client, kind, name, content):
    return client.post(
        reverse("participants:import-upload"),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
    )


def csv_bytes(rows):
    return ("\r\n".join(",".join(row) for row in rows) + "\r\n").encode()


def confirm(client, run, capture):
    """Press "Confirm import"; the task queued after commit runs (eagerly) here."""
    with capture(execute=True) as callbacks:
        response = client.post(run.get_absolute_url())
    assert len(callbacks) == 1
    return response


@pytest.mark.django_db
def test_upload_preview_and_confirm_import_the_file(
    client_of, coordinator, django_capture_on_commit_callbacks
):
    client = client_of(coordinator)
    response = upload(client, "participants", "people.csv", csv_bytes(PARTICIPANTS))

    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == run.get_absolute_url()
    assert run.status == ImportRun.Status.PREVIEWED
    assert (run.created_by, run.academy) == (coordinator.user, coordinator.academy)
    assert run.summary["created"] == 2
    assert not Participant.objects.exists()
    preview = client.get(run.get_absolute_url())
    assert b"Would be created" in preview.content
    assert b"Confirm import" in preview.content

    response = confirm(client, run, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == run.get_absolute_url()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.IMPORTED
    assert (run.confirmed_by, run.progress) == (coordinator.user, 2)
    assert run.finished_at is not None
    assert Participant.objects.for_academy(coordinator.academy).count() == 2
    done = client.get(run.get_absolute_url())
    assert b"The file has been imported." in done.content
    assert b"What the import did" in done.content
    assert b"Confirm import" not in done.content
    assert b"hx-trigger" not in done.content


@pytest.mark.django_db
def test_confirming_twice_imports_once(
    client_of, admin, django_capture_on_commit_callbacks
):
    client = client_of(admin)
    upload(client, "participants", "people.csv", csv_bytes(PARTICIPANTS))
    run = ImportRun.objects.get()
    confirm(client, run, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = client.post(run.get_absolute_url(), follow=True)

    assert not callbacks

    assert b"already imported" in again.content
    assert Participant.objects.count() == 2
    assert ConsentRecord.objects.filter(kind="hold_data").count() == 2


@pytest.mark.django_db
def test_a_rejected_file_shows_its_problems_and_cannot_be_confirmed(
    client_of, coordinator
):
    client = client_of(coordinator)
    bad = [PARTICIPANTS[0], ["A-1", "Ann", "Jones", "2024-13-01", "yes"]]
    upload(client, "participants", "people.csv", csv_bytes(bad))
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REJECTED
    assert run.problems == ["row 2: registered_on: '2024-13-01' is not a real date"]

    page = client.get(run.get_absolute_url())
    assert b"is not a real date" in page.content
    assert b"upload the file again" in page.content
    assert b"Confirm import" not in page.content
    refused = client.post(run.get_absolute_url(), follow=True)

    assert b"cannot be imported" in refused.content or b"nothing can be" in (
        refused.content
    )
    assert not Participant.objects.exists()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.REJECTED


@pytest.mark.django_db
def test_the_problems_of_a_rejected_file_can_be_downloaded(client_of, coordinator):
    client = client_of(coordinator)
    bad = [PARTICIPANTS[0], ["A-1", "Ann", "", "2024-01-01", "yes"]]
    upload(client, "participants", "people.csv", csv_bytes(bad))
    url = ImportRun.objects.get().get_absolute_url()

    response = client.get(url + "?download=problems")

    assert "attachment" in response["Content-Disposition"]
    assert response.content == b"row 2: last_name: required, but empty\n"


@pytest.mark.django_db
def test_confirming_checks_the_file_again(
    client_of, coordinator, django_capture_on_commit_callbacks
):
    client = client_of(coordinator)
    rows, _ = OTHER_KINDS["support"]
    people_a1_a2(coordinator.academy)
    upload(client, "support", "support.csv", csv_bytes(rows))
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.PREVIEWED
    Participant.objects.filter(reference="A-1").delete()

    confirm(client, run, django_capture_on_commit_callbacks)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.REJECTED
    assert run.problems[0].startswith("row 2: participant_reference: no participant")
    assert run.finished_at is not None
    assert not Support.objects.exists()
    page = client.get(run.get_absolute_url())
    assert b"no participant with reference" in page.content
    assert b"checked again when it was confirmed" in page.content


@pytest.mark.django_db
def test_xlsx_upload_is_previewed(client_of, coordinator):
    workbook = openpyxl.Workbook()
    for row in PARTICIPANTS:
        workbook.active.append(row)
    content = io.BytesIO()
    workbook.save(content)

    upload(client_of(coordinator), "participants", "people.xlsx", content.getvalue())

    assert ImportRun.objects.get().status == ImportRun.Status.PREVIEWED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("people.txt", b"reference\r\n", b"Choose a .csv or .xlsx file"),
        ("people.csv", "reference\r\nZoë\r\n".encode("latin-1"), b"not UTF-8"),
        ("people.xlsx", b"reference,first_name\r\n", b"not an Excel workbook"),
        ("people.xlsx", b"PK\x03\x04 but no zip", b"not an Excel workbook"),
    ],
)
def test_files_that_are_not_csv_or_xlsx_are_refused(
    client_of, coordinator, name, content, message
):
    response = upload(client_of(coordinator), "participants", name, content)

    assert response.status_code == 200
    assert message in response.content
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_upload_page_explains_columns_and_lists_recent_imports(client_of, coordinator):
    client = client_of(coordinator)
    upload(client, "participants", "people.csv", csv_bytes(PARTICIPANTS))

    page = client.get(reverse("participants:import-upload"))

    assert b"participant_reference" in page.content
    assert b"?template=outcomes" in page.content
    assert b"people.csv" in page.content


@pytest.mark.django_db
def test_a_template_csv_can_be_downloaded(client_of, coordinator):
    url = reverse("participants:import-upload") + "?template=support"

    response = client_of(coordinator).get(url)

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content == "\ufeffparticipant_reference,date,kind,notes\r\n"


@pytest.mark.django_db
def test_another_academys_import_run_is_404(client_of, coordinator, other_coordinator):
    upload(
        client_of(other_coordinator), "participants", "p.csv", csv_bytes(PARTICIPANTS)
    )
    url = ImportRun.objects.get().get_absolute_url()
    client = client_of(coordinator)

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert ImportRun.objects.get().status == ImportRun.Status.PREVIEWED
    assert not Participant.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["provider", "manager"])
def test_providers_and_managers_cannot_import(request, client_of, role):
    client = client_of(request.getfixturevalue(role))

    assert client.get(reverse("participants:import-upload")).status_code == 403
    response = upload(client, "participants", "p.csv", csv_bytes(PARTICIPANTS))
    assert response.status_code == 403
    assert not ImportRun.objects.exists()


# Confirming queues the import; a worker checks the file again and writes it


@pytest.fixture
def previewed(coordinator):
    """A previewed file of the two participants, uploaded by the coordinator."""

    def make(rows=PARTICIPANTS, name="people.csv"):
        run = import_run_create(
            academy=coordinator.academy,
            by=coordinator.user,
            kind="participants",
            upload=SimpleUploadedFile(name, csv_bytes(rows)),
        )
        assert run.status == ImportRun.Status.PREVIEWED
        return run

    return make


@pytest.mark.django_db
def test_confirming_queues_the_import_after_commit(
    coordinator, previewed, django_capture_on_commit_callbacks
):
    run = previewed()

    with django_capture_on_commit_callbacks() as callbacks:
        queued = import_run_confirm(run=run, by=coordinator.user)

    assert (queued.status, queued.progress) == (ImportRun.Status.QUEUED, 0)
    assert queued.confirmed_by == coordinator.user
    assert len(callbacks) == 1
    assert not Participant.objects.exists()
    with pytest.raises(ValidationError, match="already being imported"):
        import_run_confirm(run=run, by=coordinator.user)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "message"),
    [
        (ImportRun.Status.REJECTED, "has problems"),
        (ImportRun.Status.FAILED, "has problems"),
        (ImportRun.Status.IMPORTED, "already imported"),
    ],
)
def test_only_a_previewed_file_can_be_confirmed(
    coordinator, previewed, django_capture_on_commit_callbacks, status, message
):
    run = previewed()
    ImportRun.objects.filter(pk=run.pk).update(status=status)

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(ValidationError, match=message),
    ):
        import_run_confirm(run=run, by=coordinator.user)

    assert not callbacks
    assert ImportRun.objects.get(pk=run.pk).status == status


@pytest.mark.django_db
def test_a_file_that_became_invalid_is_rejected_at_confirm(
    coordinator, previewed, django_capture_on_commit_callbacks
):
    run = previewed()
    bad = [*PARTICIPANTS, ["A-3", "Cy", "", "2024-02-30", "no"]]
    with run.file.open("wb") as stored:
        stored.write(csv_bytes(bad))

    with django_capture_on_commit_callbacks(execute=True):
        import_run_confirm(run=run, by=coordinator.user)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.REJECTED
    assert run.problems == [
        "row 4: last_name: required, but empty",
        "row 4: registered_on: '2024-02-30' is not a real date",
    ]
    assert run.summary["rows"] == 3
    assert run.finished_at is not None
    assert not Participant.objects.exists()
    assert not ConsentRecord.objects.exists()


@pytest.mark.django_db
def test_an_unexpected_error_while_writing_fails_and_writes_nothing(
    coordinator, previewed, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    run = previewed()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # Participants are written first; the consents after them fail.
    monkeypatch.setattr(writing._Ledger, "participants_created", broken)
    with django_capture_on_commit_callbacks(execute=True):
        import_run_confirm(run=run, by=coordinator.user)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert run.problems == [
        "row 1: file: the import stopped with an unexpected error "
        "(RuntimeError: disk full); nothing was imported"
    ]
    assert run.finished_at is not None
    assert not Participant.objects.exists()
    assert "import run" in caplog.text


@pytest.mark.django_db
def test_a_failed_import_shows_its_reason(
    client_of, coordinator, previewed, django_capture_on_commit_callbacks, monkeypatch
):
    run = previewed()

    def broken(**kwargs):
        raise OSError("x")

    monkeypatch.setattr(imports, "import_apply", broken)
    with django_capture_on_commit_callbacks(execute=True):
        import_run_confirm(run=run, by=coordinator.user)

    page = client_of(coordinator).get(run.get_absolute_url())

    assert b"The import failed and nothing was imported" in page.content
    assert b"OSError: x" in page.content
    assert b"Confirm import" not in page.content


@pytest.mark.django_db
def test_a_second_task_for_an_imported_run_does_nothing(
    coordinator, previewed, django_capture_on_commit_callbacks
):
    run = previewed()
    with django_capture_on_commit_callbacks(execute=True):
        import_run_confirm(run=run, by=coordinator.user)
    before = snapshot(coordinator.academy)
    finished_at = ImportRun.objects.get(pk=run.pk).finished_at

    assert tasks.import_run_apply.delay(run.pk).get() == "imported"

    assert snapshot(coordinator.academy) == before
    assert ImportRun.objects.get(pk=run.pk).finished_at == finished_at


@pytest.mark.django_db
def test_progress_is_saved_while_the_file_is_checked(
    coordinator, previewed, django_capture_on_commit_callbacks, monkeypatch
):
    run = previewed()
    seen = []
    real_check, real_apply = imports.import_check, imports.import_apply

    def progress():
        seen.append(ImportRun.objects.values_list("status", "progress").get())

    def check(*, table, **kwargs):
        rows = []
        for row in table.rows:
            rows.append(row)
            progress()
        return real_check(table=imports.Table(table.header, iter(rows)), **kwargs)

    def apply(**kwargs):
        progress()
        return real_apply(**kwargs)

    monkeypatch.setattr(imports, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(imports, "import_check", check)
    monkeypatch.setattr(imports, "import_apply", apply)
    with django_capture_on_commit_callbacks(execute=True):
        import_run_confirm(run=run, by=coordinator.user)

    assert seen == [("importing", 0), ("importing", 1), ("importing", 2)]
    run.refresh_from_db()
    assert (run.status, run.progress) == ("imported", 2)


@pytest.mark.django_db
def test_the_run_page_polls_while_the_import_waits(client_of, coordinator, previewed):
    run = previewed()
    client = client_of(coordinator)
    client.post(run.get_absolute_url())  # its task is queued after a commit: not here
    url = run.get_absolute_url()

    page = client.get(url)
    part = client.get(url, headers={"HX-Request": "true"})

    assert b"Waiting for a worker to start the import" in page.content
    assert b"<html" in page.content
    assert b"<html" not in part.content
    assert part.content.lstrip().startswith(b'<div id="import-status"')
    for attribute in (
        f'hx-get="{url}"',
        'hx-trigger="every 2s"',
        'hx-swap="outerHTML"',
    ):
        assert attribute.encode() in page.content
        assert attribute.encode() in part.content
    assert b"0 of 2 rows" in part.content
    assert b"spinner-border" in part.content
    assert b"Confirm import" not in part.content


@pytest.mark.django_db
def test_the_run_page_stops_polling_when_the_import_is_done(
    client_of, coordinator, previewed, django_capture_on_commit_callbacks
):
    run = previewed()
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.IMPORTING, progress=1
    )
    client = client_of(coordinator)
    working = client.get(run.get_absolute_url(), headers={"HX-Request": "true"})
    assert b"1 of 2 rows" in working.content
    assert b"Checking the file again" in working.content
    ImportRun.objects.filter(pk=run.pk).update(progress=2)
    writing_now = client.get(run.get_absolute_url(), headers={"HX-Request": "true"})
    assert b"Now writing the records" in writing_now.content
    assert b"2 of 2 rows" in writing_now.content
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.QUEUED)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.import_run_apply.delay(run.pk)

    done = client.get(run.get_absolute_url(), headers={"HX-Request": "true"})

    assert b"The file has been imported." in done.content
    assert b"hx-trigger" not in done.content
    assert b"Created" in done.content


@pytest.mark.django_db
def test_the_command_imports_without_a_worker(academy, tmp_path, monkeypatch):
    monkeypatch.setattr(tasks.import_run_apply, "delay", None)  # no queue at all
    path = write_csv(tmp_path / "people.csv", PARTICIPANTS)

    out, _ = run_command(academy, "participants", path)

    assert "2 created" in out
    assert not ImportRun.objects.exists()


@pytest.mark.worker
def test_a_confirmed_import_is_done_by_a_real_worker(worker, coordinator):
    run = import_run_create(
        academy=coordinator.academy,
        by=coordinator.user,
        kind="participants",
        upload=SimpleUploadedFile("people.csv", csv_bytes(PARTICIPANTS)),
    )
    with transaction.atomic():
        import_run_confirm(run=run, by=coordinator.user)
        assert ImportRun.objects.get(pk=run.pk).status == "queued"

    seen = set()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        run.refresh_from_db()
        seen.add(run.status)
        if not run.is_in_progress:
            break
        time.sleep(0.1)
    assert run.status == "imported", run.problems
    assert seen & {"queued", "importing"}
    assert (run.progress, run.summary["created"]) == (2, 2)
    people = Participant.objects.for_academy(coordinator.academy)
    assert sorted(people.values_list("reference", flat=True)) == ["A-1", "A-2"]
    # Stated in the file, not given to the person who confirmed it.
    hold = ConsentRecord.objects.filter(kind="hold_data", source="import")
    assert hold.count() == 2
    assert not hold.filter(recorded_by__isnull=False).exists()
