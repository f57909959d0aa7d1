"""The labour-market page in a browser, with the samples loaded; an admin uploads a
file, sees the preview and confirms it."""

import pytest
from playwright.sync_api import expect

from academy.labour_market.refresh import labour_market_refresh
from tests.academy.test_labour_market_adapters import (
    LG_INFORM,
    NOMIS,
    SFC_2021,
    SFC_2022,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def samples():
    for path, source in [
        (SFC_2021, "skills-for-care"),
        (SFC_2022, "skills-for-care"),
        (LG_INFORM, "lg-inform"),
        (NOMIS, "nomis-claimant-count"),
    ]:
        labour_market_refresh(source=source, data=path.read_bytes(), filename=path.name)


def test_coordinator_reads_the_labour_market_of_the_area(
    page, live_server, sign_in, screenshot, coordinator, samples
):
    sign_in(page, coordinator.user.email)
    expect(
        page.get_by_role("heading", name="Roles in demand in your area")
    ).to_be_visible()
    screenshot(page, "lmi-coordinator-home")

    page.goto(f"{live_server.url}/labour-market/")

    expect(
        page.get_by_role("heading", name="Labour market in Plymouth")
    ).to_be_visible()
    cards = page.locator(".headline-card")
    expect(cards.first).to_contain_text("8,100")
    expect(cards.first).to_contain_text("Skills for Care, 2022/23")
    expect(page.get_by_text("South West: 32.2%")).to_be_visible()
    roles = page.get_by_role("table", name="Each job role")
    expect(roles.get_by_role("row", name="Registered nurse")).to_contain_text("14.8%")
    services = page.get_by_role("table", name="Each type of service")
    expect(services).to_contain_text("39.2%")
    expect(
        page.get_by_role("heading", name="Claimant count, March 2024")
    ).to_be_visible()
    expect(page.get_by_text("Open Government Licence v3.0").first).to_be_visible()
    screenshot(page, "lmi-area")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(
        page.get_by_role("heading", name="Labour market in Plymouth")
    ).to_be_visible()
    screenshot(page, "lmi-area-phone")


def test_a_suppressed_figure_reads_suppressed(
    page, live_server, sign_in, screenshot, other_manager, samples
):
    sign_in(page, other_manager.user.email)  # North Tyneside

    page.goto(f"{live_server.url}/labour-market/")

    nurse = page.get_by_role("table", name="Each job role").get_by_role(
        "row", name="Registered nurse"
    )
    expect(nurse).to_contain_text("suppressed")
    expect(page.get_by_text("2021/22 to 2022/23").first).to_be_visible()
    screenshot(page, "lmi-area-north-tyneside")


def test_admin_uploads_previews_and_confirms_a_file(
    page, live_server, sign_in, screenshot, admin
):
    admin.user.is_superuser = (
        True  # platform staff load the figures every academy shares
    )
    admin.user.save()
    sign_in(page, admin.user.email)
    page.goto(f"{live_server.url}/labour-market/")
    expect(page.get_by_text("No labour-market figures for Plymouth")).to_be_visible()
    page.get_by_role("link", name="Load a source file").click()

    page.get_by_label("Skills for Care local-area workbook").check()
    page.locator("input[type=file]").set_input_files(str(SFC_2022))
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_text("nothing has been loaded yet")).to_be_visible()
    expect(page.get_by_role("row", name="New figures")).to_contain_text("147")
    screenshot(page, "lmi-upload-preview")
    page.get_by_role("button", name="Load these figures").click()

    expect(page.get_by_text("Loaded on")).to_be_visible(timeout=30000)
    page.get_by_role("link", name="See the figures").click()
    expect(page.locator(".headline-card").first).to_contain_text("8,100")
    page.goto(f"{live_server.url}/labour-market/runs/")
    expect(page.get_by_role("table", name="Refresh runs")).to_contain_text(
        "sfc_la_data_download_2022-23_LA_level_data.csv"
    )
    screenshot(page, "lmi-runs")


def test_other_roles_cannot_upload(page, live_server, sign_in, provider):
    sign_in(page, provider.user.email)

    response = page.goto(f"{live_server.url}/labour-market/upload/")

    assert response.status == 403
