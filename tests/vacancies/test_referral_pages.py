"""What providers see of referrals, the referral list and the matching pages."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.academy.factories import OrganisationFactory
from tests.participants.factories import (
    MeetingFactory,
    OutcomeFactory,
    ParticipantCohortFactory,
    ParticipantFactory,
    SkillsActionPlanFactory,
    SupportFactory,
)
from tests.vacancies.factories import ReferralFactory, VacancyFactory
from tests.vacancies.pages import detail_url, matches_url, move
from vacancies.models import Referral

pytestmark = pytest.mark.django_db


# Providers: their own referrals only, consented fields only.


def test_another_providers_referral_is_404_on_detail_and_advance(
    client_of, provider, person
):
    theirs = ReferralFactory(
        participant=person,
        vacancy=VacancyFactory(
            academy=person.academy,
            organisation=OrganisationFactory(academy=person.academy),
        ),
    )
    client = client_of(provider)
    assert client.get(detail_url(theirs)).status_code == 404
    assert move(client, theirs, "interview").status_code == 404
    theirs.refresh_from_db()
    assert theirs.stage == Referral.Stage.REFERRED


def test_forged_ids_in_the_post_change_only_the_referral_in_the_url(
    client_of, provider, referral, person
):
    other_vacancy = VacancyFactory(
        academy=person.academy, organisation=OrganisationFactory(academy=person.academy)
    )
    theirs = ReferralFactory(
        participant=ParticipantFactory(academy=person.academy), vacancy=other_vacancy
    )
    response = move(
        client_of(provider),
        referral,
        "interview",
        {
            "referral": theirs.pk,
            "vacancy": other_vacancy.pk,
            "participant": theirs.participant.pk,
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    theirs.refresh_from_db()
    assert referral.stage == Referral.Stage.INTERVIEW
    assert referral.vacancy != other_vacancy
    assert theirs.stage == Referral.Stage.REFERRED
    assert not theirs.events.exists()


def test_a_provider_does_not_see_suggested_referrals(client_of, provider, referral):
    referral.stage = Referral.Stage.SUGGESTED
    referral.save()
    client = client_of(provider)
    assert client.get(detail_url(referral)).status_code == 404
    page = client.get(reverse("vacancies:referral-list"), {"stage": "suggested"})
    assert "Amira Haddad" not in page.content.decode()


def test_a_coordinator_of_another_academy_gets_404(
    client_of, other_coordinator, referral
):
    client = client_of(other_coordinator)
    assert client.get(detail_url(referral)).status_code == 404
    assert move(client, referral, "interview").status_code == 404
    assert client.get(matches_url(referral.participant)).status_code == 404


SENTINELS = [
    "SENTINEL-REFERENCE",
    "3 Feb 1971",
    "1971-02-03",
    "PL9 9ZX",
    "Personal Independence Payment",
    "Claimant",
    "Refugee",
    "SENTINEL-MEETING",
    "SENTINEL-GOALS",
    "SENTINEL-SUPPORT",
    "SENTINEL-CLOSE",
    "SENTINEL-EMPLOYER",
]


@pytest.fixture
def sentinel_referral(academy, vacancy):
    """A referral of a person whose every non-consented field holds a sentinel."""
    person = ParticipantFactory(
        academy=academy,
        first_name="Amira",
        last_name="Haddad",
        email="amira@example.net",
        phone="07700 900111",
        reference="SENTINEL-REFERENCE",
        date_of_birth=dt.date(1971, 2, 3),
        postcode="PL9 9ZX",
        is_claimant=True,
        benefit_type="pip",
        close_note="SENTINEL-CLOSE",
        hours_wanted=30,
    )
    ParticipantCohortFactory(participant=person, code="refugee")
    MeetingFactory(participant=person, notes="SENTINEL-MEETING")
    SkillsActionPlanFactory(
        participant=person, target_role="Senior care worker", goals="SENTINEL-GOALS"
    )
    SupportFactory(participant=person, notes="SENTINEL-SUPPORT")
    OutcomeFactory(participant=person, employer="SENTINEL-EMPLOYER")
    return ReferralFactory(participant=person, vacancy=vacancy)


def test_a_provider_sees_only_the_consented_fields(
    client_of, provider, sentinel_referral
):
    client = client_of(provider)
    for url in (detail_url(sentinel_referral), reverse("vacancies:referral-list")):
        page = client.get(url).content.decode()
        assert "Amira Haddad" in page
        for sentinel in SENTINELS:
            assert sentinel not in page, (url, sentinel)
        assert (
            reverse("participants:detail", args=[sentinel_referral.participant.pk])
            not in page
        )
    detail = client.get(detail_url(sentinel_referral)).content.decode()
    for shared in (
        "amira@example.net",
        "07700 900111",
        "Senior care worker",
        "30 hours a week",
    ):
        assert shared in detail


def test_a_provider_sees_details_withheld_after_consent_is_withdrawn(
    client_of, provider, sentinel_referral
):
    person = sentinel_referral.participant
    person.has_consent_to_share = False
    person.save()
    client = client_of(provider)
    for url in (detail_url(sentinel_referral), reverse("vacancies:referral-list")):
        page = client.get(url).content.decode()
        assert "Details withheld" in page
        for hidden in (
            "Amira",
            "Haddad",
            "amira@example.net",
            "07700 900111",
            *SENTINELS,
        ):
            assert hidden not in page, (url, hidden)


def test_withdrawn_consent_hides_the_referral_note_and_history_notes_from_providers(
    client_of, provider, coordinator, sentinel_referral
):
    """Issue 12, observation 4: the coordinator's notes are about the person too."""
    from vacancies.models import ReferralEvent

    Referral.objects.filter(pk=sentinel_referral.pk).update(
        note="SENTINEL-REFERRAL-NOTE"
    )
    ReferralEvent.objects.create(
        referral=sentinel_referral,
        stage=Referral.Stage.REFERRED,
        on=dt.date(2026, 11, 2),
        note="SENTINEL-STAGE-NOTE",
        by=coordinator.user,
    )
    person = sentinel_referral.participant
    page = client_of(provider).get(detail_url(sentinel_referral)).content.decode()
    assert "SENTINEL-STAGE-NOTE" in page  # shared while consent stands
    person.has_consent_to_share = False
    person.save()
    page = client_of(provider).get(detail_url(sentinel_referral)).content.decode()
    assert "SENTINEL-REFERRAL-NOTE" not in page
    assert "SENTINEL-STAGE-NOTE" not in page
    assert "Note withheld" in page
    assert "Referred" in page  # the stages themselves stay: the provider's own record
    # The academy's staff still read every note.
    page = client_of(coordinator).get(detail_url(sentinel_referral)).content.decode()
    assert "SENTINEL-STAGE-NOTE" in page


