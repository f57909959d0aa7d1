"""Records you can trust (issue 9): consent has one source of truth, merges lose
nothing and happen once, a double submit creates one record, and nothing deletes
casework by accident."""

import datetime as dt
import re
import threading

import pytest
from django.contrib import admin as django_admin
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import ProtectedError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from academy.models import User
from participants import services
from participants.models import (
    CaseNote,
    ConsentRecord,
    Meeting,
    Participant,
)
from tests.academy.factories import MembershipFactory
from tests.conftest import log_in
from tests.participants.factories import (
    MeetingFactory,
    OutcomeFactory,
    ParticipantFactory,
)
from tests.vacancies.factories import ReferralFactory, VacancyFactory
from vacancies.models import Referral, ReferralEvent, Vacancy

from .test_people import REGISTER

# Consent: the ledger is the truth


def _register(membership, share, name="Ann"):
    return services.participant_register(
        academy=membership.academy,
        by=membership.user,
        first_name=name,
        last_name="Jones",
        registered_on=dt.date(2024, 1, 1),
        consent_to_hold=True,
        consent_to_share=share,
    )


def _shown_matches_ledger(person):
    person.refresh_from_db()
    for kind, field in (
        (ConsentRecord.Kind.HOLD_DATA, "has_consent_to_hold"),
        (ConsentRecord.Kind.SHARE_WITH_PROVIDERS, "has_consent_to_share"),
    ):
        latest = person.consents.filter(kind=kind).order_by("-recorded_at", "-pk")
        expected = latest.first().is_given if latest.exists() else False
        assert getattr(person, field) == expected, (kind, expected)


@pytest.mark.django_db
def test_after_a_merge_the_shown_consent_is_the_ledgers_latest(coordinator):
    keep = _register(coordinator, share=False)
    duplicate = _register(coordinator, share=True)  # given later than keep's entry
    services.participant_merge(keep=keep, duplicate=duplicate, by=coordinator.user)
    _shown_matches_ledger(keep)


@pytest.mark.django_db
def test_a_merge_records_the_consent_it_leaves_in_the_ledger(coordinator):
    keep = _register(coordinator, share=True)
    duplicate = _register(coordinator, share=False)
    services.participant_merge(keep=keep, duplicate=duplicate, by=coordinator.user)
    keep.refresh_from_db()
    assert not keep.has_consent_to_share
    latest = keep.consents.filter(kind="share_with_providers").first()
    assert latest.is_given is False


_steps = st.lists(
    st.one_of(
        st.tuples(st.just("register"), st.booleans()),
        st.tuples(st.just("consent"), st.booleans(), st.integers(0, 5)),
        st.tuples(st.just("edit"), st.integers(0, 5)),
        st.tuples(st.just("merge"), st.integers(0, 5), st.integers(0, 5)),
    ),
    min_size=1,
    max_size=8,
)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=_steps)
def test_shown_consent_always_equals_the_ledger(coordinator, steps):
    people: list[Participant] = []
    for step in steps:
        alive = [p for p in people if Participant.objects.filter(pk=p.pk).exists()]
        if step[0] == "register" or not alive:
            share = step[1] if step[0] == "register" else True
            people.append(_register(coordinator, share=share))
        elif step[0] == "consent":
            person = alive[step[2] % len(alive)]
            services.consent_set(
                participant=person,
                kind="share_with_providers",
                is_given=step[1],
                by=coordinator.user,
            )
        elif step[0] == "edit":
            person = alive[step[1] % len(alive)]
            services.participant_update(
                participant=person, by=coordinator.user, cohorts=[], phone="07700900123"
            )
        else:
            keep, duplicate = alive[step[1] % len(alive)], alive[step[2] % len(alive)]
            if keep.pk != duplicate.pk:
                services.participant_merge(
                    keep=keep, duplicate=duplicate, by=coordinator.user
                )
    for person in Participant.objects.filter(pk__in=[p.pk for p in people]):
        _shown_matches_ledger(person)


# Merges


@pytest.mark.django_db
def test_merging_the_same_pair_twice_is_refused_and_notes_once(coordinator):
    keep = ParticipantFactory(academy=coordinator.academy)
    duplicate = ParticipantFactory(academy=coordinator.academy)
    services.participant_merge(keep=keep, duplicate=duplicate, by=coordinator.user)

    with pytest.raises(ValidationError, match="already been merged"):
        services.participant_merge(keep=keep, duplicate=duplicate, by=coordinator.user)
    assert CaseNote.objects.filter(participant=keep).count() == 1


