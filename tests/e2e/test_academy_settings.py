"""An admin sets the academy's area and the report cover's logo (issue 14), on a phone
and a desk: a code that is no English area is explained and nothing saved; a right one
is saved and named; the logo is uploaded, shown and can be removed."""

import pytest
from PIL import Image
from playwright.sync_api import expect

from academy.models import Academy
from tests.e2e.form_errors import beside_field, in_summary

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _logo(tmp_path):
    picture = Image.new("RGB", (600, 200), "#1d4f91")
    for x in range(40, 160):
        for y in range(40, 160):
            picture.putpixel((x, y), (255, 196, 0))
    path = tmp_path / "our-logo.png"
    picture.save(path, "PNG")
    return path


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1366, 900)])
def test_admin_sets_the_area_and_the_logo(
    page, live_server, sign_in, screenshot, admin, tmp_path, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, admin.user.email)
    page.goto(f"{live_server.url}/manage/academy/")

    page.get_by_label("ONS area code").fill("E06000999")
    page.get_by_label("Region").select_option("South West")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".error-summary")).to_contain_text("Nothing was saved")
    expect(
        in_summary(page, "E06000999 is not an English local authority")
    ).to_be_visible()
    expect(
        beside_field(page, "E06000999 is not an English local authority")
    ).to_be_visible()
    _fits(page, width)
    screenshot(page, f"academy-settings-error-{width}")
    assert Academy.objects.get(pk=admin.academy.pk).area_code == "E06000026"

    page.get_by_label("ONS area code").fill("E06000026")
    page.get_by_label("Logo for the report's cover").set_input_files(_logo(tmp_path))
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Academy settings saved.")).to_be_visible()
    expect(page.get_by_text("E06000026 \u2014 Plymouth (South West)")).to_be_visible()
    preview = page.get_by_role("img", name="The logo now on the report's cover")
    expect(preview).to_be_visible()
    # Visible is not loaded: wait for the picture itself (a failed load fails here).
    shown = "img => img.decode().then(() => img.naturalWidth)"
    assert page.evaluate(shown, preview.element_handle()) == 600
    _fits(page, width)
    screenshot(page, f"academy-settings-logo-{width}")

    page.get_by_label("Remove the logo").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Academy settings saved.")).to_be_visible()
    expect(preview).to_have_count(0)
    assert not Academy.objects.get(pk=admin.academy.pk).logo
