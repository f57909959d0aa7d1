"""One form pattern in the browser (issue 15): registration's essentials on one phone
screen, the error summary focused and linking to each field, a plan's actions added
one at a time with htmx."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import Participant, SkillsActionPlan
from tests.e2e.conftest import SCREENSHOTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


def _fold(page, name: str) -> None:
    """What is on screen without scrolling, as a person sees it first."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def _bottom(locator) -> float:
    box = locator.bounding_box()
    assert box is not None
    return box["y"] + box["height"]


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_registration_fits_one_screen_and_its_errors_are_summarised(
    page, live_server, sign_in, screenshot, coordinator, size
):
    page.set_viewport_size(size)
    sign_in(page, coordinator.user.email)
    page.goto(f"{live_server.url}/participants/new/")
    name = f"forms-register-{size['width']}"
    _fold(page, f"{name}-fold")

    # The four essentials, consent and the button, all above the fold.
    register = page.get_by_role("button", name="Register")
    for control in (
        page.get_by_label("First name"),
        page.get_by_label("Last name"),
        page.get_by_label("Phone"),
        page.get_by_label("Postcode"),
        page.get_by_label("They agree to the academy holding their details"),
        register,
    ):
        expect(control).to_be_in_viewport()
    assert _bottom(register) <= size["height"]
    more = page.locator("details.more-details")
    expect(more).not_to_have_attribute("open", "")
    expect(page.get_by_label("Date of birth")).to_be_hidden()

    # A wrong date of birth folded away, and no last name: the page opens on the
    # summary, which names both and opens the fold.
    page.get_by_label("First name").fill("Amira")
    page.get_by_label("They agree to the academy holding their details").check()
    page.get_by_text("More details").click()
    page.get_by_label("Date of birth").fill("2030-01-01")
    register.click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("There is a problem")
    assert page.title().startswith("Error: ")
    expect(more).to_have_attribute("open", "")
    _fold(page, f"{name}-summary-fold")
    screenshot(page, f"{name}-errors")

    summary.get_by_role("link", name="Date of birth").click()
    expect(page.get_by_label("Date of birth")).to_be_focused()
    expect(page.locator("label[for=id_date_of_birth]")).to_be_in_viewport()
    summary.get_by_role("link", name="Last name").click()
    expect(page.get_by_label("Last name")).to_be_focused()

    page.get_by_label("Last name").fill("Haddad")
    page.get_by_label("Date of birth").fill("1985-03-02")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", name="Amira Haddad")).to_be_visible()
    assert not page.title().startswith("Error")
    assert Participant.objects.get().last_name == "Haddad"
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]


def test_a_plan_adds_action_rows_with_htmx_on_a_phone(
    page, live_server, sign_in, screenshot, coordinator
):
    from tests.participants.factories import ParticipantFactory

    person = ParticipantFactory(academy=coordinator.academy)
    page.set_viewport_size(PHONE)
    sign_in(page, coordinator.user.email)
    page.goto(f"{live_server.url}/participants/{person.pk}/plans/new/")
    rows = page.locator("fieldset.plan-action")
    total = page.locator("#id_actions-TOTAL_FORMS")
    expect(rows).to_have_count(1)

    page.get_by_label("Pathway").select_option("demand")
    page.get_by_label("Target role").fill("Care worker")
    due = timezone.localdate() + dt.timedelta(days=30)
    page.locator("#id_actions-0-description").fill("Apply for DBS check")
    page.locator("#id_actions-0-due_on").fill(due.isoformat())

    add = page.get_by_role("button", name="Add another action")
    add.click()
    expect(rows).to_have_count(2)
    expect(total).to_have_value("2")
    # The new row's first box has the focus; what was typed stays.
    expect(page.locator("#id_actions-1-description")).to_be_focused()
    expect(page.locator("#id_actions-0-description")).to_have_value(
        "Apply for DBS check"
    )
    page.keyboard.type("Book Care Certificate")
    page.locator("#id_actions-1-due_on").fill(due.isoformat())

    page.get_by_role("button", name="Add another action").click()
    expect(rows).to_have_count(3)
    expect(total).to_have_value("3")
    page.locator("#id_actions-2-description").fill("A step to drop")
    page.get_by_label("Remove this action").nth(2).check()
    page.mouse.move(0, 0)
    screenshot(page, "forms-plan-actions-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # A row with a description and no date is an error, summarised and linked.
    page.locator("#id_actions-1-due_on").fill("")
    page.get_by_role("button", name="Agree the plan").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Action 2, By when")
    screenshot(page, "forms-plan-errors-390")
    summary.get_by_role("link", name="Action 2, By when").click()
    expect(page.locator("#id_actions-1-due_on")).to_be_focused()
    page.locator("#id_actions-1-due_on").fill(due.isoformat())
    page.get_by_role("button", name="Agree the plan").click()

    expect(page.get_by_text("Skills action plan agreed.")).to_be_visible()
    plan = SkillsActionPlan.objects.get(participant=person)
    assert sorted(a.description for a in plan.actions.all()) == [
        "Apply for DBS check",
        "Book Care Certificate",
    ]


def test_add_another_works_without_javascript(
    browser, live_server, sign_in, coordinator
):
    from tests.participants.factories import ParticipantFactory

    person = ParticipantFactory(academy=coordinator.academy)
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    sign_in(page, coordinator.user.email)
    page.goto(f"{live_server.url}/participants/{person.pk}/plans/new/")
    page.locator("#id_actions-0-description").fill("Apply for DBS check")
    page.get_by_role("button", name="Add another action").click()
    expect(page.locator("fieldset.plan-action")).to_have_count(2)
    expect(page.locator("#id_actions-0-description")).to_have_value(
        "Apply for DBS check"
    )
    expect(page.locator(".error-summary")).to_have_count(0)
    context.close()
