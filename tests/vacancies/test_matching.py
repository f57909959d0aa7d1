"""Matching: the scoring function and ranking on small hand-made cases, and the
selectors that feed it from the database."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from academy.places.geo import Place
from participants.models import Participant
from tests.participants.factories import ParticipantFactory
from tests.vacancies.factories import TrainingFactory, VacancyFactory
from vacancies import matching, selectors
from vacancies.matching import Opening, Person, rank, role_from_text, score
from vacancies.models import CareRole, Vacancy

HOME = Place(50.3700, -4.1400, "postcode")
NEAR = Place(50.3880, -4.1400, "postcode")  # 2 km north
FAR = Place(50.5100, -4.1400, "postcode")  # 15.6 km north
VERY_FAR = Place(50.7000, -4.1400, "postcode")  # 36.7 km north
DISTRICT = Place(50.3880, -4.1400, "district")
CLOSES = dt.date(2030, 6, 1)


def person(**changes):
    fields = {
        "id": 1,
        "name": "Amira Haddad",
        "role_wanted": CareRole.CARE_WORKER,
        "place": HOME,
        "hours_wanted": 37,
        "has_driving_licence": True,
        "has_car": True,
        "dbs_level": "enhanced",
        "right_to_work": "yes",
    }
    return Person(**{**fields, **changes})


def opening(id=10, **changes):
    fields = {
        "id": id,
        "kind": "vacancy",
        "title": f"Opening {id}",
        "role": CareRole.CARE_WORKER,
        "place": NEAR,
        "hours": Decimal("37.5"),
        "needs_driving_licence": False,
        "dbs_level": "enhanced",
        "is_critical_shortage": False,
        "closing_on": CLOSES,
    }
    return Opening(**{**fields, **changes})


def ranked_ids(who, *openings, **kwargs):
    return [m.opening.id for m in rank(((who, o) for o in openings), **kwargs)]


def test_the_wanted_role_ranks_above_another_role():
    wanted = opening(1, role=CareRole.CARE_WORKER)
    other = opening(2, role=CareRole.COOK)
    assert ranked_ids(person(), other, wanted) == [1, 2]
    assert (
        "The role they want: Care worker / home carer"
        in score(person(), wanted).reason_words
    )
    assert "Not the role they want (Care worker / home carer)" in (
        score(person(), other).reason_words
    )


def test_nearer_ranks_above_farther():
    near, far = opening(1, place=NEAR), opening(2, place=FAR)
    assert ranked_ids(person(), far, near) == [1, 2]
    match = score(person(), near)
    assert match.distance_km == pytest.approx(2.0, abs=0.05)
    assert "2.0 km away" in match.reason_words


def test_a_district_centroid_says_the_distance_is_approximate():
    assert (
        "2.0 km away (approx.)" in score(person(), opening(place=DISTRICT)).reason_words
    )


def test_no_right_to_work_blocks_and_goes_below_any_unblocked_match():
    shortage = opening(is_critical_shortage=True)
    cannot_work = person(id=1, right_to_work="no")
    poor_fit = person(id=2, role_wanted=CareRole.COOK, place=None, hours_wanted=10)
    match = score(cannot_work, shortage)
    assert match.blocked
    assert "No right to work yet" in match.reason_words
    # Blocked goes last even with more points than the poor fit.
    assert match.points > score(poor_fit, shortage).points
    ranked = rank([(cannot_work, shortage), (poor_fit, shortage)])
    assert [m.person.id for m in ranked] == [2, 1]


def test_needing_a_licence_and_car_they_lack_blocks_the_match():
    needs_car = opening(1, needs_driving_licence=True, is_critical_shortage=True)
    unblocked = opening(2, role=CareRole.DOMESTIC, place=FAR)
    who = person(has_driving_licence=True, has_car=False)
    match = score(who, needs_car)
    assert match.blocked
    assert (
        "Needs a driving licence and car, which they do not have" in match.reason_words
    )
    # Blocked goes last even though it is a critical shortage in the role they want.
    assert ranked_ids(who, needs_car, unblocked) == [2, 1]
    assert not score(person(), needs_car).blocked


def test_right_to_work_not_checked_costs_points_but_does_not_block():
    checked = score(person(), opening())
    unchecked = score(person(right_to_work="unknown"), opening())
    assert not unchecked.blocked
    assert unchecked.points == checked.points - 5
    assert "Right to work not checked yet" in unchecked.reason_words


def test_a_home_care_seeker_sees_the_role_that_fits_above_shortages_in_other_roles():
    # Issue 15, seen: critical shortages in other roles ranked above the one that fits.
    home_carer = opening(1, title="Home carer", role=CareRole.CARE_WORKER)
    hca = opening(
        2,
        title="Healthcare assistant",
        role=CareRole.NURSING_ASSISTANT,
        is_critical_shortage=True,
    )
    nurse = opening(
        3,
        title="Registered nurse (nights)",
        role=CareRole.REGISTERED_NURSE,
        is_critical_shortage=True,
    )
    demand = frozenset({CareRole.REGISTERED_NURSE.value})
    seeker = person(role_wanted=role_from_text("Home care"))
    assert ranked_ids(seeker, hca, nurse, home_carer, roles_in_demand=demand) == [
        1,
        3,
        2,
    ]
    assert score(seeker, hca).reason_words[0] == (
        "Critical shortage: the provider needs people now"
    )


def test_a_critical_shortage_breaks_a_tie_between_equal_fits():
    plain = opening(1, closing_on=CLOSES - dt.timedelta(days=3))
    shortage = opening(2, is_critical_shortage=True)
    assert score(person(), plain).points == score(person(), shortage).points
    assert ranked_ids(person(), plain, shortage) == [2, 1]
    # ...but not between unequal ones: a nearer plain match wins.
    far_shortage = opening(3, place=FAR, is_critical_shortage=True)
    assert ranked_ids(person(), far_shortage, plain) == [1, 3]


def test_a_role_in_demand_breaks_a_tie_after_a_critical_shortage():
    # No role recorded: every role fits them equally, so only the tie-breakers decide.
    undecided = person(role_wanted=None)
    plain = opening(1, role=CareRole.COOK, closing_on=CLOSES - dt.timedelta(days=3))
    in_demand = opening(2, role=CareRole.SENIOR_CARE_WORKER)
    shortage = opening(3, role=CareRole.DOMESTIC, is_critical_shortage=True)
    demand = frozenset({CareRole.SENIOR_CARE_WORKER.value})
    assert len({score(undecided, o).points for o in (plain, in_demand, shortage)}) == 1
    assert ranked_ids(
        undecided, plain, in_demand, shortage, roles_in_demand=demand
    ) == [3, 2, 1]
    match = score(undecided, in_demand, roles_in_demand=demand)
    assert match.in_demand
    assert "A role in demand in this area" in match.reason_words


def test_a_role_in_demand_gives_no_points():
    demand = frozenset({CareRole.CARE_WORKER.value})
    assert (
        score(person(), opening(), roles_in_demand=demand).points
        == score(person(), opening()).points
    )
    other_role_in_demand = opening(1, role=CareRole.COOK)
    wanted = opening(2, place=FAR)
    assert ranked_ids(
        person(),
        other_role_in_demand,
        wanted,
        roles_in_demand=frozenset({CareRole.COOK.value}),
    ) == [2, 1]


def test_ties_go_to_the_soonest_closing_date():
    later = opening(1, closing_on=CLOSES)
    sooner = opening(2, closing_on=CLOSES - dt.timedelta(days=3))
    assert ranked_ids(person(), later, sooner) == [2, 1]


def test_an_unknown_postcode_still_matches_and_says_so():
    mine = score(person(place=None), opening())
    assert not mine.blocked
    assert mine.distance_km is None
    assert "Distance unknown: their postcode was not found" in mine.reason_words
    theirs = score(person(), opening(place=None))
    assert "Distance unknown: the opportunity's postcode was not found" in (
        theirs.reason_words
    )
    # Unknown distance (+5) ranks above one over 20 km away (+0), below a near one.
    assert ranked_ids(
        person(),
        opening(1, place=VERY_FAR),
        opening(2, place=None),
        opening(3, place=NEAR),
    ) == [3, 2, 1]


def test_hours_within_eight_of_those_wanted_fit():
    fits = score(person(hours_wanted=30), opening(hours=Decimal("37.5")))
    assert "37.5 hours a week, near the 30 they want" in fits.reason_words
    misfit = score(person(hours_wanted=16), opening(hours=Decimal("37.5")))
    assert "37.5 hours a week; they want 16" in misfit.reason_words
    assert fits.points - misfit.points == matching.HOURS_FIT
    no_wish = score(person(hours_wanted=None), opening(hours=Decimal("37.5")))
    assert no_wish.points == fits.points
    assert not any("hours a week" in r for r in no_wish.reason_words)


def test_a_higher_dbs_level_than_held_is_a_small_minus_not_a_block():
    held = score(person(dbs_level="enhanced"), opening(dbs_level="enhanced"))
    short = score(person(dbs_level="basic"), opening(dbs_level="enhanced"))
    assert not short.blocked
    assert held.points - short.points == -matching.DBS_SHORT
    assert any(r.endswith("DBS check (they can apply)") for r in short.reason_words)
    assert not any("DBS" in r for r in held.reason_words)


def test_no_target_role_is_neither_for_nor_against():
    match = score(person(role_wanted=None), opening())
    assert "No target role recorded in their plan yet" in match.reason_words
    assert ranked_ids(person(role_wanted=None), opening(1), opening(2, place=FAR)) == [
        1,
        2,
    ]


def test_the_points_follow_the_documented_weights():
    # wanted role 40 + within 5 km 20 + hours fit 10
    assert score(person(), opening()).points == 70


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Home carer", CareRole.CARE_WORKER),
        ("Care worker", CareRole.CARE_WORKER),
        ("HCA", CareRole.NURSING_ASSISTANT),
        ("Healthcare assistant", CareRole.NURSING_ASSISTANT),
        ("Senior Care Worker", CareRole.SENIOR_CARE_WORKER),
        ("Registered Nurse (RMN)", CareRole.REGISTERED_NURSE),
        ("support worker", CareRole.SUPPORT_WORKER),
        ("Registered manager", CareRole.REGISTERED_MANAGER),
        ("Kitchen assistant", CareRole.COOK),
        ("senior_care_worker", CareRole.SENIOR_CARE_WORKER),
        ("", None),
        ("Something in an office", None),
    ],
)
def test_role_from_text_reads_typical_target_roles(text, role):
    assert role_from_text(text) == role


# The selectors on the database.


@pytest.mark.django_db
def test_matches_for_participant_are_the_academys_open_unexpired_vacancies(
    coordinator, other_academy
):
    academy = coordinator.academy
    today = timezone.localdate()
    wanted = VacancyFactory(academy=academy, title="Open one")
    VacancyFactory(academy=academy, title="Paused", status=Vacancy.Status.PAUSED)
    VacancyFactory(academy=academy, title="Closed", status=Vacancy.Status.CLOSED)
    VacancyFactory(
        academy=academy, title="Expired", closing_on=today - dt.timedelta(days=1)
    )
    VacancyFactory(academy=other_academy, title="Elsewhere")
    training = TrainingFactory(academy=academy, title="Care Certificate")
    TrainingFactory(academy=academy, title="Full", is_open=False)
    TrainingFactory(academy=other_academy, title="Elsewhere course")
    amira = ParticipantFactory(academy=academy)

    vacancies, courses = selectors.matches_for_participant(
        membership=coordinator, participant=amira
    )

    assert [m.opening.id for m in vacancies] == [wanted.pk]
    assert [m.opening.id for m in courses] == [training.pk]
    assert vacancies[0].person.id == amira.pk


@pytest.mark.django_db
def test_matches_for_participant_reads_the_latest_plans_target_role(coordinator):
    from tests.participants.factories import SkillsActionPlanFactory

    academy = coordinator.academy
    cook = VacancyFactory(academy=academy, role="cook")
    carer = VacancyFactory(academy=academy, role="care_worker")
    amira = ParticipantFactory(academy=academy)
    SkillsActionPlanFactory(
        participant=amira, agreed_on=dt.date(2024, 1, 1), target_role="Home carer"
    )
    SkillsActionPlanFactory(
        participant=amira, agreed_on=dt.date(2024, 6, 1), target_role="Chef"
    )

    vacancies, _ = selectors.matches_for_participant(
        membership=coordinator, participant=amira
    )

    assert [m.opening.id for m in vacancies] == [cook.pk, carer.pk]


@pytest.mark.django_db
def test_matches_for_vacancy_are_the_academys_open_cases(coordinator, other_academy):
    academy = coordinator.academy
    vacancy = VacancyFactory(academy=academy)
    open_case = ParticipantFactory(academy=academy)
    ParticipantFactory(academy=academy, status=Participant.Status.CLOSED)
    ParticipantFactory(academy=other_academy)

    matches = selectors.matches_for_vacancy(membership=coordinator, vacancy=vacancy)

    assert [m.person.id for m in matches] == [open_case.pk]
    assert matches[0].opening.id == vacancy.pk


def test_reasons_say_what_they_are_about_and_which_way_they_count():
    far = opening(needs_driving_licence=True)
    match = score(person(has_driving_licence=False), far)
    licence = match.reason("licence")
    assert (licence.points, licence.blocks, licence.is_bad) == (-30, True, True)
    distance = match.reason("distance")
    assert distance.kind == "distance"
    assert distance.is_good
    assert distance.words == "2.0 km away"


def test_reasons_are_met_not_met_or_unknown_with_blockers_first():
    who = person(has_car=False, hours_wanted=16, right_to_work="unknown")
    match = score(who, opening(needs_driving_licence=True, dbs_level="enhanced"))
    assert [r.words for r in match.met] == [
        "The role they want: Care worker / home carer",
        "2.0 km away",
    ]
    assert [r.words for r in match.not_met] == [
        "Needs a driving licence and car, which they do not have",
        "37.5 hours a week; they want 16",
    ]
    assert [r.words for r in match.unknown] == ["Right to work not checked yet"]
    assert [r.kind for r in match.blockers] == ["licence"]
    other = score(person(role_wanted=CareRole.COOK, place=None), opening(place=FAR))
    assert [r.words for r in other.not_met] == ["Not the role they want (Cook)"]
    assert "Distance unknown: their postcode was not found" in [
        r.words for r in other.unknown
    ]
    far = score(person(), opening(place=VERY_FAR))
    assert far.reason("distance") in far.not_met


def test_having_the_licence_and_car_a_job_needs_is_a_met_reason():
    match = score(person(), opening(needs_driving_licence=True))
    assert "Has the driving licence and car it needs" in [r.words for r in match.met]
    assert not match.blockers


def test_the_weights_table_in_readme_is_the_one_the_code_reads():
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    assert matching.weights_markdown() in readme
    assert matching.WEIGHTS["role_wanted"].points == matching.WANTED_ROLE
    assert matching.DISTANCE_POINTS == ((5.0, 20), (10.0, 15), (20.0, 8))
