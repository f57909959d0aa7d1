"""The impact report's precomputed summaries: exact DISTINCT-people counts for any
period, read from a few rows instead of every casework record.

A person counts in a period once, on the first of their qualifying days in it: a day
in the period whose previous qualifying day (for that metric) is before the period
starts, or who has none. `ImpactDay` keeps each person's qualifying days with the
previous one; `ImpactMonth` counts those rows per month and previous day's month. So
for a period from `s` to `e`:

- whole months inside it are counted from `ImpactMonth`: rows of those months whose
  previous month is before the month of `s`;
- the part-months at either end, and the rows inside whose previous day falls in the
  first part-month before `s`, are counted from `ImpactDay` (a few weeks of rows).

Which records qualify, and on which day, is `impact.QUALIFYING` (the activity figures:
`impact.ACTIVITY`, counting a referral or each record where not a person): the live
report reads the same definitions. Event figures are stored the same way from
events_report's `attendance_days`: a person's days at events of each kind.

The summaries are rebuilt in full after an import, every night, and when first read;
a change to one person's casework is recorded (`ImpactChange`) and their rows (and
their event attendances) are redone before the academy's figures are next read; a
changed sign-up, event or enquiry, or an event someone came to having started, has
the academy's event attendances counted again then (or by the worker, every 5 minutes).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, DateField, F, Q, Sum, Value
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from academy.models import Academy
from participants.models import ImportRun, ParticipantCohort
from vacancies.events_report import (
    ALL,
    AttendanceDay,
    attendance_days,
    attended_any,
    attended_since,
    went_on_keys,
)

from .impact import (
    ACTIVITY,
    BASE_KEYS,
    COUNTED,
    QUALIFYING,
    ActivityCounts,
    Figures,
    Tally,
    month_counts,
    tally_rows,
)
from .models import (
    FunderReturnFigures,
    ImpactChange,
    ImpactDay,
    ImpactMonth,
    ImpactSummary,
)

logger = logging.getLogger(__name__)

CHUNK = 500  # people redone per statement
GROUP = ("metric", "cohort", "is_claimant", "month", "prev_month")
DAY_COLUMNS = (
    "academy_id",
    "participant_id",
    "metric",
    "cohort",
    "is_claimant",
    "day",
    "month",
    "prev_day",
    "prev_month",
)


# Building ----------------------------------------------------------------------------


def refresh_impact_summaries(academy: Academy | None = None) -> None:
    """Rebuild the impact summaries of one academy, or of every academy."""
    academies = [academy] if academy is not None else Academy.objects.order_by("pk")
    for one in academies:
        _rebuild(one)


def _lock(academy: Academy) -> ImpactSummary:
    """The academy's summary row, locked until the transaction ends (one writer)."""
    ImpactSummary.objects.get_or_create(academy=academy)
    return ImpactSummary.objects.select_for_update().get(academy=academy)


