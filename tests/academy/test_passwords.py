"""Breached passwords are refused offline (issue 12, observation 9; spec/security.md
AUTH-3): the shipped list of 30,000 from breaches, in any capitals, and with digits
added at the end; long random passphrases and the demo users' passwords pass."""

import gzip
from pathlib import Path

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse

from academy.demo import _new_password
from academy.passwords import BREACHED_MESSAGE, breached_passwords, is_breached
from tests.academy.factories import PASSWORD

# On the breached list, 12 characters or more, and not on Django's own list.
BREACHED = "iseedeadpeople"


def _django_common_passwords():
    path = Path(password_validation.__file__).parent / "common-passwords.txt.gz"
    return set(gzip.open(path, "rt").read().split())


def test_the_list_is_larger_than_djangos_and_adds_to_it():
    ours, djangos = breached_passwords(), _django_common_passwords()
    assert len(ours) >= 30_000 > len(djangos)
    assert len(ours - djangos) > 15_000
    assert BREACHED in ours
    assert BREACHED not in djangos


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password", [BREACHED, "ISeeDeadPeople", "iseedeadpeople2024", "Football123456"]
)
def test_a_breached_password_is_refused_with_what_to_do(password):
    with pytest.raises(ValidationError) as refused:
        password_validation.validate_password(password)
    assert BREACHED_MESSAGE in refused.value.messages
    assert "a few unrelated words make a good one" in BREACHED_MESSAGE


@pytest.mark.django_db
def test_changing_to_a_breached_password_says_so(client_of, coordinator):
    response = client_of(coordinator).post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": BREACHED,
            "new_password2": BREACHED,
        },
    )
    assert "exposed in data breaches" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password",
    [
        "marble-otter-lantern-quietly",
        "Seven tired owls sing 42",
        PASSWORD,
        "another-long-pass-phrase",
    ],
)
def test_a_long_passphrase_is_accepted(password):
    assert not is_breached(password)
    password_validation.validate_password(password)


@pytest.mark.django_db
def test_the_demo_users_passwords_pass():
    for _ in range(20):
        password_validation.validate_password(_new_password())
