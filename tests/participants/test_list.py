import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.academy.factories import MembershipFactory
from tests.participants.factories import (
    ParticipantCohortFactory,
    ParticipantFactory,
    SkillsActionPlanFactory,
    TaskFactory,
)

LIST = reverse("participants:list")


def search(client, query, **params):
    """Type `query` into the list's search box and send it, as the filter bar does."""
    headers = {k: v for k, v in params.items() if k.startswith("HTTP_")}
    fields = {k: v for k, v in params.items() if not k.startswith("HTTP_")}
    return client.post(LIST, {"q": query, **fields}, follow=True, **headers)


def names(response):
    return [f"{p.first_name} {p.last_name}" for p in response.context["page"]]


@pytest.fixture
def people(coordinator, other_academy):
    a = coordinator.academy
    return {
        "ann": ParticipantFactory(
            academy=a,
            first_name="Ann",
            last_name="Adams",
            reference="CA-000001",
            email="ann@example.net",
            phone="07700 900001",
            postcode="PL1 1AA",
            is_claimant=True,
            coordinator=coordinator.user,
            registered_on=dt.date(2024, 1, 1),
            last_contact_at=timezone.now() - dt.timedelta(days=40),
        ),
        "bob": ParticipantFactory(
            academy=a,
            first_name="Bob",
            last_name="Brown",
            reference="CA-000002",
            email="bob@example.net",
            phone="07700 900002",
            postcode="PL4 6AB",
            is_claimant=False,
            registered_on=dt.date(2024, 2, 1),
            last_contact_at=timezone.now() - dt.timedelta(days=2),
        ),
        "cat": ParticipantFactory(
            academy=a,
            first_name="Cat",
            last_name="Clark",
            reference="CA-000003",
            status="closed",
            registered_on=dt.date(2024, 3, 1),
        ),
        "far": ParticipantFactory(
            academy=other_academy, first_name="Ann", last_name="Faraway"
        ),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ann", ["Ann Adams"]),
        ("Ann Adams", ["Ann Adams"]),
        ("ca-000002", ["Bob Brown"]),
        ("BOB@example.net", ["Bob Brown"]),
        ("07700900002", ["Bob Brown"]),
        ("pl4 6ab", ["Bob Brown"]),
        ("PL4", ["Bob Brown"]),
    ],
)
def test_search_by_name_reference_email_phone_or_postcode(
    client_of, coordinator, people, query, expected
):
    response = search(client_of(coordinator), query)
    assert names(response) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Ann Adams", "Bob Brown"]),
        ({"status": "closed"}, ["Cat Clark"]),
        ({"status": "all"}, ["Ann Adams", "Bob Brown", "Cat Clark"]),
        ({"claimant": "no"}, ["Bob Brown"]),
        ({"claimant": "yes"}, ["Ann Adams"]),
        ({"coordinator": "me"}, ["Ann Adams"]),
        ({"cohort": "refugee"}, ["Bob Brown"]),
        ({"pathway": "supply"}, ["Ann Adams"]),
        ({"no_contact": "1"}, ["Ann Adams"]),
        ({"task_overdue": "1"}, ["Bob Brown"]),
        ({"sort": "newest"}, ["Bob Brown", "Ann Adams"]),
        ({"sort": "last_contact"}, ["Ann Adams", "Bob Brown"]),
    ],
)
def test_filters_and_sorts(client_of, coordinator, people, params, expected):
    ParticipantCohortFactory(participant=people["bob"], code="refugee")
    SkillsActionPlanFactory(participant=people["ann"], pathway="supply")
    TaskFactory(participant=people["bob"], due_on=dt.date(2024, 1, 1))
    response = client_of(coordinator).get(LIST, params)
    assert names(response) == expected


@pytest.mark.django_db
def test_a_search_never_puts_what_was_typed_in_a_url(client_of, coordinator, people):
    """Issue 12, observation 8: names and e-mail addresses stay out of server logs and
    browser history. The search is posted; the list's URL names it by an opaque id."""
    client = client_of(coordinator)
    response = search(client, "bob@example.net", status="all")
    assert names(response) == ["Bob Brown"]
    url = response.redirect_chain[-1][0]
    assert "bob" not in url.lower()
    assert "example" not in url
    assert "status=all" in url
    assert "search=" in url
    # The same URL again (a reload, the next page, back) shows the same search, and
    # the CSV export of this list keeps it too.
    assert names(client.get(url)) == ["Bob Brown"]
    export = reverse("participants:export") + "?" + url.split("?", 1)[1]
    lines = b"".join(client.get(export).streaming_content).decode().splitlines()
    assert len(lines) == 2
    assert "Brown" in lines[1]


