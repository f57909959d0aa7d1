"""Each metric on small hand-made data sets (spec/impact-report.md)."""

import datetime as dt

import pytest

from reporting.disclosure import disclose
from reporting.impact import METRIC_KEYS, impact_report, metric_people
from tests.participants.factories import (
    OutcomeFactory,
    ParticipantCohortFactory,
    ParticipantFactory,
    SkillsActionPlanFactory,
    SupportFactory,
)

START, END = dt.date(2024, 4, 1), dt.date(2024, 6, 30)
BEFORE, FIRST, LAST, AFTER = (
    dt.date(2024, 3, 31),
    dt.date(2024, 4, 1),
    dt.date(2024, 6, 30),
    dt.date(2024, 7, 1),
)


def report(academy):
    return impact_report(academy=academy, start=START, end=END)


@pytest.mark.django_db
def test_a_person_with_several_plans_counts_once(academy):
    person = ParticipantFactory(academy=academy)
    SkillsActionPlanFactory(participant=person, agreed_on=FIRST)
    SkillsActionPlanFactory(participant=person, agreed_on=dt.date(2024, 5, 1))
    assert report(academy).value("action_plan_people") == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "counted"), [(BEFORE, 0), (FIRST, 1), (LAST, 1), (AFTER, 0)]
)
def test_period_includes_its_first_and_last_day_only(academy, day, counted):
    person = ParticipantFactory(academy=academy, registered_on=day)
    SkillsActionPlanFactory(participant=person, agreed_on=day)
    SupportFactory(participant=person, given_on=day, kind="careers")
    OutcomeFactory(participant=person, started_on=day, kind="training", sector="")
    OutcomeFactory(participant=person, started_on=day, sector="health_social_care")
    r = report(academy)
    for key in (
        "action_plan_people",
        "support_people",
        "training_experience_volunteering",
        "employment_health_social_care",
        "people_registered",
    ):
        assert r.value(key) == counted, key


@pytest.mark.django_db
def test_claimant_split_follows_the_participants_claimant_field(academy):
    for claimant in (True, True, False):
        SkillsActionPlanFactory(
            participant=ParticipantFactory(academy=academy, is_claimant=claimant),
            agreed_on=FIRST,
        )
    r = report(academy)
    assert (
        r.value("action_plan_people"),
        r.value("action_plan_claimants"),
        r.value("action_plan_non_claimants"),
    ) == (3, 2, 1)
    assert r.value("action_plan_people", "claimant", "yes") == 2
    assert r.value("action_plan_people", "claimant", "no") == 1
    assert r.value("action_plan_claimants", "claimant", "no") == 0


@pytest.mark.django_db
def test_support_of_kind_other_is_not_counted(academy):
    SupportFactory(participant__academy=academy, given_on=FIRST, kind="other")
    counted = SupportFactory(
        participant__academy=academy, given_on=FIRST, kind="mental_health"
    )
    SupportFactory(participant=counted.participant, given_on=LAST, kind="financial")
    assert report(academy).value("support_people") == 1


@pytest.mark.django_db
def test_employment_counts_by_sector_and_training_kinds_together(academy):
    person = ParticipantFactory(academy=academy)
    OutcomeFactory(participant=person, started_on=FIRST, sector="health_social_care")
    OutcomeFactory(participant=person, started_on=LAST, sector="other")
    for kind in ("training", "work_experience", "volunteering", "education"):
        OutcomeFactory(
            participant__academy=academy, started_on=FIRST, kind=kind, sector=""
        )
    r = report(academy)
    assert r.value("employment_health_social_care") == 1
    assert r.value("employment_other_sector") == 1
    assert r.value("training_experience_volunteering") == 3


@pytest.mark.django_db
def test_a_person_in_several_cohorts_counts_once_in_each(academy):
    person = ParticipantFactory(academy=academy)
    for code in ("refugee", "over_50"):
        ParticipantCohortFactory(participant=person, code=code)
    SkillsActionPlanFactory(participant=person, agreed_on=FIRST)
    SkillsActionPlanFactory(participant=person, agreed_on=LAST)
    r = report(academy)
    assert r.value("action_plan_people", "cohort", "refugee") == 1
    assert r.value("action_plan_people", "cohort", "over_50") == 1
    assert r.value("action_plan_people", "cohort", "neet") == 0
    assert r.value("action_plan_people") == 1


@pytest.mark.django_db
def test_other_academies_never_count(academy, other_academy):
    SkillsActionPlanFactory(participant__academy=other_academy, agreed_on=FIRST)
    assert report(academy).value("action_plan_people") == 0


@pytest.mark.django_db
def test_every_metric_has_every_breakdown_category_zeros_included(academy):
    rows = report(academy).rows
    assert len(rows) == len(METRIC_KEYS) * (1 + 2 + 10)
    assert all(row.value == 0 for row in rows)


@pytest.mark.django_db
def test_the_people_behind_a_figure_are_the_ones_counted(academy):
    plan = SkillsActionPlanFactory(participant__academy=academy, agreed_on=FIRST)
    SkillsActionPlanFactory(participant__academy=academy, agreed_on=AFTER)
    people = metric_people(
        academy=academy, key="action_plan_people", start=START, end=END
    )
    assert list(people) == [plan.participant]


@pytest.mark.django_db
def test_report_queries_do_not_grow_with_records(
    academy, django_assert_max_num_queries
):
    report(academy)  # builds the summaries
    SkillsActionPlanFactory(participant__academy=academy, agreed_on=FIRST)
    with django_assert_max_num_queries(40) as few:
        report(academy)  # counts the one changed person again
    for _ in range(20):
        SkillsActionPlanFactory(participant__academy=academy, agreed_on=FIRST)
    with django_assert_max_num_queries(len(few.captured_queries)):
        report(academy)  # ... and the twenty


@pytest.mark.parametrize(
    ("value", "shown"), [(0, 0), (1, "<5"), (4, "<5"), (5, 5), (653, 653)]
)
def test_publication_shows_one_to_four_as_less_than_five(value, shown):
    assert disclose({"n": value}, publish=True) == {"n": shown}
    assert disclose({"n": value}, publish=False) == {"n": value}
