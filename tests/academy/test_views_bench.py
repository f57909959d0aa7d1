"""The minimal page make bench measures against: absent unless BENCH_MINIMAL_VIEW."""

import importlib

import pytest
from django.urls import clear_url_caches

import academy.urls


@pytest.fixture
def bench_urls(settings):
    """academy.urls as the benchmark's gunicorn loads it: BENCH_MINIMAL_VIEW on."""
    settings.BENCH_MINIMAL_VIEW = True
    importlib.reload(academy.urls)
    clear_url_caches()
    yield
    settings.BENCH_MINIMAL_VIEW = False
    importlib.reload(academy.urls)
    clear_url_caches()


@pytest.mark.django_db
def test_minimal_page_is_not_served_by_default(client_of, coordinator):
    assert client_of(coordinator).get("/bench/minimal/").status_code == 404


@pytest.mark.django_db
@pytest.mark.usefixtures("bench_urls")
@pytest.mark.parametrize("role", ["coordinator", "provider", "manager", "admin"])
def test_minimal_page_answers_ok_to_every_signed_in_role(request, client_of, role):
    response = client_of(request.getfixturevalue(role)).get("/bench/minimal/")

    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db
@pytest.mark.usefixtures("bench_urls")
def test_minimal_page_still_asks_to_sign_in(client):
    response = client.get("/bench/minimal/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
