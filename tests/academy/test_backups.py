"""Backups that restore (issue 11, observation 6): the demo academy is backed up,
restored into a new, empty database, and every table's rows and checksum compared."""

import json
import os
import subprocess
import sys
import tarfile
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from academy.backups import TableSum, backup_create, table_sums

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", stdout=StringIO())
    (tmp_path / "media" / "reports").mkdir(parents=True, exist_ok=True)
    (tmp_path / "media" / "reports" / "a.pdf").write_bytes(b"%PDF-1.7 demo")


def _restore(archive, database_url, media_root):
    """Run `manage.py restore` as an operator would, against another database."""
    env = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root)}
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _manifest_sums(archive):
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    return {
        name: TableSum(t["rows"], t["checksum"])
        for name, t in manifest["tables"].items()
    }


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_postgresql_backup_restores_into_a_new_database_exactly(
    postgres, demo, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    archive = backup_create(directory=tmp_path / "backups")
    assert archive.name.startswith("portal-")
    assert archive.name.endswith(".tar.gz")
    assert oct(archive.stat().st_mode)[-3:] == "600"
    original = table_sums("default")
    assert _manifest_sums(archive) == original
    assert original["participants_participant"].rows > 600

    name = f"restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    db = connection.settings_dict
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    url = f"postgres://{db['USER']}@{host}/{name}"
    try:
        restored = _restore(archive, url, tmp_path / "restored-media")
        assert restored.returncode == 0, restored.stderr[-1000:]
        assert "every count and checksum matches" in restored.stdout
        assert (tmp_path / "restored-media" / "reports" / "a.pdf").exists()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_sqlite_backup_restores_too(demo, settings, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the embedded default's backup (PostgreSQL has its own test)")
    archive = backup_create(directory=tmp_path / "backups")
    assert _manifest_sums(archive) == table_sums("default")
    restored = _restore(
        archive, f"sqlite:///{tmp_path / 'restored.sqlite3'}", tmp_path / "media2"
    )
    assert restored.returncode == 0, restored.stderr[-1000:]
    assert "every count and checksum matches" in restored.stdout


@pytest.mark.django_db
def test_restoring_into_a_database_that_is_not_empty_changes_nothing(tmp_path):
    archive = backup_create(directory=tmp_path)
    before = table_sums("default")
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), stdout=StringIO())
    assert table_sums("default") == before


@pytest.mark.django_db
def test_the_backup_command_writes_a_dated_archive(tmp_path):
    out = StringIO()
    call_command("backup", "--dir", str(tmp_path), stdout=out)
    (archive,) = tmp_path.glob("portal-*.tar.gz")
    assert str(archive) in out.getvalue()
