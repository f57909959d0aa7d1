"""`manage.py demo_code [ROLE]`: the current two-step sign-in code of the demo users
(whose shared authenticator key `seed_demo` made), so that the demo is easy to try
without an authenticator app. It knows no other key: outside the demo it has nothing
to print.

Each code signs a person in once (django-otp refuses a code used before, per person),
so the same demo user signing in twice within 30 seconds, on a phone and on a
computer, needs the next code: `demo_code coordinator` prints the code that user's
next sign-in takes (the current one, or the next, which their authenticator accepts
as it would a clock a step ahead)."""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from academy.demo import DEMO_DOMAIN, PEOPLE, demo_mfa_key_file


class Command(BaseCommand):
    help = "Print the demo users' current two-step sign-in code."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "role",
            nargs="?",
            choices=[role.value for role, *_ in PEOPLE],
            help="The code this demo user's next sign-in takes.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        key_file = demo_mfa_key_file(settings.VAR_DIR / "demo-logins.json")
        try:
            key = bytes.fromhex(key_file.read_text().strip())
        except (OSError, ValueError) as error:
            raise CommandError(
                "There is no demo here: run `make run` (or manage.py seed_demo) first."
            ) from error
        if not options["role"]:
            self.stdout.write(f"{totp(key):06d}")
            return
        email = f"{options['role']}@{DEMO_DOMAIN}"
        device = TOTPDevice.objects.filter(
            user__email=email, key=key.hex(), confirmed=True
        ).first()
        if device is None:
            raise CommandError(f"{email} has no demo authenticator: run seed_demo.")
        self.stdout.write(f"{_next_code(device, key):06d}")


def _next_code(device: TOTPDevice, key: bytes) -> int:
    """The code of the first time step this device still accepts (never one it took)."""
    now = int((time.time() - device.t0) // device.step)
    ahead = max(now, device.last_t + 1) - now
    if ahead > device.drift + device.tolerance:
        wait = device.step - int((time.time() - device.t0) % device.step)
        raise CommandError(
            f"{device.user.email} has used the codes of this half-minute: "
            f"run this again in {wait} seconds."
        )
    return int(totp(key, step=device.step, t0=device.t0, drift=ahead))
