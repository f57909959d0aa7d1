"""The people export of a 100,000-person academy's open cases (85,700 in the issue),
as a ratio to PostgreSQL writing the same columns of the same rows itself:
`COPY (SELECT …) TO STDOUT WITH (FORMAT csv)` of the export's own query, the floor no
export can beat. Both are read to the end, alternately, in the same run.

The subject is the whole file as a run writes it (participants/exports.py through
academy/csv_files.py's pieces): the filters read as the list reads them, one plain
query from a server-side cursor, labels, ages and missing evidence per row, CSV cells.
Its query count is measured too and must not depend on the number of people.
BENCH_EXPORT_PEOPLE (default 100,000) sizes the academy; a second academy beside it
makes anything not filtered by academy show."""

import os

import pytest
from django.db import connection, connections
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from academy.csv_files import csv_stream
from academy.exports import _worker_request
from academy.models import Membership
from academy.permissions import Role
from academy.synthetic import data_generate
from participants.exports import people_export, people_export_query

pytestmark = [pytest.mark.bench, pytest.mark.slow]

PEOPLE = int(os.environ.get("BENCH_EXPORT_PEOPLE", "100000"))


@pytest.fixture(scope="module")
def big_academy(django_db_setup, django_db_blocker):
    """Two generated academies; the first one's coordinator (in a transaction the
    module keeps, rolled back at its end)."""
    with django_db_blocker.unblock():
        generated = data_generate(
            academies=2, participants=PEOPLE, casework_per_person=8.0, years=3
        )
        academy_id = generated.academies[0].id
        membership = (
            Membership.objects.select_related("academy", "user")
            .filter(academy_id=academy_id, role=Role.COORDINATOR)
            .first()
        )
        yield membership
        # The data stays in this module's test database only.


def _export(membership) -> tuple[int, int]:
    """The file as a run writes it: (characters, rows)."""
    export = people_export(_worker_request(membership), QueryDict(""))
    size = rows = 0
    for piece in csv_stream(export.rows()):
        size += len(piece)
        rows += piece.count("\n")
    return size, rows


def _copy_sql(membership) -> tuple[str, tuple[object, ...]]:
    export = people_export(_worker_request(membership), QueryDict(""))
    query = people_export_query(export.people)
    sql, params = query.query.sql_with_params()
    return f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)", params


def _copy(membership) -> tuple[int, int]:
    statement, params = _copy_sql(membership)
    size = rows = 0
    raw = connections["default"].connection
    with raw.cursor() as cursor, cursor.copy(statement, params) as copy:
        for block in copy:
            size += len(block)
            rows += bytes(block).count(b"\n")
    return size, rows


@pytest.mark.django_db(transaction=True)
def test_people_export_against_copy_of_the_same_columns(big_academy, compare):
    membership = big_academy
    connection.ensure_connection()
    size, rows = _export(membership)
    copy_size, copy_rows = _copy(membership)
    assert rows == copy_rows, (rows, copy_rows)
    with CaptureQueriesContext(connection) as queries:
        _export(membership)
    result = compare(
        f"people export, {rows - 1:,} open cases (CSV, {size / 1e6:.1f} MB)",
        lambda: _export(membership),
        lambda: _copy(membership),
        rounds=3,
        repeat=1,
        baseline_name="COPY (SELECT same columns) TO STDOUT",
        queries=len(queries.captured_queries),
    )
    print(
        f"\nexport: {rows - 1:,} rows, {size / 1e6:.1f} MB vs COPY "
        f"{copy_size / 1e6:.1f} MB; ratio {result.median:.2f}x; "
        f"{len(queries.captured_queries)} queries"
    )
    # A whole academy's open cases in one query (a server-side cursor), whatever N.
    assert len(queries.captured_queries) <= 4
