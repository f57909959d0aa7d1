"""The impact report as CSV and JSON (spec/impact-report.md: long format)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from academy.csv_files import csv_text

from .impact import ImpactReport, report_rows

CSV_HEADER = ("metric", "breakdown", "category", "value")


def impact_csv_rows(
    report: ImpactReport, *, publish: bool
) -> Iterator[Sequence[object]]:
    """`metric,breakdown,category,value`, every metric with every category."""
    yield CSV_HEADER
    yield from report_rows(report, publish=publish)


def impact_csv(report: ImpactReport, *, publish: bool) -> str:
    """The long-format CSV as text (for files and e-mail)."""
    return csv_text(impact_csv_rows(report, publish=publish))


def impact_json(report: ImpactReport, *, publish: bool) -> str:
    """The same rows as the CSV, with the academy and period."""
    return json.dumps(
        {
            "academy": report.academy.slug,
            "from": report.start.isoformat(),
            "to": report.end.isoformat(),
            "published": publish,
            "produced_at": report.produced_at.isoformat(timespec="seconds"),
            "rows": [
                dict(zip(CSV_HEADER, row, strict=True))
                for row in report_rows(report, publish=publish)
            ],
        },
        indent=2,
    )
