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
