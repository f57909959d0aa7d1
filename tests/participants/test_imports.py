"""Importing records from CSV and XLSX (spec/import-format.md): the command and the
service, file formats and headers."""

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from participants.models import (
    Outcome,
    Participant,
    SkillsActionPlan,
    Support,
    SustainmentCheck,
)
from tests.participants.factories import (
    ParticipantFactory,
)
from tests.participants.import_files import (
    OTHER_KINDS,
    PARTICIPANTS,
    cells,
    failing_command,
    import_via,
    people_a1_a2,
    run_command,
    write_csv,
)

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


@pytest.mark.django_db
def test_a_short_row_has_empty_cells_and_a_long_row_extra_cells_ignored(
    academy, tmp_path
):
    path = write_csv(
        tmp_path / "people.csv",
        [
            cells("reference,first_name,last_name,registered_on,claimant,postcode"),
            cells("A-1,Ann,Jones,2024-01-15,yes,pl11aa,spare,cells"),
            cells("A-2,Bob,Smith,2024-02-01,no"),  # no postcode cell at all
            cells("A-3,Cy,Lee"),  # nor the required ones
        ],
    )

    lines, _ = failing_command(academy, "participants", path)

    assert lines == [
        "row 4: registered_on: required, but empty",
        "row 4: claimant: required, but empty",
    ]

    path.write_text(path.read_text().replace("A-3,Cy,Lee", "A-3,Cy,Lee,2024-03-01,no"))
    run_command(academy, "participants", path)

    people = Participant.objects.for_academy(academy).order_by("reference")
    assert [(p.reference, p.postcode) for p in people] == [
        ("A-1", "PL1 1AA"),
        ("A-2", ""),
        ("A-3", ""),
    ]
