"""Issue 12, observation 7: what an upload may be. A file over the limit stops being
read as it arrives, and a web page saved as .csv is not a CSV file (both refused by the
form); a small XLSX that unpacks to a huge sheet or holds too many rows is refused by
the worker's check before it is parsed."""

import io
import zipfile

import openpyxl
import pytest

from participants.models import ImportRun
from tests.participants.import_files import PARTICIPANTS, csv_bytes, upload

pytestmark = pytest.mark.django_db


def _xlsx(rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()


def _refused(response, message):
    """Refused by the form: no run, the message beside the file."""
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportRun.objects.exists()


def _rejected(client, response, message):
    """Stored, then rejected by its check: the run's page gives the message."""
    run = ImportRun.objects.get()
    assert response["Location"] == run.get_absolute_url()
    assert run.status == ImportRun.Status.REJECTED
    assert any(message in problem for problem in run.problems), run.problems
    assert message in client.get(run.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "content",
    [
        b"<!DOCTYPE html>\n<html><body><table><tr><td>reference</td></tr></table>",
        b"\xef\xbb\xbf  <html><head><title>people</title></head></html>",
        b"<?xml version='1.0'?><people/>",
    ],
)
def test_a_web_page_saved_as_csv_is_refused(client_of, coordinator, content):
    response = upload(client_of(coordinator), "participants", "people.csv", content)
    _refused(response, "looks like a web page or XML, not a CSV file")


def test_a_csv_with_nul_bytes_is_refused(client_of, coordinator):
    content = csv_bytes(PARTICIPANTS) + b"\x00\x00\x00"
    response = upload(client_of(coordinator), "participants", "people.csv", content)
    _refused(response, "not a text file")


def test_more_rows_than_the_limit_are_refused_with_the_limit(
    client_of, coordinator, settings
):
    settings.IMPORT_MAX_ROWS = 1  # the files have two
    client = client_of(coordinator)
    upload(client, "participants", "people.csv", csv_bytes(PARTICIPANTS))
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REJECTED
    assert any("more than 1 row." in problem for problem in run.problems)


def test_an_xlsx_declaring_too_many_rows_is_refused_before_it_is_read(
    client_of, coordinator, settings, monkeypatch
):
    settings.IMPORT_MAX_ROWS = 1  # the files have two
    content = _xlsx(PARTICIPANTS)
    client = client_of(coordinator)

    def parsed(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(openpyxl, "load_workbook", parsed)
    response = upload(client, "participants", "people.xlsx", content)
    _rejected(client, response, "more than 1 row.")


def test_an_xlsx_that_unpacks_past_the_limit_is_refused(
    client_of, coordinator, settings
):
    settings.IMPORT_XLSX_MAX_UNPACKED_BYTES = 2_000
    content = _xlsx(PARTICIPANTS)
    client = client_of(coordinator)
    response = upload(client, "participants", "people.xlsx", content)
    _rejected(client, response, "unpacks to more than")


def test_a_zip_that_is_not_a_workbook_is_refused(client_of, coordinator):
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w") as archive:
        archive.writestr("notes.txt", "hello")
    client = client_of(coordinator)
    response = upload(client, "participants", "people.xlsx", content.getvalue())
    _rejected(client, response, "not an Excel workbook")


def test_an_upload_over_the_limit_stops_being_read_and_says_so(
    client_of, coordinator, settings
):
    settings.UPLOAD_MAX_BYTES = 1_000
    content = csv_bytes(PARTICIPANTS * 40)
    assert len(content) > 1_000
    response = upload(client_of(coordinator), "participants", "people.csv", content)
    _refused(response, "The file is larger than")


def test_a_small_upload_still_goes_through(client_of, coordinator, settings):
    settings.UPLOAD_MAX_BYTES = 100_000
    upload(
        client_of(coordinator), "participants", "people.csv", csv_bytes(PARTICIPANTS)
    )
    assert ImportRun.objects.get().status == ImportRun.Status.PREVIEWED


def test_the_format_page_states_the_limits(client_of, coordinator):
    from django.urls import reverse

    page = client_of(coordinator).get(reverse("participants:import-format"))
    assert "At most 20 MB and 150,000 rows a file" in page.content.decode()
