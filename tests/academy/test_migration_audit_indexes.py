"""The audit trail's migrations at scale (academy 0021, 0022), run back and forward
over two academies' records: changes written with no academy get their person's
academy (0021's fill), and the audit tables end with the indexes the pages read
through (PostgreSQL) and without the b-tree on time alone (both databases)."""

from typing import Any

import pytest
from django.db import connection

from tests.academy.factories import AcademyFactory
from tests.participants.factories import ParticipantFactory
from tests.vacancies.test_migration_referral_academy import _migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("academy", "0020_refresh_run_load_key")]
INDEXES = {
    "accessrecord_academy_keyset",
    "changerecord_academy_keyset",
    "signinevent_user_keyset",
    "accessrecord_at_brin",
    "changerecord_at_brin",
    "changerecord_edits_keyset",
}


def _rows(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return list(cursor.fetchall())


def _change(participant_id: int | None) -> None:
    """A change written before the triggers gave changes their academy."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO academy_changerecord (at, table_name, row_id, operation,"
            " participant_id, academy_id, request_id)"
            " VALUES (CURRENT_TIMESTAMP, 'participants_task', 1, 'insert', %s,"
            " NULL, '')",
            [participant_id],
        )


def _time_indexes() -> set[str]:
    """Indexes of the audit tables whose only column is the time."""
    found = set()
    with connection.cursor() as cursor:
        for table in ("academy_changerecord", "academy_accessrecord"):
            constraints = connection.introspection.get_constraints(cursor, table)
            found |= {
                name
                for name, about in constraints.items()
                if about["index"]
                and about["columns"] == ["at"]
                and about.get("type") != "brin"
            }
    return found


def test_changes_get_their_persons_academy_and_lose_the_time_btree() -> None:
    academies = [AcademyFactory(), AcademyFactory()]
    people = [ParticipantFactory(academy=academy) for academy in academies]

    _migrate(BEFORE)
    try:
        assert _time_indexes()  # as it was: a b-tree on the time alone
        for person in people:
            _change(person.pk)
        _change(None)  # a change of no one's: a member's account
        _change(10**9)  # of someone erased since: nothing to give it
    finally:
        _migrate(None)

    filled = _rows(
        "SELECT c.academy_id, p.academy_id FROM academy_changerecord c"
        " JOIN participants_participant p ON p.id = c.participant_id"
        " WHERE c.table_name = 'participants_task'"
    )
    assert sorted(filled) == sorted((a.pk, a.pk) for a in academies)
    orphans = _rows(
        "SELECT academy_id FROM academy_changerecord"
        " WHERE table_name = 'participants_task' AND (participant_id IS NULL"
        " OR participant_id = %s)",
        [10**9],
    )
    assert orphans == [(None,), (None,)]
    assert not _time_indexes()


def test_postgres_ends_with_the_audit_indexes_all_valid() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the indexes are built CONCURRENTLY on PostgreSQL only")
    _migrate(BEFORE)
    try:
        names = {name for (name,) in _rows("SELECT indexname FROM pg_indexes")}
        assert not INDEXES & names
    finally:
        _migrate(None)
    names = {name for (name,) in _rows("SELECT indexname FROM pg_indexes")}
    assert names >= INDEXES
    invalid = _rows(
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " WHERE NOT i.indisvalid"
    )
    assert invalid == []
