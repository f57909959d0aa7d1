"""Benchmarks: `make bench`. Each is the subject's median time as a ratio to a baseline
measured in the same run, alternately, so that a noisy machine moves both alike: COPY
for loads, a fair hand-written SQL for reports, the minimal signed-in page for pages.
No benchmark asserts an absolute time (tests/bench/test_bench_foundation.py checks);
a ratio goal may be asserted. Every result lands in one table printed at the end of
the session and in var/bench/latest.json (tests/bench/results.py).

Benchmarks run on PostgreSQL only: on another database they are skipped, or fail
when REQUIRE_SERVICES=1 (as CI sets it)."""

import statistics
import time
from collections.abc import Callable

import pytest

from tests.bench.results import RESULTS, Ratio, p95, table, write_json
from tests.conftest import service_missing

__all__ = ["Ratio"]


def postgresql_required() -> None:
    """A benchmark on SQLite would measure the wrong database: refuse to run it."""
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        service_missing(
            "benchmarks run on PostgreSQL only (make bench; or set "
            "DATABASE_URL=postgres://...): this run's database is "
            f"{engine.rsplit('.', 1)[-1]}"
        )


@pytest.fixture(autouse=True)
def _postgresql_only():
    postgresql_required()


@pytest.fixture(scope="session")
def bench_site():
    """The bench database prepared, gunicorn serving it as the Dockerfile runs it, one
    member of each role signed in: (prepared, browsers by role and "public", server)."""
    from tests.bench import harness

    postgresql_required()  # a session fixture is set up before the autouse ones
    database_url = harness.bench_database_url()
    prepared = harness.prepare(database_url)
    with harness.Server(database_url) as server:
        browsers = {}
        for role, member in prepared["members"].items():
            browser = harness.Browser(server.port)
            browser.sign_in(member["email"], harness.PASSWORD, member["totp_key"])
            browsers[role] = browser
        browsers["public"] = harness.Browser(server.port)
        yield prepared, browsers, server
        for browser in browsers.values():
            browser.close()


def _timed(func: Callable[[], object], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        func()
    return (time.perf_counter() - start) / repeat


@pytest.fixture
def compare():
    """Run subject and baseline alternately for `rounds` (each timed over `repeat`
    calls); add the median ratio to the run's table and return it."""

    def run(
        name: str,
        subject: Callable[[], object],
        baseline: Callable[[], object],
        rounds: int = 7,
        repeat: int = 20,
        *,
        goal: float | None = None,
        baseline_name: str = "baseline",
        queries: int | None = None,
    ) -> Ratio:
        subject()
        baseline()  # warm caches and imports before measuring
        ratios, subject_times, baseline_times = [], [], []
        for number in range(rounds):
            # Alternate which goes first, so neither always follows the other.
            if number % 2:
                subj = _timed(subject, repeat)
                base = _timed(baseline, repeat)
            else:
                base = _timed(baseline, repeat)
                subj = _timed(subject, repeat)
            ratios.append(subj / base)
            subject_times.append(subj * 1000)
            baseline_times.append(base * 1000)
        result = Ratio(
            name,
            statistics.median(ratios),
            min(ratios),
            max(ratios),
            statistics.median(subject_times),
            statistics.median(baseline_times),
            p95_ms=p95(subject_times),
            baseline_name=baseline_name,
            queries=queries,
            goal=goal,
        )
        RESULTS.append(result)
        print(f"\nBENCH {result}")
        return result

    return run


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not RESULTS:
        return
    path = write_json(RESULTS)
    terminalreporter.section("make bench: ratios to a baseline measured in the run")
    terminalreporter.write_line(table(RESULTS))
    terminalreporter.write_line(f"\nWritten to {path}")
