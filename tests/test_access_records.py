"""Every page and export that shows a person's data writes an access record naming the
person (spec/security.md LOG-1). The test crawls every URL of the role matrix as each
role that may open it, with one person (a sentinel name) present in every kind of
record, and demands a record for each response that shows the name, so a new page is
covered without anyone remembering it."""

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections
from django.urls import reverse

from academy.audit import REQUEST_ID_HEADER, AccessRecord
from participants.models import SustainmentCheck
from tests.participants.factories import (
    EnquiryFactory,
    MeetingFactory,
    OutcomeFactory,
    ParticipantFactory,
    PlanActionFactory,
    SkillsActionPlanFactory,
)
from tests.test_permissions import MATRIX, _object
from tests.vacancies.factories import ReferralFactory

SENTINEL = "Zqxsentinel"
PERSON_KINDS = {"participant", "plan", "action", "check", "referral", "enquiry"}


@pytest.fixture
def person_everywhere(academy, coordinator, provider):
    """One person in the coordinator's caseload with a plan, an overdue action, a next
    step due, a job start with a check due and a referral to the provider; and an
    enquiry with the same name."""
    person = ParticipantFactory(
        academy=academy, coordinator=coordinator.user, last_name=SENTINEL
    )
    plan = SkillsActionPlanFactory(participant=person)
    action = PlanActionFactory(plan=plan)
    MeetingFactory(participant=person, next_step="Call back")
    outcome = OutcomeFactory(participant=person)
    check = SustainmentCheck.objects.create(
        outcome=outcome, weeks=13, due_on=outcome.started_on
    )
    referral = ReferralFactory(
        participant=person,
        vacancy__academy=academy,
        vacancy__organisation=provider.organisation,
    )
    enquiry = EnquiryFactory(academy=academy, last_name=SENTINEL)
    return {
        "participant": person,
        "plan": plan,
        "action": action,
        "check": check,
        "referral": referral,
        "vacancy": referral.vacancy,
        "enquiry": enquiry,
    }


def _cases():
    for name, (allowed, _kind, *method) in sorted(MATRIX.items()):
        if method == ["post"]:
            continue
        for role in sorted(allowed):
            yield name, role


@pytest.mark.django_db
def test_every_page_that_shows_a_person_records_who_saw_them(
    request, client_of, academy, person_everywhere
):
    person = person_everywhere["participant"]
    enquiry = person_everywhere["enquiry"]
    shown = missing = 0
    problems = []
    for name, role in _cases():
        kind = MATRIX[name][1]
        if kind in person_everywhere:
            obj = person_everywhere[kind]
        else:
            obj = _object(kind, academy, request)
        if kind == "metric":
            url = reverse(name, args=["action_plan_people"]) + "?period=since_launch"
        elif obj is None:
            url = reverse(name)
        else:
            url = reverse(name, args=[obj.pk])
        client = client_of(request.getfixturevalue(role))
        response = client.get(url)
        body = (
            b"".join(response.streaming_content)
            if response.streaming
            else response.content
        )
        # Close file downloads, without Django closing the test's connection as it
        # does when a request finishes outside the test client.
        request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            request_finished.connect(close_old_connections)
        if SENTINEL.encode() not in body:
            continue
        shown += 1
        record = AccessRecord.objects.filter(
            request_id=response[REQUEST_ID_HEADER]
        ).first()
        if record is None or not (
            person.pk in record.participant_ids or enquiry.pk in record.enquiry_ids
        ):
            missing += 1
            problems.append(f"{name} as {role}")
    print(f"{shown} responses showed the person; {missing} without an access record")  # noqa: T201
    # The crawl must really have seen the person: the record, lists, exports, matches.
    assert shown >= 15
    assert not problems, problems


@pytest.mark.django_db
def test_an_access_record_says_who_what_and_where(client_of, academy, coordinator):
    person = ParticipantFactory(academy=academy)
    response = client_of(coordinator).get(
        reverse("participants:detail", args=[person.pk]),
        REMOTE_ADDR="192.0.2.7",
    )
    record = AccessRecord.objects.get()
    assert record.user_id == coordinator.user_id
    assert record.user_email == coordinator.user.email
    assert record.role == "coordinator"
    assert record.academy_id == academy.pk
    assert record.action == "participants:detail GET"
    assert record.participant_ids == [person.pk]
    assert record.request_id == response[REQUEST_ID_HEADER]
    assert record.ip == "192.0.2.7"


@pytest.mark.django_db
def test_an_export_records_everyone_in_it(client_of, academy, coordinator):
    people = ParticipantFactory.create_batch(3, academy=academy)
    response = client_of(coordinator).get(reverse("participants:export"))
    b"".join(response.streaming_content)
    record = AccessRecord.objects.get(action="participants:export GET")
    assert record.participant_ids == sorted(p.pk for p in people)
    assert record.count == 3


@pytest.mark.django_db
def test_pages_that_show_nobody_write_nothing(client_of, academy, coordinator):
    client_of(coordinator).get(reverse("participants:list"))
    assert not AccessRecord.objects.exists()


@pytest.mark.django_db
def test_another_academys_person_is_refused_and_not_recorded_as_seen(
    client_of, other_academy, coordinator
):
    stranger = ParticipantFactory(academy=other_academy)
    response = client_of(coordinator).get(
        reverse("participants:detail", args=[stranger.pk])
    )
    assert response.status_code == 404
    assert not AccessRecord.objects.exists()
