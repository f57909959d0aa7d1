"""Backups that restore: the database (a consistent PostgreSQL dump, or SQLite's online
backup) and the stored files (uploads, PDFs) in one dated archive, with a manifest of
every table's row count and checksum; restoring brings them back into an empty
database and checks the same counts and checksums.

`manage.py backup` and `manage.py restore ARCHIVE` call these.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

MANIFEST = "manifest.json"
POSTGRES_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA = "media"


class BackupError(Exception):
    """A backup or restore that cannot be done, with what to do about it."""


@dataclass(frozen=True)
class TableSum:
    rows: int
    checksum: str


def table_sums(alias: str = "default") -> dict[str, TableSum]:
    """Every table's row count and a checksum of its content (in primary-key order),
    to tell that a restore brought back exactly what was backed up."""
    connection = connections[alias]
    sums: dict[str, TableSum] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            quoted = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                # In the database: a hash of each row's text, in a fixed order.
                cursor.execute(
                    f"SELECT count(*), coalesce(md5(string_agg(md5(t::text), '' "  # noqa: S608 - a table's own name  # nosec B608
                    f"ORDER BY md5(t::text))), '') FROM {quoted} t"
                )
                count, checksum = cursor.fetchone()
                sums[table] = TableSum(int(count), str(checksum))
                continue
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - a table's own name  # nosec B608
            digest = hashlib.sha256()
            rows = sorted(repr(row) for row in cursor.fetchall())
            for row in rows:
                digest.update(row.encode())
            sums[table] = TableSum(len(rows), digest.hexdigest())
    return sums


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args(db: dict[str, Any]) -> list[str]:
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return args


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed here; install the PostgreSQL client (the "
            "Dockerfile has it) and run the command again."
        )
    return path


def backup_create(*, directory: Path, alias: str = "default") -> Path:
    """Write `portal-YYYYMMDD-HHMMSS.tar.gz` into `directory`; return its path."""
    connection = connections[alias]
    db = connection.settings_dict
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    archive = directory / f"portal-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory() as work:
        staging = Path(work)
        if connection.vendor == "postgresql":
            # One snapshot of the whole database, whatever is written meanwhile.
            subprocess.run(  # noqa: S603 - fixed arguments from settings
                [
                    _tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--file",
                    str(staging / POSTGRES_DUMP),
                    *_pg_args(db),
                    str(db["NAME"]),
                ],
                check=True,
                env=_pg_env(db),
                capture_output=True,
            )
        elif connection.vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(staging / SQLITE_COPY)
            with target:
                connection.connection.backup(target)  # a consistent online copy
            target.close()
        else:
            raise BackupError(f"Backups of {connection.vendor} are not supported.")
        manifest = {
            "created_at": timezone.now().isoformat(),
            "vendor": connection.vendor,
            "tables": {
                name: {"rows": s.rows, "checksum": s.checksum}
                for name, s in table_sums(alias).items()
            },
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2))
        with tarfile.open(archive, "w:gz") as tar:
            for name in (MANIFEST, POSTGRES_DUMP, SQLITE_COPY):
                if (staging / name).exists():
                    tar.add(staging / name, arcname=name)
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                tar.add(media, arcname=MEDIA)
    archive.chmod(0o600)  # personal data: readable by its owner only
    return archive


def _is_empty(alias: str) -> bool:
    connection = connections[alias]
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def backup_restore(*, archive: Path, alias: str = "default") -> dict[str, TableSum]:
    """Bring a backup back into an empty database (and its files into MEDIA_ROOT),
    then check every table's count and checksum against the manifest."""
    connection = connections[alias]
    db = connection.settings_dict
    if not _is_empty(alias):
        raise BackupError(
            "The database is not empty: restore into a new, empty database (create it, "
            "point DATABASE_URL at it, and run restore again). Nothing was changed."
        )
    with tempfile.TemporaryDirectory() as work, tarfile.open(archive) as tar:
        staging = Path(work)
        tar.extractall(staging, filter="data")
        manifest = json.loads((staging / MANIFEST).read_text())
        if manifest["vendor"] != connection.vendor:
            raise BackupError(
                f"The backup is of {manifest['vendor']}; this database is "
                f"{connection.vendor}. Nothing was changed."
            )
        if connection.vendor == "postgresql":
            connection.close()
            subprocess.run(  # noqa: S603 - fixed arguments from settings
                [
                    _tool("pg_restore"),
                    "--no-owner",
                    "--exit-on-error",
                    "--dbname",
                    str(db["NAME"]),
                    *_pg_args(db),
                    str(staging / POSTGRES_DUMP),
                ],
                check=True,
                env=_pg_env(db),
                capture_output=True,
            )
        else:
            connection.ensure_connection()
            source = sqlite3.connect(staging / SQLITE_COPY)
            with source:
                source.backup(connection.connection)
            source.close()
        media = staging / MEDIA
        if media.exists():
            shutil.copytree(media, Path(settings.MEDIA_ROOT), dirs_exist_ok=True)
    restored = table_sums(alias)
    expected = {
        name: TableSum(t["rows"], t["checksum"])
        for name, t in manifest["tables"].items()
    }
    wrong = sorted(n for n in expected if restored.get(n) != expected[n])
    if wrong:
        raise BackupError(
            f"The restored tables differ from the backup: {', '.join(wrong)}."
        )
    return restored


def backups_prune(*, directory: Path, keep_days: int) -> int:
    """Delete archives older than `keep_days`; return how many."""
    cutoff = timezone.now() - dt.timedelta(days=keep_days)
    removed = 0
    for path in directory.glob("portal-*.tar.gz"):
        made = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
        if made < cutoff:
            path.unlink()
            removed += 1
    return removed
