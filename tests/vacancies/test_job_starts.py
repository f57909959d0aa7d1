"""One job start is counted once (issue 9, observation 3): a start through a referral
links to the outcome already recorded by hand, recording by hand offers to close the
referral, and a nightly check lists suspected doubles for a coordinator to resolve."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from participants import services as casework
from participants.models import Outcome, SuspectedDoubleOutcome, SustainmentCheck
from participants.services.doubles import outcome_doubles_find
from tests.conftest import log_in
from tests.participants.factories import ParticipantFactory
from tests.vacancies.factories import ReferralFactory, VacancyFactory
from vacancies import services
from vacancies.models import Referral

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


@pytest.fixture
def vacancy(provider):
    return VacancyFactory(academy=provider.academy, organisation=provider.organisation)


@pytest.fixture
def offered(vacancy, academy):
    person = ParticipantFactory(academy=academy)
    return ReferralFactory(participant=person, vacancy=vacancy, stage="offered")


def _by_hand(referral, coordinator, days_before=0):
    return casework.outcome_record(
        participant=referral.participant,
        by=coordinator.user,
        kind="employment",
        sector="health_social_care",
        started_on=today() - dt.timedelta(days=days_before),
        employer=referral.vacancy.organisation.name.upper(),
    )


def test_a_start_after_one_recorded_by_hand_links_to_it(offered, coordinator):
    outcome = _by_hand(offered, coordinator, days_before=3)

    services.referral_advance(referral=offered, to="started", by=coordinator.user)

    offered.refresh_from_db()
    assert Outcome.objects.count() == 1
    assert offered.outcome_id == outcome.pk
    assert SustainmentCheck.objects.count() == 2


def test_a_start_far_from_the_one_by_hand_is_a_new_outcome(offered, coordinator):
    _by_hand(offered, coordinator, days_before=40)
    services.referral_advance(referral=offered, to="started", by=coordinator.user)
    assert Outcome.objects.count() == 2


def test_the_move_form_offers_the_matching_outcome(client_of, offered, coordinator):
    _by_hand(offered, coordinator, days_before=2)
    page = client_of(coordinator).get(
        reverse("vacancies:referral-detail", args=[offered.pk])
    )
    assert "already recorded" in page.content.decode()


def test_a_start_can_still_be_recorded_as_a_different_job(offered, coordinator):
    _by_hand(offered, coordinator, days_before=2)
    services.referral_advance(
        referral=offered, to="started", by=coordinator.user, link_outcome=False
    )
    assert Outcome.objects.count() == 2


def test_recording_an_outcome_by_hand_offers_to_close_the_open_referral(
    client_of, offered, coordinator
):
    client = client_of(coordinator)
    person = offered.participant
    response = client.post(
        reverse("participants:outcome-add", args=[person.pk]),
        {
            "kind": "employment",
            "sector": "health_social_care",
            "started_on": today().isoformat(),
            "employer": offered.vacancy.organisation.name,
        },
        follow=True,
    )
    text = response.content.decode()
    assert "Mark the referral to" in text
    assert reverse("vacancies:referral-detail", args=[offered.pk]) in text
    # Following the offer links the start to the outcome just recorded.
    services.referral_advance(referral=offered, to="started", by=coordinator.user)
    assert Outcome.objects.count() == 1


def test_the_nightly_check_lists_suspected_double_outcomes(academy, coordinator):
    person = ParticipantFactory(academy=academy)
    first = casework.outcome_record(
        participant=person,
        by=None,
        kind="employment",
        sector="health_social_care",
        started_on=dt.date(2026, 3, 1),
        employer="Tamar Care",
    )
    second = Outcome.objects.create(
        participant=person,
        kind="employment",
        sector="health_social_care",
        started_on=dt.date(2026, 3, 9),
        employer="tamar care ",
    )
    Outcome.objects.create(  # another kind: not a double
        participant=person, kind="training", started_on=dt.date(2026, 3, 2)
    )

    assert outcome_doubles_find() == 1
    assert outcome_doubles_find() == 0  # found once

    client = Client()
    log_in(client, coordinator.user)
    page = client.get(reverse("participants:outcome-doubles")).content.decode()
    assert "Tamar Care" in page
    assert f"{first.started_on:%-d %b %Y}" in page

    response = client.post(
        reverse("participants:outcome-doubles"),
        {"pair": _pair_id(), "resolution": "same", "keep": first.pk},
        follow=True,
    )
    assert response.status_code == 200
    assert list(Outcome.objects.filter(kind="employment")) == [first]
    assert not Outcome.objects.filter(pk=second.pk).exists()
    assert SustainmentCheck.objects.filter(outcome=first).count() == 2


def _pair_id():
    return SuspectedDoubleOutcome.objects.get().pk


def test_resolving_a_pair_as_different_jobs_keeps_both(academy, coordinator):
    person = ParticipantFactory(academy=academy)
    for day in (1, 5):
        Outcome.objects.create(
            participant=person,
            kind="employment",
            sector="other",
            started_on=dt.date(2026, 3, day),
            employer="Same Ltd",
        )
    outcome_doubles_find()
    client = Client()
    log_in(client, coordinator.user)
    client.post(
        reverse("participants:outcome-doubles"),
        {"pair": _pair_id(), "resolution": "different"},
    )
    assert Outcome.objects.count() == 2
    assert outcome_doubles_find() == 0
    page = client.get(reverse("participants:outcome-doubles")).content.decode()
    assert "No suspected double outcomes" in page


def test_another_academys_doubles_are_not_listed(client_of, other_coordinator, academy):
    person = ParticipantFactory(academy=academy)
    for day in (1, 5):
        Outcome.objects.create(
            participant=person,
            kind="employment",
            sector="other",
            started_on=dt.date(2026, 3, day),
            employer="Same Ltd",
        )
    outcome_doubles_find()
    client = client_of(other_coordinator)
    page = client.get(reverse("participants:outcome-doubles")).content.decode()
    assert "Same Ltd" not in page
    response = client.post(
        reverse("participants:outcome-doubles"),
        {"pair": _pair_id(), "resolution": "different"},
    )
    assert response.status_code == 404


def test_each_suspected_double_is_filed_under_its_academy(academy, other_academy):
    """Issue 16: the nightly search gives each pair its people's academy, which is
    what an academy's pages filter on."""
    for where in (academy, other_academy):
        person = ParticipantFactory(academy=where)
        for day in (1, 5):
            Outcome.objects.create(
                participant=person,
                kind="employment",
                sector="other",
                started_on=dt.date(2026, 3, day),
                employer=f"{where.name} Care",
            )
    assert outcome_doubles_find() == 2
    pairs = SuspectedDoubleOutcome.objects.for_academy(academy)
    assert [p.first.participant.academy_id for p in pairs] == [academy.pk]
    assert "participants_participant" not in str(pairs.query)
    assert sorted(
        SuspectedDoubleOutcome.objects.values_list("academy_id", flat=True)
    ) == sorted([academy.pk, other_academy.pk])


