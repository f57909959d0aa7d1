"""The list toolkit pages by keyset (academy/lists.py): a deep page is the rows after
the last one shown, found by the sort key and the pk, never by OFFSET; ties and nulls
keep their places; the count stops at COUNT_CAP."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from academy import lists
from participants import selectors
from participants.models import Participant
from tests.participants.factories import ParticipantFactory

PER_PAGE = 3


@pytest.fixture
def crowd(coordinator):
    """Ties on every part of each sort, and people never contacted (nulls)."""
    now = timezone.now()
    rows = [
        ("Ann", "Smith", dt.date(2024, 1, 1), None),
        ("Ann", "Smith", dt.date(2024, 1, 1), now - dt.timedelta(days=3)),
        ("Bob", "Smith", dt.date(2024, 1, 1), None),
        ("Ann", "Jones", dt.date(2024, 2, 1), now - dt.timedelta(days=3)),
        ("Cat", "Jones", dt.date(2024, 2, 1), None),
        ("Dan", "Adams", dt.date(2024, 3, 1), now - dt.timedelta(days=40)),
        ("Eve", "Adams", dt.date(2024, 3, 1), now - dt.timedelta(days=1)),
        ("Fay", "Young", dt.date(2023, 5, 1), None),
        ("Gus", "Young", dt.date(2024, 3, 1), now - dt.timedelta(days=40)),
        ("Hal", "Brown", dt.date(2022, 1, 1), None),
    ]
    return [
        ParticipantFactory(
            academy=coordinator.academy,
            first_name=first,
            last_name=last,
            registered_on=registered,
            last_contact_at=contact,
        )
        for first, last, registered, contact in rows
    ]


def _request(url=""):
    return RequestFactory().get(f"/people/{url}")


def _walk(rows, per_page=PER_PAGE):
    """Follow "Next" from the first page to the last; then "Previous" back."""
    page = lists.list_page(_request(), rows, per_page=per_page)
    forward = [page]
    while page.has_next:
        page = lists.list_page(_request(page.next_url), rows, per_page=per_page)
        forward.append(page)
    backward = [page]
    while page.has_previous:
        page = lists.list_page(_request(page.previous_url), rows, per_page=per_page)
        backward.append(page)
    return forward, backward


def _expected(people, sort):
    def contact(p):
        return (p.last_contact_at is not None, p.last_contact_at or 0, p.pk)

    keys = {
        "name": lambda p: (p.last_name, p.first_name, p.pk),
        "reference": lambda p: (p.reference, p.pk),
        "newest": lambda p: (-p.registered_on.toordinal(), -p.pk),
        "oldest": lambda p: (p.registered_on, p.pk),
        "last_contact": contact,
    }
    return [p.pk for p in sorted(people, key=keys[sort])]


@pytest.mark.django_db
@pytest.mark.parametrize("sort", list(selectors.SORTS))
def test_next_and_previous_walk_every_sort_exactly_with_ties_and_nulls(
    coordinator, crowd, sort
):
    rows = selectors.people_sorted(
        selectors.participant_list(membership=coordinator), sort
    )
    forward, backward = _walk(rows)
    walked = [p.pk for page in forward for p in page]
    assert walked == _expected(crowd, sort)
    assert [page.number for page in forward] == [1, 2, 3, 4]
    assert [[p.pk for p in page] for page in backward] == [
        [p.pk for p in page] for page in reversed(forward)
    ]
    assert [page.number for page in backward] == [4, 3, 2, 1]


@pytest.mark.django_db
def test_a_deep_page_is_found_by_its_key_not_by_offset(coordinator, crowd):
    rows = selectors.participant_list(membership=coordinator)
    first = lists.list_page(_request(), rows, per_page=PER_PAGE)
    second = lists.list_page(_request(first.next_url), rows, per_page=PER_PAGE)
    with CaptureQueriesContext(connection) as captured:
        third = lists.list_page(_request(second.next_url), rows, per_page=PER_PAGE)
        list(third)
    assert third.number == 3
    assert "after=" in second.next_url  # a pk, no name in the URL
    assert re.fullmatch(r"\?page=3&after=\d+", second.next_url)
    sql = " ".join(q["sql"] for q in captured.captured_queries).upper()
    assert "OFFSET" not in sql


@pytest.mark.django_db
def test_page_links_keep_the_filters_and_a_cursor_that_left_the_list_starts_again(
    coordinator, crowd
):
    rows = selectors.participant_list(membership=coordinator)
    page = lists.list_page(_request("?sort=name&status=open"), rows, per_page=4)
    assert page.next_url.startswith("?sort=name&status=open&page=2&after=")
    gone = crowd[0]
    Participant.objects.filter(pk=gone.pk).update(status="closed")
    open_rows = rows.filter(status="open")
    page = lists.list_page(_request(f"?page=2&after={gone.pk}"), open_rows)
    assert page.number == 1
    assert not page.has_previous


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["abc", "-1", "99999999", "\u0661"])
def test_a_cursor_that_does_not_fit_shows_the_first_page(coordinator, crowd, bad):
    rows = selectors.participant_list(membership=coordinator)
    page = lists.list_page(_request(f"?after={bad}&page=7"), rows, per_page=PER_PAGE)
    assert page.number in (1, 4)  # no cursor: the page number, at most the last
    assert len(page) >= 1


@pytest.mark.django_db
def test_a_page_number_without_a_cursor_goes_no_deeper_than_offset_pages(
    coordinator, crowd, monkeypatch
):
    monkeypatch.setattr(lists, "OFFSET_PAGES", 2)
    rows = selectors.participant_list(membership=coordinator)
    page = lists.list_page(_request("?page=4"), rows, per_page=PER_PAGE)
    assert page.number == 2
    assert page.has_next
    assert "after=" in page.next_url


@pytest.mark.django_db
def test_the_count_stops_at_the_cap_and_says_so(coordinator, crowd, monkeypatch):
    monkeypatch.setattr(lists, "COUNT_CAP", 5)
    rows = selectors.participant_list(membership=coordinator)
    page = lists.list_page(_request(), rows, per_page=PER_PAGE)
    assert str(page.paginator.count) == "More than 5"
    assert page.paginator.num_pages is None
    with CaptureQueriesContext(connection) as captured:
        lists.list_page(_request(), rows, per_page=PER_PAGE)
    counts = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("SELECT COUNT(")
    ]
    assert counts
    assert all("LIMIT 6" in sql for sql in counts)
    exact = lists.list_page(_request(), rows.filter(last_name="Smith"), per_page=2)
    assert (exact.paginator.count, exact.paginator.num_pages) == (3, 2)


def test_a_list_that_is_not_a_queryset_pages_by_number():
    page = lists.list_page(_request("?page=2&x=1"), list(range(7)), per_page=3)
    assert (list(page), page.number, page.paginator.num_pages) == ([3, 4, 5], 2, 3)
    assert page.next_url == "?x=1&page=3"
    assert page.previous_url == "?x=1"


def test_orders_that_cannot_page_by_keyset_are_named():
    from django.db.models.functions import Lower

    people = Participant.objects.all()
    assert lists.keyset_keys(people.order_by("?")) is None
    assert lists.keyset_keys(people.order_by(Lower("last_name"))) is None
    keys = lists.keyset_keys(people.order_by("-registered_on"))
    assert [(k.name, k.descending) for k in keys] == [
        ("registered_on", True),
        ("pk", False),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("sort", list(selectors.SORTS))
def test_a_searchs_matches_walk_every_sort_exactly(coordinator, crowd, sort):
    people = selectors.participant_list(membership=coordinator)
    found = selectors.people_sorted(selectors.people_matching(people, "o"), sort)
    forward, _ = _walk(found, per_page=2)
    matches = [p for p in crowd if "o" in (p.first_name + p.last_name).lower()]
    assert [p.pk for page in forward for p in page] == _expected(matches, sort)
