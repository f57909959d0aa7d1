"""The one way the portal writes CSV: every text cell is safe to open in a spreadsheet
(spec/security.md INP-4: a cell starting with = + - @ or a control character is
prefixed with '), downloads start with a byte-order mark so that Excel reads UTF-8,
and a download streams, so a long list is never held in memory or cut off."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def cell(value: object) -> object:
    """A value as a CSV cell: text that a spreadsheet would run as a formula is
    prefixed with an apostrophe; numbers are left as they are."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Line:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """Each row as one CSV line, with safe cells."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    for row in rows:
        yield writer.writerow([cell(value) for value in row])


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """Rows as CSV text (no byte-order mark: for files and commands)."""
    out = io.StringIO()
    for line in csv_lines(rows):
        out.write(line)
    return out.getvalue()


def csv_download(
    rows: Iterable[Sequence[object]], *, filename: str
) -> StreamingHttpResponse:
    """A streamed CSV download that Excel opens as UTF-8."""

    def content() -> Iterator[str]:
        yield BOM
        yield from csv_lines(rows)

    response = StreamingHttpResponse(content(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
