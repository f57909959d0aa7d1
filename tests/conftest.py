"""Shared fixtures: speed-ups, the service switch, and the personas of two academies.

Personas (as healthchecks' alice/bob/charlie): `coordinator`, `provider`, `manager` and
`admin` are memberships in `academy`; `other_*` are the same roles in `other_academy`.
"""

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from academy.celery import app
from academy.models import PlaceName, Postcode
from academy.permissions import Role
from academy.places.districts import (
    district_areas,
    district_place_names,
    district_rows,
)
from tests.academy.factories import AcademyFactory, MembershipFactory

# CI sets REQUIRE_SERVICES=1: a test that needs PostgreSQL, Redis or chromium then fails
# when the service is missing, instead of being skipped.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") not in ("", "0", "false")


def pytest_addoption(parser):
    parser.addoption(
        "--update-query-baselines",
        action="store_true",
        help="rewrite tests/query_baselines.json with the counts measured "
        "(tests/test_query_counts.py); review its diff like code",
    )


def service_missing(reason: str) -> None:
    """Skip the test, or fail it when CI requires every service."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fast_settings(settings, tmp_path_factory):
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _eager_celery_and_empty_cache():
    """Tasks run in-process, even when REDIS_URL names a broker (see test_worker)."""
    from django.core.cache import cache

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    cache.clear()
    yield
    app.conf.task_always_eager = saved


@pytest.fixture
def _audit_rows_flushable(request):
    """Tests that commit (browser, worker, threads) end by emptying every table. On
    PostgreSQL that is TRUNCATE, which the audit tables' append-only triggers allow; on
    SQLite it is DELETE, which they refuse outside erasure and retention: let it
    through, as the purge path does, for such tests only. pytest-django empties the
    tables after this fixture's teardown, so each test sets the context at its start
    and leaves it in place."""
    from academy.audit import context

    marker = request.node.get_closest_marker("django_db")
    commits = "transactional_db" in request.fixturenames or bool(
        marker and marker.kwargs.get("transaction")
    )
    context._current.set(context.AuditContext(purge=commits))


# Browser and worker tests empty every table when they finish (they need real commits),
# including the postcode districts (centroids, areas and the areas' names) migrations
# ship; put them back first.
@pytest.fixture(autouse=True)
def _postcode_districts(request, _audit_rows_flushable):
    names = set(request.fixturenames)
    if "transactional_db" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
    else:
        return
    if not Postcode.objects.exists():
        districts_restore()


def districts_restore() -> None:
    """Put back the postcode districts the migrations ship, with their areas' names."""
    centroids = {district: (lat, lon) for district, lat, lon in district_rows()}
    Postcode.objects.bulk_create(
        Postcode(
            postcode=row.district,
            latitude=centroids[row.district][0],
            longitude=centroids[row.district][1],
            source="test",
            local_authority=row.local_authority,
            ward=row.ward,
            constituency=row.constituency,
        )
        for row in district_areas()
    )
    PlaceName.objects.bulk_create(
        (
            PlaceName(code=code, name=name, kind=kind, source="test")
            for code, (name, kind) in district_place_names().items()
        ),
        ignore_conflicts=True,
    )


@pytest.fixture
def academy(db):
    return AcademyFactory(slug="home", name="Home Care Academy")


@pytest.fixture
def other_academy(db):
    return AcademyFactory(
        slug="other", name="Other Care Academy", area_code="E08000022"
    )


def _persona(role: Role, academy_fixture: str):
    @pytest.fixture
    def persona(request):
        return MembershipFactory(
            role=role, academy=request.getfixturevalue(academy_fixture)
        )

    return persona


coordinator = _persona(Role.COORDINATOR, "academy")
provider = _persona(Role.PROVIDER, "academy")
manager = _persona(Role.MANAGER, "academy")
admin = _persona(Role.ADMIN, "academy")
other_coordinator = _persona(Role.COORDINATOR, "other_academy")
other_provider = _persona(Role.PROVIDER, "other_academy")
other_manager = _persona(Role.MANAGER, "other_academy")
other_admin = _persona(Role.ADMIN, "other_academy")


