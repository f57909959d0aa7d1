"""Configuration from the environment, production checks and security headers."""

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env_overrides):
    """Run manage.py in a fresh process; an override of None removes the variable."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("HTTPS", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(env_overrides)
    env = {k: v for k, v in env.items() if v is not None}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_passes_with_production_values():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="portal.example.org",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_cookies_are_host_only_over_https():
    result = manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings; "
        "print(settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)",
        DEBUG="false",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="portal.example.org",
    )
    assert result.stdout.split() == ["__Host-sessionid", "__Host-csrftoken"]


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_a_renamed_setting_still_set_stops_the_portal_with_its_new_name():
    result = manage("check", DEBUG="true", ENQUIRY_RATE_LIMIT="5")
    assert result.returncode != 0
    assert "ENQUIRY_RATE_LIMIT is now PUBLIC_RATE_PER_CONTACT" in result.stderr


def test_development_generates_a_secret_key_under_var(tmp_path):
    result = manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings; print(len(settings.SECRET_KEY))",
        DEBUG="true",
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 50
    assert (ROOT / "var" / "secret_key").exists()


def test_embedded_default_is_sqlite_and_in_process_jobs():
    result = manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)",
        DEBUG="true",
        DATABASE_URL=None,
        REDIS_URL=None,
    )
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True"], (
        result.stderr
    )


def test_redis_url_turns_on_a_real_broker_and_shared_cache():
    result = manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER, "
        "settings.CELERY_BROKER_URL, settings.CACHES['default']['BACKEND'])",
        DEBUG="true",
        REDIS_URL="redis://127.0.0.1:6379/9",
    )
    assert result.stdout.split() == [
        "False",
        "redis://127.0.0.1:6379/9",
        "django.core.cache.backends.redis.RedisCache",
    ], result.stderr


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_postgresql_connections_turn_the_jit_off():
    # Settings only: nothing connects (the address need not exist).
    result = manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings; "
        "print(settings.DATABASES['default']['OPTIONS'].get('options'))",
        DEBUG="true",
        DATABASE_URL="postgres://portal@127.0.0.1:5432/portal",
    )
    assert result.stdout.strip() == "-c jit=off", result.stderr


@pytest.mark.django_db
def test_signed_in_pages_carry_the_security_headers(client_of, coordinator):
    response = client_of(coordinator).get(reverse("home"))
    csp = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"]
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_session_cookie_is_http_only_and_same_site(client, coordinator):
    from tests.academy.factories import PASSWORD

    response = client.post(
        reverse("login"), {"username": coordinator.user.email, "password": PASSWORD}
    )
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


@pytest.mark.slow
def test_production_static_files_collect_with_hashed_names(tmp_path):
    result = manage(
        "collectstatic",
        "--noinput",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        STATIC_ROOT=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "js-lib-bootstrap5/css/bootstrap.min.css" in manifest
    assert "django_htmx/htmx-2.min.js" in manifest


@pytest.mark.django_db
def test_behind_the_proxy_the_client_address_comes_from_x_forwarded_for(
    settings, client
):
    settings.BEHIND_PROXY = True
    response = client.get(
        reverse("health"), HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7"
    )
    assert response.wsgi_request.META["REMOTE_ADDR"] == "198.51.100.7"
    settings.BEHIND_PROXY = False
    response = client.get(reverse("health"), HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.wsgi_request.META["REMOTE_ADDR"] == "127.0.0.1"


@pytest.mark.django_db
def test_a_client_reaching_the_portal_directly_cannot_choose_its_address(
    settings, client
):
    """Issue 12, observation 2: only the proxy may say who the client is."""
    settings.BEHIND_PROXY = True
    response = client.get(
        reverse("health"),
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        REMOTE_ADDR="198.51.100.50",  # a public address: not the deployment's proxy
    )
    assert response.wsgi_request.META["REMOTE_ADDR"] == "198.51.100.50"


def test_web_processes_start_without_the_file_readers():
    """pandas, openpyxl and WeasyPrint are imported only by what reads files or makes
    PDFs, so that every web and worker process starts fast."""
    import subprocess
    import sys

    code = (
        "import django, sys; django.setup(); "
        "from django.urls import resolve; resolve('/'); "
        "print(sorted(m for m in ('pandas', 'openpyxl', 'weasyprint') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "academy.settings"},
    ).stdout
    assert out.strip() == "[]"


@pytest.mark.slow
def test_every_manage_command_the_readme_shows_runs_in_a_make_run_checkout():
    """With only what `make run` leaves (var/local.env, no SECRET_KEY or DEBUG in the
    environment), each `python manage.py COMMAND` the README names answers --help."""
    import re

    make = shutil.which("make")
    assert make is not None
    subprocess.run([make, "-s", "var/local.env"], cwd=ROOT, check=True)
    readme = (ROOT / "README.md").read_text()
    commands = sorted(set(re.findall(r"python manage\.py ([a-z_]+)", readme)))
    assert {"import_records", "impact_report", "create_academy"} <= set(commands)
    env = {"PATH": os.environ["PATH"], "HOME": str(ROOT)}
    for command in commands:
        result = subprocess.run(
            [sys.executable, "manage.py", command, "--help"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, (command, result.stderr[-500:])


def test_env_example_lists_every_notify_setting_with_a_comment():
    """Tour finding 23: .env.example had none of the NOTIFY_* variables."""
    import re

    settings_py = (ROOT / "academy" / "settings.py").read_text()
    read = set(re.findall(r'env[.a-z]*\("(NOTIFY_[A-Z_]+)"', settings_py))
    assert "NOTIFY_API_KEY" in read
    example = (ROOT / ".env.example").read_text().splitlines()
    for name in sorted(read):
        [line] = [n for n, text in enumerate(example) if f"{name}=" in text]
        assert example[line - 1].startswith("# "), name


STUB_MANAGE = """#!/bin/sh
# Stands in for `python manage.py` under `make run`: says what it was asked, with what
# SITE_URL, then serves or runs the schedule until it is stopped.
echo "$1 $$ ${SITE_URL:-unset}" >> "$STUB_LOG"
case "$1" in runserver|run_schedule) exec sleep 60 ;; esac
"""


def _make_run(tmp_path, *args, env=None):
    """`make run` with manage.py replaced by STUB_MANAGE, started in a session of its
    own (as a terminal's foreground job), so that Ctrl-C can be sent to all of it."""
    import signal
    import time

    stub = tmp_path / "manage"
    stub.write_text(STUB_MANAGE)
    stub.chmod(0o755)
    (tmp_path / "installed").touch()  # newer than the locks: nothing to install
    log = tmp_path / "log"
    log.touch()
    base = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "REDIS_URL"}}
    make = subprocess.Popen(
        [
            shutil.which("make") or "make",
            "-s",
            "run",
            f"MANAGE={stub}",
            f"INSTALLED={tmp_path / 'installed'}",
            *args,
        ],
        cwd=ROOT,
        env={**base, "STUB_LOG": str(log), **(env or {})},
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    for _ in range(100):
        lines = [line.split() for line in log.read_text().splitlines()]
        if {"runserver", "run_schedule"} <= {line[0] for line in lines}:
            break
        time.sleep(0.1)
    os.killpg(make.pid, signal.SIGINT)  # Ctrl-C
    make.communicate(timeout=20)
    time.sleep(0.5)
    return {line[0]: line[1:] for line in lines}


def _is_running(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_make_run_serves_and_runs_the_schedule_and_ctrl_c_stops_both(tmp_path):
    """Tour findings 7 and 8: links in e-mails pointed to port 8000 under
    `make run PORT=8765`, and nothing ran the beat schedule without Redis."""
    seen = _make_run(tmp_path, "PORT=8765")
    assert seen["runserver"][1] == "http://127.0.0.1:8765"
    assert seen["run_schedule"][1] == "http://127.0.0.1:8765"
    assert "migrate" in seen
    assert "seed_demo" in seen
    for command in ("runserver", "run_schedule"):
        assert not _is_running(seen[command][0]), command


@pytest.mark.slow
def test_make_run_keeps_a_site_url_that_is_set(tmp_path):
    seen = _make_run(tmp_path, env={"SITE_URL": "https://demo.example.org"})
    assert seen["runserver"][1] == "https://demo.example.org"