def test_a_coordinator_sees_the_person_and_a_link_to_their_record(
    client_of, coordinator, referral
):
    page = client_of(coordinator).get(detail_url(referral)).content.decode()
    assert "Amira Haddad" in page
    assert reverse("participants:detail", args=[referral.participant.pk]) in page


# The list.


def test_the_list_shows_active_stages_by_default_and_filters(
    client_of, coordinator, person, vacancy
):
    ReferralFactory(participant=person, vacancy=vacancy, stage="interview")
    started = ParticipantFactory(
        academy=person.academy, first_name="Stan", last_name="Started"
    )
    ReferralFactory(participant=started, vacancy=vacancy, stage="started")
    client = client_of(coordinator)
    url = reverse("vacancies:referral-list")
    page = client.get(url).content.decode()
    assert "Amira Haddad" in page
    assert "Stan Started" not in page
    page = client.get(url, {"stage": "started"}).content.decode()
    assert "Stan Started" in page
    assert "Amira Haddad" not in page
    page = client.get(url, {"stage": "all"}).content.decode()
    assert "Stan Started" in page
    assert "Amira Haddad" in page


def test_a_provider_lists_only_its_own_organisations_referrals(
    client_of, provider, referral
):
    other = VacancyFactory(
        academy=referral.participant.academy,
        organisation=OrganisationFactory(academy=referral.participant.academy),
    )
    ReferralFactory(
        participant=ParticipantFactory(
            academy=other.academy, first_name="Olive", last_name="Other"
        ),
        vacancy=other,
    )
    page = client_of(provider).get(reverse("vacancies:referral-list")).content.decode()
    assert "Amira Haddad" in page
    assert "Olive Other" not in page


