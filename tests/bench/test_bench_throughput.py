"""Throughput at 32 connections over loopback with gunicorn as the Dockerfile runs it
(tests/bench/harness.py): the coordinator's home and the public board against the
minimal signed-in page, in bounded wrk runs alternated round by round.

Goal (issue 16): each serves at least half the requests per second of the minimal
page, with 0 errors (errors are correctness: asserted whatever the machine)."""

import os
import re
import shutil
import statistics
import subprocess

import pytest

from tests.bench import harness
from tests.bench.results import RESULTS, Ratio
from tests.conftest import service_missing

pytestmark = [pytest.mark.bench, pytest.mark.slow]

CONNECTIONS = 32
SECONDS = harness.env_int("BENCH_WRK_SECONDS", 10)
ROUNDS = harness.env_int("BENCH_WRK_ROUNDS", 3)
GOAL = 0.5


def wrk(
    server: harness.Server, path: str, cookie: str, seconds: int = SECONDS
) -> dict[str, float]:
    """One bounded wrk run: requests/s, latency percentiles, errors."""
    command = [
        shutil.which("wrk") or "/usr/bin/wrk",
        f"-t{min(2, os.cpu_count() or 1)}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout",
        "30s",  # gunicorn's own limit; slower answers count as errors
        "--latency",
        "-H",
        "X-Forwarded-Proto: https",
        "-H",
        f"Host: 127.0.0.1:{server.port}",
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(
        [*command, f"http://127.0.0.1:{server.port}{path}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    return {
        "rps": rps,
        "errors": (sum(int(n) for n in socket_errors.groups()) if socket_errors else 0)
        + (int(non_2xx.group(1)) if non_2xx else 0),
        "p50_ms": _ms(p50),
        "p99_ms": _ms(p99),
    }


def _ms(match: re.Match[str] | None) -> float:
    if match is None:
        return float("nan")
    scale = {"us": 0.001, "ms": 1, "s": 1000}[match.group(2)]
    return float(match.group(1)) * scale


def test_coordinator_home_and_public_board_keep_half_the_minimal_throughput(
    bench_site,
):
    if not (shutil.which("wrk") or os.path.exists("/usr/bin/wrk")):
        service_missing("wrk: apt-get install wrk")
    prepared, browsers, server = bench_site
    coordinator = browsers["coordinator"]
    cookie = "; ".join(f"{k}={v}" for k, v in coordinator.cookies.items())
    board = next(
        path
        for name, path, *_ in prepared["pages"]["public"]
        if name == "vacancies:board"
    )
    targets = {
        "minimal page": (harness.MINIMAL, cookie),
        "coordinator home": ("/", cookie),
        "public board": (board, ""),
    }
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
    order = list(targets)
    for name in order:  # every worker imports and connects before it is timed
        wrk(server, *targets[name], seconds=2)
    for number in range(ROUNDS):
        for name in order[number % 3 :] + order[: number % 3]:  # rotate who goes first
            runs[name].append(wrk(server, *targets[name]))
        # The session is still signed in: the requests were the pages, not the login.
        assert coordinator.get("/")[0] == 200
    errors = {name: sum(run["errors"] for run in found) for name, found in runs.items()}
    for name in ("coordinator home", "public board"):
        ratios = [
            run["rps"] / base["rps"]
            for run, base in zip(runs[name], runs["minimal page"], strict=True)
        ]
        result = Ratio(
            f"throughput at {CONNECTIONS} connections: {name}",
            statistics.median(ratios),
            min(ratios),
            max(ratios),
            statistics.median(run["rps"] for run in runs[name]),
            statistics.median(run["rps"] for run in runs["minimal page"]),
            baseline_name="minimal page",
            goal=GOAL,
            higher_is_better=True,
            unit="req/s",
            extra={
                "errors": errors[name],
                "p50_ms": [r["p50_ms"] for r in runs[name]],
                "p99_ms": [r["p99_ms"] for r in runs[name]],
            },
        )
        RESULTS.append(result)
        print(f"\nBENCH {result}; {errors[name]} errors")
    assert not any(errors.values()), f"errors under load: {errors}"
    missed = [r.name for r in RESULTS[-2:] if not r.met]
    assert not missed, f"under {GOAL}x the minimal page's requests/s: {missed}"
