"""Tasks (issue 13): next steps, plan actions and sustainment checks are one list of
tasks with an owner and a due date, which stay until someone marks them done or
cancels them with a reason, whatever else is logged."""

import datetime as dt
import importlib

import pytest
from django.apps import apps as global_apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from participants import selectors, services
from participants.models import Appointment, Meeting, SustainmentCheck, Task
from tests.participants.factories import (
    AppointmentFactory,
    MeetingFactory,
    OutcomeFactory,
    ParticipantFactory,
    PlanActionFactory,
)


def _days(n):
    return timezone.localdate() + dt.timedelta(days=n)


def _ago(days):
    return timezone.now() - dt.timedelta(days=days)


@pytest.mark.django_db
def test_a_next_step_stays_on_the_home_page_after_a_later_meeting(
    client_of, coordinator
):
    person = ParticipantFactory(
        academy=coordinator.academy, coordinator=coordinator.user
    )
    services.meeting_log(
        participant=person,
        by=coordinator.user,
        kind="job_centre",
        held_at=_ago(10),
        next_step="Send Care Certificate dates",
        next_step_on=_days(-3),
    )
    home = client_of(coordinator).get(reverse("home")).content.decode()
    assert "Send Care Certificate dates" in home

    services.meeting_log(
        participant=person, by=coordinator.user, kind="phone", held_at=_ago(1)
    )

    home = client_of(coordinator).get(reverse("home")).content.decode()
    assert "Send Care Certificate dates" in home
    assert "3 days overdue" in home


@pytest.mark.django_db
def test_the_home_page_has_one_list_of_tasks(client_of, coordinator):
    home = client_of(coordinator).get(reverse("home")).content.decode()
    assert "Your tasks" in home
    assert "Next steps due" not in home
    assert "Overdue actions" not in home


# ---- each source makes a task, and closes it --------------------------------------


@pytest.fixture
def person(coordinator):
    return ParticipantFactory(academy=coordinator.academy, coordinator=coordinator.user)


def _open(person):
    return list(Task.objects.filter(participant=person, status="open"))


@pytest.mark.django_db
def test_a_next_step_without_a_date_makes_no_task(person, coordinator):
    services.meeting_log(
        participant=person,
        by=coordinator.user,
        kind="phone",
        held_at=_ago(1),
        next_step="Think about it",
    )
    assert _open(person) == []


@pytest.mark.django_db
def test_plan_actions_are_tasks_both_ways(person, coordinator):
    plan = services.plan_agree(
        participant=person,
        by=coordinator.user,
        agreed_on=timezone.localdate(),
        pathway="demand",
        target_role="Care worker",
        barriers=[],
        actions=[
            services.NewAction("Apply for DBS", "participant", _days(7)),
            services.NewAction("Book first aid", "coordinator", _days(3)),
        ],
    )
    dbs, first_aid = plan.actions.order_by("description")
    assert [(t.title, t.source, t.owner) for t in _open(person)] == [
        ("Book first aid", "plan_action", coordinator.user),
        ("Apply for DBS", "plan_action", coordinator.user),
    ]
    # Ticking the action closes its task; undoing it opens it again.
    services.plan_action_complete(action=dbs, on=timezone.localdate())
    assert Task.objects.get(plan_action=dbs).status == "done"
    services.plan_action_reopen(action=dbs)
    assert Task.objects.get(plan_action=dbs).status == "open"
    # Ticking the task completes the action.
    services.task_done(task=first_aid.task, by=coordinator.user)
    first_aid.refresh_from_db()
    assert first_aid.completed_on == timezone.localdate()
    # A plan withdrawn at review cancels its actions' open tasks, saying why.
    services.plan_review(
        plan=plan,
        by=coordinator.user,
        reviewed_on=timezone.localdate(),
        summary="Moved away",
        pathway="demand",
        target_role="Care worker",
        barriers=[],
        status="withdrawn",
    )
    dbs_task = Task.objects.get(plan_action=dbs)
    assert (dbs_task.status, dbs_task.cancel_reason) == (
        "cancelled",
        "The plan was marked withdrawn",
    )


