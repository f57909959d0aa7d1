"""Reads of labour-market figures: the area page and the roles in demand there.
Every figure carries its source, period and licence; a suppressed one reads
"suppressed", never 0."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Max
from django.utils.safestring import SafeString

from academy.models import Academy

from ..models import RefreshRun
from . import config, reference
from .charts import Point, grouped_bars
from .config import MEASURES, SOURCES, SourceInfo
from .figures import (
    LGI,
    NOMIS,
    SFC,
    Comparison,
    Figure,
    Index,
    Place,
    Reader,
    TableRow,
    figure_index,
    period_label,
    short_period,
)
from .observations import Breakdown, Source

WORKFORCE_MEASURES = (
    "filled_posts",
    "vacancies",
    "vacancy_rate",
    "turnover_rate",
    "starters_rate",
)
CLAIMANT_MEASURES = ("claimant_count", "claimant_rate")


@dataclass(frozen=True)
class RoleInDemand:
    """A care role in demand in the area, and the rates that put it there."""

    role: str
    label: str
    job_role: str
    period: str
    vacancy_rate: Figure | None
    turnover_rate: Figure | None
    reasons: list[str]


@dataclass(frozen=True)
class SourceNote:
    """A source the page shows, with its periods and when it was last loaded."""

    info: SourceInfo
    periods: list[str]
    loaded_at: dt.datetime | None


@dataclass(frozen=True)
class AreaOverview:
    """Everything the labour-market page shows for an academy's area."""

    area: Place
    region: Place | None
    england: Place
    workforce_period: str | None = None
    headline: list[Comparison] = field(default_factory=list)
    job_roles: list[TableRow] = field(default_factory=list)
    services: list[TableRow] = field(default_factory=list)
    trend: list[TableRow] = field(default_factory=list)
    trend_charts: list[tuple[str, SafeString]] = field(default_factory=list)
    turnover_period: str | None = None
    turnover_by_service: list[TableRow] = field(default_factory=list)
    claimant_period: str | None = None
    claimant: list[Comparison] = field(default_factory=list)
    claimant_trend: list[TableRow] = field(default_factory=list)
    claimant_chart: SafeString | None = None
    roles_in_demand: list[RoleInDemand] = field(default_factory=list)
    sources: list[SourceNote] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return bool(self.headline or self.turnover_by_service or self.claimant)

    @property
    def workforce_span(self) -> str:
        """The years of the trend: '2021/22 to 2022/23'."""
        return _span([row.label for row in self.trend])

    @property
    def claimant_span(self) -> str:
        """The months of the claimant trend: 'January 2024 to March 2024'."""
        return _span([row.label for row in self.claimant_trend])

    @property
    def workforce_source(self) -> SourceInfo:
        return SOURCES[Source.SKILLS_FOR_CARE]

    @property
    def turnover_source(self) -> SourceInfo:
        return SOURCES[Source.LG_INFORM]

    @property
    def claimant_source(self) -> SourceInfo:
        return SOURCES[Source.NOMIS_CLAIMANT_COUNT]


def _span(labels: list[str]) -> str:
    if not labels:
        return ""
    return labels[0] if len(labels) == 1 else f"{labels[0]} to {labels[-1]}"


def _place(code: str, fallback: str = "") -> Place:
    area = reference.area_get(code)
    return Place(code, area.name if area else (fallback or code))


def area_places(academy: Academy) -> tuple[Place, Place | None, Place] | None:
    """The academy's area, its region and England; None without an area code."""
    if not academy.area_code:
        return None
    region = reference.region_code_for(
        area_code=academy.area_code, region_name=academy.region
    )
    return (
        _place(academy.area_code, academy.name),
        _place(region, academy.region) if region else None,
        _place(reference.ENGLAND),
    )


