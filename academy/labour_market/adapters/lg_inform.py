"""LG Inform chart CSV downloads (../shared/data/lmi/SOURCES.md §1.6).

Eight header rows, each starting "area label","area long label","area": (1) title,
(2) dataset key, (3) metric names, (4) metric type ids, (5) period labels, (6) period
ids (`fin_2023_24`), (7) units (`%`), (8) value type. Then one row per area, its GSS
code in the third column. Metric ids are mapped in config.LG_INFORM_METRICS; an
unknown id fails the file with its id and name. An empty value is not published.
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
    Unit,
)
from ..reading import PROGRESS_EVERY, Row, cell_value, csv_rows, header_key
from ..reference import GSS_CODE

_FINANCIAL_YEAR_ID = re.compile(r"^fin_(20\d\d)_(\d\d)$")
_FINANCIAL_YEAR_LABEL = re.compile(r"^(20\d\d)/(\d\d)$")


def _period(period_id: str, label: str) -> str | None:
    """`fin_2023_24` (or the label `2023/24`) as the period `2023/24`."""
    for pattern, text in (
        (_FINANCIAL_YEAR_ID, period_id),
        (_FINANCIAL_YEAR_LABEL, label),
    ):
        match = pattern.match(text.strip())
        if match and (int(match[1]) + 1) % 100 == int(match[2]):
            return f"{match[1]}/{match[2]}"
    return None


class LgInformAdapter:
    """Parses an LG Inform chart CSV of mapped metrics."""

    source = Source.LG_INFORM

    def parse(
        self,
        data: bytes,
        filename: str,
        *,
        period: str | None = None,
        progress: Progress | None = None,
    ) -> ParseResult:
        rows = csv_rows(data)
        head = config.LG_INFORM_HEADER_ROWS
        if len(rows) <= head:
            raise SourceFileError(
                f"An LG Inform chart download has {head} header rows and then one row "
                f"per area; this file has {len(rows)} rows. Nothing was loaded."
            )
        expected = [header_key(h) for h in config.LG_INFORM_ID_COLUMNS]
        for number, row in enumerate(rows[:head], start=1):
            if [header_key(c or "") for c in row[:3]] != expected:
                raise SourceFileError(
                    f"Row {number} does not start with "
                    f"{', '.join(config.LG_INFORM_ID_COLUMNS)}: this is not an LG "
                    "Inform chart CSV. Nothing was loaded."
                )
        metrics = self._metrics(rows[:head])
        observations: list[Observation] = []
        rejected: list[Rejected] = []
        seen: dict[str, int] = {}
        width = len(rows[0])
        for offset, row in enumerate(rows[head:]):
            number = head + offset + 1
            if progress and offset and offset % PROGRESS_EVERY == 0:
                progress(offset)
            if None in row[:width]:
                raise SourceFileError(
                    f"Row {number} stops after {row.index(None)} of {width} columns: "
                    "the file looks cut off half way or damaged; nothing was loaded."
                )
            name, code = row[0] or "", (row[2] or "").upper()
            if not GSS_CODE.match(code):
                rejected.append(
                    Rejected(number, f'"{code}" ({name}) is not an ONS area code.')
                )
                continue
            if code in seen:
                rejected.append(
                    Rejected(number, f"{name} ({code}) is already in row {seen[code]}.")
                )
                continue
            seen[code] = number
            made = self._row(row, name, code, metrics)
            if isinstance(made, str):
                rejected.append(Rejected(number, made))
            else:
                observations.extend(made)
        if progress:
            progress(len(rows) - head)
        units = {measure: unit.value for _, measure, _, _, unit in metrics}
        return ParseResult(observations, rejected, rows=len(seen), units=units)

    def _metrics(
        self, header: list[Row]
    ) -> list[tuple[int, str, Breakdown, str, Unit]]:
        """(column, measure, breakdown, period, unit) of each metric column."""
        names, ids, labels, period_ids, units = (
            header[2],
            header[3],
            header[4],
            header[5],
            header[6],
        )
        metrics = []
        for column in range(3, len(ids)):
            metric_id, name = (ids[column] or "").strip(), names[column] or ""
            if not metric_id:
                continue
            if metric_id not in config.LG_INFORM_METRICS:
                raise SourceFileError(
                    f'Unknown metric {metric_id} "{name}" in column {column + 1}: '
                    "nothing was loaded. Add it to LG_INFORM_METRICS in "
                    "academy/labour_market/config.py if it should be loaded."
                )
            measure, breakdown = config.LG_INFORM_METRICS[metric_id]
            period = _period(period_ids[column] or "", labels[column] or "")
            if period is None:
                raise SourceFileError(
                    f'Metric {metric_id} "{name}" has the period '
                    f'"{period_ids[column]}", which is not a financial year such as '
                    "fin_2023_24. Nothing was loaded."
                )
            unit_text = header_key(units[column] or "")
            unit = config.LG_INFORM_UNITS.get(unit_text)
            if unit is None or (
                (config.MEASURES[measure].kind == "rate") != (unit == Unit.PERCENT)
            ):
                raise SourceFileError(
                    f'Metric {metric_id} "{name}" is in "{units[column]}", which does '
                    f"not fit {config.MEASURES[measure].label.lower()}. Nothing was "
                    "loaded."
                )
            metrics.append((column, measure, breakdown, period, unit))
        if not metrics:
            raise SourceFileError("The file has no metric columns; nothing was loaded.")
        return metrics

    def _row(
        self,
        row: Row,
        name: str,
        code: str,
        metrics: list[tuple[int, str, Breakdown, str, Unit]],
    ) -> list[Observation] | str:
        made = []
        for column, measure, breakdown, period, unit in metrics:
            text = (row[column] or "") if column < len(row) else ""
            if not text:
                continue
            try:
                value, status = cell_value(text, unit)
            except ValueError:
                return f'Column {column + 1}: "{text}" is not a number.'
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
