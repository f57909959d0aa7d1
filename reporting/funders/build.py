"""A funder return built for one financial year: every indicator's figure for each
period, in total and by local authority, ward and Westminster constituency of the
person's postcode, through the publication rules; and the people counted without
their start evidence (the exceptions to fix).

The database counts, in ONE statement for every indicator (issue 16): each kind of
record the figures count is read once for the year, of the return's academy only;
each person gets the periods they have such records in, and the statement groups the
people each figure counts by postcode (and the page's exceptions to fix apart). pandas
then joins the postcodes to their areas and sums by geography. No person is ever
looped over, so the number of queries grows with neither the people nor the figures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, replace
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from academy.models import Academy, Membership
from academy.permissions import Role
from academy.places.geo import area_names, areas_of
from participants.models import Participant, ParticipantCohort
from participants.selectors.evidence import (
    AGE_BANDS,
    MISSING,
    age_at_start,
)

from ..disclosure import Shown, Sum, disclose
from ..models import FunderReturn, Indicator
from .metrics import FUNDER_METRICS, FunderMetric
from .periods import YEAR, ReturnPeriod, return_periods, year_label

TOTAL, LOCAL_AUTHORITY, WARD, CONSTITUENCY = (
    "total",
    "local_authority",
    "ward",
    "constituency",
)
GEOGRAPHY_LABELS = {
    TOTAL: "Total",
    LOCAL_AUTHORITY: "Local authority",
    WARD: "Ward",
    CONSTITUENCY: "Westminster constituency",
}
GEOGRAPHY_PLURALS = {
    TOTAL: "Total",
    LOCAL_AUTHORITY: "Local authorities",
    WARD: "Wards",
    CONSTITUENCY: "Westminster constituencies",
}
NOT_KNOWN = "Not known"
AGE_LIMITS = {code: (low, high) for code, _, low, high in AGE_BANDS}

GeoKey = tuple[str, str, str]  # (kind, code, parent): a ward's parent is its LA


@dataclass(frozen=True)
class Geography:
    """A row of a return: the total, or one area ('' code: not known)."""

    kind: str
    code: str
    parent: str  # a ward's local authority code
    name: str

    @property
    def key(self) -> GeoKey:
        return (self.kind, self.code, self.parent)

    @property
    def kind_label(self) -> str:
        return GEOGRAPHY_LABELS[self.kind]

    @property
    def kind_plural(self) -> str:
        return GEOGRAPHY_PLURALS[self.kind]


@dataclass(frozen=True)
class FigureRow:
    geography: Geography
    values: tuple[Shown, ...]  # one per period of the return, in order


@dataclass(frozen=True)
class IndicatorFigures:
    indicator: Indicator
    rows: list[FigureRow]

    @property
    def total(self) -> FigureRow:
        return self.rows[0]


@dataclass(frozen=True)
class BuiltReturn:
    """A return as built: which version of its definition, for which year, and
    whether for publication."""

    funder_return: FunderReturn
    academy: Academy
    version: int
    year: int
    periods: list[ReturnPeriod]
    indicators: list[IndicatorFigures]
    publish: bool
    produced_at: dt.datetime
    # The people counted in the year without their start evidence, when asked for.
    exceptions: ReturnExceptions | None = None

    @property
    def year_label(self) -> str:
        return year_label(self.year)

    @property
    def stem(self) -> str:
        """The start of its files' names: return, academy, year and version."""
        return (
            f"{self.funder_return.code}-{self.academy.slug}-"
            f"{self.year}-{str(self.year + 1)[2:]}-v{self.version}"
        )


def current_indicators(funder_return: FunderReturn) -> QuerySet[Indicator]:
    """The figures a return is built from: not retired, and counting a metric the
    portal still knows."""
    return funder_return.indicators.filter(
        is_retired=False, metric__in=list(FUNDER_METRICS)
    )


def person_filter(indicator: Indicator, academy: Academy) -> Q:
    """The indicator's filters on the person, one of `academy`'s (the queryset needs
    `.alias(age=age_at_start())` for an age band)."""
    condition = Q()
    if indicator.cohort:
        cohort = ParticipantCohort.objects.filter(
            code=indicator.cohort, participant__academy=academy
        )
        condition &= Q(pk__in=cohort.values("participant_id"))
    if indicator.claimant:
        condition &= Q(is_claimant=indicator.claimant == Indicator.Claimant.YES)
    if indicator.economic_status:
        condition &= Q(status_at_entry=indicator.economic_status)
    if indicator.age_band:
        low, high = AGE_LIMITS[indicator.age_band]
        condition &= Q(date_of_birth__isnull=False, age__gte=low, age__lte=high)
    return condition


