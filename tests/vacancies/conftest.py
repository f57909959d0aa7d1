"""Fixtures of the vacancy, training and referral tests."""

import pytest

from tests.academy.factories import MembershipFactory
from tests.participants.factories import ParticipantFactory
from tests.vacancies.factories import ReferralFactory, VacancyFactory


@pytest.fixture
def second_provider(academy):
    """Another care provider in the same academy."""
    return MembershipFactory(role="provider", academy=academy)


@pytest.fixture
def vacancy(provider):
    """A vacancy of the `provider` persona's organisation."""
    return VacancyFactory(
        academy=provider.academy,
        organisation=provider.organisation,
        title="Home carer, Plympton",
    )


@pytest.fixture
def person(academy):
    return ParticipantFactory(academy=academy, first_name="Amira", last_name="Haddad")


@pytest.fixture
def referral(person, vacancy):
    return ReferralFactory(participant=person, vacancy=vacancy)
