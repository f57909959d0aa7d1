"""Matching at scale: the database narrows and ranks, Python explains only the matches
shown, and what is shown is exactly what scoring everyone in Python would show."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from academy.models import Postcode
from academy.places.geo import Place
from participants.models import Participant, SkillsActionPlan
from tests.academy.factories import OrganisationFactory
from tests.participants.factories import ParticipantFactory
from tests.vacancies.factories import TrainingFactory, VacancyFactory
from vacancies import matching, matching_sql, selectors
from vacancies.models import CareRole, TrainingOpportunity

pytestmark = pytest.mark.django_db

# Full postcodes and a district alone (placed by their district), one nobody knows.
CENTROIDS = {
    "PL4 6AB": (50.3740, -4.1210),
    "PL5 1CD": (50.4100, -4.1900),
    "PL7 4JH": (50.3880, -4.0400),
    "PL9": (50.3500, -4.1000),
}
POSTCODES = ["PL4 6AB", "PL5 1CD", "PL7 4JH", "PL9 7ZZ", "TR1 1AA", ""]
TARGETS = [
    "",
    "care_worker",
    "Home carer",
    "Senior carer",
    "Nurse",
    "Kitchen",
    "Driver",
    "Something else",
]


@pytest.fixture
def centroids():
    for postcode, (latitude, longitude) in CENTROIDS.items():
        Postcode.objects.update_or_create(
            postcode=postcode,
            defaults={"latitude": latitude, "longitude": longitude, "source": "test"},
        )


def _membership(academy):
    class Coordinator:
        pass

    member = Coordinator()
    member.academy = academy
    member.role = "coordinator"
    return member


def _python_top_people(academy, vacancy, limit):
    """Every open case scored in Python, in the list's order: the reference."""
    people = list(
        Participant.objects.for_academy(academy)
        .open()
        .order_by("last_name", "first_name", "pk")
    )
    persons = {p.pk: selectors._person(p) for p in people}
    opening = selectors._vacancy_opening(vacancy)
    in_demand = selectors.roles_in_demand(academy=academy)
    ranked = matching.rank(
        ((persons[p.pk], opening) for p in people),
        roles_in_demand=in_demand,
        limit=limit,
    )
    return [(m.person.id, m.points, m.blocked) for m in ranked]


def _python_top_openings(academy, participant, limit):
    person = selectors._person(participant)
    today = timezone.localdate()
    in_demand = selectors.roles_in_demand(academy=academy)
    vacancies = [
        selectors._vacancy_opening(v)
        for v in selectors.open_vacancies(academy=academy, today=today)
    ]
    training = [
        selectors._training_opening(t)
        for t in TrainingOpportunity.objects.for_academy(academy).filter(
            is_open=True, starts_on__gte=today
        )
    ]
    return tuple(
        [
            (m.opening.id, m.points, m.blocked)
            for m in matching.rank(
                ((person, o) for o in openings),
                roles_in_demand=in_demand,
                limit=limit,
            )
        ]
        for openings in (vacancies, training)
    )


people_st = st.lists(
    st.fixed_dictionaries(
        {
            "last_name": st.sampled_from(["Ash", "Birch", "Cedar"]),
            "postcode": st.sampled_from(POSTCODES),
            "hours_wanted": st.sampled_from([None, 16, 30, 37]),
            "has_driving_licence": st.booleans(),
            "has_car": st.booleans(),
            "dbs_level": st.sampled_from(["none", "basic", "enhanced"]),
            "right_to_work": st.sampled_from(["yes", "yes", "unknown", "no"]),
            "status": st.sampled_from(["open", "open", "open", "closed"]),
            "plans": st.lists(st.sampled_from(TARGETS), max_size=2),
        }
    ),
    min_size=1,
    max_size=14,
)
opening_st = st.fixed_dictionaries(
    {
        "role": st.sampled_from(
            ["care_worker", "senior_care_worker", "driver", "registered_manager"]
        ),
        "place": st.sampled_from([None, *CENTROIDS.values()]),
        "hours_per_week": st.sampled_from(
            [Decimal("16"), Decimal("30"), Decimal("37.5")]
        ),
        "needs_driving_licence": st.booleans(),
        "dbs_level": st.sampled_from(["none", "basic", "enhanced"]),
        "is_critical_shortage": st.booleans(),
        "closing_in": st.integers(min_value=0, max_value=3),
    }
)


