"""The one table of a `make bench` run: every benchmark's result, printed at the end of
the session (tests/bench/conftest.py) and written as JSON (var/bench/latest.json, or
BENCH_JSON). Each row is a median ratio of a subject to a baseline measured in the
same run; times are shown to read the ratio by, never asserted."""

import json
import os
import platform
import statistics
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
JSON_PATH = Path(os.environ.get("BENCH_JSON", ROOT / "var" / "bench" / "latest.json"))


@dataclass(frozen=True)
class Ratio:
    """One benchmark: the subject's median time as a ratio to its baseline's."""

    name: str
    median: float
    low: float
    high: float
    subject_ms: float
    baseline_ms: float
    p95_ms: float | None = None
    baseline_name: str = "baseline"
    queries: int | None = None
    goal: float | None = None
    # For throughput rows the ratio is "higher is better" (requests/s over the minimal
    # page's); for time rows lower is better.
    higher_is_better: bool = False
    unit: str = "ms"
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def met(self) -> bool | None:
        if self.goal is None:
            return None
        if self.higher_is_better:
            return self.median >= self.goal
        return self.median <= self.goal

    def __str__(self) -> str:
        return (
            f"{self.name}: {self.median:.2f}x {self.baseline_name} (min {self.low:.2f}x,"
            f" max {self.high:.2f}x); {self.subject_ms:.1f} {self.unit} vs "
            f"{self.baseline_ms:.1f} {self.unit}"
        )


RESULTS: list[Ratio] = []


def record(
    *,
    name: str,
    subject_ms: float,
    baseline_ms: float,
    ratios: list[float] | None = None,
    **details: object,
) -> Ratio:
    """Add a result timed outside `compare` to the run's table; return it."""
    ratios = ratios or [subject_ms / baseline_ms]
    result = Ratio(
        name,
        statistics.median(ratios),
        min(ratios),
        max(ratios),
        subject_ms,
        baseline_ms,
        **details,  # type: ignore[arg-type]
    )
    RESULTS.append(result)
    print(f"\nBENCH {result}")
    return result


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank) of a list of timings."""
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _command(*args: str) -> str:
    try:
        return subprocess.run(
            args, capture_output=True, text=True, timeout=10, check=False
        ).stdout.strip()
    except OSError:
        return ""


def machine() -> dict[str, object]:
    """What the run was measured on: CPU, memory, load, versions."""
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_gb = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split()[1])
        memory_gb = round(kb / 1024 / 1024, 1)
    import django

    info: dict[str, object] = {
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "system": platform.platform(),
        "python": sys.version.split()[0],
        "django": django.get_version(),
        "gunicorn": _command(sys.executable, "-m", "gunicorn", "--version"),
    }
    postgres = os.environ.get("BENCH_POSTGRES_VERSION")
    if postgres:
        info["postgresql"] = postgres
    return info


def table(results: list[Ratio]) -> str:
    """The results as one Markdown table."""
    lines = [
        "| benchmark | median | p95 | baseline median | ratio (min-max) | goal "
        "| queries |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        p95_text = f"{r.p95_ms:.1f}" if r.p95_ms is not None else "—"
        if r.goal is None:
            goal = "—"
        else:
            sign = "≥" if r.higher_is_better else "≤"
            goal = f"{sign} {r.goal:g}x {'met' if r.met else '**missed**'}"
        lines.append(
            f"| {r.name} | {r.subject_ms:.1f} {r.unit} | {p95_text} "
            f"| {r.baseline_ms:.1f} {r.unit} ({r.baseline_name}) "
            f"| {r.median:.2f}x ({r.low:.2f} to {r.high:.2f}) | {goal} "
            f"| {r.queries if r.queries is not None else '—'} |"
        )
    return "\n".join(lines)


def write_json(results: list[Ratio], path: Path = JSON_PATH) -> Path:
    """Write the run's results and machine to `path` (var/bench/latest.json)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "results": [{**asdict(r), "met": r.met} for r in results],
    }
    path.write_text(json.dumps(body, indent=2, default=str) + "\n")
    return path
