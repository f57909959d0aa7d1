"""`manage.py seed_demo`: create the demo academy once and print its logins.

It lives in `reporting`, the app that may read all others, because the demo spans them.
"""

from base64 import b32encode
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from academy.demo import DEMO_DOMAIN, demo_seed
from academy.models import User
from participants.demo import demo_casework_seed
from participants.services import outcome_doubles_find
from reporting.funders.services import funder_returns_install
from vacancies.demo import demo_vacancies_seed
from vacancies.demo_events import demo_events_seed


class Command(BaseCommand):
    help = "Create the demo academy (once) and print one login per role."

    def handle(self, *args: Any, **options: Any) -> None:
        seed = demo_seed(credentials_file=settings.VAR_DIR / "demo-logins.json")
        if seed.created:
            coordinator = User.objects.get(email=f"coordinator@{DEMO_DOMAIN}")
            academy = coordinator.memberships.get().academy
            people = demo_casework_seed(academy=academy, coordinator=coordinator)
            demo_vacancies_seed(academy=academy, by=coordinator)
            demo_events_seed(academy=academy, by=coordinator)
            funder_returns_install(academy)
            # What the nightly check would find, listed at once in a new demo.
            outcome_doubles_find()
            self.stdout.write(
                self.style.SUCCESS(f"Created the demo academy, with {people} people.")
            )
        else:
            self.stdout.write(
                "The demo academy is already there; its data is unchanged."
            )
        self.stdout.write("\nDemo logins (also in var/demo-logins.json):")
        for login in seed.logins:
            self.stdout.write(f"  {login.role:<12} {login.email:<32} {login.password}")
        secret = b32encode(bytes.fromhex(seed.mfa_key)).decode()
        self.stdout.write(
            "\nTwo-step sign-in: after the password, type the code of the demo users'\n"
            f"shared authenticator key {secret} (add it to any authenticator app),\n"
            "or print the current code with: .venv/bin/python manage.py demo_code\n"
            "(a code signs each user in once: to sign the same user in again within\n"
            "30 seconds, e.g. on a phone, use: manage.py demo_code coordinator)\n"
        )
