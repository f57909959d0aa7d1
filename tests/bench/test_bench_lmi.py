"""Loading a Skills for Care local-area file of about 100,000 figures, as a ratio to
PostgreSQL COPY of the same file into a plain table of its columns (the floor: no
load can write the file faster), measured alternately in the same run; then the same
file again, which changes nothing, against the same COPY (and, with no goal, the same
file under another name, which is read and compared rather than recognised).

The real file covers ~152 English areas; the file here repeats the lookup's areas over
sectors, services and job roles: 36 x 3 x 8 x 16 rows of 7 measures (96,768 figures).
BENCH_LOADS_SCALE (default 1) scales the rows for a quick run.

A row with no goal shows where the floor of any load lies: the same figures
unpivoted in SQL from that COPY and inserted into the real table (its unique key of
seven columns and its other indexes), then rolled back. A load cannot be faster than
that, whatever it does in Python.
"""

import contextlib
import io
import itertools
import os

import pytest
from django.db import connection, transaction

from academy.labour_market import reference
from academy.labour_market.refresh import labour_market_refresh
from academy.models import LabourMarketObservation, RefreshRun

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

SCALE = float(os.environ.get("BENCH_LOADS_SCALE", "1"))
HEADER = [
    "Region",
    "CSSR (LA area)",
    "Sector",
    "Service",
    "Job role",
    "Filled posts",
    "Vacancies",
    "Vacancy rate",
    "Turnover rate",
    "Starters rate",
    "Sickness - Mean (divide by Employees)",
    "Zero Hour Contracts - Yes",
]
SECTORS = ["All sectors", "Local authority", "Independent"]
SERVICES = [
    "All services",
    "Care home services with nursing",
    "Care home services without nursing",
    "Domiciliary care services",
    "Supported living services",
    "Extra care housing services",
    "Day care services",
    "Community care services",
]
ROLES = [
    "All job roles",
    "Senior management",
    "Registered manager",
    "Deputy manager",
    "Social worker",
    "Senior care worker",
    "Care worker",
    "Support worker",
    "Community support and outreach work",
    "Occupational therapist",
    "Registered nurse",
    "Allied health professional",
    "Other managers",
    "Other regulated professions",
    "Other direct care",
    "Other",
]
AREAS = 36
MEASURES = 7


def _rows():
    names = sorted({a.sfc_name for a in reference.areas().values() if a.sfc_name})
    for a, name in enumerate(names[:AREAS]):
        for s, sector in enumerate(SECTORS):
            for v, service in enumerate(SERVICES):
                for r, role in enumerate(ROLES):
                    n = a + s + v + r
                    posts = 50 + (a * 37 + v * 11 + r * 7) % 4000
                    yield [
                        "",
                        name,
                        sector,
                        service,
                        role,
                        posts,
                        posts // 12,
                        "*" if n % 17 == 0 else round(0.02 + (n % 19) / 100, 3),
                        round(0.15 + (n % 23) / 100, 3),
                        round(0.18 + (n % 29) / 100, 3),
                        round(4 + (n % 30) / 10, 1),
                        round((n % 40) / 100, 2),
                    ]


def _csv(rows) -> bytes:
    import csv

    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return text.getvalue().encode()


@pytest.fixture(scope="module")
def lmi_file():
    everything = list(_rows())
    rows = everything[: max(1, int(len(everything) * SCALE))]
    return len(rows), _csv(rows)


def _copy_floor(data: bytes):
    """COPY the file into a plain table of its columns, in a transaction of its own."""

    def run():
        with transaction.atomic(), connection.cursor() as cursor:
            columns = ", ".join(f"c{i} text" for i in range(len(HEADER)))
            # Inside the test's transaction ON COMMIT never comes: drop it here.
            cursor.execute("DROP TABLE IF EXISTS lmi_floor")
            cursor.execute(f"CREATE TEMP TABLE lmi_floor ({columns}) ON COMMIT DROP")
            with cursor.cursor.copy(
                "COPY lmi_floor FROM STDIN (FORMAT csv, HEADER true)"
            ) as copy:
                copy.write(data)

    return run


