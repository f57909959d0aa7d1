"""Your sessions (issue 12, observation 9; spec/security.md SESS-4, AUTH-6): a person
sees where they are signed in and ends any session; an admin signs a member of their
academy out everywhere; a password change, a password reset and deactivation end the
person's other sessions."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from academy import tasks
from academy.models import UserSession
from academy.user_sessions import device_label
from tests.academy.factories import PASSWORD, MembershipFactory, UserFactory
from tests.conftest import log_in

pytestmark = pytest.mark.django_db

CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
FIREFOX_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
)
START = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def browser(user, agent=CHROME_ANDROID, address="198.51.100.7"):
    """A browser that signs in through the sign-in form (its second step done as
    tests.conftest.log_in does it)."""
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    response = client.post(
        reverse("login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
        user=user, name="Authenticator app"
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def is_signed_in(client):
    return client.get(reverse("home")).status_code == 200


def row_of(client):
    return UserSession.objects.get(session_key=client.session.session_key)


def test_signing_in_records_the_session_its_device_and_address(coordinator):
    phone = browser(coordinator.user)
    row = row_of(phone)
    assert (row.user, row.ip) == (coordinator.user, "198.51.100.7")
    page = phone.get(reverse("account-sessions")).content.decode()
    assert "Chrome on Android" in page
    assert "198.51.100.7" in page
    assert "This session" in page
    # The session key is the session's secret: the page names sessions by row.
    assert phone.session.session_key not in page


def test_ending_a_session_signs_that_browser_out(coordinator):
    phone = browser(coordinator.user)
    laptop = browser(coordinator.user, FIREFOX_WINDOWS, "203.0.113.9")
    phone_row = row_of(phone)
    page = laptop.get(reverse("account-sessions")).content.decode()
    assert "Chrome on Android" in page
    assert "Firefox on Windows" in page
    response = laptop.post(
        reverse("account-session-end", args=[phone_row.pk]), follow=True
    )
    assert "Ended the session on Chrome on Android" in response.content.decode()
    assert not is_signed_in(phone)
    assert not Session.objects.filter(session_key=phone_row.session_key).exists()
    assert not UserSession.objects.filter(pk=phone_row.pk).exists()
    assert is_signed_in(laptop)


def test_end_all_other_sessions_keeps_this_one(coordinator):
    here, *others = [log_in(Client(), coordinator.user) for _ in range(3)]
    response = here.post(reverse("account-sessions-end-others"), follow=True)
    assert "Ended 2 other sessions" in response.content.decode()
    assert [is_signed_in(c) for c in others] == [False, False]
    assert is_signed_in(here)
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [
        here.session.session_key
    ]
    again = here.post(reverse("account-sessions-end-others"), follow=True)
    assert "no other sessions" in again.content.decode()


def test_ending_this_session_signs_out(coordinator):
    client = log_in(Client(), coordinator.user)
    response = client.post(reverse("account-session-end", args=[row_of(client).pk]))
    assert response["Location"].startswith(reverse("login"))
    assert not is_signed_in(client)
    assert not UserSession.objects.exists()


def test_nobody_ends_another_persons_session(coordinator, provider):
    theirs = log_in(Client(), provider.user)
    mine = log_in(Client(), coordinator.user)
    their_row = row_of(theirs)
    end = reverse("account-session-end", args=[their_row.pk])
    assert mine.post(end).status_code == 404
    assert mine.get(end).status_code == 405
    assert "Chrome" not in mine.get(reverse("account-sessions")).content.decode()
    assert is_signed_in(theirs)


def test_the_row_is_touched_at_most_once_a_minute(coordinator):
    with time_machine.travel(START, tick=False) as clock:
        client = log_in(Client(HTTP_USER_AGENT=FIREFOX_WINDOWS), coordinator.user)
        clock.shift(dt.timedelta(seconds=30))
        client.get(reverse("home"))
        row = row_of(client)
        assert row.last_seen_at == START
        assert row.user_agent == ""  # signed in without a browser (force_login)
        clock.shift(dt.timedelta(seconds=31))
        client.get(reverse("home"))
        row.refresh_from_db()
        assert row.last_seen_at == START + dt.timedelta(seconds=61)
        assert device_label(row.user_agent) == "Firefox on Windows"
        assert row.created_at == START


def test_a_session_signed_in_before_rows_were_kept_gets_one(coordinator):
    client = log_in(Client(), coordinator.user)
    UserSession.objects.all().delete()
    session = client.session
    session.pop("session_seen_at")
    session.save()
    assert is_signed_in(client)
    assert row_of(client).user == coordinator.user


def test_expired_sessions_leave_the_list_when_it_is_read(coordinator):
    with time_machine.travel(START, tick=False) as clock:
        busy = log_in(Client(), coordinator.user)
        idle = log_in(Client(), coordinator.user)
        clock.shift(dt.timedelta(minutes=20))
        assert is_signed_in(busy)
        clock.shift(dt.timedelta(minutes=15))  # the idle one: 35 minutes unused
        page = busy.get(reverse("account-sessions")).content.decode()
        assert "End all other sessions" not in page
        assert UserSession.objects.count() == 1
        assert not is_signed_in(idle)


def test_the_nightly_cleanup_forgets_expired_sessions(coordinator, provider):
    with time_machine.travel(START, tick=False) as clock:
        log_in(Client(), coordinator.user)
        clock.shift(dt.timedelta(minutes=25))
        active = log_in(Client(), provider.user)
        clock.shift(dt.timedelta(minutes=10))
        assert tasks.sessions_clear_expired() == 1
        assert list(UserSession.objects.values_list("user", flat=True)) == [
            provider.user.pk
        ]
        assert is_signed_in(active)


def test_signing_out_forgets_the_row(coordinator):
    client = log_in(Client(), coordinator.user)
    client.post(reverse("logout"))
    assert not UserSession.objects.exists()


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        (CHROME_ANDROID, "Chrome on Android"),
        (FIREFOX_WINDOWS, "Firefox on Windows"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) "
            "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 "
            "Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
            "Edge on Mac",
        ),
        ("curl/8.5.0", "Unknown browser"),
        ("", "Unknown browser"),
    ],
)
def test_the_device_is_named_roughly_from_the_user_agent(agent, label):
    assert device_label(agent) == label


# An admin ends a member's sessions, from the member's page.


def test_an_admin_ends_every_session_of_a_member(client_of, admin, coordinator):
    phone = browser(coordinator.user)
    laptop = log_in(Client(), coordinator.user)
    admins = client_of(admin)
    page = admins.get(reverse("academy:membership-edit", args=[coordinator.pk]))
    assert "Signed in on 2 devices" in page.content.decode()
    url = reverse("academy:member-sessions-end", args=[coordinator.pk])
    response = admins.post(url, follow=True)
    assert f"Ended 2 sessions of {coordinator.user}" in response.content.decode()
    assert not is_signed_in(phone)
    assert not is_signed_in(laptop)
    assert is_signed_in(admins)
    assert not UserSession.objects.filter(user=coordinator.user).exists()


def test_an_admin_ending_their_own_sessions_keeps_this_one(client_of, admin):
    elsewhere = log_in(Client(), admin.user)
    here = client_of(admin)
    here.post(reverse("academy:member-sessions-end", args=[admin.pk]))
    assert not is_signed_in(elsewhere)
    assert is_signed_in(here)


def test_another_academys_admin_cannot_end_sessions(
    client_of, other_admin, coordinator
):
    member = log_in(Client(), coordinator.user)
    url = reverse("academy:member-sessions-end", args=[coordinator.pk])
    assert client_of(other_admin).post(url).status_code == 404
    assert is_signed_in(member)


def test_an_academy_the_member_has_not_joined_cannot_end_sessions(
    client_of, other_admin, coordinator
):
    """Inviting an existing account gives its academy no say over it until accepted."""
    invited = MembershipFactory(
        user=coordinator.user, academy=other_admin.academy, accepted_at=None
    )
    member = log_in(Client(), coordinator.user)
    url = reverse("academy:member-sessions-end", args=[invited.pk])
    assert client_of(other_admin).post(url).status_code == 404
    assert is_signed_in(member)


@pytest.mark.parametrize("role", ["coordinator", "provider", "manager"])
def test_only_admins_end_a_members_sessions(request, client_of, role, admin):
    member = log_in(Client(), admin.user)
    client = client_of(request.getfixturevalue(role))
    url = reverse("academy:member-sessions-end", args=[admin.pk])
    assert client.post(url).status_code == 403
    assert is_signed_in(member)


# A new password, or no access, ends the other sessions.


def test_changing_ones_password_ends_the_other_sessions(coordinator):
    here = log_in(Client(), coordinator.user)
    there = browser(coordinator.user)
    new = "a-new-and-long-pass-phrase"
    response = here.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response["Location"] == reverse("password_change_done")
    assert not is_signed_in(there)
    assert is_signed_in(here)
    # This session keeps its row, under the new key the change gave it.
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [
        here.session.session_key
    ]


def _reset_link(client, user):
    client.post(reverse("password_reset"), {"email": user.email})
    return re.search(
        r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[-1].body
    ).group(1)


def _reset(client, user, new="another-long-pass-phrase"):
    form_url = client.get(_reset_link(client, user), follow=True).redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    return response


def test_a_password_reset_ends_every_session(client, coordinator):
    browsers = [browser(coordinator.user), log_in(Client(), coordinator.user)]
    keys = [b.session.session_key for b in browsers]
    _reset(client, coordinator.user)
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert [is_signed_in(b) for b in browsers] == [False, False]
    assert not UserSession.objects.exists()


def test_a_reset_in_a_signed_in_browser_signs_it_out_too(coordinator):
    client = log_in(Client(), coordinator.user)
    _reset(client, coordinator.user)
    assert not is_signed_in(client)
    assert not UserSession.objects.exists()


def test_deactivating_a_user_in_django_admin_ends_their_sessions(coordinator):
    staff = log_in(Client(), UserFactory(is_staff=True, is_superuser=True))
    member = log_in(Client(), coordinator.user)
    response = staff.post(
        "/django-admin/academy/user/",
        {"action": "deactivate_users", "_selected_action": [coordinator.user.pk]},
        follow=True,
    )
    assert "1 deactivated and signed out" in response.content.decode()
    assert not is_signed_in(member)
    assert not UserSession.objects.filter(user=coordinator.user).exists()


def test_a_new_password_set_in_django_admin_ends_their_sessions(coordinator):
    staff = log_in(Client(), UserFactory(is_staff=True, is_superuser=True))
    member = log_in(Client(), coordinator.user)
    new = "a-password-set-by-staff"
    response = staff.post(
        f"/django-admin/academy/user/{coordinator.user.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert not is_signed_in(member)
    assert not UserSession.objects.filter(user=coordinator.user).exists()
    assert staff.get("/django-admin/").status_code == 200
