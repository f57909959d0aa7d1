"""Benchmarks: `make bench`. Each prints the subject's time as a ratio to a baseline
measured in the same run, interleaved, so that a noisy machine moves both alike."""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class Ratio:
    name: str
    median: float
    low: float
    high: float
    subject_ms: float
    baseline_ms: float

    def __str__(self) -> str:
        return (
            f"{self.name}: {self.median:.2f}x baseline (min {self.low:.2f}x, "
            f"max {self.high:.2f}x); {self.subject_ms:.1f} ms vs {self.baseline_ms:.1f} ms"
        )


def _timed(func: Callable[[], object], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        func()
    return (time.perf_counter() - start) / repeat


@pytest.fixture
def compare():
    """Run subject and baseline alternately for `rounds`; return and print the ratio."""

    def run(name, subject, baseline, rounds=7, repeat=20) -> Ratio:
        subject()
        baseline()  # warm caches and imports before measuring
        ratios, subject_times, baseline_times = [], [], []
        for _ in range(rounds):
            base = _timed(baseline, repeat)
            subj = _timed(subject, repeat)
            ratios.append(subj / base)
            subject_times.append(subj)
            baseline_times.append(base)
        result = Ratio(
            name,
            statistics.median(ratios),
            min(ratios),
            max(ratios),
            statistics.median(subject_times) * 1000,
            statistics.median(baseline_times) * 1000,
        )
        print(f"\nBENCH {result}")
        return result

    return run