@pytest.mark.django_db
def test_a_check_that_falls_due_gets_a_task_once_and_recording_it_closes_it(
    person, coordinator
):
    services.outcome_record(
        participant=person,
        by=coordinator.user,
        kind="employment",
        started_on=_days(-80),
        sector="health_social_care",
        employer="Sound Homecare",
        role="Care worker",
    )
    assert _open(person) == []  # the 13-week check is due in 11 days
    services.sustainment_checks_raise(today=_days(11))
    services.sustainment_checks_raise(today=_days(11))  # the beat task runs twice
    (task,) = _open(person)
    assert (task.title, task.source, task.due_on, task.owner) == (
        "13-week check: Care worker at Sound Homecare",
        "check",
        _days(11),
        coordinator.user,
    )
    with pytest.raises(ValidationError, match="recording its answer"):
        services.task_done(task=task, by=coordinator.user)
    services.sustainment_check_record(
        check=task.sustainment_check,
        by=coordinator.user,
        is_in_work=True,
        confirmed_how="employer",
        confirmed_by="HR",
        checked_on=timezone.localdate(),
    )
    task.refresh_from_db()
    assert (task.status, task.closed_by) == ("done", coordinator.user)


@pytest.mark.django_db
def test_a_start_recorded_late_has_its_due_check_as_a_task_at_once(person, coordinator):
    services.outcome_record(
        participant=person,
        by=coordinator.user,
        kind="employment",
        started_on=_days(-100),
        sector="health_social_care",
        employer="Sound Homecare",
    )
    assert [t.title for t in _open(person)] == ["13-week check: Sound Homecare"]


@pytest.mark.django_db
def test_done_in_one_tap_from_the_home_page(client_of, coordinator, person):
    task = services.task_add(
        participant=person, by=coordinator.user, title="Ring Jo", due_on=_days(0)
    )
    client = client_of(coordinator)
    home = client.get(reverse("home")).content.decode()
    assert "Ring Jo" in home
    assert "Due today" in home

    response = client.post(
        reverse("participants:task-done", args=[task.pk]), {"next": "/"}
    )

    assert response["Location"] == "/"
    task.refresh_from_db()
    assert (task.status, task.closed_by) == ("done", coordinator.user)
    assert "Your tasks (0)" in client.get(reverse("home")).content.decode()
    # Sent again (a double tap): nothing changes, and it says so.
    again = client.post(reverse("participants:task-done", args=[task.pk]), follow=True)
    assert "already done" in again.content.decode()


@pytest.mark.django_db
def test_a_checks_done_goes_to_its_form(client_of, coordinator, person):
    outcome = OutcomeFactory(participant=person)
    check = SustainmentCheck.objects.create(
        outcome=outcome, weeks=13, due_on=_days(-1), status="due"
    )
    services.check_tasks_add()
    response = client_of(coordinator).post(
        reverse("participants:task-done", args=[check.task.pk])
    )
    assert response["Location"] == reverse("participants:check-record", args=[check.pk])
    check.task.refresh_from_db()
    assert check.task.status == "open"


# ---- ordering and words ------------------------------------------------------------


@pytest.mark.django_db
def test_the_home_lists_tasks_by_due_date_saying_when_each_was_due(
    client_of, coordinator, person
):
    for title, days in (
        ("Later one", 9),
        ("Tomorrow one", 1),
        ("Overdue one", -2),
        ("Today one", 0),
    ):
        services.task_add(
            participant=person, by=coordinator.user, title=title, due_on=_days(days)
        )
    other = ParticipantFactory(academy=coordinator.academy)  # not my caseload
    services.task_add(
        participant=other, by=coordinator.user, title="Not mine", due_on=_days(0)
    )

    home = client_of(coordinator).get(reverse("home")).content.decode()

    places = [
        home.index(t) for t in ("Overdue one", "Today one", "Tomorrow one", "Later one")
    ]
    assert places == sorted(places)
    assert "Not mine" not in home
    assert "2 days overdue" in home
    assert "Due tomorrow" in home
    later = _days(9)
    assert f"Due {later:%a} {later.day} {later:%b}" in home
    assert "Your tasks (4)" in home


