"""Home and member-list pages in-process (Django's test client) against the minimal
signed-in view, on the test database (performance P1, M1). The same pages through
gunicorn on generated data: test_bench_pages.py."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse

from academy.urls import urlpatterns as portal_urls
from academy.views_bench import bench_minimal
from tests.academy.factories import MembershipFactory, OrganisationFactory

urlpatterns = [
    *portal_urls,
    path("bench/minimal/", bench_minimal, name="bench-minimal"),
]

pytestmark = [pytest.mark.bench, pytest.mark.urls(__name__)]


@pytest.fixture
def busy_academy(admin):
    OrganisationFactory.create_batch(40, academy=admin.academy)
    MembershipFactory.create_batch(200, academy=admin.academy)
    return admin


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["home", "academy:member-list"])
def test_page_against_a_minimal_view(client_of, busy_academy, compare, url_name):
    client = client_of(busy_academy)
    url = reverse(url_name)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    result = compare(
        f"{url_name} in-process (admin, 200 members, 40 organisations)",
        lambda: client.get(url),
        lambda: client.get("/bench/minimal/"),
        goal=10,
        baseline_name="minimal page",
        queries=len(queries),
    )
    assert result.median <= 10, "over 10x a minimal page: look for N+1 or waste"
