"""Print the labour-market figures stored for an area, one row per figure.

    python manage.py labour_market_figures --area E06000026 --format csv
    python manage.py labour_market_figures --area E06000026 --period 2022/23 \
        --format json

Columns: source,area_code,area_name,period,measure,breakdown,value,status. Counts are
as published, rates fractions (0.23 for 23%); a suppressed figure has no value.
"""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from academy.csv_files import csv_text
from academy.labour_market.figures import FigureRow, figure_rows
from academy.labour_market.reference import GSS_CODE

COLUMNS = [f.name for f in dataclasses.fields(FigureRow)]


def _number(text: str) -> int | float | None:
    if not text:
        return None
    value = Decimal(text)
    return int(value) if value == value.to_integral() else float(value)


class Command(BaseCommand):
    help = "Print the labour-market figures stored for an area, as CSV or JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", required=True, help="ONS (GSS) area code")
        parser.add_argument("--period", help="e.g. 2022/23, or 2024-03 for Nomis")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args: Any, **options: Any) -> None:
        area = options["area"].strip().upper()
        if not GSS_CODE.match(area):
            raise CommandError(f"{options['area']} is not an ONS area code.")
        rows = figure_rows(area_code=area, period=options["period"])
        if not rows:
            self.stderr.write(f"No figures are stored for {area}.")
        if options["format"] == "json":
            items = [{**dataclasses.asdict(r), "value": _number(r.value)} for r in rows]
            self.stdout.write(json.dumps(items, indent=2, ensure_ascii=False))
            return
        lines = [COLUMNS, *(dataclasses.astuple(r) for r in rows)]
        self.stdout.write(csv_text(lines), ending="")
