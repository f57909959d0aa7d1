"""Re-encrypt every encrypted note with the first of FIELD_ENCRYPTION_KEYS.

manage.py rotate_field_keys [--batch-size N]

Put a new key first in FIELD_ENCRYPTION_KEYS (keeping the old ones after it), restart,
run this, then drop the old keys (README, Security). Safe to run again or to stop.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from academy.crypto import UndecryptableValue, field_keys_rotate


class Command(BaseCommand):
    help = "Re-encrypt every encrypted value with the first of FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="rows re-encrypted per transaction (default 500)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            done = field_keys_rotate(batch_size=options["batch_size"])
        except UndecryptableValue as error:
            raise CommandError(str(error)) from error
        for label, count in done.items():
            self.stdout.write(f"{label}: {count} values re-encrypted")
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {sum(done.values())} values re-encrypted; every encrypted "
                "value is now under the first key."
            )
        )