@pytest.mark.parametrize("role", ["coordinator", "provider"])
def test_the_list_costs_the_same_queries_for_2_or_30_rows(
    request, client_of, vacancy, role
):
    membership = request.getfixturevalue(role)
    client = client_of(membership)
    url = reverse("vacancies:referral-list")

    def make(n):
        for _ in range(n):
            person = ParticipantFactory(academy=vacancy.academy)
            SkillsActionPlanFactory(participant=person)
            ReferralFactory(participant=person, vacancy=vacancy)
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    few = make(2)
    many = make(28)
    assert Referral.objects.count() == 30
    assert many == few


# The matching pages.


def test_participant_matches_rank_with_reasons_and_refer_buttons(
    client_of, coordinator, person, vacancy
):
    shortage = VacancyFactory(
        academy=person.academy, title="Night carer", is_critical_shortage=True
    )
    needs_car = VacancyFactory(
        academy=person.academy, title="Rural home carer", needs_driving_licence=True
    )
    page = client_of(coordinator).get(matches_url(person)).content.decode()
    assert page.index("Night carer") < page.index("Home carer, Plympton")
    assert page.index("Home carer, Plympton") < page.index("Rural home carer")
    assert page.count(">Critical shortage</span>") == 1
    assert "Needs a driving licence and car, which they do not have" in page
    assert "Blocked" in page
    # The blocked one is referred only with a confirmation (test_matching_pages.py).
    assert page.count('aria-label="Refer to') == 2
    assert page.count('aria-label="Refer anyway to') == 1
    assert "disabled" not in page
    assert f'name="vacancy" value="{shortage.pk}"' in page
    assert f'name="vacancy" value="{needs_car.pk}"' in page
    # Only "How matches are ranked" speaks of points; no card shows a score.
    assert "points" not in page.split("</details>")[1].lower()


def test_participant_matches_show_the_stage_of_an_existing_referral(
    client_of, coordinator, referral
):
    referral.stage = Referral.Stage.INTERVIEW
    referral.save()
    page = (
        client_of(coordinator).get(matches_url(referral.participant)).content.decode()
    )
    assert "Already referred" in page
    assert "Interview arranged" in page
    assert 'aria-label="Refer to' not in page


def test_participant_matches_warn_without_consent_and_disable_refer(
    client_of, coordinator, vacancy
):
    person = ParticipantFactory(academy=vacancy.academy, has_consent_to_share=False)
    page = client_of(coordinator).get(matches_url(person)).content.decode()
    assert "has not agreed to their details being shared with providers" in page
    assert reverse("participants:consent", args=[person.pk]) in page
    assert 'disabled="disabled"' in page


def test_vacancy_matches_offer_refer_only_with_consent(client_of, coordinator, vacancy):
    willing = ParticipantFactory(academy=vacancy.academy, first_name="Wanda")
    unwilling = ParticipantFactory(
        academy=vacancy.academy, first_name="Ursula", has_consent_to_share=False
    )
    page = (
        client_of(coordinator)
        .get(reverse("vacancies:matches", args=[vacancy.pk]))
        .content.decode()
    )
    assert reverse("participants:detail", args=[willing.pk]) in page
    assert reverse("participants:detail", args=[unwilling.pk]) in page
    assert f'name="participant" value="{willing.pk}"' in page
    assert f'name="participant" value="{unwilling.pk}"' not in page
    assert "No consent to share" in page
