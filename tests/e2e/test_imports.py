"""A coordinator uploads a spreadsheet, checks the preview, confirms, sees it done."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from participants.models import ImportRun, Participant
from participants.services.imports import (
    import_run_apply,
    import_run_check,
    import_run_create,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PEOPLE = (
    b"reference,first_name,last_name,registered_on,claimant,cohorts\r\n"
    b"A-1,Ann,Jones,2024-01-15,yes,over_50\r\n"
    b"A-2,Bob,Smith,2024-02-01,no,\r\n"
)


def test_coordinator_uploads_previews_and_confirms_an_import(
    page, live_server, sign_in, screenshot, coordinator, tmp_path
):
    path = tmp_path / "people.csv"
    path.write_bytes(PEOPLE)
    sign_in(page, coordinator.user.email)
    page.goto(f"{live_server.url}/participants/import/")
    page.get_by_label("What the file holds").select_option("participants")
    page.locator("#id_file").set_input_files(path)
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_text("nothing has been imported yet")).to_be_visible()
    expect(page.get_by_role("row", name="Would be created 2")).to_be_visible()
    screenshot(page, "import-preview")
    page.get_by_role("button", name="Confirm import").click()

    # Without a broker the task runs in-process, so the import is done on arrival.
    expect(page.get_by_text("The file has been imported.")).to_be_visible()
    expect(page.get_by_role("row", name="Created 2")).to_be_visible()
    screenshot(page, "import-done")
    assert Participant.objects.for_academy(coordinator.academy).count() == 2


def test_the_run_page_updates_itself_until_the_import_is_done(
    page, live_server, sign_in, screenshot, coordinator
):
    run = import_run_create(
        academy=coordinator.academy,
        by=coordinator.user,
        kind="participants",
        upload=SimpleUploadedFile("people.csv", PEOPLE),
    )
    # Checked on commit (no broker: in-process), then confirmed as the button does.
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.QUEUED, confirmed_by=coordinator.user, progress=0
    )
    sign_in(page, coordinator.user.email)
    page.goto(f"{live_server.url}{run.get_absolute_url()}")
    expect(page.get_by_text("Waiting for a worker to start the import")).to_be_visible()
    expect(page.get_by_text("0 of 2 rows")).to_be_visible()
    screenshot(page, "import-queued")

    ImportRun.objects.filter(pk=run.pk).update(status="running", progress=1)
    expect(page.get_by_text("1 of 2 rows")).to_be_visible(timeout=10000)
    screenshot(page, "import-checking")
    ImportRun.objects.filter(pk=run.pk).update(progress=2)
    expect(page.get_by_text("Now writing the records")).to_be_visible(timeout=10000)
    screenshot(page, "import-writing")
    import_run_apply(run=run)  # what the worker does

    # htmx polls every 2 s and swaps the status part in, without a reload.
    expect(page.get_by_text("The file has been imported.")).to_be_visible(timeout=10000)
    expect(page.locator("#run-status")).not_to_have_attribute("hx-trigger", "every 2s")
    screenshot(page, "import-done-by-worker")


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1366, 900)])
def test_the_page_says_how_far_the_check_has_got_then_shows_the_preview(
    page, live_server, sign_in, screenshot, coordinator, monkeypatch, width, height
):
    from participants import tasks

    monkeypatch.setattr(tasks.import_run_check, "delay", lambda pk: None)  # no worker
    run = import_run_create(
        academy=coordinator.academy,
        by=coordinator.user,
        kind="participants",
        upload=SimpleUploadedFile("people.csv", PEOPLE),
    )
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, coordinator.user.email)
    page.goto(f"{live_server.url}{run.get_absolute_url()}")
    expect(page.get_by_text("Waiting for a worker to check your file.")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm import")).to_have_count(0)
    screenshot(page, f"import-check-waiting-{width}")

    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.RUNNING, progress=12_000, summary={"rows": 200_000}
    )
    checking = page.get_by_text("Checking your file: 12,000 of 200,000 rows")
    expect(checking).to_be_visible(timeout=10000)
    box = checking.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= width  # wraps on a phone, not off the screen
    screenshot(page, f"import-checking-{width}")
    import_run_check(run=run)  # what the worker does

    # htmx polls every 2 s and swaps the preview in, without a reload.
    expect(page.get_by_role("row", name="Would be created 2")).to_be_visible(
        timeout=10000
    )
    expect(page.locator("#run-status")).not_to_have_attribute("hx-trigger", "every 2s")
    screenshot(page, f"import-checked-{width}")
    page.get_by_role("button", name="Confirm import").click()

    expect(page.get_by_text("The file has been imported.")).to_be_visible()
    assert Participant.objects.for_academy(coordinator.academy).count() == 2


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1366, 900)])
def test_a_conflict_and_a_duplicate_wait_for_a_tick(
    page, live_server, sign_in, screenshot, coordinator, tmp_path, width, height
):
    from tests.participants.factories import ParticipantFactory

    ParticipantFactory(
        academy=coordinator.academy,
        reference="A-1",
        first_name="Ann",
        last_name="Jones",
        date_of_birth="1980-05-17",
        phone="+447700900001",
    )
    path = tmp_path / "people.csv"
    path.write_bytes(
        b"reference,first_name,last_name,registered_on,claimant,date_of_birth,phone\r\n"
        b"A-1,Bob,Smith,2024-01-15,yes,,07700 900222\r\n"
        b"B-7,Ann,Jones,2024-01-15,yes,1980-05-17,\r\n"
        b"B-8,Cat,Lee,2024-01-15,no,,\r\n"
    )
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, coordinator.user.email)
    page.goto(f"{live_server.url}/participants/import/")
    page.get_by_label("What the file holds").select_option("participants")
    page.locator("#id_file").set_input_files(path)
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_text("A-1 is stored as Ann Jones")).to_be_visible()
    expect(page.get_by_text("first name: Ann → Bob")).to_be_visible()
    expect(page.get_by_text("same name and date of birth")).to_be_visible()
    screenshot(page, f"import-conflicts-{width}")
    page.get_by_label("Tick if they are a different person").check()
    page.get_by_role("button", name="Confirm import").click()

    expect(page.get_by_text("The file has been imported.")).to_be_visible()
    expect(page.get_by_text("held back", exact=True)).to_be_visible()
    screenshot(page, f"import-conflicts-done-{width}")
    references = set(
        Participant.objects.for_academy(coordinator.academy).values_list(
            "reference", flat=True
        )
    )
    assert references == {"A-1", "B-7", "B-8"}
    assert Participant.objects.get(reference="A-1").first_name == "Ann"
