"""The public boards fold their filters one way on a phone (issue 15): a "Filter"
button that counts the filters chosen, the chosen filters folded so the list comes
first, unfolded only when one of them is wrong; the events board said "Show filters"
and unfolded whenever a filter was chosen."""

import re

import pytest
from django.urls import reverse

from tests.vacancies.factories import EventFactory, VacancyFactory

pytestmark = pytest.mark.django_db


def _button(body: str) -> str:
    found = re.findall(r'<button[^>]*data-bs-toggle="collapse".*?</button>', body, re.S)
    assert len(found) == 1, found
    return found[0]


def _box_classes(body: str, box: str) -> set[str]:
    tag = re.search(rf'<div[^>]*id="{box}"[^>]*>', body)
    assert tag, box
    classes = re.search(r'class="([^"]*)"', tag.group(0))
    return set(classes.group(1).split()) if classes else set()


def _words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def boards(academy):
    VacancyFactory(academy=academy)
    EventFactory(academy=academy)
    return {
        "jobs": (reverse("vacancies:board", args=[academy.slug]), "board-filters"),
        "events": (
            reverse("vacancies:event-board", args=[academy.slug]),
            "event-filters",
        ),
    }


@pytest.mark.parametrize("board", ["jobs", "events"])
def test_a_board_offers_its_filters_under_one_filter_button(client, boards, board):
    url, box = boards[board]
    button = _button(client.get(url).content.decode())
    assert _words(button) == "Filter"
    assert f'data-bs-target="#{box}"' in button
    assert 'aria-expanded="false"' in button


@pytest.mark.parametrize(
    ("board", "query"),
    [("jobs", {"contract": "permanent"}), ("events", {"kind": "drop_in"})],
)
def test_a_chosen_filter_is_counted_and_stays_folded(client, boards, board, query):
    url, box = boards[board]
    body = client.get(url, query).content.decode()
    assert _words(_button(body)) == "Filter 1 chosen"
    assert "show" not in _box_classes(body, box)


@pytest.mark.parametrize(
    ("board", "query", "message"),
    [
        ("jobs", {"contract": "forever"}, "Choose a kind of contract from the list."),
        ("events", {"area": "EX4"}, "Choose an area from the list."),
    ],
)
def test_a_wrong_filter_unfolds_the_filters_to_say_why(
    client, boards, board, query, message
):
    url, box = boards[board]
    body = client.get(url, query).content.decode()
    assert "show" in _box_classes(body, box)
    assert 'aria-expanded="true"' in _button(body)
    assert message in body