def test_due_words():
    today = dt.date(2026, 12, 2)
    assert selectors.due_words(today, today) == "due today"
    assert selectors.due_words(dt.date(2026, 12, 3), today) == "due tomorrow"
    assert selectors.due_words(dt.date(2026, 12, 1), today) == "1 day overdue"
    assert selectors.due_words(dt.date(2026, 11, 30), today) == "2 days overdue"
    assert selectors.due_words(dt.date(2026, 12, 7), today) == "due Mon 7 Dec"
    assert selectors.due_words(dt.date(2027, 1, 4), today) == "due Mon 4 Jan 2027"


@pytest.mark.django_db
def test_the_task_list_filters_and_shows_everyones_to_those_who_ask(
    client_of, coordinator, admin, person
):
    services.task_add(
        participant=person, by=coordinator.user, title="Mine overdue", due_on=_days(-1)
    )
    services.task_add(
        participant=person, by=coordinator.user, title="Mine later", due_on=_days(30)
    )
    services.task_add(
        participant=person,
        by=coordinator.user,
        title="The admin's",
        due_on=_days(0),
        owner=admin.user,
    )
    client = client_of(coordinator)
    url = reverse("participants:task-list")
    body = client.get(url).content.decode()
    assert "Mine overdue" in body
    assert "Mine later" in body
    assert "The admin&#x27;s" not in body
    body = client.get(url + "?due=overdue").content.decode()
    assert "Mine overdue" in body
    assert "Mine later" not in body
    body = client.get(url + "?whose=all").content.decode()
    assert "The admin&#x27;s" in body
    assert client.get(url + "?due=nonsense&whose=bogus").status_code == 200


# ---- cancel, hand, reopen, and bad input -------------------------------------------


@pytest.mark.django_db
def test_cancelling_needs_a_reason_which_is_kept(client_of, coordinator, person):
    task = services.task_add(
        participant=person, by=coordinator.user, title="Ring Jo", due_on=_days(0)
    )
    client = client_of(coordinator)
    url = reverse("participants:task-cancel", args=[task.pk])
    refused = client.post(url, {"reason": "   "})
    assert refused.status_code == 200
    assert "Say why it is cancelled." in refused.content.decode()
    task.refresh_from_db()
    assert task.status == "open"
    with pytest.raises(ValidationError, match="Say why"):
        services.task_cancel(task=task, by=coordinator.user, reason="")

    client.post(url, {"reason": "They found a job themselves"})

    task.refresh_from_db()
    assert (task.status, task.cancel_reason, task.closed_by) == (
        "cancelled",
        "They found a job themselves",
        coordinator.user,
    )
    page = client.get(person.get_absolute_url()).content.decode()
    assert "They found a job themselves" in page
    client.post(reverse("participants:task-reopen", args=[task.pk]))
    task.refresh_from_db()
    assert (task.status, task.cancel_reason) == ("open", "")


@pytest.mark.django_db
def test_a_task_is_handed_only_to_a_colleague_who_can_hold_a_caseload(
    client_of, coordinator, admin, manager, other_coordinator, person
):
    task = services.task_add(
        participant=person, by=coordinator.user, title="Ring Jo", due_on=_days(0)
    )
    client = client_of(coordinator)
    url = reverse("participants:task-hand", args=[task.pk])
    for outsider in (manager.user, other_coordinator.user):
        assert client.post(url, {"to": outsider.pk}).status_code == 200
        with pytest.raises(ValidationError, match="cannot hold tasks here"):
            services.task_hand(task=task, to=outsider, by=coordinator.user)
    task.refresh_from_db()
    assert task.owner == coordinator.user

    client.post(url, {"to": admin.user.pk})

    task.refresh_from_db()
    assert task.owner == admin.user


