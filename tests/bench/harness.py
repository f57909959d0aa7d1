"""The page and throughput benchmarks' harness: a PostgreSQL database of generated data,
gunicorn started exactly as the Dockerfile's CMD runs it, members signed in through the
sign-in form and its second step, and the pages each role opens, found in the URL
registry (tests/test_permissions.py MATRIX) with ids of real records.

Scale and reuse (environment):
  BENCH_DATABASE_URL   a database already generated (a copy: signing in writes to it);
                       otherwise one is generated once per scale and reused on reruns
  BENCH_PARTICIPANTS   people in the largest academy (default 100000)
  BENCH_ACADEMIES      academies in the deployment (default 4: the others a tenth
                       of the largest each)
  BENCH_ROUNDS         alternated rounds per page (default 7)
  BENCH_FIELD_ENCRYPTION_KEYS  the keys the data's notes were encrypted with
"""

import http.client
import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
BENCH_DIR = ROOT / "var" / "bench"
MINIMAL = "/bench/minimal/"
ROLES = ("coordinator", "provider", "manager", "admin")
PASSWORD = "bench-" + secrets.token_urlsafe(16)


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


PARTICIPANTS = env_int("BENCH_PARTICIPANTS", 100_000)
ACADEMIES = env_int("BENCH_ACADEMIES", 4)
ROUNDS = env_int("BENCH_ROUNDS", 7)


# --- gunicorn as the Dockerfile runs it -------------------------------------------


def dockerfile_cmd(dockerfile: Path = ROOT / "Dockerfile") -> list[str]:
    """The Dockerfile's CMD (the last one), exec form or shell form."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    found = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.upper().startswith("CMD "):
            found = stripped[4:].strip()
    if found is None:
        raise LookupError(f"{dockerfile} has no CMD")
    if found.startswith("["):
        return [str(part) for part in json.loads(found)]
    return shlex.split(found)


def gunicorn_argv(cmd: list[str], port: int) -> list[str]:
    """The CMD with the venv's gunicorn and the bind address moved to loopback:
    every other flag (workers, worker class, timeouts, logging) as shipped."""
    argv = list(cmd)
    if Path(argv[0]).name == "gunicorn":
        argv[0] = str(Path(sys.executable).with_name("gunicorn"))
    bind = f"127.0.0.1:{port}"
    for index, arg in enumerate(argv):
        if arg in ("--bind", "-b"):
            argv[index + 1] = bind
            return argv
        if arg.startswith("--bind="):
            argv[index] = f"--bind={bind}"
            return argv
    return [*argv, "--bind", bind]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def field_encryption_keys() -> str:
    """The keys the generated notes are encrypted with: BENCH_FIELD_ENCRYPTION_KEYS,
    else the bench's own key in var/bench (never the development key, which
    production settings refuse)."""
    keys = os.environ.get("BENCH_FIELD_ENCRYPTION_KEYS")
    if keys:
        return keys
    key_file = BENCH_DIR / "field-encryption-key"
    if not key_file.exists():
        from cryptography.fernet import Fernet

        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(Fernet.generate_key().decode())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def production_env(database_url: str) -> dict[str, str]:
    """The environment of a production web process (.env.example: DEBUG off, HTTPS
    behind a proxy), on the bench database, with the minimal page turned on."""
    env = {
        key: value
        for key, value in os.environ.items()
        # Nothing from this shell may change gunicorn's flags or the settings.
        if key not in ("GUNICORN_CMD_ARGS", "WEB_CONCURRENCY")
        and not key.startswith(("DJANGO_", "PYTEST"))
    }
    env.update(
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEYS=field_encryption_keys(),
        ALLOWED_HOSTS="127.0.0.1,testserver",
        HTTPS="true",
        BEHIND_PROXY="true",
        BENCH_MINIMAL_VIEW="true",
        # A run outlasts "confirm it's you" (5 minutes): pages behind it would answer
        # with the confirmation instead. A timer, not a cost: nothing else changes.
        REAUTH_SECONDS="86400",
        STATIC_ROOT=str(BENCH_DIR / "static"),
        MEDIA_ROOT=str(BENCH_DIR / "media"),
        CACHE_KEY_PREFIX="bench",
        EMAIL_URL="consolemail://",
        DJANGO_SETTINGS_MODULE="academy.settings",
    )
    redis_url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL")
    if redis_url:
        env["REDIS_URL"] = redis_url
    else:
        env.pop("REDIS_URL", None)
    return env


def collectstatic(env: dict[str, str]) -> None:
    """The static files and their manifest, as the image's build collects them."""
    manifest = BENCH_DIR / "static" / "staticfiles.json"
    newest = max(
        (path.stat().st_mtime for path in (ROOT / "static").rglob("*")), default=0
    )
    if manifest.exists() and manifest.stat().st_mtime > newest:
        return
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