def log_in(client: Client, user) -> Client:
    """Sign `client` in as `user` with both steps done: the password (forced) and the
    second step, with an authenticator the user is given if they have none. Tests of
    the second step itself sign in through the forms (tests/academy/test_mfa.py).
    Signing in counts as confirming it's you (the `user_logged_in` receiver in
    academy/reauth.py), so for REAUTH_SECONDS the client opens sensitive pages without
    being asked; tests/academy/test_reauth.py moves the clock past that."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def client_of() -> Callable[..., Client]:
    """A test client signed in (both steps) as the user of a membership."""

    def make(membership) -> Client:
        return log_in(Client(), membership.user)

    return make


@pytest.fixture
def postgres(db):
    """The test database, which must be PostgreSQL (skip, or fail in CI, otherwise)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        service_missing("PostgreSQL: set DATABASE_URL=postgres://...")
    return connection


@pytest.fixture
def redis_url():
    """A reachable Redis from REDIS_URL (skip, or fail in CI, otherwise)."""
    import redis
    from django.conf import settings

    if not settings.REDIS_URL:
        service_missing("Redis: set REDIS_URL=redis://...")
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as error:
        service_missing(f"Redis at {settings.REDIS_URL} does not answer: {error}")
    return settings.REDIS_URL


class WorkerProcess:
    """A `celery worker` process on a test's own queue, using the test database, that
    a test may kill outright (as an OOM killer or a power cut would) and start again."""

    def __init__(self, queue: str, env: dict[str, str], mail_dir: Path) -> None:
        self.queue = queue
        self.env = env
        self.mail_dir = mail_dir
        self.process: subprocess.Popen[str] | None = None
        self.output = ""

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "academy",
                "worker",
                "--pool=solo",
                "-Q",
                self.queue,
                "--loglevel=INFO",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=Path(__file__).resolve().parent.parent,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL the worker's whole process group: no chance to finish or ack."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.output += self.process.communicate(timeout=30)[0]
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.output += self.process.communicate(timeout=30)[0]
            self.process = None


@pytest.fixture
def worker(request, postgres, redis_url, tmp_path, transactional_db, settings):
    """A real `celery worker` (WorkerProcess) on its own queue and the test database.
    A test that also asks for `fake_notify` has the worker send text messages to it."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = postgres.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "REDIS_URL": redis_url,
        # Tasks the worker queues itself (a send after a commit) come back to it.
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_URL": f"filemail://{tmp_path}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    if "fake_notify" in request.fixturenames:
        request.getfixturevalue("fake_notify")  # its settings, for the worker too
        env |= {
            name: str(getattr(settings, name))
            for name in (
                "NOTIFY_API_KEY",
                "NOTIFY_BASE_URL",
                "NOTIFY_SMS_TEMPLATE_ID",
                "NOTIFY_CALLBACK_TOKEN",
            )
        }
    process = WorkerProcess(queue, env, tmp_path)
    process.start()
    saved = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    yield process
    app.conf.task_always_eager, app.conf.task_default_queue = saved
    process.stop()
    print(process.output)  # noqa: T201 - shown by pytest when the test fails


@pytest.fixture
def fake_notify(settings):
    """A fake GOV.UK Notify on loopback (tests/fake_notify.py), with the real client
    pointed at it: `fake_notify.sms` lists the text messages it was asked to send."""
    from tests.fake_notify import API_KEY, FakeNotifyServer

    with FakeNotifyServer() as state:
        settings.NOTIFY_API_KEY = API_KEY
        settings.NOTIFY_BASE_URL = state.url
        settings.NOTIFY_SMS_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
        settings.NOTIFY_SMS_TEMPLATES = {}
        settings.NOTIFY_CALLBACK_TOKEN = "callback-token-for-tests"
        yield state
