"""Fetching the Nomis claimant count (spec/security.md INP-7: allow-listed hosts, a
timeout on every call, no redirects) and its beat task, once through a real worker.
No test reaches the network: a fake opener, or a server on this machine's loopback."""

import http.server
import threading
import time
import urllib.error
from email.message import Message

import pytest
from django.conf import settings as django_settings
from django.db import transaction

from academy import tasks
from academy.celery import app
from academy.labour_market import fetch
from academy.models import LabourMarketObservation, RefreshRun
from tests.academy.factories import AcademyFactory
from tests.academy.test_labour_market_adapters import NOMIS

NOMIS_URL = (
    "https://www.nomisweb.co.uk/api/v01/dataset/NM_162_1.data.csv"
    "?geography={geography}&date=latestMINUS11-latest&gender=0&age=0&measure=1,2"
    "&measures=20100"
)


class FakeResponse:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def read(self, limit=-1):
        return self.body

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class FakeOpener:
    """Answers every request with `answer` (bytes, or an exception to raise)."""

    def __init__(self, answer) -> None:
        self.answer = answer
        self.calls = []

    def open(self, request, /, *, timeout):
        self.calls.append((request.full_url, timeout))
        if isinstance(self.answer, Exception):
            raise self.answer
        return FakeResponse(self.answer)


@pytest.fixture
def nomis_settings(settings):
    settings.NOMIS_CLAIMANT_COUNT_URL = NOMIS_URL
    settings.LMI_FETCH_ALLOWED_HOSTS = ["www.nomisweb.co.uk"]
    settings.LMI_FETCH_TIMEOUT = 7
    return settings


def test_a_fetch_goes_to_an_allowed_host_with_a_timeout(nomis_settings):
    opener = FakeOpener(b"csv")

    assert fetch.url_fetch("https://www.nomisweb.co.uk/x.csv", opener=opener) == b"csv"
    assert opener.calls == [("https://www.nomisweb.co.uk/x.csv", 7)]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://evil.example.org/x.csv", "not an allowed host"),
        ("http://www.nomisweb.co.uk/x.csv", "Only https"),
        ("file:///etc/passwd", "not an allowed host"),
    ],
)
def test_a_fetch_elsewhere_is_refused(nomis_settings, url, message):
    opener = FakeOpener(b"csv")

    with pytest.raises(fetch.FetchError, match=message):
        fetch.url_fetch(url, opener=opener)
    assert opener.calls == []


def test_network_failures_are_transient_and_client_errors_are_not(nomis_settings):
    url = "https://www.nomisweb.co.uk/x.csv"
    down = FakeOpener(urllib.error.URLError("timed out"))
    with pytest.raises(fetch.FetchError, match="Could not reach") as failure:
        fetch.url_fetch(url, opener=down)
    assert failure.value.is_transient

    missing = FakeOpener(urllib.error.HTTPError(url, 404, "Not Found", Message(), None))
    with pytest.raises(fetch.FetchError, match="404") as failure:
        fetch.url_fetch(url, opener=missing)
    assert not failure.value.is_transient


class _Handler(http.server.BaseHTTPRequestHandler):
    body = b""
    redirect_to = ""
    paths: list[str] = []

    def do_GET(self):
        type(self).paths.append(self.path)
        if self.redirect_to:
            self.send_response(302)
            self.send_header("Location", self.redirect_to)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def loopback_server():
    """A server on 127.0.0.1 answering with the Nomis sample (or a redirect)."""
    handler = type("Handler", (_Handler,), {"body": NOMIS.read_bytes(), "paths": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, handler
    server.shutdown()
    server.server_close()


def test_a_redirect_is_refused_not_followed(nomis_settings, loopback_server):
    server, handler = loopback_server
    handler.redirect_to = "https://evil.example.org/x.csv"
    nomis_settings.LMI_FETCH_ALLOWED_HOSTS = ["127.0.0.1"]

    with pytest.raises(fetch.FetchError, match="redirect"):
        fetch.url_fetch(f"http://127.0.0.1:{server.server_port}/x.csv")
    assert handler.paths == ["/x.csv"]


@pytest.mark.django_db
def test_the_fetch_asks_for_every_academy_area_its_region_and_england(nomis_settings):
    AcademyFactory(area_code="E06000026", region="South West")
    AcademyFactory(area_code="E08000022", region="")
    AcademyFactory(area_code="", region="London")
    opener = FakeOpener(NOMIS.read_bytes())

    run = fetch.nomis_claimant_count_fetch(opener=opener)

    assert run.status == RefreshRun.Status.DONE, run.error
    assert run.new_count == 20
    assert run.filename == opener.calls[0][0]
    assert (
        "geography=E06000026,E12000009,E08000022,E12000001,E92000001&" in run.filename
    )
    assert run.file.name.startswith("labour-market/")
    assert LabourMarketObservation.objects.filter(area_code="E06000026").count() == 2


@pytest.mark.django_db
def test_a_failed_fetch_is_recorded_and_raised(nomis_settings):
    opener = FakeOpener(urllib.error.URLError("Name or service not known"))

    with pytest.raises(fetch.FetchError):
        fetch.nomis_claimant_count_fetch(opener=opener)

    run = RefreshRun.objects.get()
    assert run.status == RefreshRun.Status.FAILED
    assert "Could not reach www.nomisweb.co.uk" in run.error


@pytest.mark.django_db
def test_without_a_url_the_machine_does_not_fetch(settings):
    settings.NOMIS_CLAIMANT_COUNT_URL = ""

    assert tasks.nomis_claimant_count_fetch.delay().get() == "not configured"
    assert not RefreshRun.objects.exists()


def test_the_beat_schedule_fetches_the_claimant_count_monthly():
    entry = django_settings.CELERY_BEAT_SCHEDULE["academy-nomis-claimant-count"]

    assert entry["task"] == "academy.tasks.nomis_claimant_count_fetch"
    assert entry["task"] in app.tasks
    assert entry["schedule"].day_of_month == {20}


@pytest.fixture
def nomis_env(monkeypatch, loopback_server):
    """Settings for the worker (requested before it): fetch from the loopback."""
    server, _ = loopback_server
    monkeypatch.setenv(
        "NOMIS_CLAIMANT_COUNT_URL",
        f"http://127.0.0.1:{server.server_port}/NM_162_1.data.csv"
        "?geography={geography}&date=latest",
    )
    monkeypatch.setenv("LMI_FETCH_ALLOWED_HOSTS", "127.0.0.1")


@pytest.mark.worker
def test_the_beat_task_loads_the_claimant_count_through_a_real_worker(
    nomis_env, worker, loopback_server
):
    _, handler = loopback_server
    AcademyFactory(area_code="E08000022", region="North East")
    with transaction.atomic():
        transaction.on_commit(lambda: tasks.nomis_claimant_count_fetch.delay())

    deadline = time.monotonic() + 90
    run = None
    while time.monotonic() < deadline:
        run = RefreshRun.objects.first()
        if run is not None and run.status not in ("queued", "running"):
            break
        time.sleep(0.2)
    assert run is not None, "the worker made no run"
    assert run.status == RefreshRun.Status.DONE, run.error
    assert handler.paths == [
        "/NM_162_1.data.csv?geography=E08000022,E12000001,E92000001&date=latest"
    ]
    count = LabourMarketObservation.objects.get(
        area_code="E08000022", measure="claimant_count"
    )
    assert count.value == 5235
