"""The impact report as CSV and JSON (spec/impact-report.md: long format), each saying
in its name and first line whether it is internal or for publication (issue 14)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from academy.csv_files import csv_file_bytes, csv_text

from .disclosure import file_name, first_line
from .impact import ImpactReport, report_rows

CSV_HEADER = ("metric", "breakdown", "category", "value")


def impact_file_name(report: ImpactReport, *, publish: bool, ext: str) -> str:
    """impact-<academy>-<from>-to-<to>-internal.csv / -for-publication.pdf ..."""
    stem = f"impact-{report.academy.slug}-{report.start}-to-{report.end}"
    return file_name(stem, publish=publish, ext=ext)


def impact_first_line(report: ImpactReport, *, publish: bool) -> str:
    return first_line(
        f"impact report of {report.academy.name} from {report.start} to {report.end}",
        publish=publish,
    )


def impact_csv_rows(
    report: ImpactReport, *, publish: bool
) -> Iterator[Sequence[object]]:
    """The first line, then `metric,breakdown,category,value` with every metric in
    every category."""
    yield (impact_first_line(report, publish=publish),)
    yield CSV_HEADER
    yield from report_rows(report, publish=publish)


def impact_csv(report: ImpactReport, *, publish: bool) -> str:
    """The long-format CSV as text (for the command line and scripts)."""
    return csv_text(impact_csv_rows(report, publish=publish))


def impact_csv_file(report: ImpactReport, *, publish: bool) -> bytes:
    """The long-format CSV as a file a person opens (the monthly e-mail's
    attachment): the byte-order mark, then the first line."""
    return csv_file_bytes(impact_csv_rows(report, publish=publish))


def impact_json(report: ImpactReport, *, publish: bool) -> str:
    """The same rows as the CSV, with the academy, period and classification."""
    return json.dumps(
        {
            "notice": impact_first_line(report, publish=publish),
            "classification": "for publication" if publish else "internal",
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
