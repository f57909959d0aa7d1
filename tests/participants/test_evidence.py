"""Start evidence as the database computes it: age at start, its band, what lacks."""

import datetime as dt

import pytest

from participants.models import Participant
from participants.selectors.evidence import (
    age_at_start,
    age_band_at_start,
    age_on,
    evidence_missing,
    missing_keys,
)
from tests.academy.factories import UserFactory

from .factories import ParticipantFactory

pytestmark = pytest.mark.django_db

CASES = [
    # born, registered, age on the day
    (dt.date(2000, 5, 17), dt.date(2024, 5, 16), 23),
    (dt.date(2000, 5, 17), dt.date(2024, 5, 17), 24),
    (dt.date(2000, 5, 17), dt.date(2025, 5, 17), 25),
    (dt.date(2000, 12, 31), dt.date(2025, 1, 1), 24),
    (dt.date(2004, 2, 29), dt.date(2024, 2, 28), 19),
    (dt.date(2004, 2, 29), dt.date(2024, 2, 29), 20),
    (dt.date(1974, 3, 1), dt.date(2024, 2, 29), 49),
    (dt.date(1974, 2, 28), dt.date(2024, 2, 29), 50),
    (dt.date(1959, 6, 1), dt.date(2024, 6, 1), 65),
]


def test_age_at_start_in_sql_is_the_same_as_in_python():
    people = {
        ParticipantFactory(date_of_birth=born, registered_on=on).pk: age
        for born, on, age in CASES
    }
    computed = dict(
        Participant.objects.filter(pk__in=people)
        .annotate(age=age_at_start())
        .values_list("pk", "age")
    )
    assert computed == people
    assert [age_on(born, on) for born, on, _ in CASES] == [a for *_, a in CASES]


def test_age_band_at_start_puts_each_edge_in_its_band_and_no_birth_date_in_unknown():
    expected = {}
    for born, on, band in [
        (dt.date(2000, 5, 17), dt.date(2024, 5, 16), "16_24"),
        (dt.date(1999, 5, 17), dt.date(2024, 5, 17), "25_49"),
        (dt.date(1974, 3, 1), dt.date(2024, 2, 29), "25_49"),
        (dt.date(1974, 2, 28), dt.date(2024, 2, 29), "50_64"),
        (dt.date(1959, 6, 1), dt.date(2024, 6, 1), "65_plus"),
        (None, dt.date(2024, 6, 1), "unknown"),
    ]:
        expected[ParticipantFactory(date_of_birth=born, registered_on=on).pk] = band
    bands = dict(
        Participant.objects.filter(pk__in=expected)
        .alias(age=age_at_start())
        .annotate(band=age_band_at_start())
        .values_list("pk", "band")
    )
    assert bands == expected


def test_missing_evidence_is_the_same_in_sql_and_for_one_person():
    checker = UserFactory()
    complete = ParticipantFactory(
        status_at_entry="unemployed",
        right_to_work="yes",
        right_to_work_checked_on=dt.date(2024, 1, 15),
        right_to_work_checked_by=checker,
        right_to_work_document="share_code",
    )
    no_status = ParticipantFactory(status_at_entry="", right_to_work="unknown")
    yes_without_check = ParticipantFactory(
        status_at_entry="inactive", right_to_work="yes"
    )
    assert missing_keys(complete) == []
    assert missing_keys(no_status) == ["economic_status", "right_to_work"]
    assert missing_keys(yes_without_check) == ["right_to_work_check"]
    lacking = set(
        Participant.objects.filter(evidence_missing()).values_list("pk", flat=True)
    )
    assert lacking == {no_status.pk, yes_without_check.pk}
