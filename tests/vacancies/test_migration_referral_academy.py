"""The migrations that give referrals and suspected double outcomes their academy
(vacancies 0013, participants 0014), run back and forward over two academies'
records: every row gets its person's academy, the column ends required, the
indexes exist (PostgreSQL), and the fill writes no change history."""

import importlib
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from academy.audit.triggers import triggers_drop, triggers_install
from participants.models import SuspectedDoubleOutcome
from tests.academy.factories import AcademyFactory
from tests.participants.factories import OutcomeFactory, ParticipantFactory
from tests.vacancies.factories import ReferralFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("vacancies", "0012_search_trigram"),
    ("participants", "0013_enquiry_status_index"),
]
INDEXES = {
    "event_academy_starts",
    "referral_academy_interview",
    "referral_academy_list",
    "referral_academy_created",
    "double_academy_open",
}


def _migrate(targets: list[tuple[str, str]] | None) -> None:
    """As `migrate` does: SQLite's history triggers dropped while it runs (they name
    tables a migration rebuilds); `None` is every app's latest migration, after which
    the triggers are installed again."""
    triggers_drop(connection)
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    if targets is None:
        triggers_install(connection)


def _rows(sql: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall())


def _columns(table: str) -> dict[str, bool]:
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, table)
    return {column.name: bool(column.null_ok) for column in description}


def _referral_history() -> int:
    return int(
        _rows(
            "SELECT COUNT(*) FROM academy_changerecord"
            " WHERE table_name = 'vacancies_referral'"
        )[0][0]
    )


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of two ids, so a handful of referrals takes several (PostgreSQL)."""
    migration = importlib.import_module("vacancies.migrations.0013_referral_academy")
    monkeypatch.setattr(migration, "BATCH", 2)


def test_referrals_and_doubles_get_their_persons_academy(small_batches: None) -> None:
    academies = [AcademyFactory(), AcademyFactory()]
    # Seven referrals: batches of two end past the last id.
    for academy, count in zip(academies, (3, 4), strict=True):
        for _ in range(count):
            ReferralFactory(participant=ParticipantFactory(academy=academy))
        person = ParticipantFactory(academy=academy)
        SuspectedDoubleOutcome.objects.create(
            first=OutcomeFactory(participant=person),
            second=OutcomeFactory(participant=person),
        )
    history = _referral_history()

    _migrate(BEFORE)
    try:
        assert "academy_id" not in _columns("vacancies_referral")
        assert "academy_id" not in _columns("participants_suspecteddoubleoutcome")
    finally:
        _migrate(None)

    referrals = _rows(
        "SELECT r.academy_id, p.academy_id FROM vacancies_referral r"
        " JOIN participants_participant p ON p.id = r.participant_id"
    )
    assert len(referrals) == 7
    assert all(mine == persons for mine, persons in referrals)
    assert {mine for mine, _ in referrals} == {a.pk for a in academies}
    doubles = _rows(
        "SELECT d.academy_id, p.academy_id"
        " FROM participants_suspecteddoubleoutcome d"
        " JOIN participants_outcome o ON o.id = d.first_id"
        " JOIN participants_participant p ON p.id = o.participant_id"
    )
    assert len(doubles) == 2
    assert all(mine == persons for mine, persons in doubles)
    assert {mine for mine, _ in doubles} == {a.pk for a in academies}

    assert _columns("vacancies_referral")["academy_id"] is False
    assert _columns("participants_suspecteddoubleoutcome")["academy_id"] is False
    # Filling the column is not a change to anyone's casework.
    assert _referral_history() == history


def test_postgres_ends_with_the_indexes_and_a_validated_key_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the indexes are built CONCURRENTLY on PostgreSQL only")
    _migrate(BEFORE)
    try:
        assert not INDEXES & {
            name for (name,) in _rows("SELECT indexname FROM pg_indexes")
        }
    finally:
        _migrate(None)

    indexes = {name for (name,) in _rows("SELECT indexname FROM pg_indexes")}
    assert indexes >= INDEXES
    invalid = _rows(
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " WHERE NOT i.indisvalid"
    )
    assert invalid == []
    constraints = _rows(
        "SELECT c.contype, c.convalidated FROM pg_constraint c JOIN pg_attribute a"
        " ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)"
        " WHERE c.conrelid = 'vacancies_referral'::regclass"
        " AND a.attname = 'academy_id'"
    )
    # The key, validated; the CHECK that let NOT NULL skip its scan is gone.
    assert constraints == [("f", True)]