def _rebuild(academy: Academy) -> None:
    with transaction.atomic():
        summary = _lock(academy)
        ImpactChange.objects.filter(academy_id=academy.pk).delete()
        ImpactDay.objects.filter(academy=academy).delete()
        ImpactMonth.objects.filter(academy=academy).delete()
        _insert_days(academy, None)
        summary.events_until = _insert_events(academy)
        _group_months(academy)
        summary.refreshed_at = timezone.now()
        summary.save(update_fields=["refreshed_at", "events_until"])


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _execute(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _insert_days(academy: Academy, people: list[int] | None) -> None:
    """Store the qualifying days of the academy's people (or of `people` only): one row
    per person, figure, category and day, with the day before it (of the same counted
    item); then a copy per cohort of the metrics' rows."""
    q = connection.ops.quote_name
    for ids in [None] if people is None else _chunks(people):
        for key, rule in COUNTED.items():
            records = rule.records(academy).order_by()
            if ids is not None:
                records = records.filter(**{f"{rule.person}__in": ids})
            day = TruncDate(rule.day) if rule.moment else F(rule.day)
            records = records.values(
                p=F(rule.person),
                i=F(rule.counted),
                g=F(rule.category) if rule.category else Value(""),
                c=F(rule.claimant_field),
                d=day,
                m=TruncMonth(day, output_field=DateField()),
            )
            sql, params = records.query.sql_with_params()
            _execute(
                f"INSERT INTO {_table(ImpactDay)}"  # noqa: S608  # nosec B608 - tables from the models; values as parameters
                f""" (academy_id, participant_id, metric,
                    cohort, is_claimant, {q("day")}, {q("month")}, prev_day, prev_month)
                SELECT %s, u.p, %s, u.g, u.c, u.d, u.m,
                    LAG(u.d) OVER (PARTITION BY u.i ORDER BY u.d),
                    LAG(u.m) OVER (PARTITION BY u.i ORDER BY u.d)
                FROM (SELECT DISTINCT r.p, r.i, r.g, r.c, r.d, r.m FROM ({sql}) r) u""",
                [academy.pk, key, *params],
            )
        within = ""
        if ids is not None:
            within = f" AND d.participant_id IN ({', '.join(['%s'] * len(ids))})"
        metrics = ", ".join(["%s"] * len(QUALIFYING))
        _execute(
            f"INSERT INTO {_table(ImpactDay)}"  # noqa: S608  # nosec B608 - tables from the models; values as parameters
            f""" (academy_id, participant_id, metric,
                cohort, is_claimant, {q("day")}, {q("month")}, prev_day, prev_month)
            SELECT d.academy_id, d.participant_id, d.metric, c.code, d.is_claimant,
                d.{q("day")}, d.{q("month")}, d.prev_day, d.prev_month
            FROM {_table(ImpactDay)} d
            JOIN {_table(ParticipantCohort)} c ON c.participant_id = d.participant_id
            WHERE d.academy_id = %s AND d.cohort = ''
                AND d.metric IN ({metrics}){within}""",
            [academy.pk, *QUALIFYING, *(ids or [])],
        )


def event_metric(figure: str) -> str:
    """The report's metric of an events figure ("attendees", "new", "plan_3m", ...)."""
    return "event_attendees" if figure == "attendees" else f"event_attendees_{figure}"


EVENT_FIGURES = {event_metric(f): f for f in ("attendees", "new", *went_on_keys())}


def _insert_events(
    academy: Academy, days: Iterable[AttendanceDay] | None = None
) -> dt.datetime:
    """Store the days each person came to the academy's events (events_report's
    `attendance_days`, or these days); return the moment up to which events are
    counted."""
    until = timezone.now()
    columns = DAY_COLUMNS
    # A list: the days are read from the database before COPY holds the connection.
    rows = [
        (
            academy.pk,
            one.person,
            event_metric(figure),
            "" if one.kind == ALL else one.kind,
            False,
            one.day,
            one.day.replace(day=1),
            one.prev_day,
            one.prev_day.replace(day=1) if one.prev_day else None,
        )
        for one in (attendance_days(academy) if days is None else days)
        for figure in one.figures
    ]
    if connection.vendor == "postgresql":  # COPY: 20 times the ORM's speed
        q = connection.ops.quote_name
        names = ", ".join(q(column) for column in columns)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                f"COPY {_table(ImpactDay)} ({names}) FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        ImpactDay.objects.bulk_create(
            (ImpactDay(**dict(zip(columns, row, strict=True))) for row in rows),
            batch_size=2000,
        )
    return until


def _group_months(academy: Academy, metrics: Iterable[str] | None = None) -> None:
    """Count the academy's ImpactDay rows per month (of these metrics, if given)."""
    chosen = list(metrics or [])
    only = f" AND metric IN ({', '.join(['%s'] * len(chosen))})" if chosen else ""
    _execute(
        f"INSERT INTO {_table(ImpactMonth)}"  # noqa: S608  # nosec B608 - tables from the models; values as parameters
        f"""
            (academy_id, metric, cohort, is_claimant, month, prev_month, n)
        SELECT academy_id, metric, cohort, is_claimant, month, prev_month, COUNT(*)
        FROM {_table(ImpactDay)} WHERE academy_id = %s{only}
        GROUP BY academy_id, metric, cohort, is_claimant, month, prev_month""",
        [academy.pk, *chosen],
    )