@pytest.mark.django_db
def test_a_due_date_that_makes_no_sense_is_refused(client_of, coordinator, person):
    client = client_of(coordinator)
    url = reverse("participants:task-add", args=[person.pk])
    for due in ("2025-02-30", "not a date", "9999-01-01", "1900-01-01"):
        response = client.post(url, {"title": "Ring Jo", "due_on": due})
        assert response.status_code == 200, due
    assert not Task.objects.filter(participant=person).exists()
    client.post(url, {"title": "Ring Jo", "due_on": _days(2).isoformat(), "owner": ""})
    # No one chosen: the person's coordinator.
    assert Task.objects.get(participant=person).owner == coordinator.user


@pytest.mark.django_db
def test_a_task_is_added_once_however_often_the_form_is_sent(
    client_of, coordinator, person
):
    client = client_of(coordinator)
    url = reverse("participants:task-add", args=[person.pk])
    data = {
        "title": "Ring Jo",
        "due_on": _days(2).isoformat(),
        "owner": coordinator.user.pk,
        "submission": "5b0e7e06-4f64-4d33-9ad4-6c0c7c1d2f11",
    }
    client.post(url, data)
    client.post(url, data)
    assert Task.objects.filter(participant=person).count() == 1


# ---- caseloads, merging and closing ------------------------------------------------


@pytest.mark.django_db
def test_handing_all_my_tasks_and_my_caseload(client_of, coordinator, admin, person):
    task = services.task_add(
        participant=person, by=coordinator.user, title="Ring Jo", due_on=_days(0)
    )
    booked = AppointmentFactory(participant=person, coordinator=coordinator.user)
    client = client_of(coordinator)
    url = reverse("participants:tasks-hand-all")

    client.post(url, {"to": admin.user.pk})
    task.refresh_from_db()
    assert task.owner == admin.user
    person.refresh_from_db()
    assert person.coordinator == coordinator.user  # the people stay

    services.task_hand(task=task, to=coordinator.user, by=admin.user)
    client.post(url, {"to": admin.user.pk, "caseload": "on"})
    task.refresh_from_db()
    person.refresh_from_db()
    booked.refresh_from_db()
    assert (task.owner, person.coordinator, booked.coordinator) == (
        admin.user,
        admin.user,
        admin.user,
    )


@pytest.mark.django_db
def test_merging_moves_tasks_to_the_record_kept(coordinator, person):
    duplicate = ParticipantFactory(
        academy=coordinator.academy, coordinator=coordinator.user
    )
    task = services.task_add(
        participant=duplicate, by=coordinator.user, title="Ring Jo", due_on=_days(0)
    )
    services.participant_merge(keep=person, duplicate=duplicate, by=coordinator.user)
    task.refresh_from_db()
    assert task.participant == person


@pytest.mark.django_db
def test_closing_cancels_tasks_and_appointments_and_reopening_brings_tasks_back(
    coordinator, person
):
    task = services.task_add(
        participant=person, by=coordinator.user, title="Ring Jo", due_on=_days(0)
    )
    booked = AppointmentFactory(participant=person, coordinator=coordinator.user)
    by_hand = services.task_add(
        participant=person, by=coordinator.user, title="Old", due_on=_days(0)
    )
    services.task_cancel(task=by_hand, by=coordinator.user, reason="Not needed")
    services.case_close(participant=person, by=coordinator.user, reason="moved_away")
    task.refresh_from_db()
    booked.refresh_from_db()
    assert (task.status, task.cancel_reason) == ("cancelled", "Case closed")
    assert (booked.status, booked.reason) == ("cancelled", "Case closed")
    with pytest.raises(ValidationError, match="closed"):
        services.task_add(
            participant=person, by=coordinator.user, title="x", due_on=_days(0)
        )
    services.case_reopen(participant=person, by=coordinator.user)
    task.refresh_from_db()
    assert (task.status, task.cancel_reason, task.closed_by) == ("open", "", None)
    by_hand.refresh_from_db()
    assert (by_hand.status, by_hand.cancel_reason) == ("cancelled", "Not needed")


