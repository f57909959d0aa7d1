"""Invitations of new members (issue 15): a link of their own that lasts 7 days (a
password reset's lasts an hour), a page that says "Set your password", and a resend
from the members page (admins only, audited, limited) that replaces the old link."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from academy.audit import SignInEvent
from academy.invitations import INVITATION_RESENDS_PER_HOUR
from academy.models import Membership, User

NEW_PASSWORD = "a-long-enough-pass-phrase"


def _invite(client_of, admin, capture, email="nina@example.org"):
    with capture(execute=True):
        client_of(admin).post(
            reverse("academy:member-add"),
            {
                "email": email,
                "first_name": "Nina",
                "last_name": "Ng",
                "role": "coordinator",
            },
        )
    return Membership.objects.get(user__email=email)


def _link(message) -> str:
    line = next(line for line in message.body.splitlines() if "/accounts/" in line)
    return line.split("127.0.0.1:8000", 1)[1].strip()


def _resend(client_of, admin, membership, capture, *, follow=False):
    with capture(execute=True):
        return client_of(admin).post(
            reverse("academy:invitation-resend", args=[membership.pk]), follow=follow
        )


@pytest.mark.django_db
def test_invitation_page_says_set_your_password(
    client, client_of, admin, django_capture_on_commit_callbacks
):
    _invite(client_of, admin, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    assert "/accounts/invitation/" in link
    page = client.get(link, follow=True)
    body = page.content.decode()
    assert "Set your password" in body
    assert "Choose a new password" not in body
    done = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert User.objects.get(email="nina@example.org").check_password(NEW_PASSWORD)
    assert "Sign in" in done.content.decode()


@pytest.mark.django_db
def test_invitation_email_says_the_link_lasts_7_days(
    client_of, admin, django_capture_on_commit_callbacks
):
    _invite(client_of, admin, django_capture_on_commit_callbacks)
    body = mail.outbox[0].body
    assert "7 days" in body
    assert "hour" not in body


@pytest.mark.django_db
def test_invitation_link_works_for_7_days_and_then_says_ask_the_admin(
    client, client_of, admin, django_capture_on_commit_callbacks
):
    _invite(client_of, admin, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    with time_machine.travel(timezone.now() + dt.timedelta(days=6, hours=23)):
        page = client.get(link, follow=True)
        assert "Set your password" in page.content.decode()
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, hours=1)):
        expired = client.get(link, follow=True).content.decode()
    assert "Set your password" not in expired
    assert "expired" in expired
    assert "ask the admin who invited you to send" in expired.lower()


@pytest.mark.django_db
def test_password_reset_link_still_lasts_one_hour(client, settings):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = User.objects.create_user("reset@example.org", "an-old-pass-phrase-1")
    link = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    assert settings.PASSWORD_RESET_TIMEOUT == 3600
    page = client.get(link, follow=True).content.decode()
    assert "Choose a new password" in page
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        late = client.get(link, follow=True).content.decode()
    assert "This link no longer works" in late
    assert "new_password1" not in late


@pytest.mark.django_db
def test_a_password_reset_token_does_not_open_the_invitation_page(client):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = User.objects.create_user("nobody@example.org")
    link = reverse(
        "invitation-set-password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    assert "Set your password" not in client.get(link, follow=True).content.decode()


@pytest.mark.django_db
def test_admin_resends_an_invitation_and_the_old_link_stops_working(
    client, client_of, admin, django_capture_on_commit_callbacks
):
    membership = _invite(client_of, admin, django_capture_on_commit_callbacks)
    old = _link(mail.outbox[0])
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        response = _resend(
            client_of, admin, membership, django_capture_on_commit_callbacks
        )
        assert response.status_code == 302
        assert len(mail.outbox) == 2
        new = _link(mail.outbox[1])
        assert new != old
        assert "Set your password" in client.get(new, follow=True).content.decode()
    with time_machine.travel(timezone.now() + dt.timedelta(days=8, minutes=1)):
        assert "Set your password" not in _opened_fresh(old)


def _opened_fresh(link):
    """The page a link opens in a fresh browser (the person opening their e-mail)."""
    return Client().get(link, follow=True).content.decode()


@pytest.mark.django_db
def test_a_resend_replaces_a_link_that_has_not_expired(
    client_of, admin, django_capture_on_commit_callbacks
):
    membership = _invite(client_of, admin, django_capture_on_commit_callbacks)
    old = _link(mail.outbox[0])
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=10)):
        _resend(client_of, admin, membership, django_capture_on_commit_callbacks)
        assert "Set your password" in _opened_fresh(_link(mail.outbox[1]))
        assert "Set your password" not in _opened_fresh(old)


@pytest.mark.django_db
def test_resend_is_audited(client_of, admin, django_capture_on_commit_callbacks):
    membership = _invite(client_of, admin, django_capture_on_commit_callbacks)
    _resend(client_of, admin, membership, django_capture_on_commit_callbacks)
    event = SignInEvent.objects.get(kind=SignInEvent.Kind.INVITATION_RESENT)
    assert event.user_id == membership.user_id
    assert event.by_user_id == admin.user_id
    audit = client_of(admin).get(reverse("academy:audit", args=["sign-ins"]))
    assert "Invitation sent again" in audit.content.decode()


@pytest.mark.django_db
def test_resends_are_limited_per_member(
    client_of, admin, django_capture_on_commit_callbacks
):
    membership = _invite(client_of, admin, django_capture_on_commit_callbacks)
    for _ in range(INVITATION_RESENDS_PER_HOUR):
        _resend(client_of, admin, membership, django_capture_on_commit_callbacks)
    sent = len(mail.outbox)
    response = _resend(
        client_of, admin, membership, django_capture_on_commit_callbacks, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("academy:member-list")
    assert len(mail.outbox) == sent
    shown = response.content.decode()
    assert "sent again" in shown
    assert "Try again in an hour" in shown


@pytest.mark.django_db
def test_members_page_offers_resend_only_for_pending_invitations(
    client_of, admin, coordinator, django_capture_on_commit_callbacks
):
    pending = _invite(client_of, admin, django_capture_on_commit_callbacks)
    page = client_of(admin).get(reverse("academy:member-list")).content.decode()
    assert reverse("academy:invitation-resend", args=[pending.pk]) in page
    assert reverse("academy:invitation-resend", args=[coordinator.pk]) not in page
    assert "Send the invitation again" in page


@pytest.mark.django_db
def test_an_accepted_member_with_a_password_is_not_sent_an_invitation(
    client_of, admin, coordinator, django_capture_on_commit_callbacks
):
    response = _resend(
        client_of, admin, coordinator, django_capture_on_commit_callbacks, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("academy:member-list")
    assert mail.outbox == []
    shown = response.content.decode()
    assert "already set their password" in shown


@pytest.mark.django_db
def test_an_invitation_is_not_sent_again_to_someone_whose_access_ended(
    client_of, admin, django_capture_on_commit_callbacks
):
    membership = _invite(client_of, admin, django_capture_on_commit_callbacks)
    Membership.objects.filter(pk=membership.pk).update(is_active=False)
    response = _resend(
        client_of, admin, membership, django_capture_on_commit_callbacks, follow=True
    )
    assert len(mail.outbox) == 1
    assert "has no access to the academy now" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coordinator", "provider", "manager"])
def test_only_admins_resend_invitations(
    request, client_of, admin, role, django_capture_on_commit_callbacks
):
    membership = _invite(client_of, admin, django_capture_on_commit_callbacks)
    other = request.getfixturevalue(role)
    response = client_of(other).post(
        reverse("academy:invitation-resend", args=[membership.pk])
    )
    assert response.status_code == 403
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_admin_cannot_resend_another_academys_invitation(
    client_of, admin, other_admin, django_capture_on_commit_callbacks
):
    membership = _invite(client_of, other_admin, django_capture_on_commit_callbacks)
    response = client_of(admin).post(
        reverse("academy:invitation-resend", args=[membership.pk])
    )
    assert response.status_code == 404
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_resend_is_post_only(client_of, admin, django_capture_on_commit_callbacks):
    membership = _invite(client_of, admin, django_capture_on_commit_callbacks)
    url = reverse("academy:invitation-resend", args=[membership.pk])
    assert client_of(admin).get(url).status_code == 405


@pytest.mark.django_db
def test_a_set_password_link_cannot_be_used_twice(
    client, client_of, admin, django_capture_on_commit_callbacks
):
    _invite(client_of, admin, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    page = client.get(link, follow=True)
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    again = _opened_fresh(link)
    assert "Set your password" not in again
    assert "sign in" in again.lower()


@pytest.mark.django_db
def test_a_garbled_invitation_link_is_a_clear_page_not_an_error(client):
    response = client.get("/accounts/invitation/zzz/not-a-token/", follow=True)
    assert response.status_code == 200
    assert "expired" in response.content.decode()