def _rebuild_events(academy: Academy) -> None:
    """Count the academy's event attendances again (its rows only): after a sign-up,
    an event or an enquiry changed, or an event with attendances started since."""
    with transaction.atomic():
        summary = _lock(academy)
        if not _events_stale(academy, summary):  # another writer has just done it
            return
        ImpactDay.objects.filter(academy=academy, metric__in=EVENT_FIGURES).delete()
        ImpactMonth.objects.filter(academy=academy, metric__in=EVENT_FIGURES).delete()
        summary.events_until = _insert_events(academy)
        _group_months(academy, EVENT_FIGURES)
        summary.save(update_fields=["events_until"])


def _events_stale(academy: Academy, summary: ImpactSummary) -> bool:
    return summary.events_until is None or attended_since(
        academy=academy, since=summary.events_until
    )


# Keeping up with casework -------------------------------------------------------------


def impact_people_changed(academy_id: int, participant_ids: Iterable[int]) -> None:
    """Record that these people's casework changed: their rows are redone before the
    academy's figures are next read (in the same transaction as the change), and
    the academy's stored funder-return figures are stale."""
    ImpactChange.objects.bulk_create(
        ImpactChange(academy_id=academy_id, participant_id=pid)
        for pid in set(participant_ids)
    )
    _funder_figures_stale(academy_id)


def impact_events_changed(academy_id: int) -> None:
    """Record that a sign-up, event or enquiry of the academy changed: who came, and
    who is one person, are counted again before its figures are next read; the
    academy's stored funder-return figures are stale."""
    ImpactSummary.objects.filter(academy_id=academy_id).update(events_until=None)
    _funder_figures_stale(academy_id)


def _funder_figures_stale(academy_id: int) -> None:
    """Mark the academy's stored funder-return figures stale, and move their
    generation so that a count running now does not clear it (its compare-and-set,
    reporting/funders/services.py funder_figures_count, waits for this transaction's
    row locks). Every change moves it, not only the first after a count: a change
    that found them stale before a count began, committed after the count read
    casework, would otherwise leave the count's figures said current."""
    FunderReturnFigures.objects.filter(funder_return__academy_id=academy_id).update(
        is_stale=True, generation=F("generation") + 1
    )


def impact_changes_apply(academy: Academy) -> int:
    """Redo the summary rows of the people whose casework changed since, and count the
    academy's event attendances again if they changed (or an event someone came to
    has started since); return how many people. Cheap: a few statements over those
    people's rows."""
    pending = list(
        ImpactChange.objects.filter(academy_id=academy.pk).values_list(
            "pk", "participant_id"
        )
    )
    people: list[int] = []
    if pending:
        with transaction.atomic():
            _lock(academy)
            # Read again under the lock: another writer may have applied them.
            pending = list(
                ImpactChange.objects.filter(
                    pk__in=[pk for pk, _ in pending]
                ).values_list("pk", "participant_id")
            )
            people = sorted({pid for _, pid in pending})
            summary = ImpactSummary.objects.get(academy=academy)
            if people:
                _redo_people(academy, people)
                if summary.events_until is not None and attended_any(
                    academy=academy, participant_ids=people
                ):
                    _redo_attendances(academy, people)
            ImpactChange.objects.filter(pk__in=[pk for pk, _ in pending]).delete()
    counted = ImpactSummary.objects.filter(academy=academy).first()
    if counted is not None and _events_stale(academy, counted):
        _rebuild_events(academy)
    return len(people)


def _grouped(
    academy: Academy, people: list[int], metrics: Iterable[str]
) -> dict[tuple[Any, ...], int]:
    counts: dict[tuple[Any, ...], int] = defaultdict(int)
    for ids in _chunks(people):
        for row in (
            ImpactDay.objects.filter(
                academy=academy, participant_id__in=ids, metric__in=metrics
            )
            .values(*GROUP)
            .annotate(n=Count("pk"))
            .order_by()
        ):
            counts[tuple(row[f] for f in GROUP)] += row["n"]
    return counts


def _redo_people(academy: Academy, people: list[int]) -> None:
    _replace_days(academy, people, COUNTED, lambda: _insert_days(academy, people))


def _redo_attendances(academy: Academy, people: list[int]) -> None:
    """Count again the event attendances of the people who are these participants
    (who came with whom is unchanged: a change to that counts them all again)."""
    days = list(attendance_days(academy, people))
    persons = sorted({one.person for one in days})
    _replace_days(
        academy, persons, EVENT_FIGURES, lambda: _insert_events(academy, days)
    )


