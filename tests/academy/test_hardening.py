"""Issue 12, observation 9 (part): sessions end 12 hours after sign-in whatever the
activity, cookies carry the __Host- prefix over HTTPS, and TRACE is refused."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.conftest import log_in

pytestmark = pytest.mark.django_db


def test_a_session_ends_twelve_hours_after_sign_in_even_when_busy(client, coordinator):
    start = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        log_in(client, coordinator.user)
        # Busy all day: a page every 20 minutes keeps the idle limit from ending it.
        for _ in range(35):
            clock.shift(dt.timedelta(minutes=20))
            assert client.get(reverse("home")).status_code == 200
        clock.shift(dt.timedelta(minutes=20))  # 12 h 0 min since signing in
        response = client.get(reverse("home"), follow=True)
        assert response.redirect_chain[-1][0].startswith(reverse("login"))
        assert "signed in for 12 hours" in response.content.decode()
        assert "_auth_user_id" not in client.session


def test_trace_is_refused(client, coordinator):
    assert client.generic("TRACE", reverse("home")).status_code == 405
    assert client.generic("TRACE", reverse("login")).status_code == 405


@pytest.fixture
def small_allowance(settings):
    settings.BULK_LIMIT = 3  # the cache starts empty in every test (conftest)


def test_exports_and_pdfs_per_user_are_limited_with_a_clear_page(
    client_of, coordinator, manager, small_allowance
):
    """Issue 12, observation 9: no limit on exports and PDFs per user."""
    client = client_of(coordinator)
    export = reverse("participants:export")
    for _ in range(3):
        response = client.get(export)
        assert response.status_code == 200
        b"".join(response.streaming_content)
    refused = client.get(export)
    assert refused.status_code == 429
    assert "Too many downloads for now" in refused.content.decode()
    assert "Try again in an hour" in refused.content.decode()
    # Another person's allowance is their own; the impact CSV and PDFs count too.
    reports = client_of(manager)
    impact = reverse("reporting:impact-csv")
    for _ in range(2):
        assert reports.get(impact).status_code in (200, 302)
    pdf = reports.post(reverse("reporting:run-request"), {"period": "last_month"})
    assert pdf.status_code == 302
    assert reports.get(impact).status_code == 429


def test_a_refused_role_does_not_use_up_the_allowance(
    client_of, provider, small_allowance
):
    from academy.ratelimit import used

    client = client_of(provider)
    for _ in range(5):
        assert client.get(reverse("participants:export")).status_code == 403
    assert used(f"bulk:{provider.user.pk}") == 0
