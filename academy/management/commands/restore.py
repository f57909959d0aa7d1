"""Restore a backup into an empty database, and check it.

manage.py restore ARCHIVE
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from academy.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Bring a backup made by `manage.py backup` back into an empty database (and "
        "its files into MEDIA_ROOT); every table's count and checksum is checked."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["archive"]
        if not archive.exists():
            raise CommandError(f"There is no file {archive}.")
        try:
            tables = backup_restore(archive=archive)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(t.rows for t in tables.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {len(tables)} tables ({rows:,} rows); every count and "
                "checksum matches the backup."
            )
        )
