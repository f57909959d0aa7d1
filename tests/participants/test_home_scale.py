"""The coordinator's home at scale: its queries are the same in number however many
people, tasks and appointments there are, each reads the coordinator's academy only
(academy in the WHERE of every query of casework), and the task counts are one query."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants import selectors
from tests.participants.factories import (
    AppointmentFactory,
    ParticipantFactory,
    TaskFactory,
)

HOME = reverse("home")
CASEWORK = re.compile(r'FROM "(participants|vacancies)_(\w+)"')


def _work(membership, n):
    """`n` people of the member's caseload, each with tasks (overdue, today, later)
    and an appointment today."""
    today = timezone.localdate()
    for person in ParticipantFactory.create_batch(
        n, academy=membership.academy, coordinator=membership.user
    ):
        for days in (-3, 0, 5):
            TaskFactory(participant=person, due_on=today + dt.timedelta(days=days))
        AppointmentFactory(
            participant=person,
            starts_at=timezone.localtime().replace(hour=23, minute=0),
        )


def _home(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(HOME)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.django_db
def test_the_coordinators_home_runs_as_many_queries_for_many_as_for_few(
    client_of, coordinator, other_coordinator
):
    client = client_of(coordinator)
    _work(coordinator, 1)
    _work(other_coordinator, 1)
    client.get(HOME)
    few = _home(client)
    _work(coordinator, 12)
    _work(other_coordinator, 12)
    many = _home(client)
    assert len(many) == len(few)


@pytest.mark.django_db
def test_every_query_of_casework_on_the_home_is_of_the_coordinators_academy(
    client_of, coordinator, other_coordinator
):
    _work(coordinator, 2)
    _work(other_coordinator, 2)
    academy = coordinator.academy_id
    for sql in _home(client_of(coordinator)):
        if CASEWORK.search(sql) and sql.startswith("SELECT"):
            assert re.search(rf'"academy_id" = {academy}\b', sql), sql


@pytest.mark.django_db
def test_the_task_counts_are_one_query(coordinator, django_assert_num_queries):
    _work(coordinator, 2)
    with django_assert_num_queries(1):
        counts = selectors.task_counts(membership=coordinator)
    assert (counts.open, counts.overdue, counts.today) == (6, 2, 2)
