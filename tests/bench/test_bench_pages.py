"""Every page each role opens, through gunicorn started as the Dockerfile's CMD runs it,
on generated data (BENCH_PARTICIPANTS people in the largest of BENCH_ACADEMIES
academies), each as a median ratio to the minimal signed-in page, the two requested
alternately over one kept-alive connection per member (tests/bench/harness.py).

Goal (issue 16): every page ≤ 10x the minimal page. The median time is printed beside
it (the issue's 300 ms is read from the table, never asserted)."""

import json
import statistics
import time

import pytest

from tests.bench import harness
from tests.bench.results import RESULTS, Ratio, p95

pytestmark = [pytest.mark.bench, pytest.mark.slow]

GOAL = 10


def _time(browser: harness.Browser, path: str) -> tuple[float, int]:
    start = time.perf_counter()
    status = browser.get(path)[0]
    return (time.perf_counter() - start) * 1000, status


def measure(browser, minimal_browser, path, rounds):
    """The page and the minimal page, alternately (which goes first alternates too)."""
    pages, minimals, ratios = [], [], []
    for number in range(rounds):
        if number % 2:
            page_ms, status = _time(browser, path)
            base_ms, base_status = _time(minimal_browser, harness.MINIMAL)
        else:
            base_ms, base_status = _time(minimal_browser, harness.MINIMAL)
            page_ms, status = _time(browser, path)
        if (status, base_status) != (200, 200):
            return None
        pages.append(page_ms)
        minimals.append(base_ms)
        ratios.append(page_ms / base_ms)
    return pages, minimals, ratios


@pytest.mark.parametrize("role", [*harness.ROLES, "public"])
def test_every_page_of_a_role_against_the_minimal_page(bench_site, role):
    prepared, browsers, _server = bench_site
    browser = browsers[role]
    # The public's pages are compared with the minimal page a member is served.
    minimal_browser = browsers["coordinator" if role == "public" else role]
    status, _, body = minimal_browser.get(harness.MINIMAL)
    assert (status, body) == (200, b"ok"), "the minimal page is not served"
    scale = f"{prepared['people']:,} people, {prepared['academies']} academies"
    slow, skipped, broken = [], [], []
    for page in prepared["pages"][role]:
        name, path, *seen = page
        if not path:
            skipped.append(f"{name}: {seen[0]}")
            continue
        status, content_type, queries, slowest = (
            seen if seen else ("200", "text/html", None, "[]")
        )
        if status != "200" or "html" not in content_type:
            skipped.append(f"{name}: {status} {content_type} (not a page)")
            continue
        browser.get(path)  # warm
        timed = measure(browser, minimal_browser, path, harness.ROUNDS)
        if timed is None:
            broken.append(f"{name} {path}: {browser.get(path)[0]}")
            continue
        pages, minimals, ratios = timed
        result = Ratio(
            f"{role}: {name} {path}",
            statistics.median(ratios),
            min(ratios),
            max(ratios),
            statistics.median(pages),
            statistics.median(minimals),
            p95_ms=p95(pages),
            baseline_name="minimal page",
            queries=int(queries) if queries else None,
            goal=GOAL,
            extra={
                "scale": scale,
                "role": role,
                "url_name": name,
                "slowest_queries_ms_sql": json.loads(slowest),
            },
        )
        RESULTS.append(result)
        print(f"\nBENCH {result}; p95 {result.p95_ms:.1f} ms; {queries} queries")
        if not result.met:
            slow.append(f"{name} {path}: {result.median:.1f}x")
    if skipped:
        print(f"\nBENCH {role}: not measured: " + "; ".join(skipped))
    assert not broken, f"{role}: pages not answered with 200: {broken}"
    assert not slow, f"{role}: pages over {GOAL}x the minimal page ({scale}): {slow}"
