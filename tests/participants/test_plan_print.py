"""The printable plan (issue 15): a person's skills action plan as a one-page print view
and a PDF they take away, in plain words, with their coordinator and how to reach the
academy; for coordinators and admins of the person's academy only."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from academy.audit import AccessRecord
from participants.models import PlanAction, SkillsActionPlan
from tests.participants.factories import (
    ParticipantFactory,
    PlanActionFactory,
    SkillsActionPlanFactory,
)
from tests.reporting.test_impact_pdf import pdf_pages

# A morning in UK time: the sheet says the day it was printed.
PRINTED_AT = dt.datetime(2026, 3, 2, 10, 0, tzinfo=timezone.get_fixed_timezone(0))


@pytest.fixture
def plan(academy, coordinator):
    academy.public_phone = "+441752000111"
    academy.public_email = "hello@care-academy.example.org"
    academy.save()
    coordinator.user.first_name = "Priya"
    coordinator.user.last_name = "Shah"
    coordinator.user.save()
    person = ParticipantFactory(
        academy=academy,
        first_name="Zoë",
        last_name="Brontë",
        reference="CA-000123",
        coordinator=coordinator.user,
    )
    plan = SkillsActionPlanFactory(
        participant=person,
        agreed_on=dt.date(2026, 2, 20),
        pathway=SkillsActionPlan.Pathway.DEMAND,
        target_role="Care worker (home care)",
        barriers=["transport", "confidence"],
        goals="A job near home, mornings only, by the summer.",
        agreed_by=coordinator.user,
    )
    PlanActionFactory(
        plan=plan,
        description="Apply for the Care Certificate course",
        owner=PlanAction.Owner.PARTICIPANT,
        due_on=dt.date(2026, 3, 16),
    )
    PlanActionFactory(
        plan=plan,
        description="Book a DBS check",
        owner=PlanAction.Owner.COORDINATOR,
        due_on=dt.date(2026, 3, 9),
    )
    PlanActionFactory(
        plan=plan,
        description="Bus pass for the first month",
        owner=PlanAction.Owner.PARTNER,
        due_on=dt.date(2026, 3, 23),
    )
    PlanActionFactory(
        plan=plan,
        description="Update the CV",
        owner=PlanAction.Owner.PARTICIPANT,
        due_on=dt.date(2026, 2, 27),
        completed_on=dt.date(2026, 2, 26),
    )
    return plan


@pytest.mark.django_db
def test_print_view_shows_the_plan_in_plain_words(client_of, coordinator, plan):
    with time_machine.travel(PRINTED_AT, tick=False):
        response = client_of(coordinator).get(
            reverse("participants:plan-print", args=[plan.pk])
        )
    assert response.status_code == 200
    body = response.content.decode()
    for words in (
        "Zoë Brontë",
        "What you will do",
        "By when",
        "Who helps",
        "Apply for the Care Certificate course",
        "16 March 2026",
        "Care worker (home care)",
        "Transport",
        "A job near home, mornings only, by the summer.",
        "Priya Shah",
        "01752 000111",
        "hello@care-academy.example.org",
        "2 March 2026",  # the day it was printed
        "Getting into work now",  # the pathway in plain words, not "Demand: …"
    ):
        assert words in body, words
    assert "Demand:" not in body
    assert "Participant" not in body  # the owner is "You", not the portal's term


@pytest.mark.django_db
def test_print_view_has_no_menu_and_hides_its_own_links_when_printed(
    client_of, coordinator, plan
):
    body = (
        client_of(coordinator)
        .get(reverse("participants:plan-print", args=[plan.pk]))
        .content.decode()
    )
    assert "navbar" not in body
    assert 'class="screen-only' in body
    css = Path(finders.find("css/print.css")).read_text()
    assert "@media print" in css
    assert ".screen-only" in css.split("@media print", 1)[1]


@pytest.mark.django_db
def test_person_page_links_to_print_and_pdf(client_of, coordinator, plan):
    body = (
        client_of(coordinator)
        .get(reverse("participants:detail", args=[plan.participant.pk]))
        .content.decode()
    )
    assert reverse("participants:plan-print", args=[plan.pk]) in body
    assert reverse("participants:plan-pdf", args=[plan.pk]) in body
    assert "Print plan" in body
    assert "Download plan (PDF)" in body


@pytest.mark.django_db
def test_pdf_is_one_page_of_real_text(client_of, coordinator, plan):
    with time_machine.travel(PRINTED_AT, tick=False):
        response = client_of(coordinator).get(
            reverse("participants:plan-pdf", args=[plan.pk])
        )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "plan-CA-000123-2026-03-02.pdf" in response["Content-Disposition"]
    reader, pages = pdf_pages(response.content, "plan")
    assert len(reader.pages) == 1
    assert len(pages) == 1  # the PNG of the one page, to look at
    text = " ".join(reader.pages[0].extract_text().split())
    for words in ("Zoë Brontë", "What you will do", "Who helps", "Priya Shah"):
        assert words in text, words
    assert "Download plan" not in text  # the screen's links are not in the PDF


@pytest.mark.django_db
def test_pdf_of_a_long_plan_stays_on_one_page(client_of, coordinator, plan):
    for n in range(8):  # twelve steps in all, each of about 150 characters
        PlanActionFactory(
            plan=plan,
            description=f"Step {n}: " + "go to the session and take notes " * 4,
            owner=PlanAction.Owner.PARTNER,
            due_on=dt.date(2026, 4, 1) + dt.timedelta(days=n),
        )
    response = client_of(coordinator).get(
        reverse("participants:plan-pdf", args=[plan.pk])
    )
    reader, _ = pdf_pages(response.content, "plan-long")
    assert len(reader.pages) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["participants:plan-print", "participants:plan-pdf"])
def test_opening_the_printed_plan_is_recorded(client_of, coordinator, plan, name):
    client_of(coordinator).get(reverse(name, args=[plan.pk]))
    seen = AccessRecord.objects.get(action=f"{name} GET")
    assert seen.participant_ids == [plan.participant_id]
    assert seen.user_id == coordinator.user_id


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["participants:plan-print", "participants:plan-pdf"])
@pytest.mark.parametrize("role", ["provider", "manager"])
def test_roles_without_casework_are_refused(request, client_of, plan, name, role):
    membership = request.getfixturevalue(role)
    response = client_of(membership).get(reverse(name, args=[plan.pk]))
    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["participants:plan-print", "participants:plan-pdf"])
def test_another_academys_plan_is_not_found(client_of, other_coordinator, plan, name):
    response = client_of(other_coordinator).get(reverse(name, args=[plan.pk]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_admin_prints_a_plan(client_of, admin, plan):
    response = client_of(admin).get(reverse("participants:plan-print", args=[plan.pk]))
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_plan_without_actions_or_contact_still_prints(
    client_of, coordinator, academy
):
    plan = SkillsActionPlanFactory(
        participant=ParticipantFactory(academy=academy, coordinator=None),
        pathway="",
        target_role="",
    )
    academy.public_phone = ""
    academy.public_email = ""
    academy.save()
    body = (
        client_of(coordinator)
        .get(reverse("participants:plan-print", args=[plan.pk]))
        .content.decode()
    )
    assert "No steps written down yet" in body
    response = client_of(coordinator).get(
        reverse("participants:plan-pdf", args=[plan.pk])
    )
    assert response.status_code == 200
