"""Recording casework: meetings, plans and their actions, support, outcomes and
sustainment checks."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from participants import services
from participants.models import (
    Meeting,
    Outcome,
    PlanAction,
    SkillsActionPlan,
    Support,
    SustainmentCheck,
)
from tests.participants.factories import (
    OutcomeFactory,
    ParticipantFactory,
    PlanActionFactory,
    SkillsActionPlanFactory,
)


@pytest.mark.django_db
def test_logging_a_meeting_updates_last_contact_and_shows_on_the_timeline(
    client_of, coordinator
):
    person = ParticipantFactory(academy=coordinator.academy)
    client = client_of(coordinator)
    response = client.post(
        reverse("participants:meeting-add", args=[person.pk]),
        {
            "kind": "job_centre",
            "held_at": "2024-03-04T10:30",
            "location": "Royal Parade Jobcentre",
            "notes": "Interested in night shifts.",
            "next_step": "Send Care Certificate dates",
            "next_step_on": (timezone.localdate() + dt.timedelta(days=4)).isoformat(),
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert timezone.localtime(person.last_contact_at).strftime("%Y-%m-%d %H:%M") == (
        "2024-03-04 10:30"
    )
    page = client.get(person.get_absolute_url()).content.decode()
    assert "Job centre meeting at Royal Parade Jobcentre" in page
    assert "Next step: Send Care Certificate dates" in page


@pytest.mark.django_db
def test_a_meeting_in_the_future_or_with_an_earlier_next_step_is_refused(
    client_of, coordinator
):
    person = ParticipantFactory(academy=coordinator.academy)
    client = client_of(coordinator)
    future = client.post(
        reverse("participants:meeting-add", args=[person.pk]),
        {"kind": "phone", "held_at": "2999-01-01T10:00"},
    )
    assert "the time is in the future" in future.content.decode()
    backwards = client.post(
        reverse("participants:meeting-add", args=[person.pk]),
        {
            "kind": "phone",
            "held_at": "2024-03-04T10:00",
            "next_step": "Call back",
            "next_step_on": "2024-03-01",
        },
    )
    assert (
        "The next step must be on or after the meeting." in backwards.content.decode()
    )
    assert not Meeting.objects.exists()


def _plan_post(**extra):
    data = {
        "agreed_on": "2024-02-05",
        "pathway": "demand",
        "target_role": "Care worker",
        "barriers": ["transport", "dbs"],
        "goals": "Days only, near home",
        "actions-TOTAL_FORMS": "3",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "10",
        "actions-0-description": "Apply for DBS",
        "actions-0-owner": "coordinator",
        "actions-0-due_on": "2024-02-12",
        "actions-1-description": "Book Care Certificate",
        "actions-1-owner": "participant",
        "actions-1-due_on": "2024-02-20",
        "actions-2-owner": "participant",
    }
    data.update(extra)
    return data


@pytest.mark.django_db
def test_agreeing_a_plan_saves_it_with_its_actions(client_of, coordinator):
    person = ParticipantFactory(academy=coordinator.academy)
    response = client_of(coordinator).post(
        reverse("participants:plan-agree", args=[person.pk]), _plan_post()
    )
    assert response.status_code == 302
    plan = SkillsActionPlan.objects.get(participant=person)
    assert (plan.pathway, plan.target_role, plan.barriers) == (
        "demand",
        "Care worker",
        ["dbs", "transport"],
    )
    assert [a.description for a in plan.actions.order_by("due_on")] == [
        "Apply for DBS",
        "Book Care Certificate",
    ]


@pytest.mark.django_db
def test_a_plan_with_one_bad_action_saves_nothing(client_of, coordinator):
    person = ParticipantFactory(academy=coordinator.academy)
    client = client_of(coordinator)
    missing_date = client.post(
        reverse("participants:plan-agree", args=[person.pk]),
        _plan_post(**{"actions-1-due_on": ""}),
    )
    assert "Give the action a due date." in missing_date.content.decode()
    too_early = client.post(
        reverse("participants:plan-agree", args=[person.pk]),
        _plan_post(**{"actions-1-due_on": "2024-01-01"}),
    )
    assert "is due before the plan was agreed" in too_early.content.decode()
    assert not SkillsActionPlan.objects.exists()
    assert not PlanAction.objects.exists()


@pytest.mark.django_db
def test_reviewing_a_plan_changes_it_adds_actions_and_notes_the_review(
    client_of, coordinator
):
    plan = SkillsActionPlanFactory(participant__academy=coordinator.academy)
    response = client_of(coordinator).post(
        reverse("participants:plan-review", args=[plan.pk]),
        _plan_post(
            reviewed_on="2024-03-01",
            summary="Moved to supply: wants training first",
            pathway="supply",
            status="active",
            **{"actions-0-due_on": "2024-03-10", "actions-1-due_on": "2024-03-20"},
        ),
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.pathway == "supply"
    assert plan.actions.count() == 2
    assert plan.reviews.get().summary == "Moved to supply: wants training first"


def _plan_with_action(coordinator, description, *, coordinated=True):
    person = ParticipantFactory(
        academy=coordinator.academy,
        coordinator=coordinator.user if coordinated else None,
    )
    plan = services.plan_agree(
        participant=person,
        by=coordinator.user,
        agreed_on=dt.date(2024, 1, 1),
        pathway="demand",
        target_role="Care worker",
        barriers=[],
        actions=[services.NewAction(description, "participant", dt.date(2024, 1, 1))],
    )
    return plan.actions.get()


@pytest.mark.django_db
def test_overdue_actions_are_listed_for_the_caseload(client_of, coordinator):
    # The old list's address now opens the task list's overdue plan actions.
    mine = _plan_with_action(coordinator, "Chase references")
    _plan_with_action(coordinator, "Someone else's action", coordinated=False)
    finished = _plan_with_action(coordinator, "Finished action")
    services.plan_action_complete(action=finished, on=dt.date(2024, 1, 2))
    client = client_of(coordinator)
    body = client.get(
        reverse("participants:actions-overdue"), follow=True
    ).content.decode()
    assert "Chase references" in body
    assert "Someone else&#x27;s action" not in body
    assert "Finished action" not in body
    assert (
        "Someone else&#x27;s action"
        in client.get(
            reverse("participants:actions-overdue") + "?all=1", follow=True
        ).content.decode()
    )
    client.post(reverse("participants:action-complete", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.completed_on == timezone.localdate()
    assert mine.task.status == "done"


@pytest.mark.django_db
def test_support_is_recorded_with_a_referral_to_a_partner(client_of, coordinator):
    from tests.academy.factories import OrganisationFactory

    partner = OrganisationFactory(academy=coordinator.academy, kind="voluntary")
    person = ParticipantFactory(academy=coordinator.academy)
    response = client_of(coordinator).post(
        reverse("participants:support-add", args=[person.pk]),
        {
            "kind": "financial",
            "given_on": "2024-02-01",
            "notes": "Budgeting",
            "referred_to": partner.pk,
        },
    )
    assert response.status_code == 302
    assert Support.objects.get().referred_to == partner


@pytest.mark.django_db
def test_support_cannot_be_referred_to_another_academys_organisation(
    client_of, coordinator, other_academy
):
    from tests.academy.factories import OrganisationFactory

    foreign = OrganisationFactory(academy=other_academy)
    person = ParticipantFactory(academy=coordinator.academy)
    response = client_of(coordinator).post(
        reverse("participants:support-add", args=[person.pk]),
        {"kind": "careers", "given_on": "2024-02-01", "referred_to": foreign.pk},
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Support.objects.exists()


@pytest.mark.django_db
@time_machine.travel("2024-06-01 09:00", tick=False)
def test_an_employment_start_schedules_checks_at_13_and_26_weeks(
    client_of, coordinator
):
    person = ParticipantFactory(academy=coordinator.academy)
    response = client_of(coordinator).post(
        reverse("participants:outcome-add", args=[person.pk]),
        {
            "kind": "employment",
            "started_on": "2024-02-01",
            "sector": "health_social_care",
            "employer": "Tamar View",
            "role": "Care worker",
            "hours_per_week": "37.5",
            "hourly_pay": "11.50",
        },
    )
    assert response.status_code == 302
    checks = SustainmentCheck.objects.order_by("weeks")
    assert [(c.weeks, c.due_on, c.status) for c in checks] == [
        (13, dt.date(2024, 5, 2), "due"),
        (26, dt.date(2024, 8, 1), "scheduled"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "employment"}, "Choose the sector of the job"),
        ({"kind": "training", "sector": "other"}, "Only a job has a sector"),
        ({"hours_per_week": "90"}, "less than or equal to 80"),
        ({"hourly_pay": "-1"}, "greater than or equal to 0"),
        ({"started_on": "2999-01-01"}, "more than 90 days ahead"),
    ],
)
def test_bad_outcomes_are_explained_and_nothing_saved(
    client_of, coordinator, data, message
):
    person = ParticipantFactory(academy=coordinator.academy)
    post = {"kind": "employment", "started_on": "2024-02-01", "sector": "", **data}
    response = client_of(coordinator).post(
        reverse("participants:outcome-add", args=[person.pk]), post
    )
    assert message in response.content.decode()
    assert not Outcome.objects.exists()


@pytest.mark.django_db
def test_employment_without_sector_is_refused_by_the_service_and_the_database(
    coordinator,
):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError

    person = ParticipantFactory(academy=coordinator.academy)
    with pytest.raises(ValidationError):
        services.outcome_record(
            participant=person,
            by=None,
            kind="employment",
            started_on=dt.date(2024, 1, 1),
        )
    with pytest.raises(IntegrityError):
        Outcome.objects.create(
            participant=person, kind="employment", started_on=dt.date(2024, 1, 1)
        )


@pytest.mark.django_db
def test_the_beat_task_raises_checks_whose_day_has_come(coordinator):
    from participants.tasks import sustainment_checks_raise

    outcome = OutcomeFactory(participant__academy=coordinator.academy)
    with time_machine.travel("2024-03-02 09:00", tick=False):
        services.sustainment_checks_schedule(outcome=outcome)
    assert set(SustainmentCheck.objects.values_list("status", flat=True)) == {
        "scheduled"
    }
    with time_machine.travel(outcome.started_on + dt.timedelta(weeks=13), tick=False):
        assert sustainment_checks_raise.delay().get() == 1
    statuses = dict(SustainmentCheck.objects.values_list("weeks", "status"))
    assert statuses == {13: "due", 26: "scheduled"}


@pytest.mark.django_db
def test_a_due_check_is_on_the_coordinators_home_and_can_be_answered(
    client_of, coordinator
):
    outcome = OutcomeFactory(
        participant__academy=coordinator.academy,
        participant__coordinator=coordinator.user,
        employer="Sound Homecare",
    )
    check = SustainmentCheck.objects.create(
        outcome=outcome, weeks=13, due_on=dt.date(2024, 6, 1), status="scheduled"
    )
    services.sustainment_checks_raise(today=timezone.localdate())
    client = client_of(coordinator)
    assert (
        "13-week check: Care worker at Sound Homecare"
        in client.get(reverse("home")).content.decode()
    )
    response = client.post(
        reverse("participants:check-record", args=[check.pk]),
        {
            "is_in_work": "True",
            "confirmed_how": "employer",
            "confirmed_by": "Jo, HR",
            "checked_on": "2024-06-03",
        },
    )
    assert response.status_code == 302
    check.refresh_from_db()
    assert (check.status, check.is_in_work, check.checked_by) == (
        "done",
        True,
        coordinator.user,
    )
    assert (check.task.status, check.task.closed_by) == ("done", coordinator.user)


@pytest.mark.django_db
def test_ticking_an_action_never_returns_to_another_site(client_of, coordinator):
    action = PlanActionFactory(plan__participant__academy=coordinator.academy)
    response = client_of(coordinator).post(
        reverse("participants:action-complete", args=[action.pk]),
        {"next": "https://evil.example.org/"},
    )
    assert response["Location"] == action.plan.participant.get_absolute_url()
