"""The people search on PostgreSQL is served by trigram indexes (pg_trgm): each part
of the search (names, reference, e-mail, postcode, phone) can be found through a GIN
index, not a scan of every person; on SQLite the same lookups run plainly."""

import pytest
from django.db import connection

from participants import selectors
from participants.models import Participant
from participants.selectors.people import people_found
from tests.participants.factories import ParticipantFactory


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_trigram_extension_and_indexes_exist(postgres):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == (1,)
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = "
            "'participants_participant' AND indexdef LIKE '%gin_trgm_ops%'"
        )
        found = " ".join(row[0] for row in cursor.fetchall())
    for column in ("first_name", "last_name", "email", "reference", "postcode"):
        assert f"upper(({column})::text) gin_trgm_ops" in found
    assert "(phone gin_trgm_ops)" in found


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("ann", "first_name_uptrgm"),
        ("ann", "last_name_uptrgm"),
        ("Ann Adams", "last_name_uptrgm"),
        ("ca-000002", "reference_uptrgm"),
        ("BOB@example.net", "email_uptrgm"),
        ("pl4 6ab", "postcode_uptrgm"),
        ("9000021234567890", "phone_trgm"),
    ],
)
def test_each_part_of_the_search_is_served_by_its_trigram_index(
    postgres, coordinator, text, index
):
    ParticipantFactory.create_batch(3, academy=coordinator.academy)
    people = people_found(Participant.objects.all(), text)
    plan = _plan(people)
    assert f"participants_participant_{index}" in plan
    assert "Seq Scan" not in plan


@pytest.mark.django_db
def test_the_search_finds_the_same_people_whatever_the_database(coordinator):
    ann = ParticipantFactory(
        academy=coordinator.academy, first_name="Ann", last_name="Adams"
    )
    ParticipantFactory(academy=coordinator.academy, first_name="Bob", last_name="Ng")
    found = selectors.people_matching(Participant.objects.all(), "ANN ada")
    assert list(found) == [ann]


def test_vacancy_searches_and_the_shortage_banner_have_their_indexes(postgres):
    from vacancies.models import Vacancy

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'vacancies_vacancy'"
        )
        names = {row[0] for row in cursor.fetchall()}
    assert {
        "vacancies_vacancy_title_uptrgm",
        "vacancies_vacancy_description_uptrgm",
        "vacancy_open_by_closing",
    } <= names
    plan = _plan(Vacancy.objects.filter(title__icontains="night"))
    assert "vacancies_vacancy_title_uptrgm" in plan


def test_the_boards_organisation_and_area_name_searches_have_their_indexes(postgres):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename IN "
            "('academy_organisation', 'academy_placename')"
        )
        names = {row[0] for row in cursor.fetchall()}
    assert {
        "academy_organisation_name_uptrgm",
        "academy_placename_name_uptrgm",
    } <= names