def _metric(indicator: Indicator) -> FunderMetric:
    return FUNDER_METRICS[indicator.metric]


def indicator_condition(indicator: Indicator, start: dt.date, end: dt.date) -> Q:
    """Who counts in the indicator in a period, one figure at a time: its metric
    (narrowed to its sector) and its filters on the person. The build counts every
    figure at once (`_counted`); this is the plain form it is checked against."""
    academy = indicator.funder_return.academy
    condition = _metric(indicator).condition(start, end, indicator.sector, academy)
    return condition & person_filter(indicator, academy)


def _people(academy: Academy) -> QuerySet[Participant]:
    return Participant.objects.for_academy(academy).alias(age=age_at_start())


def _compiled(queryset: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def _flag(condition: Q) -> Any:
    """A condition as a column (true where no condition)."""
    if not condition:
        return Value(True, output_field=BooleanField())
    return ExpressionWrapper(condition, output_field=BooleanField())


@dataclass(frozen=True)
class _Counted:
    """The SQL that finds, once for a whole return, the return's people with a flag
    for each figure and period (`f<figure>_<period>`) and their postcode (`pc`),
    and its parameters. Every read of casework is of the one academy."""

    sql: str
    params: tuple[Any, ...]


def _counted(
    academy: Academy,
    indicators: list[Indicator],
    periods: list[ReturnPeriod],
    *,
    people: dict[str, Any],
) -> _Counted:
    """One statement for every figure: each kind of record the figures count is read
    once for the whole span of the periods (one academy's), giving per person the
    periods they have such a record in (bit `j` for the `j`th period); joined to the
    academy's people with each figure's filters on the person, as flags per figure
    and period. `people` adds columns of the person (expressions on Participant)."""
    span = (min(p.start for p in periods), max(p.end for p in periods))
    groups: dict[tuple[str, str], int] = {}
    for indicator in indicators:
        metric = _metric(indicator)
        sector = indicator.sector if metric.is_employment else ""
        groups.setdefault((metric.key, sector), len(groups))
    hits: list[str] = []
    params: list[Any] = []
    for (key, sector), g in groups.items():
        for source in FUNDER_METRICS[key].sources_for(academy, sector):
            records = (
                source.within(*span)
                .order_by()
                .values(
                    hit_person=F(source.person),
                    hit_group=Value(g),
                    hit_bits=sum(
                        (
                            Case(
                                When(source.on(p.start, p.end), then=Value(1 << j)),
                                default=Value(0),
                            )
                            for j, p in enumerate(periods)
                        ),
                        start=Value(0),
                    ),
                )
            )
            sql, more = _compiled(records)
            hits.append(
                'SELECT "hit_person", "hit_group", "hit_bits" '  # noqa: S608  # nosec B608 - compiled querysets; values as parameters
                f"FROM ({sql}) hit{len(hits)}"
            )
            params += more
    flags = ", ".join(
        f'{_periods_of(g, len(periods))} AS "g{g}"' for g in groups.values()
    )
    person = _people(academy).order_by()
    person_columns: dict[str, Any] = {"pid": F("pk"), "pc": F("postcode"), **people}
    for n, indicator in enumerate(indicators):
        person_columns[f"i{n}"] = _flag(
            _metric(indicator).person & person_filter(indicator, academy)
        )
    person_sql, person_params = _compiled(person.values(**person_columns))
    figures = []
    for n, indicator in enumerate(indicators):
        metric = _metric(indicator)
        sector = indicator.sector if metric.is_employment else ""
        g = groups[(metric.key, sector)]
        figures += [
            f'((f."g{g}" & {1 << j}) <> 0 AND p."i{n}") AS "f{n}_{j}"'
            for j in range(len(periods))
        ]
    shown = ", ".join([*(f'p."{c}"' for c in person_columns if c[0] != "i"), *figures])
    union = " UNION ALL ".join(hits)
    sql = (
        f"SELECT {shown} FROM ({person_sql}) p INNER JOIN ("  # noqa: S608  # nosec B608 - compiled querysets; values as parameters
        f'SELECT "hit_person", {flags} FROM ({union}) hits GROUP BY "hit_person"'
        ') f ON f."hit_person" = p."pid"'
    )
    return _Counted(sql, (*person_params, *params))


def _periods_of(group: int, width: int) -> str:
    """A person's periods with a record of `group`, from their hits: PostgreSQL ORs
    the bits; SQLite, which has no BIT_OR, takes each period's bit apart."""
    if connection.vendor == "postgresql":
        return f'COALESCE(BIT_OR("hit_bits") FILTER (WHERE "hit_group" = {group}), 0)'
    return " + ".join(
        f'MAX(CASE WHEN "hit_group" = {group} THEN "hit_bits" & {1 << j} ELSE 0 END)'
        for j in range(width)
    )


def _fetch(sql: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _tally(
    academy: Academy,
    indicators: list[Indicator],
    periods: list[ReturnPeriod],
    *,
    with_exceptions: bool,
) -> tuple[dict[str, list[int]], ReturnExceptions | None]:
    """People each indicator counts, per postcode and period (`n * periods + j` for
    the `n`th indicator's `j`th period), and (when asked) the people counted in the
    whole year who lack start evidence, by reference: one grouped query for every
    indicator (by postcode, and apart for each person lacking evidence)."""
    nobody = ReturnExceptions(0, [(m.label, 0) for m in MISSING], [])
    if not indicators:
        return {}, nobody if with_exceptions else None
    lacks = [f"lacks_{m.key}" for m in MISSING]
    people: dict[str, Any] = {}
    if with_exceptions:
        people = {
            "ref": F("reference"),
            "lacking": _flag(reduce(or_, (m.condition for m in MISSING))),
            **{key: _flag(m.condition) for key, m in zip(lacks, MISSING, strict=True)},
        }
    counted = _counted(academy, indicators, periods, people=people)
    year = next(j for j, p in enumerate(periods) if p.key == YEAR)
    anyone = " OR ".join(f'"f{n}_{year}"' for n in range(len(indicators)))
    apart = ["who", "who_ref", *(f"who_{key}" for key in lacks)] if people else []
    grouped = ", ".join(f'"{c}"' for c in ["pc", *apart])
    counts = ", ".join(
        f'COUNT(CASE WHEN "f{n}_{j}" THEN 1 END) AS "n{n}_{j}"'
        for n in range(len(indicators))
        for j in range(len(periods))
    )
    source = counted.sql
    if people:  # each person lacking evidence grouped apart
        inner = ", ".join(
            f'CASE WHEN "lacking" AND ({anyone}) THEN "{column}" END AS "{name}"'
            for column, name in zip(["pid", "ref", *lacks], apart, strict=True)
        )
        source = f"SELECT c.*, {inner} FROM ({counted.sql}) c"  # noqa: S608  # nosec B608 - compiled above
    order = ' ORDER BY "who_ref"' if people else ""
    rows = _fetch(
        f"SELECT {grouped}, {counts} FROM ({source}) d GROUP BY {grouped}{order}",  # noqa: S608  # nosec B608 - compiled above; values as parameters
        counted.params,
    )
    names = [f"n{n}_{j}" for n in range(len(indicators)) for j in range(len(periods))]
    by_postcode: dict[str, list[int]] = {}
    for row in rows:
        sums = by_postcode.setdefault(row["pc"], [0] * len(names))
        for k, name in enumerate(names):
            sums[k] += row[name]
    # Only where a figure counts someone: others read for a figure whose filters
    # leave them out put no area in the return.
    tally = {postcode: sums for postcode, sums in by_postcode.items() if any(sums)}
    if not people:
        return tally, None
    lacking = [row for row in rows if row["who"] is not None]
    return tally, ReturnExceptions(
        total=len(lacking),
        by_missing=[
            (m.label, sum(1 for row in lacking if row[f"who_{key}"]))
            for key, m in zip(lacks, MISSING, strict=True)
        ],
        people=[
            ExceptionPerson(
                row["who"],
                row["who_ref"],
                tuple(
                    m.label
                    for key, m in zip(lacks, MISSING, strict=True)
                    if row[f"who_{key}"]
                ),
            )
            for row in lacking
        ],
    )


def _geographies(
    frame: Any, names: dict[str, str]
) -> tuple[list[Geography], dict[str, str]]:
    """Every area the return's people are in, in reading order: the total, local
    authorities, their wards, then constituencies; 'not known' last in each."""

    def name(code: str) -> str:
        return names.get(code, code) if code else NOT_KNOWN

    def order(code: str) -> tuple[bool, str]:
        return (code == "", name(code).lower())

    las, ward_codes, cons = (frame[c].tolist() for c in ("la", "ward", "con"))
    local_authorities = sorted(set(las), key=order)
    wards = sorted(
        set(zip(las, ward_codes, strict=True)),
        key=lambda pair: (*order(pair[0]), *order(pair[1])),
    )
    constituencies = sorted(set(cons), key=order)
    geographies = [Geography(TOTAL, "", "", "Total")]
    geographies += [
        Geography(LOCAL_AUTHORITY, c, "", name(c)) for c in local_authorities
    ]
    for la, ward in wards:
        label = name(ward)
        if not ward and la:
            label = f"Ward not known ({name(la)})"
        geographies.append(Geography(WARD, ward, la, label))
    geographies += [Geography(CONSTITUENCY, c, "", name(c)) for c in constituencies]
    return geographies, names


def _frame(by_postcode: dict[str, list[int]], width: int) -> Any:
    """The counts per postcode (`c<k>`, as `_tally` gives them) as a DataFrame, joined
    to each postcode's areas ('' where not known)."""
    import pandas as pd  # type: ignore[import-untyped]  # only in report builders

    frame = pd.DataFrame.from_records(
        [(postcode, *sums) for postcode, sums in by_postcode.items()],
        columns=["postcode", *(f"c{k}" for k in range(width))],
    )
    areas = areas_of(list(by_postcode))
    area_frame = pd.DataFrame.from_records(
        [(p, a.local_authority, a.ward, a.constituency) for p, a in areas.items()],
        columns=["postcode", "la", "ward", "con"],
    )
    frame = frame.merge(area_frame, on="postcode", how="left")
    frame[["la", "ward", "con"]] = frame[["la", "ward", "con"]].fillna("")
    # A ward without its local authority cannot be placed: not known either.
    frame.loc[frame["la"] == "", "ward"] = ""
    return frame


def _pivot(
    frame: Any, indicators: list[Indicator], periods: list[ReturnPeriod]
) -> dict[tuple[int, GeoKey, str], int]:
    """Each indicator's count per geography and period, summed from the frame."""
    keys = [(i.pk, p.key) for i in indicators for p in periods]
    columns = [f"c{k}" for k in range(len(keys))]
    levels: list[tuple[str, list[str]]] = [
        (LOCAL_AUTHORITY, ["la"]),
        (WARD, ["la", "ward"]),
        (CONSTITUENCY, ["con"]),
    ]
    totals: list[tuple[GeoKey, list[Any]]] = [
        ((TOTAL, "", ""), frame[columns].sum().tolist())
    ]
    for kind, by in levels:
        grouped = frame.groupby(by)[columns].sum()
        for index, *values in grouped.itertuples(name=None):
            place = index if isinstance(index, tuple) else (index,)
            parent = place[0] if kind == WARD else ""
            totals.append(((kind, place[-1], parent), values))
    return {
        (pk, geography, period): int(n)
        for geography, values in totals
        for (pk, period), n in zip(keys, values, strict=True)
    }


def _nested(frame: Any) -> list[tuple[GeoKey, tuple[GeoKey, ...]]]:
    """Areas that are exactly the sum of smaller ones among the people counted: a
    constituency made of whole wards (as the Boundary Commission builds them), a
    local authority made of whole constituencies, or the reverse. A reader who knows
    the boundaries can subtract along these too."""
    rows = set(
        zip(
            frame["la"].tolist(),
            frame["ward"].tolist(),
            frame["con"].tolist(),
            strict=True,
        )
    )
    found = []
    for pairs in (
        {((CONSTITUENCY, c, ""), (WARD, w, la)) for la, w, c in rows},
        {((LOCAL_AUTHORITY, la, ""), (CONSTITUENCY, c, "")) for la, _, c in rows},
        {((CONSTITUENCY, c, ""), (LOCAL_AUTHORITY, la, "")) for la, _, c in rows},
    ):
        wholes_of: dict[GeoKey, set[GeoKey]] = defaultdict(set)
        parts_of: dict[GeoKey, set[GeoKey]] = defaultdict(set)
        for whole, part in pairs:
            wholes_of[part].add(whole)
            parts_of[whole].add(part)
        found += [
            (whole, tuple(sorted(parts)))
            for whole, parts in parts_of.items()
            if all(wholes_of[part] == {whole} for part in parts)
        ]
    return found


def _sums(
    indicators: list[Indicator],
    geographies: list[Geography],
    periods: list[ReturnPeriod],
    nested: list[tuple[GeoKey, tuple[GeoKey, ...]]],
) -> list[Sum]:
    """The exact relations a reader could subtract along (and only those):
    per indicator and period, the total is the sum of the local authorities and of
    the constituencies, and each local authority the sum of its wards (each person
    has one postcode, so counts in exactly one of each), and areas made of whole
    smaller ones the sum of those (`_nested`); across indicators, everyone =
    claimants + not claimants where a return has all three of the same figure;
    across periods only for a figure a person can count in once (registration)."""
    sums: list[Sum] = []
    las = [g for g in geographies if g.kind == LOCAL_AUTHORITY]
    cons = [g for g in geographies if g.kind == CONSTITUENCY]
    total = geographies[0]
    for indicator in indicators:
        i = indicator.pk
        for period in periods:
            p = period.key

            def cell(g: Geography, i: int = i, p: str = p) -> Hashable:
                return (i, g.key, p)

            sums.append(Sum(cell(total), tuple(cell(g) for g in las)))
            sums.append(Sum(cell(total), tuple(cell(g) for g in cons)))
            for la in las:
                wards = [
                    g for g in geographies if g.kind == WARD and g.parent == la.code
                ]
                sums.append(Sum(cell(la), tuple(cell(g) for g in wards)))
            for bigger, smaller in nested:
                sums.append(Sum((i, bigger, p), tuple((i, a, p) for a in smaller)))
        parts = [period for period in periods if period.key != YEAR]
        if parts and FUNDER_METRICS[indicator.metric].counts_once:
            for g in geographies:
                sums.append(
                    Sum((i, g.key, YEAR), tuple((i, g.key, q.key) for q in parts))
                )
    families: dict[tuple[str, ...], dict[str, list[int]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for indicator in indicators:
        same = (
            indicator.metric,
            indicator.cohort,
            indicator.age_band,
            indicator.economic_status,
            indicator.sector,
        )
        families[same][indicator.claimant].append(indicator.pk)
    for by_claimant in families.values():
        for twins in by_claimant.values():  # the same figure twice: equal
            for twin in twins[1:]:
                sums += _linked(twins[0], (twin,), geographies, periods)
        if all(by_claimant.get(c) for c in ("", "yes", "no")):
            everyone, yes, no = (by_claimant[c][0] for c in ("", "yes", "no"))
            sums += _linked(everyone, (yes, no), geographies, periods)
    return sums


def _linked(
    whole: int,
    parts: tuple[int, ...],
    geographies: list[Geography],
    periods: list[ReturnPeriod],
) -> list[Sum]:
    return [
        Sum((whole, g.key, p.key), tuple((part, g.key, p.key) for part in parts))
        for g in geographies
        for p in periods
    ]


def _disclose_all(
    cells: dict[Hashable, int], sums: list[Sum], *, publish: bool
) -> dict[Hashable, Shown]:
    """`disclose` on each group of cells that sums connect (cells in different
    groups share no relation, so this is the same answer, found faster)."""
    if not publish:
        return dict(cells)
    parent: dict[Hashable, Hashable] = {key: key for key in cells}

    def root(key: Hashable) -> Hashable:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for s in sums:
        for member in s.parts:
            a, b = root(s.total), root(member)
            if a != b:
                parent[b] = a
    groups: dict[Hashable, dict[Hashable, int]] = defaultdict(dict)
    for key, value in cells.items():
        groups[root(key)][key] = value
    sums_of: dict[Hashable, list[Sum]] = defaultdict(list)
    for s in sums:
        sums_of[root(s.total)].append(s)
    shown: dict[Hashable, Shown] = {}
    for group, members in groups.items():
        shown.update(disclose(members, sums_of[group], publish=True))
    return shown


@dataclass(frozen=True)
class CountedReturn:
    """A return's raw counts for one financial year, before the publication rules:
    what is stored (`counted_json`) and shown (`counted_present`)."""

    funder_return: FunderReturn
    version: int
    year: int
    periods: list[ReturnPeriod]
    indicators: list[Indicator]
    geographies: list[Geography]
    # counts[n][g][j]: the `n`th indicator's people in the `g`th area and `j`th period
    counts: list[list[list[int]]]
    nested: list[tuple[GeoKey, tuple[GeoKey, ...]]]
    exceptions: ReturnExceptions  # with who they are


def funder_return_count(
    *,
    funder_return: FunderReturn,
    year: int,
    indicators: list[Indicator] | None = None,
) -> CountedReturn:
    """Every figure of a return for the financial year starting in April `year`,
    exact, with its exceptions to fix (and who they are): one statement.
    `indicators`: its `current_indicators` when the caller has them."""
    academy = funder_return.academy
    periods = return_periods(funder_return.period, year)
    if indicators is None:
        indicators = list(current_indicators(funder_return))
    by_postcode, exceptions = _tally(academy, indicators, periods, with_exceptions=True)
    assert exceptions is not None  # noqa: S101 - asked for
    frame = _frame(by_postcode, len(indicators) * len(periods))
    codes = {*frame["la"].tolist(), *frame["ward"].tolist(), *frame["con"].tolist()}
    geographies, _ = _geographies(frame, area_names(codes))
    counted = _pivot(frame, indicators, periods) if len(frame) else {}
    return CountedReturn(
        funder_return=funder_return,
        version=funder_return.version,
        year=year,
        periods=periods,
        indicators=indicators,
        geographies=geographies,
        counts=[
            [
                [counted.get((i.pk, g.key, p.key), 0) for p in periods]
                for g in geographies
            ]
            for i in indicators
        ],
        nested=_nested(frame),
        exceptions=exceptions,
    )


def counted_present(
    counted: CountedReturn,
    *,
    publish: bool,
    produced_at: dt.datetime,
    with_exceptions: bool = False,
    with_people: bool = False,
) -> BuiltReturn:
    """Counts as a return shows them: through the publication rules when `publish`,
    with the exceptions to fix when asked (who they are `with_people`)."""
    indicators, geographies, periods = (
        counted.indicators,
        counted.geographies,
        counted.periods,
    )
    cells: dict[Hashable, int] = {
        (i.pk, g.key, p.key): counted.counts[n][k][j]
        for n, i in enumerate(indicators)
        for k, g in enumerate(geographies)
        for j, p in enumerate(periods)
    }
    shown = _disclose_all(
        cells, _sums(indicators, geographies, periods, counted.nested), publish=publish
    )
    exceptions: ReturnExceptions | None = None
    if with_exceptions:
        exceptions = counted.exceptions
        if not with_people:
            exceptions = replace(exceptions, people=[])
    return BuiltReturn(
        funder_return=counted.funder_return,
        academy=counted.funder_return.academy,
        version=counted.version,
        year=counted.year,
        periods=periods,
        indicators=[
            IndicatorFigures(
                indicator,
                [
                    FigureRow(
                        g, tuple(shown[(indicator.pk, g.key, p.key)] for p in periods)
                    )
                    for g in geographies
                ],
            )
            for indicator in indicators
        ],
        publish=publish,
        produced_at=produced_at,
        exceptions=exceptions,
    )


def counted_json(counted: CountedReturn) -> dict[str, Any]:
    """The counts as JSON to store: the indicators by id, the areas, the counts, the
    areas made of whole smaller ones, and the exceptions."""
    return {
        "indicators": [i.pk for i in counted.indicators],
        "geographies": [
            [g.kind, g.code, g.parent, g.name] for g in counted.geographies
        ],
        "counts": counted.counts,
        "nested": [[whole, list(parts)] for whole, parts in counted.nested],
        "exceptions": {
            "total": counted.exceptions.total,
            "by_missing": counted.exceptions.by_missing,
            "people": [
                [p.pk, p.reference, list(p.missing)] for p in counted.exceptions.people
            ],
        },
    }


def counted_from_json(
    *,
    funder_return: FunderReturn,
    indicators: list[Indicator],
    year: int,
    version: int,
    data: dict[str, Any],
) -> CountedReturn | None:
    """Stored counts back, for the return's current figures (`indicators`); None
    when they are not the figures it has now (one added, changed or retired since)."""
    if version != funder_return.version or data["indicators"] != [
        i.pk for i in indicators
    ]:
        return None

    def key(value: list[str]) -> GeoKey:
        kind, code, parent = value
        return (kind, code, parent)

    exceptions = data["exceptions"]
    return CountedReturn(
        funder_return=funder_return,
        version=version,
        year=year,
        periods=return_periods(funder_return.period, year),
        indicators=indicators,
        geographies=[Geography(*g) for g in data["geographies"]],
        counts=data["counts"],
        nested=[
            (key(whole), tuple(key(part) for part in parts))
            for whole, parts in data["nested"]
        ],
        exceptions=ReturnExceptions(
            total=exceptions["total"],
            by_missing=[(label, n) for label, n in exceptions["by_missing"]],
            people=[
                ExceptionPerson(pk, reference, tuple(missing))
                for pk, reference, missing in exceptions["people"]
            ],
        ),
    )


def funder_return_build(
    *,
    funder_return: FunderReturn,
    year: int,
    publish: bool,
    with_exceptions: bool = False,
    with_people: bool = False,
) -> BuiltReturn:
    """Every figure of a return for the financial year starting in April `year`,
    counted now, through the publication rules when `publish`; with its exceptions to
    fix (who they are `with_people`) when `with_exceptions`."""
    return counted_present(
        funder_return_count(funder_return=funder_return, year=year),
        publish=publish,
        produced_at=timezone.now(),
        with_exceptions=with_exceptions,
        with_people=with_people,
    )


@dataclass(frozen=True)
class ExceptionPerson:
    """A person counted in the return without all their start evidence."""

    pk: int
    reference: str
    missing: tuple[str, ...]  # what to fix (MISSING labels)

    @property
    def to_fix(self) -> str:
        return "; ".join(self.missing)


@dataclass(frozen=True)
class ReturnExceptions:
    """The people counted without their start evidence: how many lack each piece,
    and (for the roles that may see people) who they are."""

    total: int
    by_missing: list[tuple[str, int]]
    people: list[ExceptionPerson]


def exceptions_people_now(
    exceptions: ReturnExceptions, *, membership: Membership
) -> ReturnExceptions:
    """Stored exceptions' people as they are now (one query): their references read
    again (an erased person's is no longer their own), and those no longer there
    (deleted) or no longer the member's to see left out."""
    if not exceptions.people:
        return exceptions
    now = dict(
        Participant.objects.for_membership(membership)
        .filter(pk__in=[p.pk for p in exceptions.people])
        .values_list("pk", "reference")
    )
    return replace(
        exceptions,
        people=[
            replace(p, reference=now[p.pk]) for p in exceptions.people if p.pk in now
        ],
    )


def filters_label(indicator: Indicator) -> str:
    """Who the indicator counts, in words ('' for everyone the metric counts)."""
    parts = []
    if indicator.cohort:
        parts.append(f"Cohort: {indicator.get_cohort_display()}")
    if indicator.claimant:
        parts.append(indicator.get_claimant_display())
    if indicator.age_band:
        parts.append(f"Aged {indicator.get_age_band_display()} at start")
    if indicator.economic_status:
        parts.append(f"{indicator.get_economic_status_display()} at start".capitalize())
    if indicator.sector:
        parts.append(f"Jobs in {indicator.get_sector_display().lower()}")
    return "; ".join(parts)


def indicator_next_order(funder_return: FunderReturn) -> int:
    """A new figure's place: after the return's last."""
    last = funder_return.indicators.aggregate(last=Max("order"))["last"]
    return 10 if last is None else last + 10


def funder_return_list(*, membership: Membership) -> QuerySet[FunderReturn]:
    """The returns a member may build: the academy's current ones; an admin sees the
    retired ones too (to bring one back)."""
    returns = FunderReturn.objects.for_membership(membership)
    if membership.role != Role.ADMIN:
        returns = returns.filter(is_retired=False)
    return returns