def _table(
    reader: Reader, source: str, period: str, dimension: str, measures: Iterable[str]
) -> list[TableRow]:
    rows = []
    for label in reader.labels(source, period, dimension):
        b = Breakdown(**{dimension: label})
        cells = [reader.compare(source, period, m, b) for m in measures]
        if any(not c.is_empty for c in cells):
            rows.append(TableRow(label, cells))
    return rows


def _in_demand(reader: Reader, period: str) -> list[RoleInDemand]:
    """The care roles with the highest vacancy and turnover rates, above all roles'."""
    from vacancies.models import CareRole

    picked: dict[str, RoleInDemand] = {}
    for measure in ("vacancy_rate", "turnover_rate"):
        overall = reader.get(SFC, reader.area, period, measure, Breakdown())
        floor = overall.value if overall and overall.value is not None else None
        ranked = []
        for job_role in reader.labels(SFC, period, "job_role"):
            key = reference.role_key_for(job_role)
            figure = reader.get(
                SFC, reader.area, period, measure, Breakdown(job_role=job_role)
            )
            if key not in CareRole.values or figure is None or figure.value is None:
                continue
            if floor is None or figure.value > floor:
                ranked.append((figure.value, job_role, str(key)))
        ranked.sort(key=lambda r: (-r[0], r[1]))
        for _, job_role, key in ranked[: config.ROLES_IN_DEMAND_PER_MEASURE]:
            b = Breakdown(job_role=job_role)
            vacancy = reader.get(SFC, reader.area, period, "vacancy_rate", b)
            turnover = reader.get(SFC, reader.area, period, "turnover_rate", b)
            figure = vacancy if measure == "vacancy_rate" else turnover
            reason = (
                f"{MEASURES[measure].label.lower()} {figure} (all job roles {overall})"
                if overall
                else f"{MEASURES[measure].label.lower()} {figure}"
            )
            if key in picked:
                picked[key].reasons.append(reason)
            else:
                picked[key] = RoleInDemand(
                    key,
                    CareRole(key).label,
                    job_role,
                    period,
                    vacancy,
                    turnover,
                    [reason],
                )
    return list(picked.values())


def roles_in_demand(*, academy: Academy) -> list[RoleInDemand]:
    """Care roles in demand in the academy's area, from its latest workforce figures."""
    places = area_places(academy)
    if places is None:
        return []
    code = reference.published_area_code(places[0].code)
    reader = Reader(figure_index([code]), code, None, reference.ENGLAND)
    periods = reader.periods(SFC)
    return _in_demand(reader, periods[-1]) if periods else []


def roles_in_demand_keys(academy: Academy) -> frozenset[str]:
    """The CareRole values in demand in the academy's area (for matching)."""
    return frozenset(r.role for r in roles_in_demand(academy=academy))


def _point(figure: Figure | None) -> Point:
    """A figure as a chart draws it: its value, "suppressed", or None if unpublished."""
    if figure is None:
        return None
    return "suppressed" if figure.value is None else figure.value


def _series(
    comparisons: list[Comparison], area: Place, region: Place | None, england: Place
) -> list[tuple[str, list[Point]]]:
    """One chart series each for the area, its region and England."""
    series = [(area.name, [_point(c.area) for c in comparisons])]
    if region:
        series.append((region.name, [_point(c.region) for c in comparisons]))
    series.append((england.name, [_point(c.england) for c in comparisons]))
    return series


def _trend(
    reader: Reader, area: Place, region: Place | None, england: Place
) -> tuple[list[TableRow], list[tuple[str, SafeString]]]:
    periods = reader.periods(SFC)
    rows = [
        TableRow(p, [reader.compare(SFC, p, m) for m in WORKFORCE_MEASURES])
        for p in periods
    ]
    charts = []
    for measure in ("turnover_rate", "vacancy_rate"):
        comparisons = [reader.compare(SFC, p, measure) for p in periods]
        title = f"{MEASURES[measure].label} by year"
        series = _series(comparisons, area, region, england)
        charts.append((title, grouped_bars(periods, series, title=title, percent=True)))
    return rows, charts


