"""Importing records: idempotence, what an update changes, the rules of each kind."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from participants.models import (
    ConsentRecord,
    Outcome,
    Participant,
    SkillsActionPlan,
    Support,
    SustainmentCheck,
)
from tests.participants.factories import (
    OutcomeFactory,
    ParticipantCohortFactory,
    ParticipantFactory,
)
from tests.participants.import_files import (
    OTHER_KINDS,
    PARTICIPANTS,
    cells,
    failing_command,
    run_command,
    snapshot,
    write_csv,
)

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
