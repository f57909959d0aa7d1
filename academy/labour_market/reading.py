"""Reading files for the adapters (pandas, with openpyxl for .xlsx) and their cells."""

from __future__ import annotations

import csv
import io
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from .config import SUPPRESSED_MARKERS
from .observations import SourceFileError, Status, Unit

XLSX_MAGIC = b"PK\x03\x04"
PROGRESS_EVERY = 10_000
# A row's cells; None where the row stopped short of the header (a cut-off file).
Row = list[str | None]
_RATE_PLACES = Decimal("0.000001")


def is_xlsx(data: bytes) -> bool:
    """Whether the bytes are a zip container, as an .xlsx workbook is."""
    return data[:4] == XLSX_MAGIC


def decode(data: bytes) -> str:
    """CSV text: UTF-8 (with or without a BOM), else Windows-1252 as Excel saves it."""
    if b"\x00" in data[:8192]:
        raise SourceFileError("The file is not a text CSV file (it holds binary data).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def csv_rows(data: bytes) -> list[Row]:
    """Every row of a CSV file as text cells, quoted or not.

    pandas's Python engine marks the cells missing from a short row as None, which
    is how a file cut off half way is told from one with empty cells.
    """
    import pandas as pd  # type: ignore[import-untyped]  # only where files are read

    text = decode(data)
    if not text.strip():
        raise SourceFileError("The file is empty.")
    if not text.endswith(("\n", "\r")):
        # Every source ends its last row with a line break: without one, the download
        # stopped part way, perhaps inside the last figure (0.26 read as 0.2).
        raise SourceFileError(
            "The file does not end with a line break, so it looks cut off: its last "
            "figure may be incomplete. Download it again; nothing was loaded."
        )
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=object,
            keep_default_na=False,
            engine="python",
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, csv.Error) as error:
        raise SourceFileError(
            f"The file cannot be read as CSV ({_first_line(error)}). It may have been "
            "cut off half way or damaged; nothing was loaded."
        ) from error
    return [
        [None if cell is None else str(cell).strip() for cell in row]
        for row in cast(list[list[Any]], frame.to_numpy().tolist())
    ]


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else "unreadable"


class Workbook:
    """An .xlsx workbook opened once; sheets are read by name as text cells."""

    def __init__(self, data: bytes) -> None:
        import pandas as pd  # only where files are read

        try:
            self._book = pd.ExcelFile(io.BytesIO(data), engine="openpyxl")
        except Exception as error:  # openpyxl raises many kinds on a damaged zip
            raise SourceFileError(
                "The workbook cannot be opened: it may have been cut off half way "
                "or damaged; nothing was loaded."
            ) from error
        self.sheet_names: list[str] = [str(n) for n in self._book.sheet_names]

    def sheet(self, names: Iterable[str]) -> str | None:
        """The first sheet whose name is one of `names` (capitals do not matter)."""
        wanted = {header_key(n) for n in names}
        return next((s for s in self.sheet_names if header_key(s) in wanted), None)

    def rows(self, sheet: str) -> list[Row]:
        """A sheet's rows as text cells; numbers written as Python writes them."""
        import pandas as pd

        frame = pd.read_excel(self._book, sheet_name=sheet, header=None, dtype=object)
        return [
            [xlsx_text(cell) for cell in row]
            for row in cast(list[list[Any]], frame.to_numpy().tolist())
        ]

    def close(self) -> None:
        self._book.close()


def xlsx_text(value: object) -> str:
    """An .xlsx cell as the text a CSV of it would hold."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def header_key(header: str) -> str:
    """A header as compared: capitals and repeated or non-breaking spaces ignored."""
    return " ".join(header.replace("\xa0", " ").split()).casefold()


def header_map(
    header: Sequence[str | None],
    aliases: Mapping[str, tuple[str, ...]],
    *,
    required: Iterable[str],
    not_loaded: Iterable[str] = (),
    config_name: str,
) -> dict[str, int]:
    """Canonical column -> its position, through the alias table.

    An unknown header, a missing required one or a column given twice fails the
    file, naming the header.
    """
    spellings = {
        header_key(spelling): canonical
        for canonical, names in aliases.items()
        for spelling in names
    }
    ignored = {header_key(name) for name in not_loaded}
    found: dict[str, int] = {}
    unknown: list[str] = []
    for position, text in enumerate(header):
        key = header_key(text or "")
        canonical = spellings.get(key)
        if canonical is None:
            if key and key not in ignored:
                unknown.append(str(text))
        elif canonical in found:
            raise SourceFileError(
                f'The column "{text}" appears twice (as "{header[found[canonical]]}" '
                "too); nothing was loaded."
            )
        else:
            found[canonical] = position
    if unknown:
        names = ", ".join(f'"{name}"' for name in unknown)
        raise SourceFileError(
            f"Unknown column{'s' if len(unknown) > 1 else ''} {names}: nothing was "
            f"loaded. If a new edition renamed a column, add its new name to "
            f"{config_name} in academy/labour_market/config.py."
        )
    missing = [c for c in required if c not in found]
    if missing:
        names = ", ".join(f'"{aliases[c][0]}"' for c in missing)
        raise SourceFileError(
            f"Missing column{'s' if len(missing) > 1 else ''} {names}: nothing was "
            "loaded."
        )
    return found


def number(text: str) -> Decimal:
    """A published number: thousands separators allowed. Raises ValueError."""
    cleaned = text.replace(",", "").replace(" ", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    return value


def is_suppressed(text: str) -> bool:
    """Whether a cell holds a suppression marker."""
    return text in SUPPRESSED_MARKERS


def rate_unit(cells: Iterable[str]) -> Unit:
    """Whether a column of rates is published as percentages or as fractions.

    Percentages have a median above 1 (a vacancy rate of 9.9, not 0.099); a single
    turnover rate above 100% in a column of fractions does not flip the column.
    A column repeats its figures, so each distinct text is read once.
    """
    values: list[Decimal] = []
    for text, times in Counter(cells).items():
        if not text or is_suppressed(text):
            continue
        if text.endswith("%"):
            return Unit.PERCENT
        try:
            values.extend([abs(number(text))] * times)
        except ValueError:
            continue
    if values and statistics.median(values) > 1:
        return Unit.PERCENT
    return Unit.FRACTION


def cell_value(text: str, unit: Unit) -> tuple[Decimal | None, Status]:
    """A cell's value as stored (rates as fractions) and status. Raises ValueError."""
    if is_suppressed(text):
        return None, Status.SUPPRESSED
    if unit in (Unit.PERCENT, Unit.FRACTION):
        value = number(text.removesuffix("%"))
        if unit == Unit.PERCENT:
            value = value / 100
        value = value.quantize(_RATE_PLACES)
    else:
        value = number(text)
    if value < 0:
        raise ValueError(text)
    return value, Status.PUBLISHED
