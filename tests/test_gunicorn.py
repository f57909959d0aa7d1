"""gunicorn as the image runs it is set on purpose (issue 16): threads, so a page
waiting on the database does not hold a process; a timeout no request reaches because
long work is a run; graceful restarts, recycled processes with jitter, keep-alive."""

import json
import re
from pathlib import Path

from gunicorn.config import Config
from gunicorn.util import load_class

DOCKERFILE = Path(__file__).resolve().parent.parent / "Dockerfile"


def _cmd() -> list[str]:
    text = DOCKERFILE.read_text()
    found = re.search(r"^CMD (\[.*?\])\s*$", text, re.MULTILINE | re.DOTALL)
    assert found, "the Dockerfile has no CMD in exec form"
    return json.loads(found.group(1).replace("\\\n", ""))


def _config() -> Config:
    cmd = _cmd()
    assert cmd[:2] == ["gunicorn", "academy.wsgi:application"]
    config = Config()
    parsed = config.parser().parse_args(cmd[1:])
    for name, value in vars(parsed).items():
        if value is not None and name in config.settings:
            config.set(name, value)
    return config


def test_the_image_runs_gunicorn_with_threads_and_a_deliberate_timeout():
    config = _config()
    assert config.worker_class_str == "gthread"
    assert config.threads == 4
    assert config.workers >= 2
    assert config.timeout == 30
    assert config.graceful_timeout == 30
    assert config.keepalive == 5
    assert config.max_requests == 1000
    assert 0 < config.max_requests_jitter < config.max_requests
    assert config.worker_tmp_dir == "/dev/shm"  # noqa: S108 - the heartbeat, in memory


def test_the_locked_gunicorn_has_the_threaded_worker():
    worker = load_class("gthread")
    assert worker.__name__ == "ThreadWorker"


def test_no_direct_export_comes_near_the_timeout():
    """An export streams at once only up to DIRECT_ROWS (well under a second, at
    tests/bench/test_bench_exports.py's rate); past that it is a run, whatever
    gunicorn's timeout, so a file is never cut off."""
    from academy.exports import DIRECT_ROWS

    assert DIRECT_ROWS <= 10_000
