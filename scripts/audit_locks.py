"""`make audit`: pip-audit --strict over the lock files, or a clear skip.

pip-audit looks each pinned release up in a vulnerability database: PyPI's JSON API
(https://pypi.org/pypi/NAME/VERSION/json) or OSV (https://api.osv.dev). This first asks
both about one release that the lock pins (and so the package index serves). When
neither answers, nothing can be audited: it says "skipped: vulnerability database
unreachable" with each reason, and exits 0. Otherwise pip-audit runs with --strict, so
a known vulnerability, or a release it could not look up, fails.

Usage: python scripts/audit_locks.py requirements.lock [requirements-dev.lock ...]
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

TIMEOUT = 20
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!_-]+)", re.MULTILINE)


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def first_pin(lock: Path) -> tuple[str, str]:
    match = PIN.search(lock.read_text(encoding="utf-8"))
    if match is None:
        raise SystemExit(f"audit: {lock} pins nothing")
    return match[1], match[2]


def fetch_json(request: urllib.request.Request) -> object:
    # Fixed https addresses of the two databases; nothing comes from input.
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
        return json.load(response)


def pypi_problem(name: str, version: str) -> str | None:
    """None when PyPI gives this release's vulnerability data, else what went wrong."""
    url = f"https://pypi.org/pypi/{name}/{version}/json"
    try:
        answer = fetch_json(urllib.request.Request(url))
    except (OSError, ValueError) as error:  # URLError, HTTPError and time-outs
        return f"PyPI ({url}): {error}"
    if not isinstance(answer, dict) or "vulnerabilities" not in answer:
        return f"PyPI ({url}): the answer holds no vulnerability data"
    return None


def osv_problem(name: str, version: str) -> str | None:
    """None when OSV answers a query about this release, else what went wrong."""
    url = "https://api.osv.dev/v1/query"
    query = {"package": {"name": name, "ecosystem": "PyPI"}, "version": version}
    request = urllib.request.Request(
        url,
        data=json.dumps(query).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        answer = fetch_json(request)
    except (OSError, ValueError) as error:
        return f"OSV ({url}): {error}"
    if not isinstance(answer, dict):
        return f"OSV ({url}): the answer is not a query result"
    return None


SERVICES: tuple[tuple[str, Callable[[str, str], str | None]], ...] = (
    ("pypi", pypi_problem),
    ("osv", osv_problem),
)


def main(arguments: list[str]) -> int:
    if not arguments:
        raise SystemExit(__doc__)
    locks = [Path(argument) for argument in arguments]
    name, version = first_pin(locks[0])
    service, problems = None, []
    for candidate, problem_with in SERVICES:
        problem = problem_with(name, version)
        if problem is None:
            service = candidate
            break
        problems.append(problem)
    if service is None:
        say("pip-audit: skipped: vulnerability database unreachable")
        say(f"  (asked about {name} {version}, which the lock pins)")
        for problem in problems:
            say(f"  {problem}")
        return 0
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--strict",
        "--disable-pip",  # the locks pin every package with its hashes
        "--progress-spinner=off",
        f"--vulnerability-service={service}",
    ]
    for lock in locks:
        command += ["-r", str(lock)]
    say(f"pip-audit: {', '.join(arguments)} against {service}")
    # Our own interpreter running pip-audit on our own lock files.
    return subprocess.run(command, check=False).returncode  # noqa: S603


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
