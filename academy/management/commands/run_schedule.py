"""`manage.py run_schedule`: the beat schedule without Redis, for `make run`.

Without REDIS_URL there is no broker and so no Celery beat, yet the reminders, the
morning digests and the nightly jobs are in CELERY_BEAT_SCHEDULE. `make run` starts this
command beside runserver (and stops it with it): every minute it runs, in-process, the
entries that are due by their own schedule objects (crontab or seconds), remembering
each entry's last run in var/run-schedule.json, as beat does in its schedule file.
Where REDIS_URL is set, beat runs the schedule, and this command refuses.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from celery.schedules import maybe_schedule
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

logger = logging.getLogger(__name__)
STATE_FILE = "run-schedule.json"
TICK_SECONDS = 60


def schedule_tick(*, now: dt.datetime, state: dict[str, str]) -> list[str]:
    """Run the entries of CELERY_BEAT_SCHEDULE due at `now`; `state` maps an entry to
    its last run (ISO 8601) and is updated. Returns the names of the entries run. An
    entry seen for the first time starts from `now`, as beat's do."""
    from academy.celery import app

    now = now.astimezone(app.timezone)  # crontab hours are the schedule's own
    ran = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        last = state.get(name)
        if last is None:
            state[name] = now.isoformat()
            continue
        given: Any = entry["schedule"]
        every: Any = copy.copy(maybe_schedule(given, app=app))
        every.nowfun = lambda: now  # its clock is the tick's
        last_run = dt.datetime.fromisoformat(last).astimezone(app.timezone)
        if not every.is_due(last_run).is_due:
            continue
        # Recorded before it runs: a failing task waits for its next time, as in beat.
        state[name] = now.isoformat()
        ran.append(name)
        _run(app, name, entry)
    return ran


def _run(app: Any, name: str, entry: dict[str, Any]) -> None:
    task_name = str(entry["task"])
    try:
        # A task registers when its module is imported (a worker imports them all).
        importlib.import_module(task_name.rpartition(".")[0])
        task = app.tasks[task_name]
        task.apply(
            args=entry.get("args", ()), kwargs=entry.get("kwargs", {}), throw=True
        )
    except Exception:
        logger.exception("Scheduled task %s (%s) failed", name, task_name)
    finally:
        close_old_connections()


def _read(path: Path) -> dict[str, str]:
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in state.items()} if isinstance(state, dict) else {}


def _write(path: Path, state: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(state, indent=2, sort_keys=True))
    partial.replace(path)


class Command(BaseCommand):
    help = (
        "Run the beat schedule's due tasks every minute, in-process (make run, "
        "without REDIS_URL)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Run what is due now, then stop."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._loop(once=options["once"])
        except KeyboardInterrupt:  # Ctrl-C, when run on its own
            return

    def _loop(self, *, once: bool) -> None:
        if settings.REDIS_URL:
            raise CommandError(
                "REDIS_URL is set: there Celery beat runs the schedule (make worker, "
                "or docker-compose's beat service). run_schedule is for make run only."
            )
        path = Path(settings.VAR_DIR) / STATE_FILE
        parent = os.getppid()
        if not once:
            self.stdout.write(
                "Running the beat schedule in-process every minute "
                f"(last runs in {path})."
            )
        while True:
            state = _read(path)
            for name in schedule_tick(now=timezone.now(), state=state):
                self.stdout.write(f"Ran {name}")
            _write(path, state)
            if once:
                return
            for _ in range(TICK_SECONDS):
                time.sleep(1)
                # Started by `make run`: gone with it, never left running alone.
                if os.getppid() != parent:
                    return