# ---- the data migration ------------------------------------------------------------


@pytest.mark.django_db
def test_the_migration_opens_tasks_for_the_work_the_old_home_listed(
    coordinator, person
):
    migration = importlib.import_module(
        "participants.migrations.0009_tasks_from_casework"
    )
    older = MeetingFactory(
        participant=person,
        held_at=_ago(20),
        next_step="Old step",
        next_step_on=_days(-15),
    )
    latest = MeetingFactory(
        participant=person,
        held_at=_ago(5),
        next_step="Send dates",
        next_step_on=_days(-1),
    )
    action = PlanActionFactory(
        plan__participant=person, description="Apply for DBS", due_on=_days(3)
    )
    PlanActionFactory(
        plan__participant=person,
        plan__agreed_on=dt.date(2023, 1, 1),
        description="Done one",
        completed_on=_days(-9),
    )
    withdrawn = PlanActionFactory(
        plan__participant=person,
        plan__agreed_on=dt.date(2022, 1, 1),
        plan__status="withdrawn",
    )
    check = SustainmentCheck.objects.create(
        outcome=OutcomeFactory(participant=person, role="", employer="Sound Homecare"),
        weeks=13,
        due_on=_days(-4),
        status="due",
    )
    closed = ParticipantFactory(
        academy=coordinator.academy, coordinator=coordinator.user, status="closed"
    )
    MeetingFactory(participant=closed, next_step="Closed step", next_step_on=_days(-1))
    Task.objects.all().delete()

    migration.tasks_create(global_apps, None)
    migration.tasks_create(global_apps, None)  # run again: nothing doubled

    got = sorted((t.source, t.title, t.due_on, t.owner_id) for t in Task.objects.all())
    assert got == sorted(
        [
            ("next_step", "Send dates", _days(-1), coordinator.user.pk),
            ("plan_action", "Apply for DBS", _days(3), coordinator.user.pk),
            ("check", "13-week check: Sound Homecare", _days(-4), coordinator.user.pk),
        ]
    )
    assert Task.objects.get(source="next_step").meeting == latest
    assert Task.objects.get(source="plan_action").plan_action == action
    assert Task.objects.get(source="check").sustainment_check == check
    assert not Task.objects.filter(meeting=older).exists()
    assert not Task.objects.filter(plan_action=withdrawn).exists()
    migration.tasks_remove(global_apps, None)
    assert not Task.objects.exists()


# ---- who may ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["provider", "manager"])
def test_providers_and_managers_cannot_see_or_touch_tasks(
    request, client_of, coordinator, person, role
):
    task = services.task_add(
        participant=person, by=coordinator.user, title="Ring Jo", due_on=_days(0)
    )
    client = client_of(request.getfixturevalue(role))
    assert client.get(reverse("participants:task-list")).status_code == 403
    for name in ("task-done", "task-cancel", "task-hand", "task-reopen"):
        url = reverse(f"participants:{name}", args=[task.pk])
        assert client.post(url, {"reason": "x"}).status_code == 403
    task.refresh_from_db()
    assert task.status == "open"


@pytest.mark.django_db
def test_another_academys_task_is_not_there(client_of, coordinator, other_coordinator):
    theirs = services.task_add(
        participant=ParticipantFactory(
            academy=other_coordinator.academy, coordinator=other_coordinator.user
        ),
        by=other_coordinator.user,
        title="Their task",
        due_on=_days(0),
    )
    client = client_of(coordinator)
    for name in ("task-done", "task-cancel", "task-hand", "task-reopen"):
        url = reverse(f"participants:{name}", args=[theirs.pk])
        assert client.post(url, {"reason": "x"}).status_code == 404
    assert (
        "Their task"
        not in client.get(
            reverse("participants:task-list") + "?whose=all"
        ).content.decode()
    )
    theirs.refresh_from_db()
    assert theirs.status == "open"


