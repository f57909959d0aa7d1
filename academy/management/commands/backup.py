"""Back up the database and the stored files into one dated archive.

manage.py backup [--dir DIR] [--keep-days N]
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from academy.backups import BackupError, backup_create, backups_prune


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database and the stored files (uploads, "
        "PDFs) to DIR/portal-YYYYMMDD-HHMMSS.tar.gz, with a manifest of every table."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=settings.BACKUP_DIR)
        parser.add_argument(
            "--keep-days",
            type=int,
            default=None,
            help="also delete archives in DIR older than this many days",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            archive = backup_create(directory=options["dir"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backed up to {archive}"))
        if options["keep_days"] is not None:
            removed = backups_prune(
                directory=options["dir"], keep_days=options["keep_days"]
            )
            self.stdout.write(
                f"Removed {removed} archive(s) older than {options['keep_days']} days."
            )
