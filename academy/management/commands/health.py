"""Say whether the database, Redis, the worker and beat answer (as /health/ does).

manage.py health   -- prints JSON; exits 1 when something is down.
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from academy.health import health_checks


class Command(BaseCommand):
    help = "Check the database, Redis, the worker and beat; exit 1 if any is down."

    def handle(self, *args: Any, **options: Any) -> None:
        checks = health_checks()
        report = {c.name: {"ok": c.is_ok, "detail": c.detail} for c in checks}
        self.stdout.write(json.dumps(report, indent=2))
        down = [c.name for c in checks if not c.is_ok]
        if down:
            raise CommandError(f"Not answering: {', '.join(down)}.")
