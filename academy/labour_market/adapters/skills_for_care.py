"""Skills for Care's local-area data download: the `LA level data` sheet of the
workbook (.xlsx), or that sheet saved as CSV (../shared/data/lmi/SOURCES.md §1.2).

One row per area x sector x service x job role, measures in columns. Areas are named,
not coded: names are mapped to GSS codes through the shipped lookup, and a row whose
name is not there is rejected by name. `*` is suppressed, an empty cell not published
(no observation). Rates are stored as published, never worked out from the counts;
each rate column's unit (percentages or fractions) is detected and recorded. The
period comes from the file name (`…2022-23…`) or else from the `Notes` sheet.
Any header not in config.SKILLS_FOR_CARE_COLUMNS fails the file with its name.
"""

from __future__ import annotations

import re
from decimal import Decimal

from .. import config, reference
from ..observations import (
    TOTAL,
    Breakdown,
    Observation,
    ParseResult,
    Progress,
    Rejected,
    Source,
    SourceFileError,
    Status,
    Unit,
)
from ..reading import (
    PROGRESS_EVERY,
    Row,
    Workbook,
    cell_value,
    csv_rows,
    header_key,
    header_map,
    is_xlsx,
    rate_unit,
)

_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d\d)\s?[-_/]?\s?(\d\d)(?!\d)")
_YEAR_IN_NOTES = re.compile(r"(?<!\d)(20\d\d)\s?[/-]\s?(\d\d)(?!\d)")
_DIMENSIONS = ("sector", "service", "job_role")


def _financial_year(pattern: re.Pattern[str], text: str) -> str | None:
    for match in pattern.finditer(text):
        start, end = int(match[1]), int(match[2])
        if (start + 1) % 100 == end:
            return f"{start}/{end:02d}"
    return None


def _label(dimension: str, text: str) -> str:
    """A dimension's label as stored: `all` for a total, older prefixes dropped."""
    text = " ".join(text.split())
    if dimension == "job_role":
        for prefix in config.JOB_ROLE_PREFIXES:
            if text.casefold().startswith(prefix.casefold()):
                text = text[len(prefix) :].strip()
    totals = {header_key(t) for t in config.TOTAL_LABELS[dimension]}
    return TOTAL if header_key(text) in totals else text


