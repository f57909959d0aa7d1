import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from tests.academy.factories import PASSWORD


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post(
        reverse("login"), {"username": email, "password": password}, **extra
    )


@pytest.mark.django_db
def test_signing_in_with_email_and_password_reaches_the_home_page(client, coordinator):
    response = sign_in(client, coordinator.user.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    # The password is the first step; the second comes before any page.
    assert client.get(reverse("home"))["Location"].startswith(reverse("mfa-setup"))


@pytest.mark.django_db
def test_a_wrong_password_says_so_without_saying_whether_the_account_exists(
    client, coordinator
):
    known = sign_in(client, coordinator.user.email, "wrong-password-123")
    unknown = sign_in(client, "nobody@example.org", "wrong-password-123")
    assert known.status_code == unknown.status_code == 200
    assert (
        "Please enter a correct e-mail address and password" in known.content.decode()
    )
    assert known.context["form"].errors == unknown.context["form"].errors


@pytest.mark.django_db
def test_signing_out_ends_the_session(client, coordinator):
    sign_in(client, coordinator.user.email)
    old_session = client.cookies["sessionid"].value
    client.post(reverse("logout"))
    client.cookies["sessionid"] = old_session
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_signing_in_gives_a_new_session_key(client, coordinator):
    client.get(reverse("login"))
    client.session["x"] = 1
    before = client.session.session_key
    sign_in(client, coordinator.user.email)
    assert client.session.session_key != before


@pytest.mark.django_db
def test_fifth_failure_locks_the_account_for_thirty_minutes(client, coordinator):
    email = coordinator.user.email
    for _ in range(4):
        assert sign_in(client, email, "wrong-password-123").status_code == 200
    assert sign_in(client, email, "wrong-password-123").status_code == 429
    locked = sign_in(client, email)
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()


@pytest.mark.django_db
def test_lockout_clears_after_thirty_minutes(client, coordinator):
    email = coordinator.user.email
    with time_machine.travel("2026-01-05 09:00", tick=False) as traveller:
        for _ in range(5):
            sign_in(client, email, "wrong-password-123")
        assert sign_in(client, email).status_code == 429
        traveller.shift(31 * 60)
        assert sign_in(client, email).status_code == 302


@pytest.mark.django_db
def test_password_reset_mail_carries_a_one_time_link(client, coordinator):
    response = client.post(reverse("password_reset"), {"email": coordinator.user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "Care Academy Portal" in mail.outbox[0].subject
    path = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(
        1
    )

    form_url = client.get(path, follow=True).redirect_chain[-1][0]
    new = "another-long-pass-phrase"
    assert (
        client.post(form_url, {"new_password1": new, "new_password2": new}).status_code
        == 302
    )
    assert sign_in(client, coordinator.user.email, new).status_code == 302

    client.post(reverse("logout"))
    reused = client.get(path, follow=True)
    assert "This link no longer works" in reused.content.decode()


@pytest.mark.django_db
def test_password_reset_answers_the_same_for_unknown_addresses(client, coordinator):
    known = client.post(reverse("password_reset"), {"email": coordinator.user.email})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert (known.status_code, known["Location"]) == (
        unknown.status_code,
        unknown["Location"],
    )
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_reset_link_expires_after_an_hour(client, coordinator):
    with time_machine.travel("2026-01-05 09:00", tick=False) as traveller:
        client.post(reverse("password_reset"), {"email": coordinator.user.email})
        path = re.search(
            r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body
        ).group(1)
        traveller.shift(61 * 60)
        page = client.get(path, follow=True)
    assert "This link no longer works" in page.content.decode()


@pytest.mark.django_db
def test_short_and_common_passwords_are_refused(client_of, coordinator):
    response = client_of(coordinator).post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "password",
            "new_password2": "password",
        },
    )
    body = response.content.decode()
    assert "at least 12 characters" in body
    assert "too common" in body
