"""The upload, preview and confirm pages of an import."""

import io

import openpyxl
import pytest
from django.urls import reverse

from participants.models import (
    ConsentRecord,
    ImportRun,
    Participant,
    Support,
)
from tests.participants.import_files import (
    OTHER_KINDS,
    PARTICIPANTS,
    confirm,
    csv_bytes,
    people_a1_a2,
    upload,
)

# The upload, preview and confirm pages


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
    assert run.status == ImportRun.Status.DONE
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
def test_a_file_that_only_starts_like_a_workbook_is_rejected_by_its_check(
    client_of, coordinator
):
    client = client_of(coordinator)
    upload(client, "participants", "people.xlsx", b"PK\x03\x04 but no zip")

    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REJECTED
    page = client.get(run.get_absolute_url())
    assert b"not an Excel workbook" in page.content
    assert b"nothing can be imported from this file" in page.content


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