class SkillsForCareAdapter:
    """Parses the Skills for Care local-area data download."""

    source = Source.SKILLS_FOR_CARE

    def parse(
        self,
        data: bytes,
        filename: str,
        *,
        period: str | None = None,
        progress: Progress | None = None,
    ) -> ParseResult:
        rows, notes = self._rows(data)
        start = self._header_row(rows)
        columns = header_map(
            rows[start],
            config.SKILLS_FOR_CARE_COLUMNS,
            required=config.SKILLS_FOR_CARE_REQUIRED,
            not_loaded=config.SKILLS_FOR_CARE_NOT_LOADED,
            config_name="SKILLS_FOR_CARE_COLUMNS",
        )
        measures = {
            key: position for key, position in columns.items() if key in config.MEASURES
        }
        if not measures:
            raise SourceFileError(
                "The file has no figures: none of its columns is a measure "
                "(filled posts, vacancies, rates…); nothing was loaded."
            )
        if period is not None:
            given = period
            period = _financial_year(_YEAR_IN_NOTES, given)
            if period is None:
                raise SourceFileError(
                    f'"{given}" is not a financial year such as 2023/24; nothing '
                    "was loaded."
                )
        period = (
            period
            or _financial_year(_YEAR_IN_NAME, filename)
            or _financial_year(_YEAR_IN_NOTES, notes)
        )
        if period is None:
            raise SourceFileError(
                "Cannot tell which year the figures are for: give the year (2023/24), "
                "or put it in the file name, e.g. LA-data-download-2023-24.xlsx."
            )
        body = rows[start + 1 :]
        width = len(rows[start])
        units = self._units(body, measures)
        return self._observations(
            body, start, width, columns, measures, units, period, progress
        )

    def _rows(self, data: bytes) -> tuple[list[Row], str]:
        """The data sheet's rows and the Notes sheet's text ('' for a CSV)."""
        if not is_xlsx(data):
            return csv_rows(data), ""
        book = Workbook(data)
        try:
            sheet = book.sheet(config.SKILLS_FOR_CARE_SHEETS)
            if sheet is None:
                names = ", ".join(f'"{n}"' for n in book.sheet_names)
                raise SourceFileError(
                    f'The workbook has no sheet "{config.SKILLS_FOR_CARE_SHEETS[0]}" '
                    f"(its sheets are {names}); nothing was loaded."
                )
            notes_sheet = book.sheet(config.SKILLS_FOR_CARE_NOTES_SHEETS)
            notes = (
                " ".join(c or "" for row in book.rows(notes_sheet) for c in row)
                if notes_sheet
                else ""
            )
            return book.rows(sheet), notes
        finally:
            book.close()

    def _header_row(self, rows: list[Row]) -> int:
        area_headers = {header_key(h) for h in config.SKILLS_FOR_CARE_COLUMNS["area"]}
        for index, row in enumerate(rows[: config.SKILLS_FOR_CARE_HEADER_SEARCH_ROWS]):
            if any(header_key(cell or "") in area_headers for cell in row):
                return index
        raise SourceFileError(
            f'No header row with "{config.SKILLS_FOR_CARE_COLUMNS["area"][0]}" in '
            "the first rows: this is not a Skills for Care local-area data download; "
            "nothing was loaded."
        )

    def _units(self, body: list[Row], measures: dict[str, int]) -> dict[str, Unit]:
        units = {}
        for measure, position in measures.items():
            kind = config.MEASURES[measure].kind
            if kind == "rate":
                units[measure] = rate_unit(
                    row[position] or "" for row in body if position < len(row)
                )
            else:
                units[measure] = Unit.DAYS if kind == "days" else Unit.COUNT
        return units

    def _observations(
        self,
        body: list[Row],
        start: int,
        width: int,
        columns: dict[str, int],
        measures: dict[str, int],
        units: dict[str, Unit],
        period: str,
        progress: Progress | None,
    ) -> ParseResult:
        observations: list[Observation] = []
        rejected: list[Rejected] = []
        seen: dict[tuple[str, Breakdown], int] = {}
        # A file repeats its areas, labels and many figures row after row: each is
        # worked out once per file (a large file has ~100,000 figures).
        codes: dict[str, str | None] = {}
        labels_of: dict[tuple[str, str], str] = {}
        values: dict[tuple[str, Unit], tuple[Decimal | None, Status]] = {}
        rows = 0
        for offset, row in enumerate(body):
            number = start + offset + 2  # as a spreadsheet numbers it
            if progress and offset and offset % PROGRESS_EVERY == 0:
                progress(offset)
            if not any(row):
                continue
            if None in row[:width]:
                present = row.index(None)
                raise SourceFileError(
                    f"Row {number} stops after {present} of {width} columns: the file "
                    "looks cut off half way or damaged; nothing was loaded."
                )
            rows += 1
            name = row[columns["area"]] or ""
            if name not in codes:
                codes[name] = reference.area_code_for_name(name)
            code = codes[name]
            if code is None:
                rejected.append(
                    Rejected(
                        number,
                        f'Unknown area "{name}": it is not in the geography lookup '
                        "(academy/labour_market/data/geography_england_lookup.csv).",
                    )
                )
                continue
            labels = {}
            for d in _DIMENSIONS:
                text = row[columns[d]] or ""
                if (d, text) not in labels_of:
                    labels_of[d, text] = _label(d, text)
                labels[d] = labels_of[d, text]
            empty = [d for d in _DIMENSIONS if not labels[d]]
            if empty:
                rejected.append(
                    Rejected(number, f"No {empty[0].replace('_', ' ')} given.")
                )
                continue
            breakdown = Breakdown(**labels)
            if (code, breakdown) in seen:
                rejected.append(
                    Rejected(
                        number,
                        f"Same area, sector, service and job role as row "
                        f"{seen[code, breakdown]} ({name}: {breakdown}).",
                    )
                )
                continue
            seen[code, breakdown] = number
            made = self._row(
                row, name, code, breakdown, measures, units, period, values
            )
            if isinstance(made, Rejected):
                rejected.append(Rejected(number, made.reason))
            else:
                observations.extend(made)
        if progress:
            progress(len(body))
        return ParseResult(
            observations,
            rejected,
            rows=rows,
            units={m: u.value for m, u in units.items()},
        )

    def _row(
        self,
        row: Row,
        name: str,
        code: str,
        breakdown: Breakdown,
        measures: dict[str, int],
        units: dict[str, Unit],
        period: str,
        values: dict[tuple[str, Unit], tuple[Decimal | None, Status]],
    ) -> list[Observation] | Rejected:
        made = []
        for measure, position in measures.items():
            text = row[position] or ""
            if not text:
                continue  # an empty cell is "not published": no figure, not zero
            unit = units[measure]
            found = values.get((text, unit))
            if found is None:
                try:
                    value, status = cell_value(text, unit)
                except ValueError:
                    label = config.MEASURES[measure].label
                    return Rejected(0, f'{label}: "{text}" is not a number.')
                found = values[text, unit] = (_count(value, unit), status)
            value, status = found
            made.append(
                Observation(
                    self.source,
                    code,
                    name,
                    period,
                    measure,
                    breakdown,
                    value,
                    status,
                    unit,
                    text,
                )
            )
        return made


def _count(value: Decimal | None, unit: Unit) -> Decimal | None:
    """Counts as published; 6900.0 from a workbook is stored as 6900."""
    if value is None or unit != Unit.COUNT:
        return value
    return value.quantize(Decimal(1)) if value == value.to_integral() else value
