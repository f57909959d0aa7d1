"""Reading CSV (UTF-8) and XLSX files as numbered rows of cells."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from .columns import SUFFIXES, XLSX_MAGIC, Cell, ImportFileError

_NOT_UTF8 = (
    "The file is not UTF-8 text. In your spreadsheet, save it as 'CSV UTF-8' "
    "and try again."
)
_NOT_XLSX = "The file is not an Excel workbook (.xlsx). Save it as .xlsx or as CSV."


@dataclass(frozen=True)
class Table:
    """A file's header and its non-empty data rows, numbered as a spreadsheet does."""

    header: tuple[str, ...]
    rows: Iterator[tuple[int, tuple[Cell, ...]]]


def file_check(source: IO[bytes], *, name: str) -> None:
    """Raise ImportFileError unless `source` is a readable CSV (UTF-8) or XLSX file."""
    suffix = _suffix(name)
    source.seek(0)
    if suffix == ".csv":
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        try:
            for chunk in iter(lambda: source.read(64 * 1024), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            raise ImportFileError(_NOT_UTF8) from error
    else:
        if source.read(4) != XLSX_MAGIC:
            raise ImportFileError(_NOT_XLSX)
        source.seek(0)
        _workbook(source).close()
    source.seek(0)


def _suffix(name: str) -> str:
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in SUFFIXES:
        raise ImportFileError("Only .csv and .xlsx files can be imported.")
    return suffix


def _workbook(source: IO[bytes]) -> Any:
    import openpyxl  # type: ignore[import-untyped]  # only where workbooks are read

    try:
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise ImportFileError(_NOT_XLSX) from error
    if not workbook.worksheets:
        workbook.close()
        raise ImportFileError("The workbook has no sheets.")
    return workbook


def table_read(source: IO[bytes], *, name: str) -> Table:
    """Open a CSV or XLSX file as a Table; rows are read as they are consumed."""
    if _suffix(name) == ".csv":
        return _csv_table(source)
    return _xlsx_table(source)


def _csv_table(source: IO[bytes]) -> Table:
    reader = csv.reader(codecs.iterdecode(source, "utf-8-sig"))
    number = 1
    try:
        header = tuple(next(reader, ()))
    except (UnicodeDecodeError, csv.Error) as error:
        raise ImportFileError(_NOT_UTF8) from error

    def rows() -> Iterator[tuple[int, tuple[Cell, ...]]]:
        nonlocal number
        try:
            for number, cells in enumerate(reader, start=2):
                stripped = tuple(cell.strip() for cell in cells)
                if any(stripped):
                    yield number, stripped
        except UnicodeDecodeError as error:
            raise ImportFileError(f"{_NOT_UTF8} (Near row {number + 1}.)") from error
        except csv.Error as error:
            raise ImportFileError(
                f"Row {number + 1} cannot be read: {error}"
            ) from error

    return Table(header=tuple(h.strip() for h in header), rows=rows())


def _xlsx_table(source: IO[bytes]) -> Table:
    workbook = _workbook(source)
    lines = workbook.worksheets[0].iter_rows(values_only=True)
    header = tuple(_xlsx_text(value) for value in next(lines, ()))

    def rows() -> Iterator[tuple[int, tuple[Cell, ...]]]:
        try:
            for number, values in enumerate(lines, start=2):
                cells = tuple(_xlsx_cell(value) for value in values)
                if any(cells):
                    yield number, cells
        finally:
            workbook.close()

    return Table(header=header, rows=rows())


def _xlsx_cell(value: object) -> Cell:
    if isinstance(value, dt.datetime):
        return value.date()  # date cells arrive as midnight datetimes
    if isinstance(value, dt.date):
        return value
    return _xlsx_text(value)


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    return str(value).strip()
