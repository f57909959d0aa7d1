"""Files and helpers the import tests share: sample rows, writing them as CSV, and
running the command, the service or the pages."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.urls import reverse

from participants.models import (
    ConsentRecord,
    Outcome,
    Participant,
    ParticipantCohort,
    SkillsActionPlan,
    Support,
    SustainmentCheck,
)
from participants.services.imports import (
    import_run_create,
    records_import,
)
from tests.participants.factories import (
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


def upload(client, kind, name, content, *, check=True):
    """Post a file to the upload form. Its check is queued after commit and, unless
    `check` is false, runs (eagerly) here, as a worker would soon after."""
    with TestCase.captureOnCommitCallbacks(execute=check):
        return client.post(
            reverse("participants:import-upload"),
            {"kind": kind, "file": SimpleUploadedFile(name, content)},
        )


def run_create(membership, content, *, name="people.csv", kind="participants"):
    """Upload a file through the service and check it, as the worker does."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = import_run_create(
            academy=membership.academy,
            by=membership.user,
            kind=kind,
            upload=SimpleUploadedFile(name, content),
        )
    run.refresh_from_db()
    return run


def csv_bytes(rows):
    return ("\r\n".join(",".join(row) for row in rows) + "\r\n").encode()


def confirm(client, run, capture):
    """Press "Confirm import"; the task queued after commit runs (eagerly) here."""
    with capture(execute=True) as callbacks:
        response = client.post(run.get_absolute_url())
    assert len(callbacks) == 1
    return response