@dataclass
class Server:
    """gunicorn, started from the Dockerfile's CMD on a loopback port."""

    database_url: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    argv: list[str] = field(default_factory=list)

    def __enter__(self) -> "Server":
        env = production_env(self.database_url)
        collectstatic(env)
        self.argv = gunicorn_argv(dockerfile_cmd(), self.port)
        with (BENCH_DIR / "gunicorn.log").open("wb") as log:
            self.process = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,  # the access log, as shipped (to stdout)
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {BENCH_DIR / 'gunicorn.log'}")
            probe = Browser(self.port)
            try:
                status = probe.get("/health/?check=database")[0]
                if status in (200, 503):
                    return self
            except OSError:
                pass
            finally:
                probe.close()
            time.sleep(0.5)
        self.__exit__()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


# --- a browser over one kept-alive connection --------------------------------------


class Browser:
    """Requests as a person's browser sends them through the TLS proxy in front of
    gunicorn: one kept-alive connection, its cookies, X-Forwarded-Proto: https."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "User-Agent": "care-academy-bench",
            "Accept": "text/html",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**headers, **(extra or {})}

    def request(
        self, method: str, path: str, body: str | None = None, **extra: str
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body, self.headers(extra))
                response = self.connection.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionError):
                # gunicorn's sync worker closes the kept-alive connection: reconnect.
                self.connection.close()
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, content

    def close(self) -> None:
        self.connection.close()

    def get(self, path: str) -> tuple[int, http.client.HTTPMessage, bytes]:
        return self.request("GET", path)

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        """POST a form as the page gave it (CSRF token from the cookie)."""
        token = next(
            (v for k, v in self.cookies.items() if k.endswith("csrftoken")), ""
        )
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **data})
        status, headers, _ = self.request(
            "POST",
            path,
            body,
            **{
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": self.origin + path,
            },
        )
        return status, headers.get("Location", "")

    def sign_in(self, email: str, password: str, totp_key: str) -> None:
        """Sign in through the form and its second step, as a person does."""
        from django_otp.oath import totp

        self.get("/accounts/login/")
        status, location = self.post(
            "/accounts/login/", {"username": email, "password": password}
        )
        if status != 302:
            raise RuntimeError(f"signing in {email}: {status}, not a redirect")
        self.get(location)
        code = f"{totp(bytes.fromhex(totp_key)):06d}"
        status, location = self.post("/accounts/two-step/", {"code": code})
        if status != 302 or "two-step" in location:
            raise RuntimeError(f"second step for {email}: {status} to {location!r}")


# --- the data: generated once, reused ----------------------------------------------


def _database_exists(admin_url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        row = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
    return row is not None


NIGHTLY = """
from django.conf import settings
import academy.celery
tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
name = "reporting.tasks.impact_summaries_refresh"
if name in tasks:
    academy.celery.app.tasks[name]()
"""


def bench_database_url() -> str:
    """BENCH_DATABASE_URL, or a database generated once at this scale and reused
    (named after DATABASE_URL's, the scale in its name)."""
    given = os.environ.get("BENCH_DATABASE_URL")
    if given:
        return given
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        raise RuntimeError("set DATABASE_URL (or BENCH_DATABASE_URL) to PostgreSQL")
    parts = urllib.parse.urlsplit(base)
    name = f"{parts.path.lstrip('/')}_gen_{ACADEMIES}x{PARTICIPANTS}"
    url = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    ready = BENCH_DIR / f"{name}.ready"
    if _database_exists(admin_url, name) and ready.exists():
        return url
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    env = {**production_env(url), "DEBUG": "true"}
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        [*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    # One academy of BENCH_PARTICIPANTS people among smaller ones (a tenth of it
    # each), so that work not filtered by academy shows.
    runs = [(1, PARTICIPANTS)]
    if ACADEMIES > 1:
        runs.append((ACADEMIES - 1, max(PARTICIPANTS // 10, 100)))
    for academies, people in runs:
        subprocess.run(
            [
                *manage,
                "generate_data",
                "--academies",
                str(academies),
                "--participants",
                str(people),
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
    # The night's jobs (the beat schedule) have run: the impact report's summaries.
    subprocess.run(
        [*manage, "shell", "-c", NIGHTLY],
        cwd=ROOT,
        env=env,
        check=True,
    )
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    ready.write_text(url + "\n")
    return url


# --- members, records and pages, prepared inside the bench database ----------------


def prepare(database_url: str) -> dict[str, object]:
    """Run `python -m tests.bench.prepare` on the bench database: the members it signs
    in, each role's pages with real ids, and each page's query count."""
    env = {
        **production_env(database_url),
        "BENCH_PASSWORD": PASSWORD,
        "BENCH_SKIP_QUERY_COUNTS": os.environ.get("BENCH_SKIP_QUERY_COUNTS", ""),
    }
    collectstatic(env)
    # The checkout's migrations (the data may be older than the code), then the
    # night's jobs, as after a deployment: what is precomputed is for this code.
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", NIGHTLY],
        cwd=ROOT,
        env=env,
        check=True,
    )
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.prepare"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"tests.bench.prepare failed:\n{done.stderr[-4000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))
