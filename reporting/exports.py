"""The impact report as CSV and JSON (spec/impact-report.md: long format)."""

from __future__ import annotations

import csv
import io
import json

from .impact import ImpactReport, report_rows

CSV_HEADER = ("metric", "breakdown", "category", "value")


def impact_csv(report: ImpactReport, *, publish: bool) -> str:
    """`metric,breakdown,category,value`, every metric with every category."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(report_rows(report, publish=publish))
    return out.getvalue()


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
