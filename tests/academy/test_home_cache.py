"""The coordinator's home is kept for a minute, so that opening it again (the page a
coordinator opens most) costs about what a minimal page does (issue 16: "coordinator
home … 2 requests/s with 3 workers"; the goal is half the minimal page's rate).

What the member does themself shows at once (any form they send refreshes it), so does
anything they are told of; others' changes show within the minute."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from academy.home import HOME_KEPT_SECONDS
from academy.models import AccessRecord
from academy.permissions import Role
from participants.models import Appointment, Task
from tests.academy.factories import MembershipFactory
from tests.conftest import log_in
from tests.participants.factories import (
    AppointmentFactory,
    ParticipantFactory,
    TaskFactory,
)
from tests.vacancies.factories import VacancyFactory
from vacancies.models import Vacancy
from vacancies.services.opportunities import critical_shortage_notify

pytestmark = pytest.mark.django_db

HOME = "/"


def _task(membership, title):
    person = ParticipantFactory(academy=membership.academy, coordinator=membership.user)
    return TaskFactory(participant=person, title=title)


def _queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in queries.captured_queries]


def test_opening_the_home_again_does_not_read_the_day_again(client_of, coordinator):
    _task(coordinator, "Ring Sam about the interview")
    client = client_of(coordinator)
    first, first_sql = _queries(client)
    again, again_sql = _queries(client)
    assert "Ring Sam about the interview" in first
    assert "Ring Sam about the interview" in again
    assert any("participants_task" in sql for sql in first_sql)
    assert not any("participants_task" in sql for sql in again_sql)
    assert not any('FROM "academy_organisation"' in sql for sql in again_sql)
    assert len(again_sql) < len(first_sql) - 10


def test_a_form_the_member_sends_shows_on_their_home_at_once(client_of, coordinator):
    task = _task(coordinator, "Ring Sam about the interview")
    client = client_of(coordinator)
    assert "Your tasks (1)" in client.get(HOME).content.decode()
    response = client.post(reverse("participants:task-done", args=[task.pk]))
    assert response.status_code == 302
    assert Task.objects.get(pk=task.pk).status == Task.Status.DONE
    assert "Your tasks (0)" in client.get(HOME).content.decode()


def test_others_changes_show_within_the_minute(client_of, coordinator):
    client = client_of(coordinator)
    assert "Your tasks (0)" in client.get(HOME).content.decode()
    _task(coordinator, "Handed over by a colleague")  # not this member's doing
    assert "Your tasks (0)" in client.get(HOME).content.decode()
    later = timezone.now() + dt.timedelta(seconds=HOME_KEPT_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert "Handed over by a colleague" in client.get(HOME).content.decode()


def test_what_the_member_is_told_of_shows_at_once(
    client_of, coordinator, django_capture_on_commit_callbacks
):
    client = client_of(coordinator)
    client.get(HOME)
    vacancy = VacancyFactory(
        academy=coordinator.academy,
        title="Night carer, Oak House",
        status=Vacancy.Status.OPEN,
        is_critical_shortage=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert critical_shortage_notify(vacancy=vacancy) == 1  # a provider flagged it
    assert "Night carer, Oak House" in client.get(HOME).content.decode()


def test_a_new_day_is_read_afresh(client_of, coordinator):
    # Twenty seconds apart, well within the minute, but on two days.
    evening = timezone.localtime().replace(hour=23, minute=59, second=50)
    with time_machine.travel(evening, tick=False):
        client = client_of(coordinator)
        assert "Your tasks (0)" in client.get(HOME).content.decode()
        _task(coordinator, "Tomorrow's first call")
    with time_machine.travel(evening + dt.timedelta(seconds=20), tick=False):
        assert "Your tasks (1)" in client.get(HOME).content.decode()


def test_a_kept_form_carries_the_token_of_the_session_that_opens_it(coordinator):
    appointment = AppointmentFactory(
        participant=ParticipantFactory(
            academy=coordinator.academy, coordinator=coordinator.user
        ),
        coordinator=coordinator.user,
        starts_at=timezone.now() - dt.timedelta(minutes=5),
    )
    phone = log_in(Client(enforce_csrf_checks=True), coordinator.user)
    desk = log_in(Client(enforce_csrf_checks=True), coordinator.user)
    attended = reverse("participants:appointment-attended", args=[appointment.pk])
    assert attended in phone.get(HOME).content.decode()
    html = desk.get(HOME).content.decode()  # the kept page, in another session
    form = html[html.index(attended) :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = desk.post(attended, {"csrfmiddlewaretoken": token, "next": HOME})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.ATTENDED


def test_every_opening_is_recorded_with_the_people_it_shows(client_of, coordinator):
    task = _task(coordinator, "Ring Sam about the interview")
    client = client_of(coordinator)
    client.get(HOME)
    client.get(HOME)
    records = AccessRecord.objects.filter(user_id=coordinator.user.pk, path=HOME)
    assert records.count() == 2
    assert all(task.participant_id in r.participant_ids for r in records)


def test_each_academy_and_role_has_its_own_home(client_of, coordinator, other_academy):
    _task(coordinator, "Plymouth call")
    elsewhere = MembershipFactory(
        academy=other_academy, user=coordinator.user, role=Role.COORDINATOR
    )
    _task(elsewhere, "Tyneside call")
    client = client_of(coordinator)
    assert "Plymouth call" in client.get(HOME).content.decode()
    client.post(reverse("academy:switch"), {"academy": other_academy.pk})
    html = client.get(HOME).content.decode()
    assert "Tyneside call" in html
    assert "Plymouth call" not in html


def test_a_colleague_never_sees_anothers_kept_home(client_of, coordinator):
    _task(coordinator, "Only mine")
    colleague = MembershipFactory(academy=coordinator.academy, role=Role.COORDINATOR)
    client_of(coordinator).get(HOME)
    assert "Only mine" not in client_of(colleague).get(HOME).content.decode()


def test_without_the_cache_the_home_is_read_afresh_and_forms_still_work(
    client_of, coordinator, monkeypatch
):
    import redis

    from academy import kept

    def down(*args, **kwargs):
        raise redis.ConnectionError("Redis is down")

    task = _task(coordinator, "Ring Sam about the interview")
    monkeypatch.setattr(kept.cache, "get_many", down)
    monkeypatch.setattr(kept.cache, "set", down)
    monkeypatch.setattr(kept.cache, "set_many", down)
    client = client_of(coordinator)
    assert "Your tasks (1)" in client.get(HOME).content.decode()
    response = client.post(reverse("participants:task-done", args=[task.pk]))
    assert response.status_code == 302
    assert "Your tasks (0)" in client.get(HOME).content.decode()


def test_a_person_erased_leaves_every_kept_home_at_once(
    client_of, coordinator, admin, django_capture_on_commit_callbacks
):
    from participants.services.rights import participant_erase

    person = ParticipantFactory(
        academy=coordinator.academy, coordinator=coordinator.user, first_name="Zebedee"
    )
    TaskFactory(participant=person, title="Ring about the interview")
    client = client_of(coordinator)
    assert "Zebedee" in client.get(HOME).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        participant_erase(participant=person, by=admin.user, reason="asked to")
    assert "Zebedee" not in client.get(HOME).content.decode()


def test_a_merge_shows_on_every_kept_home_at_once(
    client_of, coordinator, admin, django_capture_on_commit_callbacks
):
    """The merged-away record's link must not stay on a colleague's home for the
    minute: it leads nowhere once the merge commits."""
    from participants.services import participant_merge

    keep = ParticipantFactory(
        academy=coordinator.academy, coordinator=coordinator.user, first_name="Keeper"
    )
    duplicate = ParticipantFactory(
        academy=coordinator.academy, coordinator=coordinator.user, first_name="Zebedee"
    )
    TaskFactory(participant=duplicate, title="Ring about the interview")
    client = client_of(coordinator)
    before = client.get(HOME).content.decode()
    assert f"/participants/{duplicate.pk}/" in before
    with django_capture_on_commit_callbacks(execute=True):
        participant_merge(keep=keep, duplicate=duplicate, by=admin.user)
    after = client.get(HOME).content.decode()
    assert f"/participants/{duplicate.pk}/" not in after
    assert "Ring about the interview" in after


def test_a_caseload_moved_shows_on_both_coordinators_homes_at_once(
    client_of, coordinator, admin, django_capture_on_commit_callbacks
):
    from participants.services import caseload_reassign

    colleague = MembershipFactory(academy=coordinator.academy, role=Role.COORDINATOR)
    _task(coordinator, "Ring Sam about the interview")
    leaver = client_of(coordinator)
    taker = client_of(colleague)
    assert "Ring Sam about the interview" in leaver.get(HOME).content.decode()
    assert "Ring Sam about the interview" not in taker.get(HOME).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        caseload_reassign(leaver=coordinator, to=colleague, by=admin.user)
    assert "Ring Sam about the interview" not in leaver.get(HOME).content.decode()
    assert "Ring Sam about the interview" in taker.get(HOME).content.decode()