@pytest.mark.django_db
def test_an_admin_holding_tasks_sees_them_on_their_home(client_of, admin, person):
    services.task_add(
        participant=person,
        by=admin.user,
        title="Cover for Jo's caseload",
        due_on=_days(0),
        owner=admin.user,
    )
    assert (
        "Cover for Jo&#x27;s caseload"
        in client_of(admin).get(reverse("home")).content.decode()
    )


@pytest.mark.django_db
def test_erasing_a_person_removes_what_their_tasks_say(client_of, coordinator, person):
    task = services.task_add(
        participant=person, by=coordinator.user, title="Ring Jo", due_on=_days(0)
    )
    called_off = services.task_add(
        participant=person, by=coordinator.user, title="Visit Jo", due_on=_days(1)
    )
    services.task_cancel(task=called_off, by=coordinator.user, reason="Jo moved away")
    services.participant_erase(participant=person, by=coordinator.user, reason="Asked")
    task.refresh_from_db()
    called_off.refresh_from_db()
    assert task.title == ""
    # Nobody works on an erased record: its open tasks are cancelled, and what a
    # cancelled task said of the person goes too.
    assert task.status == called_off.status == Task.Status.CANCELLED
    assert "Jo" not in called_off.cancel_reason + task.cancel_reason
    assert (
        "Your tasks (0)" in client_of(coordinator).get(reverse("home")).content.decode()
    )


@pytest.mark.django_db
def test_the_task_list_and_home_take_a_fixed_number_of_queries(
    client_of, coordinator, django_assert_max_num_queries
):
    client = client_of(coordinator)
    client.get(reverse("home"))  # the session's first-use queries

    def add(n):
        for i in range(n):
            services.task_add(
                participant=ParticipantFactory(
                    academy=coordinator.academy, coordinator=coordinator.user
                ),
                by=coordinator.user,
                title=f"Task {i}",
                due_on=_days(i - 3),
            )

    add(2)
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("participants:task-list"))
    add(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("participants:task-list"))
    with django_assert_max_num_queries(40) as home:
        client.get(reverse("home"))
    add(10)
    with django_assert_max_num_queries(len(home.captured_queries)):
        client.get(reverse("home"))


# ---- what the forms say (issue 13, tester's findings 2, 3 and 13) ------------------


def _attended(client, person, days_ago=0):
    appointment = AppointmentFactory(participant=person)
    Appointment.objects.filter(pk=appointment.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=days_ago, hours=1)
    )
    client.post(reverse("participants:appointment-attended", args=[appointment.pk]))
    return reverse("participants:appointment-notes", args=[appointment.pk])


def _meeting_post(**extra):
    held = timezone.localtime() - dt.timedelta(hours=1)
    return {"kind": "phone", "held_at": held.strftime("%Y-%m-%dT%H:%M"), **extra}


@pytest.mark.django_db
def test_a_next_step_needs_its_date_on_both_meeting_forms(
    client_of, coordinator, person
):
    """Finding 2: a next step without a date became no task, silently."""
    client = client_of(coordinator)
    step = "Send Kasia the Care Certificate dates"
    said = "Give the date of the next step, or leave the step empty."
    logged = client.post(
        reverse("participants:meeting-add", args=[person.pk]),
        _meeting_post(next_step=step),
    )
    assert logged.status_code == 200
    assert said in logged.content.decode()
    notes_url = _attended(client, person)
    noted = client.post(notes_url, {"notes": "Talked", "next_step": step})
    assert noted.status_code == 200
    assert said in noted.content.decode()
    assert not Meeting.objects.filter(participant=person).exclude(next_step="").exists()
    assert _open(person) == []

    client.post(notes_url, {"next_step": step, "next_step_on": _days(3).isoformat()})

    assert [t.title for t in _open(person)] == [step]