def _replace_days(
    academy: Academy,
    people: list[int],
    metrics: Iterable[str],
    insert: Callable[[], object],
) -> None:
    """These people's day rows of `metrics` replaced by what `insert` writes, and
    the month counts moved by the difference."""
    before = _grouped(academy, people, metrics)
    for ids in _chunks(people):
        ImpactDay.objects.filter(
            academy=academy, participant_id__in=ids, metric__in=metrics
        ).delete()
    insert()
    _add_to_months(academy, before, _grouped(academy, people, metrics))


def _add_to_months(
    academy: Academy,
    before: dict[tuple[Any, ...], int],
    after: dict[tuple[Any, ...], int],
) -> None:
    """Change the month counts by the rows' counts after less before."""
    deltas = {
        key: after.get(key, 0) - before.get(key, 0)
        for key in before.keys() | after.keys()
    }
    deltas = {key: delta for key, delta in deltas.items() if delta}
    if not deltas:
        return
    months = {m for key in deltas for m in (key[3], key[4]) if m is not None}
    stored = {
        tuple(getattr(row, f) for f in GROUP): row
        for row in ImpactMonth.objects.filter(
            academy=academy,
            metric__in={key[0] for key in deltas},
            month__in=months,
        )
    }
    changed, added = [], []
    for key, delta in deltas.items():
        row = stored.get(key)
        if row is None:
            added.append(
                ImpactMonth(
                    academy=academy, n=delta, **dict(zip(GROUP, key, strict=True))
                )
            )
        else:
            row.n += delta
            changed.append(row)
    ImpactMonth.objects.bulk_update(changed, ["n"], batch_size=CHUNK)
    ImpactMonth.objects.bulk_create(added, batch_size=CHUNK)


def _bring_up_to_date(academy: Academy) -> ImpactSummary:
    """Build the summaries if they never were or an import wrote since; redo the
    people whose casework changed, and the event attendances if they changed or an
    event someone came to has started since they were counted."""
    summary = ImpactSummary.objects.filter(academy=academy).first()
    stale = summary is None or summary.refreshed_at is None
    if summary is not None and summary.refreshed_at is not None:
        stale = ImportRun.objects.filter(
            ImportRun.wrote_records(),
            academy=academy,
            finished_at__gt=summary.refreshed_at,
        ).exists()
    if stale:
        _rebuild(academy)
    else:
        impact_changes_apply(academy)
    return ImpactSummary.objects.get(academy=academy)


# Reading ------------------------------------------------------------------------------


