"""Referring a person, and moving a referral along its pipeline."""

import datetime as dt

import pytest

from participants.models import Outcome, Participant
from tests.participants.factories import (
    ParticipantFactory,
)
from tests.vacancies.factories import ReferralFactory, TrainingFactory, VacancyFactory
from tests.vacancies.pages import (
    CREATE,
    advance_url,
    detail_url,
    matches_url,
    messages_of,
    move,
    today,
)
from vacancies.models import Referral, ReferralEvent, TrainingOpportunity

pytestmark = pytest.mark.django_db


# Referring.


def test_coordinator_refers_a_person_and_goes_back_to_the_matches(
    client_of, coordinator, person, vacancy
):
    back = matches_url(person)
    response = client_of(coordinator).post(
        CREATE,
        {
            "participant": person.pk,
            "vacancy": vacancy.pk,
            "note": "Keen on days",
            "next": back,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == back
    referral = Referral.objects.get()
    assert (referral.participant, referral.vacancy) == (person, vacancy)
    assert referral.stage == Referral.Stage.REFERRED
    assert referral.created_by == coordinator.user
    assert list(referral.events.values_list("stage", "note")) == [
        ("referred", "Keen on days")
    ]
    assert messages_of(response) == [
        f"Amira Haddad referred to Home carer, Plympton ({vacancy.organisation})."
    ]


def test_a_referral_to_training_goes_to_the_referral_without_next(
    client_of, coordinator, person
):
    course = TrainingFactory(academy=person.academy)
    response = client_of(coordinator).post(
        CREATE, {"participant": person.pk, "training": course.pk}
    )
    referral = Referral.objects.get()
    assert referral.training == course
    assert response["Location"] == detail_url(referral)


def test_an_unsafe_next_is_ignored(client_of, coordinator, person, vacancy):
    response = client_of(coordinator).post(
        CREATE,
        {
            "participant": person.pk,
            "vacancy": vacancy.pk,
            "next": "https://evil.example/steal",
        },
    )
    assert response["Location"] == detail_url(Referral.objects.get())


def test_refer_to_neither_or_both_is_refused(client_of, coordinator, person, vacancy):
    course = TrainingFactory(academy=person.academy)
    for data in (
        {"participant": person.pk},
        {"participant": person.pk, "vacancy": vacancy.pk, "training": course.pk},
    ):
        response = client_of(coordinator).post(CREATE, data)
        assert response.status_code == 302
        assert messages_of(response) == ["Refer to one vacancy or one training place."]
    assert not Referral.objects.exists()


def test_no_consent_to_share_refuses_the_referral_with_the_reason(
    client_of, coordinator, vacancy
):
    person = ParticipantFactory(
        academy=vacancy.academy,
        first_name="Ben",
        last_name="Okafor",
        has_consent_to_share=False,
    )
    response = client_of(coordinator).post(
        CREATE,
        {"participant": person.pk, "vacancy": vacancy.pk, "next": matches_url(person)},
    )
    assert response["Location"] == matches_url(person)
    assert not Referral.objects.exists()
    [message] = messages_of(response)
    assert message.startswith(
        "Ben Okafor has not agreed to their details being shared with providers"
    )


def test_a_closed_case_cannot_be_referred(client_of, coordinator, vacancy):
    person = ParticipantFactory(
        academy=vacancy.academy, status=Participant.Status.CLOSED
    )
    response = client_of(coordinator).post(
        CREATE, {"participant": person.pk, "vacancy": vacancy.pk}
    )
    assert not Referral.objects.exists()
    assert messages_of(response) == [
        "The case is closed. Reopen it to refer the person."
    ]
    assert response["Location"] == matches_url(person)


def test_a_second_referral_to_the_same_vacancy_is_refused(
    client_of, coordinator, referral
):
    response = client_of(coordinator).post(
        CREATE,
        {"participant": referral.participant.pk, "vacancy": referral.vacancy.pk},
    )
    assert Referral.objects.count() == 1
    assert messages_of(response) == [
        "Amira Haddad is already referred to this (referred)."
    ]


def test_a_closed_vacancy_cannot_be_referred_to(client_of, coordinator, person):
    closed = VacancyFactory(academy=person.academy, status="closed")
    response = client_of(coordinator).post(
        CREATE, {"participant": person.pk, "vacancy": closed.pk}
    )
    assert not Referral.objects.exists()
    assert messages_of(response) == ["This vacancy is not open."]


def test_another_academys_person_or_vacancy_is_404(
    client_of, coordinator, person, vacancy, other_academy
):
    client = client_of(coordinator)
    elsewhere = VacancyFactory(academy=other_academy)
    stranger = ParticipantFactory(academy=other_academy)
    course = TrainingFactory(academy=other_academy)
    for data in (
        {"participant": person.pk, "vacancy": elsewhere.pk},
        {"participant": person.pk, "training": course.pk},
        {"participant": stranger.pk, "vacancy": vacancy.pk},
    ):
        assert client.post(CREATE, data).status_code == 404
    assert not Referral.objects.exists()


def test_a_provider_cannot_refer(client_of, provider, person, vacancy):
    response = client_of(provider).post(
        CREATE, {"participant": person.pk, "vacancy": vacancy.pk}
    )
    assert response.status_code == 403
    assert not Referral.objects.exists()


def test_referring_is_post_only(client_of, coordinator):
    assert client_of(coordinator).get(CREATE).status_code == 405


# The pipeline.


def test_the_pipeline_to_a_start_records_one_employment_outcome(
    client_of, provider, referral
):
    client = client_of(provider)
    for stage in ("interview", "offered", "started"):
        response = move(client, referral, stage, {"note": f"now {stage}"})
        assert response.status_code == 302, response.content.decode()
        assert response["Location"] == detail_url(referral)
    referral.refresh_from_db()
    assert referral.stage == Referral.Stage.STARTED
    assert list(referral.events.values_list("stage", flat=True)) == [
        "interview",
        "offered",
        "started",
    ]
    outcome = Outcome.objects.get(participant=referral.participant)
    assert referral.outcome_id == outcome.pk
    assert outcome.kind == Outcome.Kind.EMPLOYMENT
    assert outcome.sector == Outcome.Sector.HEALTH_SOCIAL_CARE
    assert outcome.employer == referral.vacancy.organisation.name
    assert outcome.started_on == today()
    page = client.get(detail_url(referral)).content.decode()
    assert "Start recorded as an outcome" in page
    assert "This referral is finished: started." in page


def test_a_second_start_or_a_resubmit_records_no_second_outcome(
    client_of, coordinator, referral
):
    referral.stage = Referral.Stage.OFFERED
    referral.save()
    client = client_of(coordinator)
    assert move(client, referral, "started").status_code == 302
    again = move(client, referral, "started")
    assert again.status_code == 200
    assert "A referral that is started cannot move to started." in (
        again.content.decode()
    )
    assert Outcome.objects.count() == 1
    assert referral.events.count() == 1


@pytest.mark.parametrize(
    ("kind", "outcome_kind"),
    [
        (TrainingOpportunity.Kind.COURSE, Outcome.Kind.TRAINING),
        (TrainingOpportunity.Kind.PLACEMENT, Outcome.Kind.WORK_EXPERIENCE),
    ],
)
def test_a_training_start_records_training_or_work_experience(
    client_of, provider, person, kind, outcome_kind
):
    course = TrainingFactory(
        academy=person.academy, organisation=provider.organisation, kind=kind
    )
    referral = ReferralFactory(
        participant=person, vacancy=None, training=course, stage="offered"
    )
    assert move(client_of(provider), referral, "started").status_code == 302
    outcome = Outcome.objects.get()
    assert outcome.kind == outcome_kind
    assert outcome.employer == course.organisation.name
    assert outcome.role == course.title


@pytest.mark.parametrize(
    ("stage", "to", "message"),
    [
        ("referred", "started", "A referral that is referred cannot move to started."),
        (
            "referred",
            "referred",
            "A referral that is referred cannot move to referred.",
        ),
        ("started", "offered", "A referral that is started cannot move to offered."),
        (
            "started",
            "withdrawn",
            "A referral that is started cannot move to withdrawn.",
        ),
        (
            "unsuccessful",
            "interview",
            "A referral that is unsuccessful cannot move to interview arranged.",
        ),
    ],
)
def test_illegal_moves_are_refused_with_the_reason(
    client_of, provider, referral, stage, to, message
):
    referral.stage = stage
    referral.save()
    response = move(client_of(provider), referral, to)
    assert response.status_code == 200
    assert message in response.content.decode()
    referral.refresh_from_db()
    assert referral.stage == stage
    assert not ReferralEvent.objects.exists()
    assert not Outcome.objects.exists()


def test_a_move_dated_in_the_future_is_refused(client_of, provider, referral):
    response = move(
        client_of(provider),
        referral,
        "interview",
        {"on": (today() + dt.timedelta(days=2)).isoformat()},
    )
    assert response.status_code == 200
    assert "The date it happened cannot be in the future." in response.content.decode()
    referral.refresh_from_db()
    assert referral.stage == Referral.Stage.REFERRED


def test_the_form_offers_only_the_next_stages(client_of, provider, referral):
    page = client_of(provider).get(detail_url(referral)).content.decode()
    for stage in ("interview", "offered", "unsuccessful", "withdrawn"):
        assert f'value="{stage}"' in page
    assert 'value="started"' not in page
    assert f'value="{today().isoformat()}"' in page


# When a move happened (issue 13, tester's finding 5) and what the form says (13).


def _made_on(referral, day):
    Referral.objects.filter(pk=referral.pk).update(
        created_at=dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    )
    ReferralEvent.objects.create(referral=referral, stage="referred", on=day)


def test_a_move_cannot_be_dated_before_the_referral_or_the_move_before(
    client_of, provider, referral
):
    made = today() - dt.timedelta(days=10)
    _made_on(referral, made)
    client = client_of(provider)
    for day, said in [
        ("1900-01-01", f"The referral was made on {made:%-d %b %Y}"),
        (made - dt.timedelta(days=1), f"The referral was made on {made:%-d %b %Y}"),
        (today() + dt.timedelta(days=1), "cannot be in the future"),
    ]:
        response = move(client, referral, "interview", {"on": str(day)})
        assert response.status_code == 200, day
        assert said in response.content.decode(), day
    referral.refresh_from_db()
    assert referral.stage == Referral.Stage.REFERRED
    assert referral.events.count() == 1

    arranged = made + dt.timedelta(days=5)
    assert move(client, referral, "interview", {"on": str(arranged)}).status_code == 302
    response = move(
        client, referral, "offered", {"on": str(arranged - dt.timedelta(1))}
    )
    assert (
        f"It moved to interview arranged on {arranged:%-d %b %Y}"
        in response.content.decode()
    )
    assert move(client, referral, "offered", {"on": str(arranged)}).status_code == 302
    assert list(referral.events.values_list("on", flat=True)) == [
        made,
        arranged,
        arranged,
    ]


def test_the_move_form_says_what_each_field_needs(client_of, provider, referral):
    client = client_of(provider)
    empty = client.post(advance_url(referral), {}).content.decode()
    assert "Choose the stage it moves to." in empty
    assert "Give the date it happened." in empty
    bad = move(
        client,
        referral,
        "interview",
        {
            "on": "yesterday",
            "interview_on": "31/13/2026",
            "interview_time": "25:00",
            "interview_place": "p" * 1000,
        },
    ).content.decode()
    assert "Enter a date such as 31/12/2026." in bad
    assert "Enter a time such as 14:30." in bad
    assert "Keep it to 180 characters (you typed 1,000)." in bad
    for generic in ("This field is required", "Ensure this value", "Enter a valid"):
        assert generic not in empty + bad
    assert "Give the address of the interview." not in bad


def test_the_provider_home_names_each_referrals_candidate_only_with_consent(
    client_of, provider, referral, vacancy
):
    """Issue 13, tester's finding 19: 'Referrals to move along' gave only the
    vacancy and the stage."""
    withheld = ReferralFactory(
        participant=ParticipantFactory(
            academy=vacancy.academy,
            first_name="Bea",
            last_name="Secret",
            has_consent_to_share=False,
        ),
        vacancy=vacancy,
    )
    page = client_of(provider).get("/").content.decode()
    panel = page.split("Referrals to move along", 1)[1]
    assert "Amira Haddad" in panel
    assert "Secret" not in page
    assert "A candidate" in panel
    assert f"/referrals/{withheld.pk}/" in panel
