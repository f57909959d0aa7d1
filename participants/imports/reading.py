"""Reading CSV (UTF-8) and XLSX files as numbered rows of cells."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.template.defaultfilters import pluralize

from .columns import SUFFIXES, XLSX_MAGIC, Cell, ImportFileError

_NOT_UTF8 = (
    "The file is not UTF-8 text. In your spreadsheet, save it as 'CSV UTF-8' "
    "and try again."
)
_NOT_XLSX = "The file is not an Excel workbook (.xlsx). Save it as .xlsx or as CSV."
_NOT_TEXT = (
    "The file is not a text file, so it cannot be a CSV file. In your spreadsheet, "
    "save it as 'CSV UTF-8' and try again."
)
_MARKUP = (
    "The file looks like a web page or XML, not a CSV file. Open it in your "
    "spreadsheet and save it as 'CSV UTF-8' (or as an Excel workbook)."
)
_SNIFF_BYTES = 64 * 1024
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]+\d+(?::[A-Z]+(\d+))?\"")
# Read with patterns, not an XML parser: these parts are small, and an XML parser on
# an untrusted file is one more thing to harden.
_FIRST_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\s(?:\w+:)?id=\"([^\"]+)\"")
_RELATION = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTRIBUTE = re.compile(rb"\s(Id|Target)=\"([^\"]*)\"")


def _too_many_rows() -> ImportFileError:
    limit = settings.IMPORT_MAX_ROWS
    return ImportFileError(
        f"The file has more than {limit:,} row{pluralize(limit)}. Split it into "
        f"files of at most {limit:,} row{pluralize(limit)} and import them in turn."
    )


@dataclass(frozen=True)
class Table:
    """A file's header and its non-empty data rows, numbered as a spreadsheet does."""

    header: tuple[str, ...]
    rows: Iterator[tuple[int, tuple[Cell, ...]]]


def file_sniff(source: IO[bytes], *, name: str) -> None:
    """Raise ImportFileError unless the start of `source` is what its name says: an
    XLSX workbook's signature, or UTF-8 text that is not markup. Reads 64 KB at most,
    so it is cheap enough for a web request; `file_check` (the worker's) reads it all.
    """
    suffix = _suffix(name)
    source.seek(0)
    head = source.read(_SNIFF_BYTES)
    source.seek(0)
    if suffix == ".xlsx":
        if not head.startswith(XLSX_MAGIC):
            raise ImportFileError(_NOT_XLSX)
        return
    if b"\x00" in head:
        raise ImportFileError(_NOT_TEXT)
    try:
        # Not final: the 64 KB may end inside a character.
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head)
    except UnicodeDecodeError as error:
        raise ImportFileError(_NOT_UTF8) from error
    if text.lstrip().startswith("<"):
        raise ImportFileError(_MARKUP)


def file_check(source: IO[bytes], *, name: str) -> None:
    """Raise ImportFileError unless `source` is a readable CSV (UTF-8) or XLSX file."""
    suffix = _suffix(name)
    source.seek(0)
    if suffix == ".csv":
        _csv_check(source)
    else:
        if source.read(4) != XLSX_MAGIC:
            raise ImportFileError(_NOT_XLSX)
        source.seek(0)
        _xlsx_check(source)
        source.seek(0)
        _workbook(source).close()
    source.seek(0)


def rows_count(source: IO[bytes], *, name: str) -> int | None:
    """How many data rows a checked file holds, for the progress of its check: a CSV
    file's non-empty rows, counted exactly (cheap beside checking them); an XLSX
    workbook's rows as its first sheet declares them, or None if it does not say.
    Raises ImportFileError past IMPORT_MAX_ROWS."""
    source.seek(0)
    try:
        if _suffix(name) == ".xlsx":
            with zipfile.ZipFile(source) as archive:
                declared = _declared_rows(archive)
            return None if declared is None else max(declared - 1, 0)
        reader = csv.reader(codecs.iterdecode(source, "utf-8-sig"))
        next(reader, None)  # the header
        count = 0
        for number, cells in enumerate(reader, start=1):
            if number > settings.IMPORT_MAX_ROWS:  # as _csv_table counts them
                raise _too_many_rows()
            count += any(cell.strip() for cell in cells)
        return count
    except (UnicodeDecodeError, csv.Error, zipfile.BadZipFile, KeyError):
        return None  # reading the rows says what is wrong, and where
    finally:
        source.seek(0)


def _csv_check(source: IO[bytes]) -> None:
    """UTF-8 text throughout, with no NUL bytes, and not markup saved as .csv."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    first = True
    try:
        for chunk in iter(lambda: source.read(64 * 1024), b""):
            if b"\x00" in chunk:
                raise ImportFileError(_NOT_TEXT)
            text = decoder.decode(chunk)
            if first and text.strip():
                if text.lstrip().startswith("<"):
                    raise ImportFileError(_MARKUP)
                first = False
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        raise ImportFileError(_NOT_UTF8) from error


def _xlsx_check(source: IO[bytes]) -> None:
    """Refuse a workbook that unpacks to more than the limit, or whose first sheet
    declares more rows than the limit, before any of it is parsed: a small zipped
    file can hold a very large sheet."""
    try:
        with zipfile.ZipFile(source) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > settings.IMPORT_XLSX_MAX_UNPACKED_BYTES:
                raise ImportFileError(
                    "The workbook unpacks to more than "
                    f"{settings.IMPORT_XLSX_MAX_UNPACKED_BYTES // 1_000_000:,} MB. "
                    "Split it into smaller files, or save it as CSV."
                )
            rows = _declared_rows(archive)
    except (zipfile.BadZipFile, KeyError) as error:
        raise ImportFileError(_NOT_XLSX) from error
    if rows is not None and rows - 1 > settings.IMPORT_MAX_ROWS:
        raise _too_many_rows()


def _declared_rows(archive: zipfile.ZipFile) -> int | None:
    """The last row number the first sheet declares (its `dimension`), if it says."""
    first = _FIRST_SHEET.search(archive.read("xl/workbook.xml"))
    if first is None:
        return None
    target = ""
    for relation in _RELATION.findall(archive.read("xl/_rels/workbook.xml.rels")):
        attributes = dict(_ATTRIBUTE.findall(relation))
        if attributes.get(b"Id") == first.group(1):
            target = attributes.get(b"Target", b"").decode("utf-8", "replace")
    if not target:
        return None
    path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    with archive.open(posixpath.normpath(path)) as sheet:
        head = sheet.read(16 * 1024)
    found = _DIMENSION.search(head)
    if found is None or found.group(1) is None:
        return None
    return int(found.group(1))


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
        last = settings.IMPORT_MAX_ROWS + 1  # read once: settings are looked up slowly
        strip = str.strip
        try:
            for number, cells in enumerate(reader, start=2):
                if number > last:
                    raise _too_many_rows()
                stripped = tuple(map(strip, cells))
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
                if number - 1 > settings.IMPORT_MAX_ROWS:
                    raise _too_many_rows()
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