@pytest.mark.django_db
def test_a_new_due_date_cannot_have_passed_but_a_kept_one_stays(
    client_of, coordinator, person
):
    """Finding 3: a task due in 2020 was accepted ('2525 days overdue')."""
    client = client_of(coordinator)
    passed = "The due date has passed: choose today or later."
    yesterday = _days(-1).isoformat()
    added = client.post(
        reverse("participants:task-add", args=[person.pk]),
        {"title": "Ring Jo", "due_on": yesterday},
    )
    assert passed in added.content.decode()
    logged = client.post(
        reverse("participants:meeting-add", args=[person.pk]),
        _meeting_post(
            held_at="2024-03-04T10:00", next_step="Ring Jo", next_step_on=yesterday
        ),
    )
    assert passed in logged.content.decode()
    assert not Task.objects.filter(participant=person).exists()
    client.post(
        reverse("participants:task-add", args=[person.pk]),
        {"title": "Ring Jo", "due_on": _days(0).isoformat()},
    )
    assert [t.due_on for t in _open(person)] == [_days(0)]

    # Notes written again keep their next step's date, though it has passed now.
    notes_url = _attended(client, person, days_ago=3)
    client.post(notes_url, {"next_step": "Send dates", "next_step_on": _days(1)})
    meeting = Meeting.objects.filter(participant=person).exclude(next_step="").get()
    Meeting.objects.filter(pk=meeting.pk).update(next_step_on=_days(-2))
    again = client.post(
        notes_url, {"next_step": "Send the dates", "next_step_on": _days(-2)}
    )
    assert again.status_code == 302
    meeting.refresh_from_db()
    assert meeting.next_step == "Send the dates"
    moved = client.post(
        notes_url, {"next_step": "Send the dates", "next_step_on": _days(-1)}
    )
    assert passed in moved.content.decode()


@pytest.mark.django_db
def test_every_task_form_says_what_to_do(client_of, coordinator, person):
    """Finding 13: 'This field is required.' said nothing; too-long text was told
    off twice, once wrongly; a date it could not read was 'not valid'."""
    task = services.task_add(
        participant=person, by=coordinator.user, title="Ring Jo", due_on=_days(0)
    )
    client = client_of(coordinator)
    cases = [
        (
            reverse("participants:task-add", args=[person.pk]),
            {"title": " ", "due_on": ""},
            ["Say what needs doing.", "Give the date it is due."],
        ),
        (
            reverse("participants:task-add", args=[person.pk]),
            {"title": "x" * 1000, "due_on": "31/02/2027"},
            [
                "Keep it to 300 characters (you typed 1,000).",
                "Enter a date such as 31/12/2026.",
            ],
        ),
        (
            reverse("participants:task-cancel", args=[task.pk]),
            {"reason": ""},
            ["Say why it is cancelled."],
        ),
        (
            reverse("participants:task-cancel", args=[task.pk]),
            {"reason": "y" * 301},
            ["Keep it to 300 characters (you typed 301)."],
        ),
        (
            reverse("participants:task-hand", args=[task.pk]),
            {"to": ""},
            ["Choose who takes it."],
        ),
        (reverse("participants:tasks-hand-all"), {}, ["Choose who takes it."]),
        (
            reverse("participants:meeting-add", args=[person.pk]),
            _meeting_post(next_step="z" * 1000, next_step_on=_days(2).isoformat()),
            ["Keep it to 300 characters (you typed 1,000)."],
        ),
    ]
    for url, data, said in cases:
        response = client.post(url, data)
        page = response.content.decode()
        assert response.status_code == 200, url
        for words in said:
            assert words in page, (url, words)
        for generic in ("This field is required", "Ensure this value", "valid date"):
            assert generic not in page, (url, generic)
        assert "Say what the next step is" not in page
    task.refresh_from_db()
    assert (task.status, task.owner) == ("open", coordinator.user)
