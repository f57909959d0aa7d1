"""Honest health (issue 11, observation 5): /health/ and `manage.py health` report the
database, Redis, the worker and beat; an outage answers 503, not 500, with one line."""

import datetime as dt
import logging

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from academy import health
from academy.celery import app
from tests.conftest import log_in


@pytest.fixture
def with_broker(settings):
    """As in production: a broker, so that the worker and beat are asked."""
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = saved


@pytest.mark.django_db
def test_no_worker_answering_is_503(client, with_broker, monkeypatch):
    monkeypatch.setattr(app.control, "ping", lambda timeout: [])
    cache.set(health.BEAT_KEY, timezone.now())
    response = client.get(reverse("health"))
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["worker"]["ok"] is False
    assert checks["beat"]["ok"] is True


@pytest.mark.django_db
def test_a_stale_beat_is_503(client, with_broker, monkeypatch):
    monkeypatch.setattr(app.control, "ping", lambda timeout: [{"w1": {"ok": "pong"}}])
    cache.set(health.BEAT_KEY, timezone.now() - dt.timedelta(minutes=20))
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert "last tick 1200 s ago" in response.json()["checks"]["beat"]["detail"]


@pytest.mark.django_db
def test_the_beat_heartbeat_is_scheduled_and_recorded(settings):
    from academy import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["academy-beat-heartbeat"]
    assert entry["task"] == "academy.tasks.beat_heartbeat"
    tasks.beat_heartbeat()
    assert timezone.now() - cache.get(health.BEAT_KEY) < dt.timedelta(seconds=5)


@pytest.mark.django_db
def test_the_command_reports_and_fails_when_something_is_down(
    with_broker, monkeypatch, capsys
):
    monkeypatch.setattr(app.control, "ping", lambda timeout: [])
    with pytest.raises(CommandError, match="worker"):
        call_command("health")
    assert '"database"' in capsys.readouterr().out


@pytest.mark.django_db
def test_a_database_outage_answers_503_with_one_log_line(
    coordinator, monkeypatch, caplog
):
    def down(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr("academy.home.home_panels_for", down)
    client = Client(raise_request_exception=False)
    log_in(client, coordinator.user)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get(reverse("home"))
    assert response.status_code == 503
    assert "temporarily unavailable" in response.content.decode()
    record = next(r for r in caplog.records if r.name == "django.request")
    health.OutageLogFilter().filter(record)
    assert record.exc_info is None
    assert record.getMessage().startswith("service unavailable (OperationalError")


@pytest.mark.django_db
def test_a_bug_is_still_a_500(coordinator, monkeypatch):
    def bug(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr("academy.home.home_panels_for", bug)
    client = Client(raise_request_exception=False)
    log_in(client, coordinator.user)
    response = client.get(reverse("home"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


@pytest.mark.django_db
def test_the_web_container_checks_only_its_own_services(
    client, with_broker, monkeypatch
):
    monkeypatch.setattr(app.control, "ping", lambda timeout: [])
    response = client.get(reverse("health"), {"check": "database,redis"})
    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"database", "redis"}
