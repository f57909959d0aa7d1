"""`manage.py demo_code`: the current two-step sign-in code of the demo users (whose
shared authenticator key `seed_demo` made), so that the demo is easy to try without an
authenticator app. It knows no other key: outside the demo it has nothing to print."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from academy.demo import demo_mfa_key_file


class Command(BaseCommand):
    help = "Print the demo users' current two-step sign-in code."

    def handle(self, *args: Any, **options: Any) -> None:
        key_file = demo_mfa_key_file(settings.VAR_DIR / "demo-logins.json")
        try:
            key = bytes.fromhex(key_file.read_text().strip())
        except (OSError, ValueError) as error:
            raise CommandError(
                "There is no demo here: run `make run` (or manage.py seed_demo) first."
            ) from error
        self.stdout.write(f"{totp(key):06d}")
