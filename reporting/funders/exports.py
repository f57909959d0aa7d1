"""A built funder return as the funder receives it: an XLSX workbook (a cover, the
figures with one row per indicator and geography, the definitions) and the same rows
as CSV. Both say in their name and first line whether they are internal or for
publication (reporting.disclosure)."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from typing import Any

from django.utils import timezone

from ..disclosure import PUBLICATION_FOOTNOTE, file_name, first_line
from .build import BuiltReturn, filters_label
from .metrics import FUNDER_METRICS

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIGURE_COLUMNS = (
    "Code",
    "Title",
    "Definition",
    "Unit",
    "Geography type",
    "Geography code",
    "Geography name",
)


def _as_of(built: BuiltReturn) -> str:
    """When the figures were counted: '01 December 2026 10:42'."""
    return timezone.localtime(built.produced_at).strftime("%d %B %Y %H:%M")


def _what(built: BuiltReturn) -> str:
    return (
        f"{built.funder_return.name} (version {built.version}) for "
        f"{built.academy.name}: financial year {built.year_label}; "
        f"figures as of {_as_of(built)}"
    )


def return_file_name(built: BuiltReturn, *, ext: str) -> str:
    """'ukspf-people-skills-plymouth-2024-25-v3-internal.xlsx' and the like."""
    return file_name(built.stem, publish=built.publish, ext=ext)


def return_first_line(built: BuiltReturn) -> str:
    return first_line(_what(built), publish=built.publish)


def figure_header(built: BuiltReturn) -> tuple[str, ...]:
    return (*FIGURE_COLUMNS, *(p.label for p in built.periods))


def figure_rows(built: BuiltReturn) -> Iterator[tuple[object, ...]]:
    """One row per indicator and geography: the indicator, the area, then its figure
    for each period and the year."""
    for figures in built.indicators:
        indicator = figures.indicator
        for row in figures.rows:
            yield (
                indicator.code,
                indicator.title,
                indicator.definition,
                indicator.unit,
                row.geography.kind_label,
                row.geography.code,
                row.geography.name,
                *row.values,
            )


def return_csv_rows(built: BuiltReturn) -> Iterator[Sequence[object]]:
    """The first line, the header, then the figures' rows (wide: one column per
    period, as the workbook)."""
    yield (return_first_line(built),)
    yield figure_header(built)
    yield from figure_rows(built)


def _definition_rows(built: BuiltReturn) -> Iterator[tuple[object, ...]]:
    for figures in built.indicators:
        indicator = figures.indicator
        metric = FUNDER_METRICS[indicator.metric]
        yield (
            indicator.code,
            indicator.title,
            indicator.definition,
            indicator.unit,
            f"{metric.label}: {metric.definition}",
            filters_label(indicator) or "Everyone",
        )


def _sheet(
    workbook: Any,
    title: str,
    header: Sequence[str],
    rows: Iterator[Sequence[object]],
    widths: Sequence[int],
) -> Any:
    from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    sheet = workbook.create_sheet(title)
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    return sheet


def return_xlsx(built: BuiltReturn) -> bytes:
    """The workbook: Cover, Figures (numbers as numbers; withheld ones as text) and
    Definitions, with bold, frozen headers and set widths."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    cover = workbook.active
    cover.title = "Cover"
    cover.append([return_first_line(built)])
    cover["A1"].font = Font(bold=True)
    lines: list[tuple[str, object]] = [
        ("Academy", built.academy.name),
        ("Return", built.funder_return.name),
        ("For", built.funder_return.funder),
        # Text, so that no number of 1 to 4 appears in a published workbook.
        ("Version", f"version {built.version}"),
        (
            "Financial year",
            f"{built.year_label} (1 April {built.year} to 31 March {built.year + 1})",
        ),
        ("Periods", ", ".join(p.label for p in built.periods)),
        ("Figures as of", _as_of(built)),
        (
            "Figures",
            f"For publication. {PUBLICATION_FOOTNOTE}"
            if built.publish
            else "Internal: exact counts, small numbers included. Not for publication.",
        ),
        (
            "Counting",
            "Each figure counts distinct people: a person with several records in a "
            "period counts once, so a year's figure can be less than the sum of its "
            "periods. Areas are those of the person's postcode now; 'Not known' where "
            "the postcode cannot be placed.",
        ),
    ]
    cover.append([])
    for label, value in lines:
        cover.append([label, value])
        cover.cell(row=cover.max_row, column=1).font = Font(bold=True)
        cover.cell(row=cover.max_row, column=2).alignment = Alignment(wrap_text=True)
    cover.column_dimensions["A"].width = 18
    cover.column_dimensions["B"].width = 90
    periods = [16] * len(built.periods)
    _sheet(
        workbook,
        "Figures",
        figure_header(built),
        figure_rows(built),
        [12, 40, 50, 10, 24, 14, 32, *periods],
    )
    _sheet(
        workbook,
        "Definitions",
        ("Code", "Title", "Definition", "Unit", "What is counted", "Who"),
        _definition_rows(built),
        [12, 40, 60, 10, 60, 40],
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