def _make_people(academy, people):
    made = []
    for n, fields in enumerate(people):
        plans = fields.pop("plans")
        person = ParticipantFactory(academy=academy, first_name=f"P{n % 2}", **fields)
        for days, target in enumerate(plans):
            SkillsActionPlan.objects.create(
                participant=person,
                agreed_on=dt.date(2025, 1, 1) + dt.timedelta(days=days),
                target_role=target,
            )
        made.append(person)
    return made


def _make_vacancy(academy, organisation, fields):
    place = fields.pop("place")
    closing = timezone.localdate() + dt.timedelta(days=fields.pop("closing_in"))
    return VacancyFactory(
        academy=academy,
        organisation=organisation,
        latitude=place[0] if place else None,
        longitude=place[1] if place else None,
        closing_on=closing,
        **fields,
    )


@settings(
    derandomize=True,
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(people=people_st, vacancy=opening_st, limit=st.integers(1, 4))
def test_a_vacancys_shown_matches_are_those_full_scoring_shows(
    academy, centroids, people, vacancy, limit
):
    with transaction.atomic():
        _make_people(academy, people)
        job = _make_vacancy(academy, OrganisationFactory(academy=academy), vacancy)
        shown = selectors.matches_for_vacancy(
            membership=_membership(academy), vacancy=job, limit=limit
        )
        assert [
            (m.person.id, m.points, m.blocked) for m in shown
        ] == _python_top_people(academy, job, limit)
        transaction.set_rollback(True)


@settings(
    derandomize=True,
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    person=people_st.map(lambda people: people[0]),
    openings=st.lists(opening_st, min_size=1, max_size=10),
    training_roles=st.lists(st.sampled_from(["", "care_worker", "cook"]), max_size=3),
    limit=st.integers(1, 4),
)
def test_a_persons_shown_matches_are_those_full_scoring_shows(
    academy, centroids, person, openings, training_roles, limit
):
    with transaction.atomic():
        (participant,) = _make_people(academy, [person])
        organisation = OrganisationFactory(academy=academy)
        for fields in openings:
            _make_vacancy(academy, organisation, fields)
        for role in training_roles:
            TrainingFactory(academy=academy, organisation=organisation, role=role)
        vacancies, training = selectors.matches_for_participant(
            membership=_membership(academy), participant=participant, limit=limit
        )
        shown = (
            [(m.opening.id, m.points, m.blocked) for m in vacancies],
            [(m.opening.id, m.points, m.blocked) for m in training],
        )
        assert shown == _python_top_openings(academy, participant, limit)
        transaction.set_rollback(True)


def _spy_people(monkeypatch):
    """How many people matching builds from database rows (all of them, before)."""
    built = []
    real = selectors._people

    def spy(rows):
        people = real(rows)
        built.append(len(people))
        return people

    monkeypatch.setattr(selectors, "_people", spy)
    return built


@pytest.mark.parametrize("role", ["care_worker", "registered_manager"])
def test_matching_a_vacancy_builds_only_the_people_it_shows(
    academy, centroids, monkeypatch, django_assert_max_num_queries, role
):
    organisation = OrganisationFactory(academy=academy)
    job = VacancyFactory(academy=academy, organisation=organisation, role=role)
    for n in range(30):
        person = ParticipantFactory(academy=academy, postcode=POSTCODES[n % 5])
        SkillsActionPlan.objects.create(
            participant=person, agreed_on=dt.date(2025, 1, 1), target_role="Carer"
        )
    built = _spy_people(monkeypatch)
    # At most four rankings (near, fitting, wanting the role, everyone), whatever
    # the number of people.
    with django_assert_max_num_queries(9):
        shown = selectors.matches_for_vacancy(
            membership=_membership(academy), vacancy=job, limit=5
        )
    assert len(shown) == 5
    assert sum(built) == 5


def test_matching_a_person_builds_only_the_openings_it_shows(
    academy, centroids, monkeypatch, django_assert_max_num_queries
):
    organisation = OrganisationFactory(academy=academy)
    VacancyFactory.create_batch(30, academy=academy, organisation=organisation)
    person = ParticipantFactory(academy=academy)
    built = []
    real = selectors._vacancy_opening

    def spy(vacancy):
        built.append(vacancy.pk)
        return real(vacancy)

    monkeypatch.setattr(selectors, "_vacancy_opening", spy)
    with django_assert_max_num_queries(8):
        vacancies, _ = selectors.matches_for_participant(
            membership=_membership(academy), participant=person, limit=5
        )
    assert len(vacancies) == 5
    assert len(built) == 5


def test_the_shortlist_bounds_follow_the_weights():
    job = matching.Opening(
        id=1,
        kind="vacancy",
        title="Care worker",
        role=CareRole.CARE_WORKER,
        place=Place(50.37, -4.14, "postcode"),
        hours=Decimal("37.5"),
        needs_driving_licence=False,
        dbs_level="none",
        is_critical_shortage=False,
        closing_on=dt.date(2030, 1, 1),
    )
    # No role recorded (10) + within 5 km (20) + hours (10).
    assert matching_sql.best_with_role(job, role_points=10) == 40
    # Wanted role (40) + 5 km (20) + hours (10), less a check not done yet (5).
    assert matching_sql.best_short_of_fit(job, role_points=40) == 65
    assert matching_sql.best_short_of_fit(job, role_points=10) == 35
    # With no place for the opening, everyone's distance is unknown (5).
    nowhere = dataclasses.replace(job, place=None)
    assert matching_sql.best_with_role(nowhere, role_points=10) == 25
    # Beyond the nearest 5 km: 10 km at best (15) instead of 20.
    assert matching_sql.best_beyond_near(job, role_points=40) == 65


def _spy_shortlists(monkeypatch):
    """The size of each shortlist matching ranks, in order."""
    ranked = []
    real = selectors._people_ranked

    def spy(people, opening, texts, limit):
        ranked.append(people.count())
        return real(people, opening, texts, limit)

    monkeypatch.setattr(selectors, "_people_ranked", spy)
    return ranked


@pytest.mark.parametrize("target", ["Carer", ""])
def test_matching_a_vacancy_ranks_only_the_people_near_it_when_they_top_it(
    academy, centroids, monkeypatch, target
):
    """Issue 16: a vacancy's matching people took 10.3x the minimal page at 100,000
    people, scoring each of the thousands who want the role (or, when nobody's plan
    names it, each who fits). Those near the opening rank first when enough of them
    gain every point; the rest are never scored. Both when people want the role and
    when nobody's plan names it."""
    organisation = OrganisationFactory(academy=academy)
    job = VacancyFactory(
        academy=academy,
        organisation=organisation,
        role="care_worker",
        latitude=CENTROIDS["PL4 6AB"][0],
        longitude=CENTROIDS["PL4 6AB"][1],
        hours_per_week=Decimal("30"),
        needs_driving_licence=False,
        dbs_level="none",
    )
    near, far = [], []
    for _ in range(12):
        for postcode, group in (("PL4 6AB", near), ("TR1 1AA", far)):
            person = ParticipantFactory(
                academy=academy, postcode=postcode, right_to_work="yes"
            )
            if target:
                SkillsActionPlan.objects.create(
                    participant=person,
                    agreed_on=dt.date(2025, 1, 1),
                    target_role=target,
                )
            group.append(person.pk)
    ranked = _spy_shortlists(monkeypatch)
    shown = selectors.matches_for_vacancy(
        membership=_membership(academy), vacancy=job, limit=5
    )
    assert [m.person.id for m in shown] == [
        pk for pk, _, _ in _python_top_people(academy, job, 5)
    ]
    assert {m.person.id for m in shown} <= set(near)
    assert ranked == [len(near)]


def test_people_whose_district_alone_is_near_are_ranked_with_the_near(
    academy, centroids
):
    """A postcode not in the centroids is placed by its district ('PL9 7ZZ' by
    'PL9'): near the opening by that, it is in the near shortlist."""
    organisation = OrganisationFactory(academy=academy)
    job = VacancyFactory(
        academy=academy,
        organisation=organisation,
        role="care_worker",
        latitude=CENTROIDS["PL9"][0],
        longitude=CENTROIDS["PL9"][1],
        hours_per_week=Decimal("30"),
        needs_driving_licence=False,
        dbs_level="none",
    )
    district = ParticipantFactory(academy=academy, postcode="PL9 7ZZ", last_name="Ash")
    far = ParticipantFactory(academy=academy, postcode="TR1 1AA", last_name="Birch")
    people = Participant.objects.filter(pk__in=[district.pk, far.pk])
    near = matching_sql.near(selectors._vacancy_opening(job).place)
    assert list(people.filter(near).values_list("pk", flat=True)) == [district.pk]
    shown = selectors.matches_for_vacancy(
        membership=_membership(academy), vacancy=job, limit=1
    )
    assert [m.person.id for m in shown] == [district.pk]