@pytest.mark.django_db
def test_merging_back_the_other_way_is_refused(coordinator):
    keep = ParticipantFactory(academy=coordinator.academy)
    duplicate = ParticipantFactory(academy=coordinator.academy)
    MeetingFactory(participant=duplicate)
    services.participant_merge(keep=keep, duplicate=duplicate, by=coordinator.user)

    with pytest.raises(ValidationError, match="already been merged"):
        services.participant_merge(keep=duplicate, duplicate=keep, by=coordinator.user)
    assert Participant.objects.filter(pk=keep.pk).exists()
    assert keep.meetings.count() == 1


@pytest.mark.django_db
def test_a_merge_keeps_both_referrals_to_one_opportunity_with_their_history(
    coordinator,
):
    vacancy = VacancyFactory(academy=coordinator.academy)
    keep = ParticipantFactory(academy=coordinator.academy)
    duplicate = ParticipantFactory(academy=coordinator.academy)
    for person, note in ((keep, "kept"), (duplicate, "dupe")):
        referral = ReferralFactory(participant=person, vacancy=vacancy)
        ReferralEvent.objects.create(
            referral=referral, stage="referred", on=dt.date(2026, 1, 5), note=note
        )

    services.participant_merge(keep=keep, duplicate=duplicate, by=coordinator.user)

    referrals = Referral.objects.filter(participant=keep)
    assert referrals.count() == 2
    assert sorted(ReferralEvent.objects.values_list("note", flat=True)) == [
        "dupe",
        "kept",
    ]
    assert referrals.exclude(merged_from="").get().merged_from == duplicate.reference


def _in_thread(work):
    """Run `work` in a thread with its own database connection; return its result or
    the exception it raised."""
    result: dict[str, object] = {}

    def run():
        try:
            result["value"] = work()
        except Exception as error:
            result["value"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    return thread, result


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_merging_one_pair_from_each_side_lose_nothing(postgres):
    coordinator = MembershipFactory(role="coordinator")
    colleague = MembershipFactory(role="coordinator", academy=coordinator.academy)
    a = ParticipantFactory(academy=coordinator.academy)
    b = ParticipantFactory(academy=coordinator.academy)
    MeetingFactory(participant=a)
    MeetingFactory(participant=b)
    for person in (a, b):
        for is_given in (True, False):
            ConsentRecord.objects.create(
                participant=person,
                kind="share_with_providers",
                is_given=is_given,
                recorded_at=timezone.now(),
            )
    barrier = threading.Barrier(2)

    def merge(keep, duplicate, by):
        def work():
            keep_now = Participant.objects.get(pk=keep.pk)
            duplicate_now = Participant.objects.get(pk=duplicate.pk)
            barrier.wait()
            return services.participant_merge(
                keep=keep_now, duplicate=duplicate_now, by=by
            )

        return work

    runs = [
        _in_thread(merge(a, b, coordinator.user)),
        _in_thread(merge(b, a, colleague.user)),
    ]
    for thread, _ in runs:
        thread.start()
    for thread, _ in runs:
        thread.join(30)

    outcomes = [result["value"] for _, result in runs]
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], ValidationError)
    assert "already been merged" in str(errors[0])
    (survivor,) = Participant.objects.filter(pk__in=[a.pk, b.pk])
    assert Meeting.objects.filter(participant=survivor).count() == 2
    assert ConsentRecord.objects.filter(participant=survivor).count() >= 4
    assert CaseNote.objects.filter(participant=survivor).count() == 1


# Double submits


def _token(page):
    return re.search(rb'name="submission" value="([^"]+)"', page.content).group(1)


@pytest.mark.django_db
def test_a_double_click_on_register_creates_one_record(client_of, coordinator):
    client = client_of(coordinator)
    token = _token(client.get(reverse("participants:register"))).decode()
    first = client.post(
        reverse("participants:register"), {**REGISTER, "submission": token}
    )
    second = client.post(
        reverse("participants:register"), {**REGISTER, "submission": token}
    )

    person = Participant.objects.get()
    assert first["Location"] == second["Location"] == person.get_absolute_url()
    shown = client.get(second["Location"]).content.decode()
    assert "already saved" in shown


