"""A coordinator on a phone works through their tasks: the home lists them by due date,
Done takes one tap, and the full list and a person's tasks fit a 390 px screen."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from participants import services
from participants.models import Task
from tests.participants.factories import ParticipantFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_coordinator_ticks_off_tasks_on_a_phone(
    page, live_server, sign_in, screenshot, coordinator
):
    today = timezone.localdate()
    person = ParticipantFactory(
        academy=coordinator.academy,
        coordinator=coordinator.user,
        first_name="Amira",
        last_name="Haddad",
    )
    for title, days in (
        ("Send the Care Certificate dates", -2),
        ("Ring about the DBS form", 0),
        ("Check the interview went well", 1),
        ("Book the first aid course for the week after", 9),
    ):
        services.task_add(
            participant=person,
            by=coordinator.user,
            title=title,
            due_on=today + dt.timedelta(days=days),
        )
    page.set_viewport_size(PHONE)
    sign_in(page, coordinator.user.email)

    expect(page.get_by_text("2 days overdue")).to_be_visible()
    _fits(page)
    screenshot(page, "tasks-home-phone")
    page.get_by_role("button", name=re.compile("Done.*Ring about the DBS form")).click()
    expect(page.get_by_text("Done: Ring about the DBS form.")).to_be_visible()
    assert [t.title for t in Task.objects.filter(status="done")] == [
        "Ring about the DBS form"
    ]

    page.get_by_role("link", name="All tasks").click()
    expect(page.get_by_role("heading", name="Tasks")).to_be_visible()
    _fits(page)
    screenshot(page, "tasks-list-phone")

    page.get_by_role(
        "link", name=re.compile("Cancel.*Check the interview went well")
    ).click()
    page.get_by_label("Why is it cancelled").fill("The interview was moved")
    page.get_by_role("button", name="Cancel the task").click()
    expect(
        page.get_by_text("Cancelled: Check the interview went well.")
    ).to_be_visible()

    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    page.get_by_text("Done and cancelled (2)").click()
    expect(page.get_by_text("The interview was moved")).to_be_visible()
    _fits(page)
    screenshot(page, "tasks-person-phone")
