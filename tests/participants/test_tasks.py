"""Tasks (issue 13): next steps, plan actions and sustainment checks are one list of
tasks with an owner and a due date, which stay until someone marks them done or
cancels them with a reason, whatever else is logged."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from participants import services
from tests.participants.factories import ParticipantFactory


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
