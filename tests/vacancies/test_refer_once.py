"""A Refer form is sent once: the matching page's forms carry the one-time token
(academy/once.py), so a double click or a resend after a slow answer is shown the
referral the first one made instead of an error, and nothing is made twice."""

import re

import pytest

from academy.permissions import Role
from tests.academy.factories import MembershipFactory
from tests.participants.factories import ParticipantFactory, SkillsActionPlanFactory
from tests.vacancies.factories import VacancyFactory
from tests.vacancies.pages import CREATE, matches_url, messages_of
from vacancies.models import Referral

pytestmark = pytest.mark.django_db


def refer_form_data(page: str, vacancy) -> dict[str, str]:
    """The hidden and text inputs of the Refer form for `vacancy`, as sent."""
    for form in re.findall(
        r'<form[^>]*class="referral-refer-form".*?</form>', page, re.S
    ):
        fields = dict(
            re.findall(
                r'<input type="hidden" name="([^"]+)"(?: value="([^"]*)")?', form
            )
        )
        if fields.get("vacancy") == str(vacancy.pk):
            return {**fields, "note": ""}
    raise AssertionError(f"no Refer form for vacancy {vacancy.pk}")


@pytest.fixture
def seeker(academy):
    amira = ParticipantFactory(academy=academy, right_to_work="yes")
    SkillsActionPlanFactory(participant=amira, target_role="Home care")
    return amira


def test_a_refer_form_sent_twice_makes_one_referral_and_says_so(
    client_of, coordinator, academy, seeker
):
    vacancy = VacancyFactory(academy=academy, title="Home carer")
    client = client_of(coordinator)
    page = client.get(matches_url(seeker)).content.decode()
    data = refer_form_data(page, vacancy)
    assert re.fullmatch(r"[0-9a-f-]{36}", data.get("submission", "")), data

    first = client.post(CREATE, data)
    again = client.post(CREATE, data)

    assert Referral.objects.filter(participant=seeker, vacancy=vacancy).count() == 1
    assert first.status_code == again.status_code == 302
    assert any("already saved" in m for m in messages_of(again))
    assert not any("Already referred" in m for m in messages_of(again))


def test_each_refer_form_on_the_page_has_a_token_of_its_own(
    client_of, coordinator, academy, seeker
):
    one = VacancyFactory(academy=academy, title="Home carer")
    two = VacancyFactory(academy=academy, title="Night carer")
    page = client_of(coordinator).get(matches_url(seeker)).content.decode()
    assert (
        refer_form_data(page, one)["submission"]
        != (refer_form_data(page, two)["submission"])
    )


def test_a_token_sent_by_another_user_is_refused_with_a_message(
    client_of, coordinator, academy, seeker
):
    vacancy = VacancyFactory(academy=academy, title="Home carer")
    page = client_of(coordinator).get(matches_url(seeker)).content.decode()
    data = refer_form_data(page, vacancy)
    client_of(coordinator).post(CREATE, data)
    colleague = MembershipFactory(academy=academy, role=Role.COORDINATOR)

    response = client_of(colleague).post(CREATE, data)

    assert response.status_code == 302
    assert any("out of date" in m for m in messages_of(response))
    assert Referral.objects.filter(participant=seeker, vacancy=vacancy).count() == 1
