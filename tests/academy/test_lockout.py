"""Sign-in lockout per account (issue 12, observation 1, and issue 11's operators): the
failures count against the account named, from whatever address; one office's typos
do not lock out its colleagues; an admin can lift a lockout, saying why."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from academy.models import LockoutLift
from tests.academy.factories import MembershipFactory

WRONG = "wrong-password-123"


def sign_in(client, email, password, address):
    return client.post(
        reverse("login"),
        {"username": email, "password": password},
        REMOTE_ADDR=address,
    )


@pytest.mark.django_db
def test_guesses_from_many_addresses_lock_the_account(client, coordinator):
    from tests.academy.factories import PASSWORD

    email = coordinator.user.email
    for n in range(20):
        sign_in(client, email, WRONG, f"203.0.113.{n}")
    assert AccessAttempt.objects.filter(username=email.lower()).exists()
    response = sign_in(client, email, PASSWORD, "198.51.100.21")
    assert response.status_code == 429


@pytest.mark.django_db
def test_the_account_is_the_same_whatever_capitals_are_typed(client, coordinator):
    from tests.academy.factories import PASSWORD

    email = coordinator.user.email
    for _ in range(5):
        sign_in(client, email.upper(), WRONG, "203.0.113.9")
    assert sign_in(client, email, PASSWORD, "203.0.113.9").status_code == 429


@pytest.mark.django_db
def test_one_persons_typos_do_not_lock_out_their_office(client, coordinator):
    from tests.academy.factories import PASSWORD

    colleague = MembershipFactory(academy=coordinator.academy, role="coordinator")
    for _ in range(5):
        sign_in(client, coordinator.user.email, WRONG, "192.0.2.10")
    response = sign_in(client, colleague.user.email, PASSWORD, "192.0.2.10")
    assert response.status_code == 302


@pytest.mark.django_db
def test_an_admin_lifts_a_lockout_with_a_reason(client, client_of, admin, coordinator):
    from tests.academy.factories import PASSWORD

    email = coordinator.user.email
    for _ in range(5):
        sign_in(client, email, WRONG, "192.0.2.10")
    membership_page = reverse("academy:membership-edit", args=[coordinator.pk])
    assert "Locked out" in client_of(admin).get(membership_page).content.decode()

    client_of(admin).post(
        reverse("academy:lockout-lift", args=[coordinator.pk]),
        {"reason": "Rang them: they had caps lock on."},
    )

    lift = LockoutLift.objects.get()
    assert (lift.user, lift.lifted_by, lift.failures) == (
        coordinator.user,
        admin.user,
        5,
    )
    assert sign_in(client, email, PASSWORD, "192.0.2.10").status_code == 302


@pytest.mark.django_db
def test_a_lockout_is_not_lifted_without_a_reason(
    client, client_of, admin, coordinator
):
    for _ in range(5):
        sign_in(client, coordinator.user.email, WRONG, "192.0.2.10")
    client_of(admin).post(reverse("academy:lockout-lift", args=[coordinator.pk]), {})
    assert not LockoutLift.objects.exists()
    assert AccessAttempt.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coordinator", "provider", "manager"])
def test_only_admins_lift_lockouts(request, client_of, role, admin):
    member = request.getfixturevalue(role)
    response = client_of(member).post(
        reverse("academy:lockout-lift", args=[admin.pk]), {"reason": "x"}
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_another_academys_member_is_not_found(client_of, admin, other_coordinator):
    response = client_of(admin).post(
        reverse("academy:lockout-lift", args=[other_coordinator.pk]), {"reason": "x"}
    )
    assert response.status_code == 404
