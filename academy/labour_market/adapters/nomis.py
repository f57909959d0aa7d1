"""Nomis NM_162_1 (claimant count) CSV, the full default output
(../shared/data/lmi/SOURCES.md §2.1).

Keyed on GEOGRAPHY_CODE (GSS), never on Nomis's internal GEOGRAPHY id. DATE is the
month (`2024-03`). MEASURE 1 is the count, 2 the percentage of residents aged 16-64
(stored as a fraction). OBS_STATUS other than `A` is suppressed. Every dimension must
be pinned (GENDER 0, AGE 0, MEASURES 20100): other rows are rejected, never summed.
RECORD_COUNT must equal the rows in the file, so a file cut off half way, or cut short
by Nomis's row limit, fails. Headers outside Nomis's 40 known columns fail the file.
"""

from __future__ import annotations

import re

from .. import config
from ..observations import (
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
from ..reading import PROGRESS_EVERY, Row, cell_value, csv_rows, header_map
from ..reference import GSS_CODE

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_TOTAL = Breakdown()


class NomisClaimantCountAdapter:
    """Parses Nomis's NM_162_1 claimant count CSV."""

    source = Source.NOMIS_CLAIMANT_COUNT

    def parse(
        self,
        data: bytes,
        filename: str,
        *,
        period: str | None = None,
        progress: Progress | None = None,
    ) -> ParseResult:
        rows = csv_rows(data)
        header, body = rows[0], rows[1:]
        columns = header_map(
            header,
            config.NOMIS_COLUMNS,
            required=config.NOMIS_REQUIRED,
            not_loaded=config.NOMIS_NOT_LOADED,
            config_name="NOMIS_COLUMNS",
        )
        width = len(header)
        for offset, row in enumerate(body):
            if None in row[:width]:
                raise SourceFileError(
                    f"Row {offset + 2} stops after {row.index(None)} of {width} "
                    "columns: the file was cut off half way; nothing was loaded."
                )
        self._check_complete(body, columns)
        observations: list[Observation] = []
        rejected: list[Rejected] = []
        seen: dict[tuple[str, str, str], int] = {}
        for offset, row in enumerate(body):
            number = offset + 2
            if progress and offset and offset % PROGRESS_EVERY == 0:
                progress(offset)
            made = self._row(row, columns)
            if isinstance(made, str):
                rejected.append(Rejected(number, made))
                continue
            key = (made.area_code, made.period, made.measure)
            if key in seen:
                rejected.append(
                    Rejected(number, f"The same figure as row {seen[key]}.")
                )
                continue
            seen[key] = number
            observations.append(made)
        if progress:
            progress(len(body))
        units = {
            measure: unit.value for measure, unit in config.NOMIS_MEASURES.values()
        }
        return ParseResult(observations, rejected, rows=len(body), units=units)

    def _check_complete(self, body: list[Row], columns: dict[str, int]) -> None:
        """RECORD_COUNT (and RECORD_OFFSET, if given) against the rows received."""
        if not body:
            raise SourceFileError(
                "The file has a header but no rows; nothing was loaded."
            )
        counts = {row[columns["record_count"]] for row in body}
        if len(counts) != 1 or not (declared := counts.pop() or "").isdigit():
            raise SourceFileError(
                "RECORD_COUNT is missing or differs between rows; nothing was loaded."
            )
        first = body[0][columns["record_offset"]] if "record_offset" in columns else "0"
        if first not in ("0", ""):
            raise SourceFileError(
                f"The file starts at record {first}, not at the first one: it is a "
                "later page of a larger answer. Nothing was loaded."
            )
        if int(declared) != len(body):
            raise SourceFileError(
                f"The file has {len(body)} rows but Nomis sent {declared} "
                "(RECORD_COUNT): it was cut off half way, or cut short by Nomis's row "
                "limit. Nothing was loaded; download it again, or ask for fewer areas "
                "or months."
            )

    def _row(self, row: Row, columns: dict[str, int]) -> Observation | str:
        def cell(name: str) -> str:
            return (row[columns[name]] or "") if name in columns else ""

        for dimension, code in config.NOMIS_PINNED.items():
            if dimension in columns and cell(dimension) != code:
                return (
                    f"{dimension.upper()} is {cell(dimension)}: only {code} is loaded "
                    "(figures of other codes are parts or other measures)."
                )
        month = cell("date")
        if not _MONTH.match(month):
            return f'DATE "{month}" is not a month such as 2024-03.'
        code = cell("area").upper()
        if not GSS_CODE.match(code):
            return f'GEOGRAPHY_CODE "{code}" is not an ONS area code.'
        if cell("measure") not in config.NOMIS_MEASURES:
            return f"MEASURE {cell('measure')} is not known."
        measure, unit = config.NOMIS_MEASURES[cell("measure")]
        text = cell("value")
        if cell("status") != config.NOMIS_NORMAL_STATUS:
            value, status = None, Status.SUPPRESSED
        else:
            try:
                value, status = cell_value(text, unit)
            except ValueError:
                return f'OBS_VALUE "{text}" is not a number.'
        return Observation(
            self.source,
            code,
            cell("area_name"),
            month,
            measure,
            _TOTAL,
            value,
            status,
            Unit(unit),
            text or cell("status"),
        )