@pytest.mark.django_db
def test_a_search_in_a_url_is_not_read_and_an_id_is_of_its_own_session(
    client_of, coordinator, people
):
    client = client_of(coordinator)
    assert names(client.get(LIST, {"q": "bob"})) == ["Ann Adams", "Bob Brown"]
    url = search(client, "bob").redirect_chain[-1][0]
    # Another person (or a new session) cannot replay someone's search by its id.
    colleague = MembershipFactory(academy=coordinator.academy, role="coordinator")
    assert names(client_of(colleague).get(url)) == ["Ann Adams", "Bob Brown"]


@pytest.mark.django_db
def test_list_never_shows_another_academys_people(client_of, coordinator, people):
    body = search(client_of(coordinator), "Ann", status="all").content.decode()
    assert "Adams" in body
    assert "Faraway" not in body


@pytest.mark.django_db
def test_list_queries_stay_constant_whatever_the_page_size(
    client_of, coordinator, django_assert_max_num_queries
):
    client = client_of(coordinator)
    for person in ParticipantFactory.create_batch(1, academy=coordinator.academy):
        ParticipantCohortFactory(participant=person)
    with django_assert_max_num_queries(20) as one:
        client.get(LIST)
    for person in ParticipantFactory.create_batch(49, academy=coordinator.academy):
        ParticipantCohortFactory(participant=person, code="refugee")
        ParticipantCohortFactory(participant=person, code="over_50")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(LIST)
    assert len(response.context["page"]) == 50


@pytest.mark.django_db
def test_list_pages_fifty_at_a_time(client_of, coordinator):
    ParticipantFactory.create_batch(51, academy=coordinator.academy)
    client = client_of(coordinator)
    assert len(client.get(LIST).context["page"]) == 50
    assert len(client.get(LIST, {"page": 2}).context["page"]) == 1


@pytest.mark.django_db
def test_htmx_request_gets_only_the_table(client_of, coordinator, people):
    response = search(client_of(coordinator), "bob", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Bob" in body
    assert "<html" not in body


@pytest.mark.django_db
def test_csv_export_of_the_filtered_list(client_of, coordinator, people):
    ParticipantCohortFactory(participant=people["ann"], code="over_50")
    client = client_of(coordinator)
    response = client.get(
        reverse("participants:export"), {"claimant": "yes", "columns": "codes"}
    )
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")  # so that Excel reads UTF-8
    rows = list(csv.DictReader(io.StringIO(content.removeprefix("\ufeff"))))
    assert [r["reference"] for r in rows] == ["CA-000001"]
    assert rows[0]["cohorts"] == "over_50"
    assert rows[0]["email"] == "ann@example.net"
    # By default, as the screen shows them.
    shown = client.get(reverse("participants:export"), {"claimant": "yes"})
    text = b"".join(shown.streaming_content).decode("utf-8-sig")
    (row,) = csv.DictReader(io.StringIO(text))
    assert (row["Reference"], row["Cohorts"]) == ("CA-000001", "Aged over 50")


@pytest.mark.django_db
def test_a_bad_filter_value_is_ignored_and_said(client_of, coordinator, people):
    response = search(client_of(coordinator), "ann", cohort="martians")
    assert response.status_code == 200
    assert names(response) == ["Ann Adams"]
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.django_db
def test_page_links_keep_the_filters(client_of, coordinator):
    ParticipantFactory.create_batch(51, academy=coordinator.academy, is_claimant=True)
    page = client_of(coordinator).get(LIST, {"claimant": "yes", "sort": "newest"})
    assert "?claimant=yes&amp;sort=newest&amp;page=2" in page.content.decode()


@pytest.mark.django_db
def test_csv_export_neutralises_spreadsheet_formulas(client_of, coordinator):
    ParticipantFactory(academy=coordinator.academy, first_name="=HYPERLINK(1)")
    response = client_of(coordinator).get(reverse("participants:export"))
    content = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK(1)" in content


@pytest.mark.django_db
def test_the_task_overdue_badge_and_filter_come_from_open_tasks_of_any_source(
    client_of, coordinator, people
):
    """Issue 13, tester's finding 22: the badge looked at plan actions only, while
    the tasks (checks, next steps, ones written by hand) are what is due."""
    ann, bob = people["ann"], people["bob"]
    long_ago = timezone.localdate() - dt.timedelta(days=3)
    TaskFactory(participant=ann, due_on=long_ago, source="check")
    TaskFactory(participant=bob, due_on=long_ago, status="done")
    TaskFactory(participant=bob, due_on=timezone.localdate())
    client = client_of(coordinator)
    page = client.get(LIST).content.decode()
    assert page.count("Task overdue") == 1
    assert "Action overdue" not in page
    assert names(client.get(LIST, {"task_overdue": "1"})) == ["Ann Adams"]
