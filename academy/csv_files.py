"""The one way the portal writes CSV: every text cell is safe to open in a spreadsheet
(spec/security.md INP-4: a cell starting with = + - @ or a control character is
prefixed with '), downloads and files for people start with a byte-order mark so that
Excel reads UTF-8 (before anything else, a first line included), and a download
streams, so a long list is never held in memory or cut off.

Values are written one way (issue 15): a day as ISO 8601 YYYY-MM-DD, a moment as
YYYY-MM-DD HH:MM:SS in UK time (`utc_moment` for the audit, which says UTC), true and
false as Yes and No. Exports pass the labels the screen shows, not choice codes (the
people list's `?columns=codes` is the one exception: the codes an import takes)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse
from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


MOMENT_FORMAT = "%Y-%m-%d %H:%M:%S"


def utc_moment(value: dt.datetime) -> str:
    """A moment in UTC, written as every CSV writes moments."""
    return value.astimezone(dt.UTC).strftime(MOMENT_FORMAT)


def cell(value: object) -> object:
    """A value as a CSV cell: days and moments in ISO 8601 (moments in UK time), Yes
    or No, and text that a spreadsheet would run as a formula prefixed with an
    apostrophe; numbers are left as they are."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime(MOMENT_FORMAT)
    if isinstance(value, dt.date):
        return value.isoformat()
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


def csv_file_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    """Rows as a CSV file for a person to open (an e-mail attachment): UTF-8 with
    the byte-order mark first."""
    return (BOM + csv_text(rows)).encode("utf-8")


# A streamed file is sent in pieces of about this many characters: one write to the
# socket per piece rather than per line, and never more than a piece in memory.
STREAM_PIECE = 64 * 1024


def csv_stream(rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """A CSV file for a person to open (byte-order mark first), as text pieces of
    about STREAM_PIECE characters, read from `rows` as it goes: memory stays the same
    however many rows there are."""
    piece = STREAM_PIECE
    buffer = [BOM]
    size = len(BOM)
    for line in csv_lines(rows):
        buffer.append(line)
        size += len(line)
        if size >= piece:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


def csv_download(
    rows: Iterable[Sequence[object]], *, filename: str
) -> StreamingHttpResponse:
    """A streamed CSV download that Excel opens as UTF-8."""
    response = StreamingHttpResponse(
        csv_stream(rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
