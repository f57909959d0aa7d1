"""`manage.py run_schedule` (tour finding 8): under `make run` there is no Redis and so
no beat; this command runs CELERY_BEAT_SCHEDULE's due entries every minute, beside
runserver, remembering each entry's last run in var/."""

import datetime as dt
import json
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab
from django.core.management import CommandError, call_command

from academy.management.commands.run_schedule import schedule_tick

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def _at(hour, minute, second=0):
    return dt.datetime(2026, 11, 30, hour, minute, second, tzinfo=LONDON)


@pytest.fixture
def ticks(monkeypatch):
    """The beats beat_heartbeat records (it is run as beat would run it)."""
    seen = []
    monkeypatch.setattr("academy.health.beat_tick", lambda: seen.append(1))
    return seen


@pytest.fixture
def every_five_minutes(settings):
    settings.CELERY_BEAT_SCHEDULE = {
        "heartbeat": {
            "task": "academy.tasks.beat_heartbeat",
            "schedule": crontab(minute="*/5"),
        }
    }


def test_a_due_entry_runs_once_and_not_again_within_its_period(
    every_five_minutes, ticks
):
    state: dict[str, str] = {}
    # First seen at 10:03: from then on (as beat does), so nothing runs yet.
    assert schedule_tick(now=_at(10, 3), state=state) == []
    assert schedule_tick(now=_at(10, 4, 30), state=state) == []
    assert schedule_tick(now=_at(10, 5, 10), state=state) == ["heartbeat"]
    assert ticks == [1]
    assert schedule_tick(now=_at(10, 6, 10), state=state) == []
    assert schedule_tick(now=_at(10, 9, 59), state=state) == []
    assert schedule_tick(now=_at(10, 10, 5), state=state) == ["heartbeat"]
    assert ticks == [1, 1]


def test_seconds_schedules_and_the_nightly_crontab_of_the_real_schedule(
    settings, ticks
):
    """The real entries: beat's heartbeat every 60 seconds, and one missed while the
    checkout was not running (a night's job) runs once when it starts again."""
    state = {
        "academy-beat-heartbeat": _at(10, 0).isoformat(),
        "academy-session-cleanup": (_at(3, 15) - dt.timedelta(days=1)).isoformat(),
    }
    settings.CELERY_BEAT_SCHEDULE = {
        name: entry
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        if name in state
    }
    ran = schedule_tick(now=_at(10, 1, 5), state=state)
    assert sorted(ran) == ["academy-beat-heartbeat", "academy-session-cleanup"]
    assert ticks == [1]
    assert schedule_tick(now=_at(10, 1, 50), state=state) == []


def test_a_failing_task_is_logged_and_the_others_still_run(settings, ticks, caplog):
    settings.CELERY_BEAT_SCHEDULE = {
        "broken": {"task": "academy.tasks.no_such_task", "schedule": 60.0},
        "heartbeat": {"task": "academy.tasks.beat_heartbeat", "schedule": 60.0},
    }
    state = {name: _at(10, 0).isoformat() for name in ("broken", "heartbeat")}
    assert schedule_tick(now=_at(10, 1, 1), state=state) == ["broken", "heartbeat"]
    assert ticks == [1]
    assert "broken (academy.tasks.no_such_task) failed" in caplog.text
    # Not tried again at once: it waits for its next time, as beat would.
    assert schedule_tick(now=_at(10, 1, 30), state=state) == []


def test_the_command_keeps_the_last_runs_in_var(
    every_five_minutes, ticks, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    settings.REDIS_URL = ""  # the embedded default (CI runs the suite with Redis)
    call_command("run_schedule", "--once", stdout=StringIO())
    state = json.loads((tmp_path / "run-schedule.json").read_text())
    assert set(state) == {"heartbeat"}
    # Seen long ago: due now, run once, and recorded.
    state["heartbeat"] = _at(9, 0).isoformat()
    (tmp_path / "run-schedule.json").write_text(json.dumps(state))
    out = StringIO()
    call_command("run_schedule", "--once", stdout=out)
    assert ticks == [1]
    assert "Ran heartbeat" in out.getvalue()
    call_command("run_schedule", "--once", stdout=StringIO())
    assert ticks == [1]


def test_the_command_refuses_where_beat_runs_the_schedule(settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/10"
    with pytest.raises(CommandError, match="Celery beat runs the schedule"):
        call_command("run_schedule", "--once", stdout=StringIO())


def test_every_entry_of_the_real_schedule_names_a_task_and_a_schedule(settings):
    import importlib

    from celery.schedules import maybe_schedule

    from academy.celery import app

    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        importlib.import_module(entry["task"].rpartition(".")[0])
        assert entry["task"] in app.tasks, name
        every = maybe_schedule(entry["schedule"], app=app)
        assert every.is_due(_at(0, 0) - dt.timedelta(days=40)).is_due, name
