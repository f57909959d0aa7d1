"""Two-step sign-in (issue 12, observation 3): every role, and platform staff, type a
code from an authenticator app after their password; someone without one sets it up on
first sign-in and gets recovery codes; Django's admin sits behind the same steps."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.academy.factories import PASSWORD, UserFactory
from tests.conftest import log_in

pytestmark = pytest.mark.django_db


def _password(client, user):
    response = client.post(
        reverse("login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return response


def _code(device, *, step=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0):06d}"


def _device(user):
    return TOTPDevice.objects.create(user=user, name="Authenticator app")


@pytest.mark.parametrize("persona", ["coordinator", "provider", "manager", "admin"])
def test_every_role_types_a_code_after_the_password(request, client, persona):
    user = request.getfixturevalue(persona).user
    device = _device(user)
    _password(client, user)
    # Before the code: every page leads to the second step, keeping where it was going.
    response = client.get(reverse("participants:list"))
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("mfa-verify") + "?next=" + "%2Fparticipants%2F"
    )
    assert client.get(reverse("home"))["Location"].startswith(reverse("mfa-verify"))
    # A wrong code says so; the right one lets them in, to where they were going.
    page = client.post(reverse("mfa-verify"), {"code": "000000"})
    assert "That code is not right" in page.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # wrong codes slow the next try down
    device.throttle_reset()  # as a second or two later
    response = client.post(
        reverse("mfa-verify") + "?next=/participants/", {"code": _code(device)}
    )
    assert response["Location"] == "/participants/"
    assert client.get(reverse("home")).status_code == 200


def test_first_sign_in_sets_up_the_authenticator_and_shows_recovery_codes(
    client, coordinator
):
    user = coordinator.user
    _password(client, user)
    page = client.get(reverse("mfa-setup")).content.decode()
    assert "<svg" in page  # the QR code to scan
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.get(reverse("mfa-setup")).status_code == 200
    assert TOTPDevice.objects.get(user=user, confirmed=False) == device  # same key
    wrong = client.post(reverse("mfa-setup"), {"code": "123"})
    assert "That code is not right" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post(reverse("mfa-setup"), {"code": _code(device)}, follow=True)
    page = response.content.decode()
    assert "Save these codes somewhere safe" in page
    codes = re.findall(r"<code>([0-9a-f]{4}-[0-9a-f]{4})</code>", page)
    assert len(codes) == 10
    assert client.get(reverse("home")).status_code == 200
    # Shown once only.
    assert (
        "Save these codes" not in client.get(reverse("mfa-recovery")).content.decode()
    )
    device.refresh_from_db()
    assert device.confirmed


def test_a_recovery_code_works_once(client, coordinator):
    user = coordinator.user
    _device(user).__class__.objects.filter(user=user).update(confirmed=True)
    from academy.mfa import recovery_codes_make

    code = recovery_codes_make(user=user)[0]
    _password(client, user)
    assert client.post(reverse("mfa-verify"), {"code": code}).status_code == 302
    assert StaticToken.objects.filter(device__user=user).count() == 9
    other = Client()
    _password(other, user)
    again = other.post(reverse("mfa-verify"), {"code": code})
    assert "That code is not right" in again.content.decode()


def test_someone_with_an_authenticator_cannot_replace_it_without_the_code(
    client, coordinator
):
    _device(coordinator.user)
    _password(client, coordinator.user)
    response = client.get(reverse("mfa-setup"))
    assert response["Location"] == reverse("mfa-verify")


def test_django_admin_signs_in_through_the_portal_and_its_second_step(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    admin_login = client.get("/django-admin/login/?next=/django-admin/")
    assert admin_login.status_code == 302
    assert admin_login["Location"].startswith(reverse("login"))
    _password(client, staff)
    response = client.get("/django-admin/")
    assert response["Location"].startswith(reverse("mfa-setup"))
    assert log_in(Client(), staff).get("/django-admin/").status_code == 200


def test_an_admin_resets_a_members_lost_authenticator(client_of, admin, coordinator):
    device = _device(coordinator.user)
    url = reverse("academy:mfa-reset", args=[coordinator.pk])
    # Not another role, not another academy's admin.
    assert client_of(coordinator).post(url).status_code == 403
    response = client_of(admin).post(url, follow=True)
    assert "set it up again" in response.content.decode()
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    fresh = Client()
    _password(fresh, coordinator.user)
    assert fresh.get(reverse("home"))["Location"].startswith(reverse("mfa-setup"))


def test_another_academys_admin_cannot_reset(client_of, other_admin, coordinator):
    device = _device(coordinator.user)
    url = reverse("academy:mfa-reset", args=[coordinator.pk])
    assert client_of(other_admin).post(url).status_code == 404
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_public_pages_and_sign_out_need_no_second_step(client, coordinator, academy):
    _password(client, coordinator.user)
    assert (
        client.get(reverse("vacancies:board", args=[academy.slug])).status_code == 200
    )
    assert client.post(reverse("logout")).status_code == 302


def test_a_new_phone_replaces_the_old_authenticator(client_of, coordinator):
    old = _device(coordinator.user)
    client = client_of(coordinator)
    client.get(reverse("mfa-setup"))
    new = TOTPDevice.objects.get(user=coordinator.user, confirmed=False)
    client.post(reverse("mfa-setup"), {"code": _code(new)})
    assert list(TOTPDevice.objects.filter(user=coordinator.user)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
