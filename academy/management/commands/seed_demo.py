"""`manage.py seed_demo`: create the demo academy once and print its logins."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from academy.demo import demo_seed


class Command(BaseCommand):
    help = "Create the demo academy (once) and print one login per role."

    def handle(self, *args: Any, **options: Any) -> None:
        seed = demo_seed(credentials_file=settings.VAR_DIR / "demo-logins.json")
        if seed.created:
            self.stdout.write(self.style.SUCCESS("Created the demo academy."))
        else:
            self.stdout.write(
                "The demo academy is already there; its data is unchanged."
            )
        self.stdout.write("\nDemo logins (also in var/demo-logins.json):")
        for login in seed.logins:
            self.stdout.write(f"  {login.role:<12} {login.email:<32} {login.password}")
        self.stdout.write("")
