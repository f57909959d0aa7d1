"""The main menu is built from the views' declared roles: every link a role sees opens
for that role, and pages a role may not open are not offered."""

import re

import pytest
from django.urls import reverse

from academy.menu import MenuItem, may_open, menu_items
from academy.registry import Registry
from tests.conftest import log_in

EXPECTED = {
    "coordinator": {
        "Home",
        "Diary",
        "Casework",
        "Jobs",
        "Events",
        "Impact",
        "Labour market",
    },
    "provider": {"Home", "Diary", "Jobs", "Events", "Labour market"},
    "manager": {"Home", "Impact", "Labour market"},
    "admin": {
        "Home",
        "Diary",
        "Casework",
        "Jobs",
        "Events",
        "Impact",
        "Labour market",
        "Manage",
    },
}


def _menu_links(html):
    menu = html.split('<ul class="navbar-nav me-auto">', 1)[1].split(
        "</ul>\n        <ul", 1
    )[0]
    return re.findall(r'href="([^"]+)"', menu)


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_every_link_in_a_roles_menu_opens(request, client_of, role):
    membership = request.getfixturevalue(role)
    client = client_of(membership)
    home = client.get(reverse("home"))
    sections = [s.label for s in home.context["main_menu"]]
    assert set(sections) == EXPECTED[role]
    links = _menu_links(home.content.decode())
    assert links
    for link in links:
        assert client.get(link).status_code == 200, link


@pytest.mark.django_db
def test_every_registered_item_is_shown_only_to_roles_its_view_admits(
    request, client_of
):
    for role in EXPECTED:
        membership = request.getfixturevalue(role)
        client = client_of(membership)
        for item in menu_items:
            kwargs = item.kwargs(membership) if item.kwargs else {}
            status = client.get(reverse(item.url_name, kwargs=kwargs)).status_code
            if may_open(item, membership, membership.user):
                assert status == 200, (role, item.url_name)
            elif item.only_for is None:  # a public page may be left out on purpose
                assert status in (302, 403), (role, item.url_name, status)


@pytest.mark.django_db
def test_platform_staff_see_all_academies(client, admin_user):
    log_in(client, admin_user)
    page = client.get(reverse("academy:academy-list"))
    assert "All academies" in page.content.decode()


@pytest.mark.django_db
def test_signed_out_visitors_get_no_menu(client):
    page = client.get(reverse("login"))
    assert page.context["main_menu"] == []


def test_a_registry_adds_each_thing_once():
    registry: Registry[str] = Registry("test")
    assert registry.register("a") == "a"
    registry.register("a")
    registry.register("b")
    assert list(registry) == ["a", "b"]
    assert "a" in registry
    assert len(registry) == 2


def test_a_menu_item_of_a_public_page_needs_a_member():
    item = MenuItem("Jobs", "Board", "vacancies:board", kwargs=lambda m: {})
    assert not may_open(item, None, None)