class _RolledBack(Exception):
    pass


def _write_floor(data: bytes):
    """COPY the file, then INSERT … SELECT its figures (one per measure cell, no
    lookups or checks) into the figures table; rolled back, so the table keeps its
    size."""
    periods = (f"floor-{n}" for n in itertools.count())
    measures = ", ".join(f"('m{i}', c{i})" for i in range(5, len(HEADER)))

    def run():
        with (
            contextlib.suppress(_RolledBack),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            columns = ", ".join(f"c{i} text" for i in range(len(HEADER)))
            cursor.execute("DROP TABLE IF EXISTS lmi_floor_raw")
            cursor.execute(
                f"CREATE TEMP TABLE lmi_floor_raw ({columns}) ON COMMIT DROP"
            )
            with cursor.cursor.copy(
                "COPY lmi_floor_raw FROM STDIN (FORMAT csv, HEADER true)"
            ) as copy:
                copy.write(data)
            cursor.execute(
                f"""
INSERT INTO {LabourMarketObservation._meta.db_table}
  (source, area_code, area_name, period, measure, sector, service, job_role,
   value, status, unit, raw_value, updated_at)
SELECT 'skills-for-care', left(md5(r.c1), 9), r.c1, %s, m.measure, r.c2, r.c3,
  r.c4, CASE WHEN m.t = '*' THEN NULL ELSE m.t::numeric END,
  CASE WHEN m.t = '*' THEN 'suppressed' ELSE 'published' END, 'count', m.t, now()
FROM lmi_floor_raw r CROSS JOIN LATERAL (VALUES {measures}) m(measure, t)
WHERE m.t <> ''
""",
                [next(periods)],
            )
            raise _RolledBack

    return run


def _load(data: bytes, period: str, filename: str = "LA-data-download.csv"):
    run = labour_market_refresh(
        source="skills-for-care",
        data=data,
        filename=filename,
        period=period,
    )
    assert run.status == RefreshRun.Status.DONE, run.error
    return run


def test_loading_96768_figures_and_again_near_copy_speed(compare, lmi_file):
    rows, data = lmi_file
    figures = rows * MEASURES
    # Each load of the first measurement is of a year not loaded yet: all new.
    years = (f"{y}/{(y + 1) % 100:02d}" for y in itertools.count(2030))

    first = compare(
        f"LMI load, {figures:,} figures (CSV)",
        lambda: _load(data, next(years)),
        _copy_floor(data),
        rounds=5,
        repeat=1,
        goal=2,
        baseline_name="COPY of the file",
    )
    compare(
        f"LMI write floor: {figures:,} figures INSERT … SELECT into the table",
        _write_floor(data),
        _copy_floor(data),
        rounds=5,
        repeat=1,
        baseline_name="COPY of the file",
    )
    last = LabourMarketObservation.objects.filter(source="skills-for-care").latest(
        "updated_at"
    )
    loaded = LabourMarketObservation.objects.filter(period=last.period).count()
    assert loaded == figures

    again = compare(
        f"LMI reload, {figures:,} figures unchanged",
        lambda: _load(data, last.period),
        _copy_floor(data),
        rounds=5,
        repeat=1,
        goal=3.5,
        baseline_name="COPY of the file",
    )
    run = _load(data, last.period)
    assert (run.new_count, run.changed_count, run.unchanged_count) == (0, 0, figures)
    # No goal: the same figures under another file name are read and compared.
    names = (f"LA-data-download-{n}.csv" for n in itertools.count())
    compare(
        f"LMI reload, {figures:,} figures unchanged, read and compared",
        lambda: _load(data, last.period, next(names)),
        _copy_floor(data),
        rounds=3,
        repeat=1,
        baseline_name="COPY of the file",
    )
    run = _load(data, last.period, "LA-data-download-again.csv")
    assert (run.new_count, run.changed_count, run.unchanged_count) == (0, 0, figures)

    assert first.median <= 2, f"the issue: a load ≤ 2x COPY ({first})"
    assert again.median <= 3.5, f"the issue: an unchanged reload ≤ 3.5x COPY ({again})"
