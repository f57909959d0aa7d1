"""The public accessibility statement (issue 15), in the GOV.UK model's form, linked
from the footer of every page."""

import pytest
from django.urls import reverse

from tests.conftest import log_in

pytestmark = pytest.mark.django_db

GOV_UK_SECTIONS = [
    "How accessible this website is",
    "Feedback and contact information",
    "Reporting accessibility problems with this website",
    "Enforcement procedure",
    "Equality and Human Rights Commission",
    "Equality Advisory and Support Service",
    "Compliance status",
    "Non-accessible content",
    "How we tested this website",
    "Preparation of this accessibility statement",
]


def test_anyone_can_read_the_statement_and_what_was_tested(client):
    page = client.get(reverse("accessibility"))
    assert page.status_code == 200
    body = page.content.decode()
    for section in GOV_UK_SECTIONS:
        assert section in body, section
    for what in ("axe-core", "wcag22aa", "390 pixels", "1366 pixels", "keyboard"):
        assert what in body, what
    assert "This statement was prepared on 1 December 2026" in body


def test_problems_are_reported_to_the_academy_the_visitor_came_from(client, academy):
    academy.public_email = "access@home-academy.example.org"
    academy.save()
    body = client.get(reverse("accessibility"), {"academy": academy.slug}).content
    assert b'href="mailto:access@home-academy.example.org"' in body


def test_without_an_academy_problems_go_to_the_platform(client, settings):
    settings.ADMINS = [("Operations", "ops@portal.example.org")]
    body = client.get(reverse("accessibility"), {"academy": "no-such"}).content
    assert b'href="mailto:ops@portal.example.org"' in body


def test_a_member_reads_it_in_the_portal_with_their_academys_address(
    client, coordinator
):
    coordinator.academy.public_email = "hello@home-academy.example.org"
    coordinator.academy.save()
    page = log_in(client, coordinator.user).get(reverse("accessibility"))
    body = page.content.decode()
    assert 'aria-label="Main"' in body  # the portal's own menu, not the public page
    assert "mailto:hello@home-academy.example.org" in body


def test_every_page_links_to_it_from_its_footer(client, coordinator, academy):
    statement = reverse("accessibility")
    public = client.get(reverse("vacancies:board", args=[academy.slug])).content
    assert f'href="{statement}?academy={academy.slug}"'.encode() in public
    assert f'href="{statement}"'.encode() in client.get(reverse("login")).content
    home = log_in(client, coordinator.user).get(reverse("home")).content
    assert f'href="{statement}"'.encode() in home
