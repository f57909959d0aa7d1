"""Home and member-list pages against a minimal signed-in view (performance P1, M1)."""

import pytest
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse

from academy.urls import urlpatterns as portal_urls
from tests.academy.factories import MembershipFactory, OrganisationFactory


@login_required
def minimal(request):
    return HttpResponse("ok")


urlpatterns = [*portal_urls, path("bench/minimal/", minimal, name="bench-minimal")]

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
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    print(f"\nBENCH {url_name}: {len(queries)} queries")
    result = compare(
        f"{url_name} (admin, 200 members, 40 organisations)",
        lambda: client.get(url),
        lambda: client.get("/bench/minimal/"),
    )
    assert result.median < 40, "far slower than a minimal view: look for N+1 or waste"
