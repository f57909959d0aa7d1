"""Providers and coordinators are told (issue 13): a provider's members get an e-mail
when one of their opportunities receives a referral, when a referral is withdrawn
(details withheld) and when an interview is tomorrow; a person's coordinator when a
provider moves a referral. Each carries no more than the recipient may see, once."""

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from tests.vacancies.pages import CREATE

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent():
    """The messages sent so far: runs what waits for the test's transaction to
    commit, then the outbox."""

    def flush():
        waiting, connection.run_on_commit[:] = list(connection.run_on_commit), []
        for _savepoints, callback, _robust in waiting:
            callback()
        return mail.outbox

    return flush


def test_the_provider_is_told_of_a_referral_to_their_vacancy(
    client_of, coordinator, provider, person, vacancy, sent
):
    response = client_of(coordinator).post(
        CREATE,
        {"participant": person.pk, "vacancy": vacancy.pk, "note": "Keen"},
    )
    assert response.status_code == 302
    [message] = [m for m in sent() if provider.user.email in m.to]
    assert "Amira Haddad" in message.body
    assert reverse("vacancies:referral-list") in message.body or "/referrals/" in (
        message.body
    )
