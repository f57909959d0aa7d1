"""Importing 100,000 participants from CSV (spec/import-format.md: well under a minute),
against reading the same file with csv.DictReader alone, measured in the same run."""

import csv
import io
import statistics
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participants.imports import template_header
from participants.models import ConsentRecord, Participant, ParticipantCohort

pytestmark = pytest.mark.bench

ROWS = 100_000
COHORTS = ["", "over_50", "refugee;returner", "neet", "long_term_unemployed"]
SOURCES = ["", "job_centre", "campaign", "event", "drop_in", "self"]


@pytest.fixture
def big_csv(tmp_path):
    path = tmp_path / "participants.csv"
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
                ]
            )
    return path


def _seconds(func):
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def _import(academy, path):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_records",
        "--academy",
        academy.slug,
        "--kind",
        "participants",
        str(path),
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def _read_only(path):
    with path.open(encoding="utf-8-sig", newline="") as file:
        return sum(1 for _ in csv.DictReader(file))


@pytest.mark.django_db
def test_import_of_100000_participants_and_its_repeat(academy, big_csv):
    baseline = statistics.median(
        _seconds(lambda: _read_only(big_csv))[0] for _ in "123"
    )

    first, (out, err) = _seconds(lambda: _import(academy, big_csv))

    assert f"{ROWS} created, 0 updated, 0 unchanged" in out
    assert err.count("checked ") == ROWS // 10_000
    print(
        f"\nBENCH import {ROWS:,} participants ({connection.vendor}): {first:.1f} s, "
        f"{ROWS / first:,.0f} rows/s; {first / baseline:.0f}x csv.DictReader alone "
        f"({baseline * 1000:.0f} ms)"
    )
    before = (
        Participant.objects.count(),
        ParticipantCohort.objects.count(),
        ConsentRecord.objects.count(),
    )

    with CaptureQueriesContext(connection) as queries:
        again, (out, _) = _seconds(lambda: _import(academy, big_csv))

    assert f"0 created, 0 updated, {ROWS} unchanged" in out
    after = (
        Participant.objects.count(),
        ParticipantCohort.objects.count(),
        ConsentRecord.objects.count(),
    )
    assert after == before
    print(
        f"BENCH re-import, nothing changes ({connection.vendor}): {again:.1f} s, "
        f"{ROWS / again:,.0f} rows/s; {again / baseline:.0f}x csv.DictReader alone; "
        f"{len(queries)} queries"
    )
    assert first < 60, "spec/import-format.md: 100,000 rows in well under a minute"
