"""The impact report for scripts (spec/impact-report.md).

manage.py impact_report --academy SLUG --from YYYY-MM-DD --to YYYY-MM-DD
    --format csv|json|pdf [--publish] [--output FILE]
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from academy.models import Academy
from reporting.exports import impact_csv, impact_json
from reporting.impact import impact_report
from reporting.services import impact_pdf


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"'{value}' is not a date: use YYYY-MM-DD.") from error


class Command(BaseCommand):
    help = "Print or write the impact report of an academy for a period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--academy", required=True, help="the academy's slug")
        parser.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD")
        parser.add_argument("--format", choices=["csv", "json", "pdf"], required=True)
        parser.add_argument(
            "--publish", action="store_true", help="show counts of 1 to 4 as <5"
        )
        parser.add_argument("--output", help="file to write (needed for pdf)")

    def handle(self, *args: Any, **options: Any) -> None:
        academy = Academy.objects.filter(slug=options["academy"]).first()
        if academy is None:
            raise CommandError(f"No academy has the slug '{options['academy']}'.")
        start, end = _date(options["start"]), _date(options["end"])
        if end < start:
            raise CommandError("--to is before --from.")
        report = impact_report(academy=academy, start=start, end=end)
        publish, fmt, output = options["publish"], options["format"], options["output"]
        if fmt == "pdf":
            if not output:
                raise CommandError("A PDF needs --output FILE.")
            Path(output).write_bytes(impact_pdf(report, publish=publish))
            return
        text = (
            impact_csv(report, publish=publish)
            if fmt == "csv"
            else impact_json(report, publish=publish) + "\n"
        )
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