def test_providers_cannot_see_doubles(client_of, provider):
    assert (
        client_of(provider).get(reverse("participants:outcome-doubles")).status_code
        == 403
    )


def test_a_referral_start_is_never_linked_twice(offered, coordinator, vacancy):
    outcome = _by_hand(offered, coordinator)
    services.referral_advance(referral=offered, to="started", by=coordinator.user)
    other = ReferralFactory(
        participant=offered.participant,
        vacancy=VacancyFactory(
            academy=vacancy.academy, organisation=vacancy.organisation
        ),
        stage="offered",
    )
    services.referral_advance(referral=other, to="started", by=coordinator.user)
    other.refresh_from_db()
    assert other.outcome_id != outcome.pk
    assert Referral.objects.filter(outcome_id=outcome.pk).count() == 1


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Plymouth Hospitals NHS Trust", "Plymouth Hospitals NHS Trust (demo)", True),
        ("Tamar Care Ltd", "tamar care", True),
        ("Tamar Care", "Tamar Care Homes", True),
        ("Tamar Care", "Tamarind Care", False),
        ("", "Tamar Care", False),
    ],
)
def test_employer_names_match_as_people_write_them(a, b, same):
    from participants.selectors import employers_match

    assert employers_match(a, b) is same


def test_an_outcome_by_hand_under_a_shorter_employer_name_is_one_start(
    academy, coordinator, provider, client_of
):
    provider.organisation.name = "Plymouth Hospitals NHS Trust (demo)"
    provider.organisation.save()
    vacancy = VacancyFactory(academy=academy, organisation=provider.organisation)
    referral = ReferralFactory(
        participant=ParticipantFactory(academy=academy),
        vacancy=vacancy,
        stage="offered",
    )
    response = client_of(coordinator).post(
        reverse("participants:outcome-add", args=[referral.participant.pk]),
        {
            "kind": "employment",
            "sector": "health_social_care",
            "started_on": today().isoformat(),
            "employer": "Plymouth Hospitals NHS Trust",
        },
        follow=True,
    )
    assert "Mark the referral to" in response.content.decode()
    services.referral_advance(referral=referral, to="started", by=coordinator.user)
    assert Outcome.objects.count() == 1


def test_a_coordinator_can_check_for_doubles_now(academy, coordinator):
    person = ParticipantFactory(academy=academy)
    for day in (1, 5):
        Outcome.objects.create(
            participant=person,
            kind="employment",
            sector="other",
            started_on=dt.date(2026, 3, day),
            employer="Same Ltd",
        )
    client = Client()
    log_in(client, coordinator.user)
    response = client.post(
        reverse("participants:outcome-doubles"), {"find": "1"}, follow=True
    )
    assert "1 new pair found" in response.content.decode()
    assert SuspectedDoubleOutcome.objects.count() == 1
