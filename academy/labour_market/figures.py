"""Stored labour-market figures as pages show them: each with its source, period
and licence, formatted (6,900; 23.0%; "suppressed", never 0), looked up by area."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from ..models import LabourMarketObservation
from .config import MEASURES, SOURCES, MeasureInfo, SourceInfo
from .observations import TOTAL, Breakdown, Source, Status

SFC = Source.SKILLS_FOR_CARE.value
LGI = Source.LG_INFORM.value
NOMIS = Source.NOMIS_CLAIMANT_COUNT.value
ALL = Breakdown()


def period_label(period: str) -> str:
    """`2024-03` as March 2024; a financial year (2022/23) as it is."""
    try:
        return dt.datetime.strptime(period, "%Y-%m").strftime("%B %Y")  # noqa: DTZ007
    except ValueError:
        return period


def short_period(period: str) -> str:
    try:
        return dt.datetime.strptime(period, "%Y-%m").strftime("%b %Y")  # noqa: DTZ007
    except ValueError:
        return period


def figure_text(value: Decimal | None, kind: str) -> str:
    """A value as shown: 6,900; 23.0%; 5.4 days; or "suppressed"."""
    if value is None:
        return "suppressed"
    if kind == "rate":
        percent = (value * 100).normalize()
        places = max(1, -int(percent.as_tuple().exponent))
        return f"{percent:.{places}f}%"
    if kind == "days":
        return f"{value.normalize():f}"
    if value == value.to_integral():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


@dataclass(frozen=True)
class Figure:
    """One stored figure with where it comes from."""

    source: str
    area_code: str
    area_name: str
    period: str
    measure: str
    value: Decimal | None
    status: str
    unit: str

    @property
    def info(self) -> MeasureInfo:
        return MEASURES.get(self.measure, MeasureInfo(self.measure, self.measure, ""))

    @property
    def is_suppressed(self) -> bool:
        return self.status == Status.SUPPRESSED

    @property
    def text(self) -> str:
        return figure_text(self.value, self.info.kind)

    @property
    def source_info(self) -> SourceInfo:
        return SOURCES[Source(self.source)]

    @property
    def provenance(self) -> str:
        """Source, period and licence in one line, for a figure shown on its own."""
        info = self.source_info
        return f"{info.publisher}, {period_label(self.period)}. {info.licence}."

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Place:
    """An area, its region or England, as the page names it."""

    code: str
    name: str


@dataclass(frozen=True)
class Comparison:
    """A measure for the area beside its region and England."""

    measure: MeasureInfo
    area: Figure | None
    region: Figure | None
    england: Figure | None

    @property
    def is_empty(self) -> bool:
        return self.area is None


@dataclass(frozen=True)
class TableRow:
    """A row of a table: a job role, service or period, with its comparisons."""

    label: str
    cells: list[Comparison]
    is_in_demand: bool = False


# (source, area, period, measure, service, job_role) -> figure, sector all only.
Index = dict[tuple[str, str, str, str, str, str], Figure]


def figure_index(codes: Iterable[str]) -> Index:
    """The sector totals of the areas, by job role or service, in one query."""
    rows = LabourMarketObservation.objects.filter(
        Q(service=TOTAL) | Q(job_role=TOTAL), area_code__in=set(codes), sector=TOTAL
    ).values_list(
        "source",
        "area_code",
        "area_name",
        "period",
        "measure",
        "service",
        "job_role",
        "value",
        "status",
        "unit",
    )
    return {
        (src, code, period, measure, service, role): Figure(
            src, code, name, period, measure, value, status, unit
        )
        for src, code, name, period, measure, service, role, value, status, unit in rows
    }


class Reader:
    """Looks figures up in an index for one area, its region and England."""

    def __init__(
        self, index: Index, area: str, region: str | None, england: str
    ) -> None:
        self.index, self.area, self.region, self.england = index, area, region, england

    def periods(self, source: str, code: str | None = None) -> list[str]:
        code = code or self.area
        return sorted({k[2] for k in self.index if k[0] == source and k[1] == code})

    def get(
        self, source: str, code: str | None, period: str, measure: str, b: Breakdown
    ) -> Figure | None:
        if code is None:
            return None
        return self.index.get((source, code, period, measure, b.service, b.job_role))

    def compare(
        self, source: str, period: str, measure: str, b: Breakdown = ALL
    ) -> Comparison:
        return Comparison(
            MEASURES[measure],
            self.get(source, self.area, period, measure, b),
            self.get(source, self.region, period, measure, b),
            self.get(source, self.england, period, measure, b),
        )

    def labels(self, source: str, period: str, dimension: str) -> list[str]:
        """Job roles (or services) the area has figures for, totals excluded."""
        at = 5 if dimension == "job_role" else 4
        other = 4 if dimension == "job_role" else 5
        found = {
            k[at]
            for k in self.index
            if k[0] == source
            and k[1] == self.area
            and k[2] == period
            and k[other] == TOTAL
            and k[at] != TOTAL
        }
        return sorted(found, key=str.casefold)


@dataclass(frozen=True)
class FigureRow:
    """A stored figure as the labour_market_figures command prints it."""

    source: str
    area_code: str
    area_name: str
    period: str
    measure: str
    breakdown: str
    value: str
    status: str


def figure_rows(*, area_code: str, period: str | None = None) -> list[FigureRow]:
    """Every stored figure of an area (one period, if given): counts as published,
    rates as fractions, an empty value when suppressed."""
    observations = LabourMarketObservation.objects.filter(area_code=area_code)
    if period:
        observations = observations.filter(period=period)
    rows = [
        FigureRow(
            o.source,
            o.area_code,
            o.area_name,
            o.period,
            o.measure,
            str(Breakdown(o.sector, o.service, o.job_role)),
            "" if o.value is None else format(o.value.normalize(), "f"),
            o.status,
        )
        for o in observations.only(
            "source",
            "area_code",
            "area_name",
            "period",
            "measure",
            "sector",
            "service",
            "job_role",
            "value",
            "status",
        )
    ]
    rows.sort(key=lambda r: (r.source, r.period, r.measure, r.breakdown))
    return rows
