"""Importing 100,000 participants from CSV, as a ratio to PostgreSQL COPY of the same
file into a plain table of its columns (the floor: no import can write the file
faster), measured alternately in the same run; then the same file again, which
changes nothing, against the same COPY.

Each first import goes into an academy of its own, so every one creates all its people
(their consent ledgers, cohorts, timeline notes and change history with them).
BENCH_LOADS_SCALE (default 1) scales the rows for a quick run.
"""

import csv
import os

import pytest
from django.db import connection, transaction

from participants.imports import template_header
from participants.models import Participant
from participants.services.imports import records_import
from tests.academy.factories import AcademyFactory

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

ROWS = max(1, int(100_000 * float(os.environ.get("BENCH_LOADS_SCALE", "1"))))
COHORTS = ["", "over_50", "refugee;returner", "neet", "long_term_unemployed"]
SOURCES = ["", "job_centre", "campaign", "event", "drop_in", "self"]


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("imports") / "participants.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(template_header("participants"))
        for n in range(ROWS):
            writer.writerow(
                [
                    f"IMP-{n:06d}",
                    f"First{n}",
                    f"Last{n % 997}",
                    f"20{18 + n % 6}-{1 + n % 12:02d}-{1 + n % 28:02d}",
                    "yes" if n % 3 else "no",
                    f"19{60 + n % 40}-{1 + n % 12:02d}-{1 + n % 28:02d}",
                    f"pl{n % 9 + 1}{n % 10}ab",
                    f"Person{n}@Example.net",
                    f"07700 9{n % 100000:05d}",
                    COHORTS[n % len(COHORTS)],
                    SOURCES[n % len(SOURCES)],
                    "yes" if n % 2 else "no",
                    "",  # coordinator: the one chosen when importing
                ]
            )
    return path


def _copy_floor(path):
    """COPY the file into a plain table of its columns, in a transaction of its own."""
    columns = ", ".join(
        f"c{i} text" for i in range(len(template_header("participants")))
    )

    def run():
        with transaction.atomic(), connection.cursor() as cursor:
            # Inside the test's transaction ON COMMIT never comes: drop it here.
            cursor.execute("DROP TABLE IF EXISTS import_floor")
            cursor.execute(f"CREATE TEMP TABLE import_floor ({columns}) ON COMMIT DROP")
            with (
                path.open("rb") as file,
                cursor.cursor.copy(
                    "COPY import_floor FROM STDIN (FORMAT csv, HEADER true)"
                ) as copy,
            ):
                while data := file.read(1 << 16):
                    copy.write(data)

    return run


def _import(academy, path):
    with path.open("rb") as source:
        result = records_import(
            academy=academy,
            kind="participants",
            source=source,
            file_name=path.name,
            by=None,
        )
    assert result.is_written, result.problems[:3]
    return result.summary


def test_import_of_100000_participants_and_again_near_copy_speed(compare, big_csv):
    def first_import():
        summary = _import(AcademyFactory(), big_csv)
        assert summary.created == ROWS

    first = compare(
        f"import of {ROWS:,} participants",
        first_import,
        _copy_floor(big_csv),
        rounds=3,
        repeat=1,
        goal=5,
        baseline_name="COPY of the file",
    )
    held = AcademyFactory()
    _import(held, big_csv)
    assert Participant.objects.filter(academy=held).count() == ROWS

    def again():
        summary = _import(held, big_csv)
        assert (summary.created, summary.unchanged) == (0, ROWS)

    repeat = compare(
        f"re-import of {ROWS:,} participants, unchanged",
        again,
        _copy_floor(big_csv),
        rounds=3,
        repeat=1,
        goal=3.5,
        baseline_name="COPY of the file",
    )

    assert first.median <= 5, f"the issue: an import ≤ 5x COPY ({first})"
    assert repeat.median <= 3.5, (
        f"the issue: an unchanged reload ≤ 3.5x COPY ({repeat})"
    )