def _claimant(
    reader: Reader, area: Place, region: Place | None, england: Place
) -> tuple[list[Comparison], list[TableRow], SafeString | None]:
    periods = reader.periods(NOMIS)
    if not periods:
        return [], [], None
    latest = [reader.compare(NOMIS, periods[-1], m) for m in CLAIMANT_MEASURES]
    trend = [
        TableRow(
            period_label(p), [reader.compare(NOMIS, p, m) for m in CLAIMANT_MEASURES]
        )
        for p in periods
    ]
    rates = [reader.compare(NOMIS, p, "claimant_rate") for p in periods]
    title = "Claimants as a share of residents aged 16-64, by month"
    chart = grouped_bars(
        [short_period(p) for p in periods],
        _series(rates, area, region, england),
        title=title,
        percent=True,
    )
    return latest, trend, chart


def _source_notes(index: Index, codes: dict[str, str]) -> list[SourceNote]:
    """The sources with figures for the area (source -> the code they are under)."""
    loaded = dict(
        RefreshRun.objects.filter(status=RefreshRun.Status.DONE)
        .values_list("source")
        .annotate(last=Max("finished_at"))
    )
    notes = []
    for source, code in codes.items():
        periods = sorted({k[2] for k in index if k[0] == source and k[1] == code})
        if periods:
            notes.append(
                SourceNote(
                    SOURCES[Source(source)],
                    [period_label(p) for p in periods],
                    loaded.get(source),
                )
            )
    return notes


def _turnover_by_service(reader: Reader, period: str) -> list[TableRow]:
    total = TableRow("All services", [reader.compare(LGI, period, "turnover_rate")])
    return [total, *_table(reader, LGI, period, "service", ["turnover_rate"])]


def area_overview(*, academy: Academy) -> AreaOverview | None:
    """The labour-market page of an academy's area; None without an area code."""
    places = area_places(academy)
    if places is None:
        return None
    area, region, england = places
    region_code = region.code if region else None
    # Skills for Care may publish the area under another code (Isles of Scilly).
    sfc_code = reference.published_area_code(area.code)
    codes = {area.code, sfc_code, england.code, *([region_code] if region_code else [])}
    index = figure_index(codes)
    sfc = Reader(index, sfc_code, region_code, england.code)
    own = Reader(index, area.code, region_code, england.code)
    workforce = sfc.periods(SFC)
    latest = workforce[-1] if workforce else None
    trend, charts = _trend(sfc, area, region, england) if latest else ([], [])
    in_demand = _in_demand(sfc, latest) if latest else []
    demanded = {r.job_role for r in in_demand}
    job_roles = [
        dataclasses.replace(row, is_in_demand=row.label in demanded)
        for row in (
            _table(sfc, SFC, latest, "job_role", WORKFORCE_MEASURES) if latest else []
        )
    ]
    turnover = own.periods(LGI)
    claimant, claimant_trend, claimant_chart = _claimant(own, area, region, england)
    claimant_periods = own.periods(NOMIS)
    return AreaOverview(
        area,
        region,
        england,
        workforce_period=latest,
        headline=[sfc.compare(SFC, latest, m) for m in WORKFORCE_MEASURES]
        if latest
        else [],
        job_roles=job_roles,
        services=_table(sfc, SFC, latest, "service", WORKFORCE_MEASURES)
        if latest
        else [],
        trend=trend,
        trend_charts=charts if len(workforce) > 1 else [],
        turnover_period=turnover[-1] if turnover else None,
        turnover_by_service=_turnover_by_service(own, turnover[-1]) if turnover else [],
        claimant_period=period_label(claimant_periods[-1])
        if claimant_periods
        else None,
        claimant=claimant,
        claimant_trend=claimant_trend,
        claimant_chart=claimant_chart,
        roles_in_demand=in_demand,
        sources=_source_notes(index, {SFC: sfc_code, LGI: area.code, NOMIS: area.code}),
    )
