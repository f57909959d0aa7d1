"""The people list at scale: a page's sorting query carries no per-row subquery (the
overdue and missed marks are computed for the shown rows only), a deep page costs the
queries a first page does, and the count is capped."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from academy import lists
from tests.participants.factories import ParticipantFactory, TaskFactory

LIST = reverse("participants:list")


def _pages(client, url=LIST):
    """The response to `url`, and the SQL it ran."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, [q["sql"] for q in captured.captured_queries]


@pytest.mark.django_db
def test_the_overdue_mark_is_worked_out_for_the_shown_rows_only(client_of, coordinator):
    people = ParticipantFactory.create_batch(3, academy=coordinator.academy)
    TaskFactory(participant=people[1], due_on=dt.date(2020, 1, 1))
    response, sql = _pages(client_of(coordinator))
    marked = {p.pk: p.has_overdue_task for p in response.context["page"]}
    assert marked == {people[0].pk: False, people[1].pk: True, people[2].pk: False}
    paging = [s for s in sql if "ORDER BY" in s and "participants_participant" in s]
    assert paging
    for query in paging:
        if "participants_task" in query:  # only the marks' query, by the shown pks
            assert '"participants_participant"."id" IN (' in query
            assert "ORDER BY" not in query.split("participants_task")[0]


@pytest.mark.django_db
def test_a_deep_page_runs_the_queries_of_the_first_and_no_offset(
    client_of, coordinator, monkeypatch
):
    ParticipantFactory.create_batch(7, academy=coordinator.academy)
    client = client_of(coordinator)
    monkeypatch.setattr(lists.list_page, "__kwdefaults__", {"per_page": 2})
    first, first_sql = _pages(client)
    page = first.context["page"]
    while page.has_next:
        deep, deep_sql = _pages(client, LIST + page.next_url)
        page = deep.context["page"]
    assert page.number == 4
    assert not any("OFFSET" in s.upper() for s in deep_sql)
    # The cursor's own row is one more query; no more than that.
    assert len(deep_sql) == len(first_sql) + 1
    assert "Page 4 of 4" in deep.content.decode()


@pytest.mark.django_db
def test_queries_stay_the_same_as_the_academy_grows(client_of, coordinator):
    client = client_of(coordinator)
    ParticipantFactory.create_batch(3, academy=coordinator.academy)
    client.get(LIST)
    _, few = _pages(client)
    ParticipantFactory.create_batch(60, academy=coordinator.academy)
    _, many = _pages(client)
    assert len(many) == len(few)


@pytest.mark.django_db
def test_the_page_says_more_than_the_cap(client_of, coordinator, monkeypatch):
    monkeypatch.setattr(lists, "COUNT_CAP", 2)
    ParticipantFactory.create_batch(3, academy=coordinator.academy)
    response = client_of(coordinator).get(LIST)
    assert "More than 2 people" in response.content.decode()


@pytest.mark.django_db
def test_a_cursor_of_another_academy_reveals_nothing(
    client_of, coordinator, other_academy
):
    ParticipantFactory.create_batch(2, academy=coordinator.academy)
    stranger = ParticipantFactory(academy=other_academy, last_name="Zed")
    response = client_of(coordinator).get(LIST, {"after": stranger.pk, "page": 2})
    assert response.status_code == 200
    assert response.context["page"].number == 1
    assert "Zed" not in response.content.decode()


@pytest.mark.django_db
def test_a_search_finds_its_matches_first_then_sorts_them(coordinator, monkeypatch):
    from participants import selectors
    from participants.selectors import people as people_module

    smiths = ParticipantFactory.create_batch(
        3, academy=coordinator.academy, last_name="Smith"
    )
    ParticipantFactory(academy=coordinator.academy, last_name="Jones")
    listed = selectors.participant_list(membership=coordinator)
    found = selectors.people_sorted(selectors.people_matching(listed, "smi"), "name")
    sql = str(found.query)
    assert '"participants_participant"."id" IN (' in sql
    assert "LIKE" not in sql  # the page's query sorts the found pks only
    assert {p.pk for p in found} == {p.pk for p in smiths}
    monkeypatch.setattr(people_module, "SEARCH_NARROW", 2)
    many = selectors.people_sorted(selectors.people_matching(listed, "smi"), "name")
    assert "LIKE" in str(many.query)  # many matches: filtered as it sorts
    assert {p.pk for p in many} == {p.pk for p in smiths}
