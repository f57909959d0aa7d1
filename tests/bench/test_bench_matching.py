"""Matching pages at national scale on PostgreSQL (issue 16): a vacancy against an
academy of 100,000 people (85,700 open, 100,000 plans) and a person against 10,000
open vacancies, in a deployment with a second academy, each through the page as a
coordinator opens it, as a ratio to the minimal signed-in view in the same run."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse

from academy.urls import urlpatterns as portal_urls
from academy.views_bench import bench_minimal
from participants.models import Participant
from tests.academy.factories import OrganisationFactory
from tests.bench.matching_data import matching_data_generate
from vacancies.models import Vacancy

urlpatterns = [
    *portal_urls,
    path("bench/minimal/", bench_minimal, name="bench-minimal"),
]

pytestmark = [pytest.mark.bench, pytest.mark.slow, pytest.mark.urls(__name__)]


@pytest.fixture
def national(coordinator, other_academy):
    """The coordinator's academy at 100,000 people, another academy beside it."""
    for academy, people, vacancies in (
        (coordinator.academy, 100_000, 10_000),
        (other_academy, 20_000, 2_000),
    ):
        organisation = OrganisationFactory(academy=academy)
        matching_data_generate(
            academy=academy,
            organisation=organisation,
            people=people,
            vacancies=vacancies,
        )
    return coordinator


@pytest.mark.django_db
def test_matching_pages_against_a_minimal_view(client_of, national, compare):
    academy = national.academy
    client = client_of(national)
    person = Participant.objects.for_academy(academy).open().first()
    pages = [("a person against 10,000 vacancies", "participant-matches", person)]
    # A common role, a rarer one, and one nobody's plan names (the widest shortlist).
    for role in ("care_worker", "driver", "registered_manager"):
        vacancy = Vacancy.objects.filter(academy=academy, role=role).first()
        if vacancy is None:
            vacancy = Vacancy.objects.filter(academy=academy).first()
            Vacancy.objects.filter(pk=vacancy.pk).update(role=role)
        pages.append((f"a {role} vacancy against 100,000 people", "matches", vacancy))
    for name, url_name, subject in pages:
        url = reverse(f"vacancies:{url_name}", args=[subject.pk])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        compare(
            f"matching: {name}",
            lambda url=url: client.get(url),
            lambda: client.get("/bench/minimal/"),
            rounds=5,
            repeat=3,
            goal=10,
            baseline_name="minimal page",
            queries=len(queries),
        )