def _next_month(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


def _month_end(month: dt.date) -> dt.date:
    return _next_month(month) - dt.timedelta(days=1)


def summary_figures(*, academy: Academy, start: dt.date, end: dt.date) -> Figures:
    """The people counts of a period, from the summaries (exact, as the live count)."""
    summary = _bring_up_to_date(academy)
    start, end = _whole_months_if_same(academy, start, end)
    first_month, last_month = start.replace(day=1), end.replace(day=1)
    # A period starting early in a month it runs past is counted from that whole
    # month less the rows of its days before `start` (a few days of rows, not weeks).
    before = (first_month, start - dt.timedelta(days=1))
    less_before = (
        start != first_month
        and end >= _month_end(first_month)
        and (start - first_month).days <= (_month_end(first_month) - start).days
    )
    # Whole months inside the period, and the part-months at its ends.
    inner_from = first_month
    if start != first_month and not less_before:
        inner_from = _next_month(first_month)
    inner_to = last_month
    if end != _month_end(last_month):
        inner_to = (last_month - dt.timedelta(days=1)).replace(day=1)
    has_inner = inner_from <= inner_to
    parts: list[tuple[dt.date, dt.date]] = []
    if start != first_month and not less_before:
        parts.append((start, min(end, _month_end(first_month))))
    if end != _month_end(last_month) and not (parts and last_month == first_month):
        parts.append((max(start, last_month), end))

    days = ImpactDay.objects.filter(academy=academy)
    months = ImpactMonth.objects.filter(academy=academy)
    first_day = Q(prev_day__isnull=True) | Q(prev_day__lt=start)
    # The period's people: rows whose previous qualifying day is before `start`.
    tally: Tally = defaultdict(int)
    if has_inner:
        for row in (
            months.filter(month__range=(inner_from, inner_to))
            .filter(Q(prev_month__isnull=True) | Q(prev_month__lt=first_month))
            .values("metric", "cohort", "is_claimant")
            .annotate(n=Sum("n"))
            .order_by()
        ):
            tally[row["metric"], row["cohort"], row["is_claimant"]] += row["n"]
    near = Q(pk__in=[])
    for part_from, part_to in parts:
        near |= Q(day__range=(part_from, part_to)) & first_day
    if has_inner and start != first_month:
        # Inside rows whose previous day is in the first part-month, before `start`.
        near |= Q(month__range=(inner_from, inner_to)) & Q(
            prev_day__gte=first_month, prev_day__lt=start
        )
    if parts or (has_inner and start != first_month):
        for row in (
            days.filter(near)
            .values("metric", "cohort", "is_claimant")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            tally[row["metric"], row["cohort"], row["is_claimant"]] += row["n"]
    if less_before:
        # Rows of the days before `start`: in its whole month, not in the period.
        for row in (
            days.filter(day__range=before)
            .values("metric", "cohort", "is_claimant")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            tally[row["metric"], row["cohort"], row["is_claimant"]] -= row["n"]

    # Month by month: each month's people, counted on their first day in it.
    series: dict[dt.date, dict[str, int]] = {}
    month = first_month
    while month <= last_month:
        series[month] = dict.fromkeys(BASE_KEYS, 0)
        month = _next_month(month)
    if has_inner:
        for cell in (
            months.filter(
                cohort="", metric__in=QUALIFYING, month__range=(inner_from, inner_to)
            )
            .filter(Q(prev_month__isnull=True) | Q(prev_month__lt=F("month")))
            .values("month", "metric")
            .annotate(n=Sum("n"))
            .order_by()
        ):
            series[_as_date(cell["month"])][cell["metric"]] += cell["n"]
    if less_before:
        # The first month's people from `start`: its whole month's, less the rows
        # before `start`, and with those whose previous day is before `start` in it.
        people = days.filter(cohort="", metric__in=QUALIFYING)
        for sign, rows in (
            (-1, people.filter(day__range=before)),
            (1, people.filter(month=first_month, prev_day__range=before)),
        ):
            for found in rows.values("metric").annotate(n=Count("pk")).order_by():
                series[first_month][found["metric"]] += sign * found["n"]
    if parts:
        edge = Q(pk__in=[])
        for part_from, part_to in parts:
            edge |= Q(day__range=(part_from, part_to)) & (
                Q(prev_day__isnull=True) | Q(prev_day__lt=part_from)
            )
        for cell in (
            days.filter(edge, cohort="", metric__in=QUALIFYING)
            .values("month", "metric")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            series[_as_date(cell["month"])][cell["metric"]] += cell["n"]
    return Figures(
        tally_rows({k: n for k, n in tally.items() if k[0] in QUALIFYING}),
        month_counts(series),
        refreshed_at=summary.refreshed_at,
        activity_counts=_activity_counts(tally),
        event_people={
            (EVENT_FIGURES[metric], kind or ALL): n
            for (metric, kind, _), n in tally.items()
            if metric in EVENT_FIGURES
        },
    )


def _activity_counts(tally: Tally) -> ActivityCounts:
    counts: ActivityCounts = {key: {} for key in ACTIVITY}
    for (metric, category, _), n in tally.items():
        if metric in ACTIVITY:
            counts[metric][category] = counts[metric].get(category, 0) + n
    return counts


def _whole_months_if_same(
    academy: Academy, start: dt.date, end: dt.date
) -> tuple[dt.date, dt.date]:
    """The period from the first of its first month, or to the end of its last, when
    no summary row falls in the days that adds: the same figures, counted from the
    months alone (since launch: nothing before the launch day, nothing after today)."""
    first_month, month_end = start.replace(day=1), _month_end(end.replace(day=1))
    days = ImpactDay.objects.filter(academy=academy)
    if (
        start != first_month
        and not days.filter(day__gte=first_month, day__lt=start).exists()
    ):
        start = first_month
    if end != month_end and not days.filter(day__gt=end, day__lte=month_end).exists():
        end = month_end
    return start, end


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
