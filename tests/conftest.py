"""Shared fixtures: test speed-ups, the service switch, and the personas of two academies.

Personas (as healthchecks' alice/bob/charlie): `coordinator`, `provider`, `manager` and
`admin` are memberships in `academy`; `other_*` are the same roles in `other_academy`.
"""

import os
from collections.abc import Callable

import pytest
from django.test import Client

from academy.permissions import Role
from tests.academy.factories import AcademyFactory, MembershipFactory

# CI sets REQUIRE_SERVICES=1: a test that needs PostgreSQL, Redis or chromium then fails
# when the service is missing, instead of being skipped.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") not in ("", "0", "false")


def service_missing(reason: str) -> None:
    """Skip the test, or fail it when CI requires every service."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fast_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def academy(db):
    return AcademyFactory(slug="home", name="Home Care Academy")


@pytest.fixture
def other_academy(db):
    return AcademyFactory(slug="other", name="Other Care Academy", area_code="E08000022")


def _persona(role: Role, academy_fixture: str):
    @pytest.fixture
    def persona(request):
        return MembershipFactory(role=role, academy=request.getfixturevalue(academy_fixture))

    return persona


coordinator = _persona(Role.COORDINATOR, "academy")
provider = _persona(Role.PROVIDER, "academy")
manager = _persona(Role.MANAGER, "academy")
admin = _persona(Role.ADMIN, "academy")
other_coordinator = _persona(Role.COORDINATOR, "other_academy")
other_provider = _persona(Role.PROVIDER, "other_academy")
other_manager = _persona(Role.MANAGER, "other_academy")
other_admin = _persona(Role.ADMIN, "other_academy")


@pytest.fixture
def client_of() -> Callable[..., Client]:
    """A test client signed in as the user of a membership."""

    def make(membership) -> Client:
        client = Client()
        client.force_login(membership.user)
        return client

    return make
