"""Rebuild the impact report's precomputed summaries (reporting/summaries.py).

manage.py refresh_impact_summaries [--academy SLUG]

The nightly task does the same for every academy; this is for after a bulk change
made past the receivers, or to build an academy's summaries before its first reader.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from academy.models import Academy
from reporting.summaries import refresh_impact_summaries


class Command(BaseCommand):
    help = "Rebuild the impact report's summaries of one academy, or of every academy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--academy", help="the academy's slug (default: every one)")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["academy"]
        academies = Academy.objects.order_by("pk")
        if slug is not None:
            academies = academies.filter(slug=slug)
            if not academies.exists():
                raise CommandError(f"No academy has the slug '{slug}'.")
        for academy in academies:
            started = time.perf_counter()
            refresh_impact_summaries(academy)
            self.stdout.write(
                f"{academy.name} ({academy.slug}): impact summaries rebuilt in "
                f"{time.perf_counter() - started:.1f} s"
            )
