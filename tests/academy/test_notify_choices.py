"""The Notifications page: each member chooses, per kind of notice their role
receives, at once, a daily digest or none."""

import pytest
from django.urls import reverse

from academy.models import NoticeChoice
from academy.notices import notice_choices_of

pytestmark = pytest.mark.django_db

URL = reverse("notice-choices")


def test_a_provider_sees_the_kinds_for_providers_and_saves_a_choice(
    provider, client_of
):
    client = client_of(provider)
    page = client.get(URL).content.decode()
    assert "A vacancy of ours receives a referral" in page
    assert "An interview we arranged is tomorrow" in page
    assert "A provider flags a critical shortage" not in page
    answer = client.post(
        URL,
        {
            "referral_received": "digest",
            "referral_withdrawn": "none",
            "interview_tomorrow": "at_once",
        },
    )
    assert answer.status_code == 302
    assert notice_choices_of(provider) == {
        "referral_received": "digest",
        "referral_withdrawn": "none",
        "interview_tomorrow": "at_once",
    }


def test_a_coordinator_chooses_only_the_coordinators_kinds(coordinator, client_of):
    client = client_of(coordinator)
    client.post(
        URL,
        {
            "referral_moved": "none",
            "critical_shortage": "digest",
            "referral_received": "none",  # a provider's kind: ignored
        },
    )
    assert dict(
        NoticeChoice.objects.filter(membership=coordinator).values_list("notice", "how")
    ) == {"referral_moved": "none", "critical_shortage": "digest"}


def test_an_unknown_choice_is_refused_with_a_message(provider, client_of):
    answer = client_of(provider).post(
        URL,
        {
            "referral_received": "twice a day",
            "referral_withdrawn": "none",
            "interview_tomorrow": "at_once",
        },
    )
    assert answer.status_code == 200
    assert "Choose at once, in a daily digest or not at all." in answer.content.decode()
    assert not NoticeChoice.objects.exists()


def test_a_manager_has_no_notices_to_choose(manager, client_of):
    assert client_of(manager).get(URL).status_code == 403


def test_the_choice_of_one_academy_is_its_own(provider, other_provider, client_of):
    client_of(other_provider).post(
        URL,
        {
            "referral_received": "none",
            "referral_withdrawn": "none",
            "interview_tomorrow": "none",
        },
    )
    assert notice_choices_of(provider)["referral_received"] == "at_once"
