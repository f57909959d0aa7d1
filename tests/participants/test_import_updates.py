"""Imports never overwrite blindly (issue 9, observations 1 and 2): an empty cell keeps
the stored value, changes are listed old → new, conflicts and likely duplicates wait
for a tick, every change reaches the timeline, people get a coordinator, and imported
consent is recorded as stated in the file."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from academy.audit import REQUEST_ID_HEADER, AccessRecord
from participants import selectors
from participants.models import CaseNote, ConsentRecord, ImportRun, Participant
from participants.services.imports import records_import
from tests.academy.factories import MembershipFactory
from tests.participants.factories import ParticipantFactory

HEADER = (
    "reference,first_name,last_name,registered_on,claimant,date_of_birth,phone,email,"
    "postcode,consent_to_share"
)


def csv_bytes(*lines):
    return ("\r\n".join((HEADER, *lines)) + "\r\n").encode()


def import_file(academy, content, *, accept=(), by=None, coordinator=None, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(content)
    with path.open("rb") as source:
        return records_import(
            academy=academy,
            kind="participants",
            source=source,
            file_name="people.csv",
            by=by,
            accept=frozenset(accept),
            coordinator=coordinator,
        )


@pytest.fixture
def ann(academy):
    return ParticipantFactory(
        academy=academy,
        reference="A-1",
        first_name="Ann",
        last_name="Jones",
        date_of_birth=dt.date(1980, 5, 17),
        phone="+447700900001",
        email="ann@example.net",
        postcode="PL1 1AA",
    )


@pytest.mark.django_db
def test_empty_cells_never_erase_stored_values(ann, tmp_path):
    content = csv_bytes("A-1,Ann,Jones,2024-01-15,yes,,,,,")
    result = import_file(ann.academy, content, tmp_path=tmp_path)

    assert result.is_written
    ann.refresh_from_db()
    assert (ann.phone, ann.email, ann.postcode, ann.date_of_birth) == (
        "+447700900001",
        "ann@example.net",
        "PL1 1AA",
        dt.date(1980, 5, 17),
    )


@pytest.mark.django_db
def test_another_persons_name_on_a_reference_is_a_conflict_not_applied(ann, tmp_path):
    content = csv_bytes("A-1,Bob,Smith,2024-01-15,yes,,07700 900222,,,")
    result = import_file(ann.academy, content, tmp_path=tmp_path)

    (conflict,) = result.summary.conflicts
    assert conflict["reference"] == "A-1"
    assert ["first name", "Ann", "Bob"] in conflict["fields"]
    assert ["last name", "Jones", "Smith"] in conflict["fields"]
    assert result.summary.held == 1
    ann.refresh_from_db()
    assert (ann.first_name, ann.last_name, ann.phone) == (
        "Ann",
        "Jones",
        "+447700900001",
    )


@pytest.mark.django_db
def test_a_ticked_conflict_is_applied(ann, tmp_path):
    content = csv_bytes("A-1,Anne,Jones,2024-01-15,yes,,,,,")
    result = import_file(ann.academy, content, accept={"A-1"}, tmp_path=tmp_path)

    assert result.summary.updated == 1
    ann.refresh_from_db()
    assert ann.first_name == "Anne"


@pytest.mark.django_db
def test_the_preview_lists_every_change_old_and_new(ann, tmp_path):
    content = csv_bytes("A-1,Ann,Jones,2024-01-15,yes,,07700 900222,ann@new.example,,")
    result = import_file(ann.academy, content, tmp_path=tmp_path)

    (change,) = result.summary.changes
    assert change["reference"] == "A-1"
    assert change["name"] == "Ann Jones"
    assert ["phone", "07700 900001", "07700 900222"] in change["fields"]
    assert ["e-mail", "ann@example.net", "ann@new.example"] in change["fields"]
    assert not change["conflict"]


@pytest.mark.django_db
def test_every_change_of_an_import_is_on_the_timeline(ann, tmp_path):
    content = csv_bytes("A-1,Ann,Jones,2024-01-15,yes,,07700 900222,,,")
    import_file(ann.academy, content, tmp_path=tmp_path)

    note = CaseNote.objects.get(participant=ann)
    assert note.text.startswith("Updated by import")
    assert "phone: 07700 900001 → 07700 900222" in note.text
    entries = selectors.participant_timeline(participant=ann)
    assert any("07700 900222" in e.title + e.detail for e in entries)


@pytest.mark.django_db
def test_the_same_person_under_a_new_reference_is_held_as_a_likely_duplicate(
    ann, tmp_path
):
    content = csv_bytes("B-7,ann,JONES,2024-01-15,yes,1980-05-17,,,,")
    result = import_file(ann.academy, content, tmp_path=tmp_path)

    (duplicate,) = result.summary.duplicates
    assert duplicate["reference"] == "B-7"
    assert duplicate["matches"] == [["A-1", "Ann Jones", "same name and date of birth"]]
    assert not Participant.objects.filter(reference="B-7").exists()

    confirmed = import_file(ann.academy, content, accept={"B-7"}, tmp_path=tmp_path)
    assert confirmed.summary.created == 1
    assert Participant.objects.filter(reference="B-7").exists()


@pytest.mark.django_db
def test_a_duplicate_by_phone_in_another_format_is_held(ann, tmp_path):
    content = csv_bytes("B-8,Annie,Jonas,2024-01-15,yes,,+44 7700 900001,,,")
    result = import_file(ann.academy, content, tmp_path=tmp_path)
    assert result.summary.duplicates[0]["matches"][0][2] == "same phone number"
    assert result.summary.created == 0


@pytest.mark.django_db
def test_imported_people_belong_to_the_chosen_coordinator(coordinator, tmp_path):
    import_file(
        coordinator.academy,
        csv_bytes("A-1,Ann,Jones,2024-01-15,yes,,,,,"),
        by=coordinator.user,
        coordinator=coordinator.user,
        tmp_path=tmp_path,
    )
    assert Participant.objects.get().coordinator == coordinator.user


@pytest.mark.django_db
def test_a_coordinator_column_assigns_the_caseload(coordinator, tmp_path):
    colleague = MembershipFactory(academy=coordinator.academy, role="coordinator")
    path = tmp_path / "people.csv"
    path.write_bytes(
        b"reference,first_name,last_name,registered_on,claimant,coordinator\r\n"
        + f"A-1,Ann,Jones,2024-01-15,yes,{colleague.user.email.upper()}\r\n".encode()
        + b"A-2,Bob,Smith,2024-01-15,no,\r\n"
    )
    with path.open("rb") as source:
        records_import(
            academy=coordinator.academy,
            kind="participants",
            source=source,
            file_name="people.csv",
            by=coordinator.user,
            coordinator=coordinator.user,
        )
    people = dict(Participant.objects.values_list("reference", "coordinator"))
    assert people == {"A-1": colleague.user.pk, "A-2": coordinator.user.pk}


@pytest.mark.django_db
def test_a_coordinator_column_naming_a_stranger_is_a_problem(
    coordinator, other_coordinator, tmp_path
):
    path = tmp_path / "people.csv"
    path.write_bytes(
        b"reference,first_name,last_name,registered_on,claimant,coordinator\r\n"
        + f"A-1,Ann,Jones,2024-01-15,yes,{other_coordinator.user.email}\r\n".encode()
    )
    with path.open("rb") as source:
        result = records_import(
            academy=coordinator.academy,
            kind="participants",
            source=source,
            file_name="people.csv",
            by=coordinator.user,
        )
    assert [str(p) for p in result.problems] == [
        f"row 2: coordinator: '{other_coordinator.user.email}' is not a coordinator "
        "or admin of this academy"
    ]
    assert not Participant.objects.exists()


@pytest.mark.django_db
def test_imported_consent_is_stated_in_the_file_not_given_to_the_uploader(
    coordinator, tmp_path
):
    import_file(
        coordinator.academy,
        csv_bytes("A-1,Ann,Jones,2024-01-15,yes,,,,,yes"),
        by=coordinator.user,
        tmp_path=tmp_path,
    )
    share = ConsentRecord.objects.get(kind="share_with_providers")
    assert share.recorded_by is None
    assert share.source == ConsentRecord.Source.IMPORT
    assert "people.csv" in share.note
    assert share.is_given
    assert Participant.objects.get().has_consent_to_share


# The pages


@pytest.mark.django_db
def test_the_preview_page_shows_changes_and_conflicts_to_tick(
    client_of, coordinator, django_capture_on_commit_callbacks
):
    ParticipantFactory(
        academy=coordinator.academy,
        reference="A-1",
        first_name="Ann",
        last_name="Jones",
        phone="+447700900001",
    )
    client = client_of(coordinator)
    with django_capture_on_commit_callbacks(execute=True):  # the check runs here
        client.post(
            reverse("participants:import-upload"),
            {
                "kind": "participants",
                "coordinator": coordinator.user.pk,
                "file": SimpleUploadedFile(
                    "people.csv", csv_bytes("A-1,Bob,Smith,2024-01-15,yes,,,,,")
                ),
            },
        )
    run = ImportRun.objects.get()
    response = client.get(run.get_absolute_url())
    page = response.content.decode()
    assert "Ann → Bob" in page
    assert 'name="accept" value="A-1"' in page
    # The preview shows a person's stored details: an access, recorded.
    seen = AccessRecord.objects.get(request_id=response[REQUEST_ID_HEADER])
    assert seen.participant_ids == [Participant.objects.get(reference="A-1").pk]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(run.get_absolute_url(), {"accept": ["A-1"]})
    run.refresh_from_db()
    assert run.accepted == ["A-1"]
    assert Participant.objects.get(reference="A-1").first_name == "Bob"


@pytest.mark.django_db
def test_the_import_format_page_is_in_the_portal(client_of, coordinator):
    page = client_of(coordinator).get(reverse("participants:import-format"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "An empty cell never erases" in text
    assert "coordinator" in text


# Two uploads of one file at once


@pytest.mark.django_db
def test_a_second_upload_of_a_file_being_imported_is_refused(coordinator):
    from django.core.exceptions import ValidationError

    from participants.services.imports import import_run_confirm
    from tests.participants.import_files import run_create

    content = csv_bytes("A-1,Ann,Jones,2024-01-15,yes,,,,,")
    runs = [run_create(coordinator, content) for _ in range(2)]
    import_run_confirm(run=runs[0], by=coordinator.user)
    with pytest.raises(ValidationError, match=f"import {runs[0].pk}"):
        import_run_confirm(run=runs[1], by=coordinator.user)


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_file_at_once_end_cleanly(postgres):
    import threading

    from django.db import connection

    from participants.services.imports import import_run_apply, import_run_create
    from tests.academy.factories import MembershipFactory

    coordinator = MembershipFactory(role="coordinator")
    content = csv_bytes(
        *(f"A-{n},Ann,Jones{n},2024-01-15,yes,,,,," for n in range(300))
    )
    runs = []
    for _ in range(2):
        run = import_run_create(
            academy=coordinator.academy,
            by=coordinator.user,
            kind="participants",
            upload=SimpleUploadedFile("people.csv", content),
        )
        # Checked (on commit), then both confirmed before either started (as two
        # workers would take them).
        assert ImportRun.objects.get(pk=run.pk).status == "previewed"
        ImportRun.objects.filter(pk=run.pk).update(
            status="queued", confirmed_by=coordinator.user
        )
        runs.append(run)
    barrier = threading.Barrier(2)
    results = {}

    def work(run):
        try:
            barrier.wait()
            results[run.pk] = import_run_apply(run=run)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(run,)) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    statuses = sorted(r.status for r in results.values())
    assert statuses == ["done", "done"], [r.problems for r in results.values()]
    created = sorted(r.summary["created"] for r in results.values())
    assert created == [0, 300]
    assert Participant.objects.count() == 300


def test_the_import_format_in_docs_names_every_column():
    from pathlib import Path

    from participants.imports import COLUMNS

    text = (
        Path(__file__).resolve().parents[2] / "docs" / "import-format.md"
    ).read_text()
    for columns in COLUMNS.values():
        for column in columns:
            assert column.name in text, column.name
    assert "An empty cell never erases" in text


def test_a_phone_stored_around_the_field_matches_the_file_as_before(academy):
    """Held people's numbers are read as stored text, not parsed one by one; a number
    stored in another form (raw SQL, not through the field) still reads as the field
    reads it, so the same number in the file is no change."""
    person = ParticipantFactory(
        academy=academy,
        reference="P-1",
        first_name="Ann",
        last_name="Jones",
        registered_on=dt.date(2024, 1, 15),
        is_claimant=True,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE participants_participant SET phone = %s WHERE id = %s",
            ["01752 123456", person.pk],
        )
    text = (
        "reference,first_name,last_name,registered_on,claimant,phone\n"
        "P-1,Ann,Jones,2024-01-15,yes,01752 123456\n"
    )

    result = records_import(
        academy=academy,
        kind="participants",
        source=io.BytesIO(text.encode()),
        file_name="people.csv",
        by=None,
    )

    assert (result.summary.unchanged, result.summary.updated) == (1, 0)
