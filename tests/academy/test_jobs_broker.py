"""A broker outage (issue 11, observation 2), with a Redis of the test's own that the
test stops: asking for a PDF answers at once and keeps the run waiting, instead of a
500 after tens of seconds and a run with no task behind it; once the broker is back,
the reconciler sends the run and it is queued."""

import datetime as dt
import shutil
import socket
import subprocess
import time

import pytest
import redis
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from academy.celery import app
from academy.jobs import runs_reconcile
from reporting.models import ReportRun
from tests.conftest import log_in, service_missing

PERIOD = {"period": "custom", "start": "2024-04-01", "end": "2024-06-30"}


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def own_redis():
    """A Redis server of this test's own, which the test may stop and start."""
    binary = shutil.which("redis-server")
    if binary is None:
        service_missing("redis-server is not installed")
    port = _free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    server = {"process": None}

    def start():
        server["process"] = subprocess.Popen(
            [*command, "--appendonly", "no"], stdout=subprocess.DEVNULL
        )
        url = f"redis://127.0.0.1:{port}/0"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(url, socket_timeout=0.5).ping()
                return url
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("the test's Redis did not start")

    def stop():
        if server["process"] is not None:
            server["process"].terminate()
            server["process"].wait(10)
            server["process"] = None

    url = start()
    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = url
    _forget_broker_connections()
    yield {"url": url, "start": start, "stop": stop}
    stop()
    app.conf.task_always_eager, app.conf.broker_url = saved
    _forget_broker_connections()


def _forget_broker_connections():
    """Drop the app's pooled broker connections and producers, so that the next send
    connects to `app.conf.broker_url` as it is now (the producer pool keeps its own)."""
    app._pool = None
    app.amqp._producer_pool = None


def _queued_messages(url):
    client = redis.Redis.from_url(url)
    return sum(
        client.llen(key) for key in client.keys("*") if client.type(key) == b"list"
    )


@pytest.mark.django_db
def test_a_broker_outage_keeps_the_run_waiting_and_it_is_sent_when_back(
    manager, own_redis, django_capture_on_commit_callbacks
):
    client = Client(raise_request_exception=False)
    log_in(client, manager.user)
    own_redis["stop"]()

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:run-request"), PERIOD)
    took = time.monotonic() - started

    run = ReportRun.objects.get()
    assert response.status_code == 302
    assert run.status == ReportRun.Status.QUEUED
    assert took < 10, f"the request waited {took:.1f} s for the broker"

    url = own_redis["start"]()
    _forget_broker_connections()
    done = runs_reconcile(now=timezone.now() + dt.timedelta(minutes=3))
    assert done.resent == 1
    assert _queued_messages(url) == 1
