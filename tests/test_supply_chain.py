"""The dependency locks and `make audit`'s pip-audit step (spec/security.md DEP-7)."""

import importlib.util
import re
import subprocess
import sys
import tomllib
import urllib.error
from pathlib import Path
from types import ModuleType

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) \\$")


def locked(lock: str) -> dict[str, str]:
    """Every pin of a lock file, name to version; each pin must carry hashes."""
    pins: dict[str, str] = {}
    lines = (ROOT / lock).read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if not line or line.startswith((" ", "#")):
            continue
        match = PIN.match(line)
        assert match, f"{lock}:{number + 1} is not an exact pin: {line}"
        following = lines[number + 1] if number + 1 < len(lines) else ""
        assert following.strip().startswith("--hash=sha256:"), f"{line} has no hash"
        pins[canonicalize_name(match[1])] = match[2]
    return pins


def declared(extra: str | None = None) -> set[str]:
    """The packages pyproject.toml names (their extras are locked with them)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = (
        project["dependencies"]
        if extra is None
        else project["optional-dependencies"][extra]
    )
    return {canonicalize_name(Requirement(line).name) for line in lines}


def test_runtime_lock_pins_every_runtime_dependency_with_hashes():
    pins = locked("requirements.lock")
    missing = declared() - pins.keys()
    assert not missing, f"run make lock: {sorted(missing)} not in requirements.lock"


def test_dev_lock_pins_the_runtime_and_dev_dependencies_with_hashes():
    pins = locked("requirements-dev.lock")
    missing = (declared() | declared("dev")) - pins.keys()
    assert not missing, f"run make lock: {sorted(missing)} not in requirements-dev.lock"


def test_dev_lock_pins_the_same_versions_as_the_runtime_lock():
    runtime, dev = locked("requirements.lock"), locked("requirements-dev.lock")
    differ = {n: (v, dev.get(n)) for n, v in runtime.items() if dev.get(n) != v}
    assert not differ, f"run make lock: the locks disagree on {differ}"


@pytest.fixture
def audit() -> ModuleType:
    path = ROOT / "scripts" / "audit_locks.py"
    spec = importlib.util.spec_from_file_location("audit_locks", path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class PipAuditRun:
    def __init__(self, returncode: int) -> None:
        self.returncode = returncode
        self.commands: list[list[str]] = []

    def __call__(
        self, command: list[str], check: bool
    ) -> subprocess.CompletedProcess[str]:
        self.commands.append(command)
        return subprocess.CompletedProcess(command, self.returncode)


def answers(**by_host: object):
    """A stand-in for the network: each database's answer (an error is raised)."""

    def fetch(request):
        host = request.full_url.split("/")[2]
        answer = by_host[host]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return fetch


NOT_FOUND = urllib.error.HTTPError("https://pypi.org/", 404, "Not Found", None, None)
NO_NAME = urllib.error.URLError("[Errno -2] Name or service not known")


def test_audit_says_skipped_when_no_vulnerability_database_answers(
    audit, monkeypatch, capsys
):
    run = PipAuditRun(0)
    monkeypatch.setattr(audit.subprocess, "run", run)
    monkeypatch.setattr(
        audit, "fetch_json", answers(**{"pypi.org": NOT_FOUND, "api.osv.dev": NO_NAME})
    )

    assert audit.main(["requirements.lock", "requirements-dev.lock"]) == 0

    out = capsys.readouterr().out
    assert "pip-audit: skipped: vulnerability database unreachable" in out
    assert "HTTP Error 404" in out
    assert "Name or service not known" in out
    assert run.commands == []


def test_audit_runs_strict_pip_audit_over_both_locks_when_pypi_answers(
    audit, monkeypatch
):
    run = PipAuditRun(0)
    monkeypatch.setattr(audit.subprocess, "run", run)
    monkeypatch.setattr(
        audit,
        "fetch_json",
        answers(**{"pypi.org": {"info": {}, "vulnerabilities": []}}),
    )

    assert audit.main(["requirements.lock", "requirements-dev.lock"]) == 0

    [command] = run.commands
    assert command[:3] == [sys.executable, "-m", "pip_audit"]
    assert "--strict" in command
    assert "--vulnerability-service=pypi" in command
    assert command[-4:] == ["-r", "requirements.lock", "-r", "requirements-dev.lock"]


def test_audit_fails_when_pip_audit_finds_a_vulnerability(audit, monkeypatch):
    monkeypatch.setattr(audit.subprocess, "run", PipAuditRun(1))
    monkeypatch.setattr(
        audit, "fetch_json", answers(**{"pypi.org": {"vulnerabilities": []}})
    )

    assert audit.main(["requirements.lock"]) == 1


def test_audit_uses_osv_when_pypi_gives_no_vulnerability_data(audit, monkeypatch):
    run = PipAuditRun(0)
    monkeypatch.setattr(audit.subprocess, "run", run)
    monkeypatch.setattr(
        audit, "fetch_json", answers(**{"pypi.org": {"info": {}}, "api.osv.dev": {}})
    )

    assert audit.main(["requirements.lock"]) == 0

    [command] = run.commands
    assert "--vulnerability-service=osv" in command