@pytest.mark.django_db(transaction=True)
def test_two_registers_at_once_with_one_token_create_one_record(postgres):
    from django.test import Client

    coordinator = MembershipFactory(role="coordinator")
    client = Client()
    log_in(client, coordinator.user)
    token = _token(client.get(reverse("participants:register"))).decode()
    barrier = threading.Barrier(3)

    def post():
        own = Client()
        log_in(own, coordinator.user)
        barrier.wait()
        return own.post(
            reverse("participants:register"), {**REGISTER, "submission": token}
        ).status_code

    runs = [_in_thread(post) for _ in range(3)]
    for thread, _ in runs:
        thread.start()
    for thread, _ in runs:
        thread.join(30)
    assert [result["value"] for _, result in runs] == [302, 302, 302]
    assert Participant.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        (
            "participants:meeting-add",
            {"kind": "phone", "held_at": "2024-03-01T10:00", "notes": "Called"},
        ),
        ("participants:support-add", {"kind": "careers", "given_on": "2024-03-01"}),
        (
            "participants:outcome-add",
            {
                "kind": "employment",
                "sector": "health_social_care",
                "started_on": "2024-03-01",
                "employer": "Tamar Care",
            },
        ),
    ],
)
def test_a_double_submit_of_a_record_creates_one(
    client_of, coordinator, url_name, data
):
    person = ParticipantFactory(academy=coordinator.academy)
    client = client_of(coordinator)
    url = reverse(url_name, args=[person.pk])
    token = _token(client.get(url)).decode()
    responses = [client.post(url, {**data, "submission": token}) for _ in range(2)]
    assert [r.status_code for r in responses] == [302, 302]
    person.refresh_from_db()
    counts = (person.meetings.count(), person.support.count(), person.outcomes.count())
    assert sum(counts) == 1


# Nothing deletes casework by accident


@pytest.mark.django_db
def test_a_user_who_recorded_casework_cannot_be_deleted(coordinator):
    person = ParticipantFactory(
        academy=coordinator.academy, coordinator=coordinator.user
    )
    MeetingFactory(participant=person, recorded_by=coordinator.user)
    with pytest.raises(ProtectedError):
        coordinator.user.delete()
    person.refresh_from_db()
    assert person.coordinator == coordinator.user


@pytest.mark.django_db
def test_a_participant_or_vacancy_with_history_cannot_be_deleted(coordinator):
    person = ParticipantFactory(academy=coordinator.academy)
    MeetingFactory(participant=person)
    vacancy = VacancyFactory(academy=coordinator.academy)
    ReferralFactory(
        participant=ParticipantFactory(academy=coordinator.academy), vacancy=vacancy
    )
    with pytest.raises(ProtectedError):
        person.delete()
    with pytest.raises(ProtectedError):
        vacancy.delete()


@pytest.mark.django_db
@pytest.mark.parametrize("model", [User, Participant, Vacancy])
def test_django_admin_offers_no_delete(admin_user, model):
    request = RequestFactory().get("/")
    request.user = admin_user
    model_admin = django_admin.site._registry[model]
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)


@pytest.mark.django_db
def test_an_admin_reassigns_a_leavers_caseload_in_one_step(client_of, admin):
    leaver = MembershipFactory(academy=admin.academy, role="coordinator")
    colleague = MembershipFactory(academy=admin.academy, role="coordinator")
    for _ in range(3):
        ParticipantFactory(academy=admin.academy, coordinator=leaver.user)
    ParticipantFactory(academy=admin.academy, coordinator=colleague.user)

    response = client_of(admin).post(
        reverse("participants:caseload-reassign", args=[leaver.pk]),
        {"to": colleague.pk, "deactivate": "on"},
        follow=True,
    )

    assert "3 people moved" in response.content.decode()
    assert Participant.objects.filter(coordinator=colleague.user).count() == 4
    leaver.refresh_from_db()
    assert not leaver.is_active


@pytest.mark.django_db
def test_reassigning_to_someone_outside_the_academy_is_refused(
    client_of, admin, other_coordinator
):
    leaver = MembershipFactory(academy=admin.academy, role="coordinator")
    ParticipantFactory(academy=admin.academy, coordinator=leaver.user)
    response = client_of(admin).post(
        reverse("participants:caseload-reassign", args=[leaver.pk]),
        {"to": other_coordinator.pk},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Participant.objects.get().coordinator == leaver.user


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coordinator", "provider", "manager"])
def test_only_an_admin_reassigns_a_caseload(request, client_of, role):
    member = request.getfixturevalue(role)
    leaver = MembershipFactory(academy=member.academy, role="coordinator")
    response = client_of(member).get(
        reverse("participants:caseload-reassign", args=[leaver.pk])
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_another_academys_member_cannot_be_reassigned(client_of, admin, other_admin):
    leaver = MembershipFactory(academy=other_admin.academy, role="coordinator")
    response = client_of(admin).get(
        reverse("participants:caseload-reassign", args=[leaver.pk])
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_an_outcome_is_protected_by_its_participant(coordinator):
    outcome = OutcomeFactory(
        participant=ParticipantFactory(academy=coordinator.academy)
    )
    with pytest.raises(ProtectedError):
        outcome.participant.delete()
