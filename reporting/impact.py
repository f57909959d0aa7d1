"""The impact report: every figure, computed by the database (spec/impact-report.md).

The dashboard, CSV, JSON, PDF, command and monthly e-mail all read `impact_report()`;
none counts a figure its own way. Its people counts, activity counts and event figures
come from the precomputed summaries (reporting/summaries.py); `live=True` counts them
from the casework tables instead, to check the summaries. Both read the one definition
of each figure, `QUALIFYING` and `ACTIVITY` (events: vacancies/events_report.py).

Each headline metric counts DISTINCT people: a person with several qualifying records
in the period counts once, and may count in several metrics. Periods are inclusive of
both dates.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from academy.models import Academy
from participants.models import (
    Cohort,
    Meeting,
    Outcome,
    Participant,
    ParticipantCohort,
    SkillsActionPlan,
    Support,
    SustainmentCheck,
)
from vacancies.events_report import (
    ALL,
    WENT_ON_TO,
    WINDOW_MONTHS,
    EventFigures,
    KindFigures,
    PeopleCounts,
    event_figures,
    event_figures_from,
    events_held_by_kind,
)
from vacancies.models import Referral, ReferralEvent, Vacancy

from .disclosure import Shown, Sum, disclose

COUNTED_SUPPORT = ["careers", "employability", "financial", "mental_health"]
TRAINING_KINDS = ["training", "work_experience", "volunteering"]


@dataclass(frozen=True)
class Metric:
    """A headline metric: its key (spec), labels and printed definition."""

    key: str
    label: str
    definition: str
    short: str = ""


METRICS = (
    Metric(
        "action_plan_people",
        "People supported with a skills action plan",
        "People with a skills action plan agreed in the period.",
        short="Skills action plans",
    ),
    Metric(
        "action_plan_claimants",
        "… of whom benefit claimants",
        "Of the people with a plan agreed in the period, those recorded as benefit "
        "claimants.",
        short="… claimants",
    ),
    Metric(
        "action_plan_non_claimants",
        "… of whom not claimants",
        "Of the people with a plan agreed in the period, those not recorded as "
        "benefit claimants.",
        short="… not claimants",
    ),
    Metric(
        "employment_health_social_care",
        "Into paid work in health or social care",
        "People who started paid employment in the health or social care sector in "
        "the period.",
        short="Jobs in care",
    ),
    Metric(
        "employment_other_sector",
        "Into paid work in another sector",
        "People who started paid employment in another sector in the period.",
        short="Jobs in other sectors",
    ),
    Metric(
        "training_experience_volunteering",
        "Into training, work experience or volunteering",
        "People who started training, work experience or volunteering in the period.",
        short="Training, experience, volunteering",
    ),
    Metric(
        "support_people",
        "Given careers, employability, financial or mental-health support",
        "People given at least one careers, employability, financial or "
        "mental-health support in the period (support recorded as 'other' is not "
        "counted).",
        short="Supported",
    ),
    Metric(
        "people_registered",
        "People registered",
        "People registered with the academy in the period.",
        short="Registered",
    ),
)
METRIC_KEYS = tuple(m.key for m in METRICS)

# Events and what came of them (issue 17): rows `metric,event_kind,<kind>,value` beside
# `metric,all,all,value`, every kind with zeros included. vacancies/events_report.py
# counts them.
WENT_ON_LABELS = {  # what, and how its day is known
    "plan": ("a skills action plan", "agreed"),
    "referral": ("a referral", "made"),
    "job_start": ("a job start", "started: paid employment in any sector"),
}
EVENT_METRICS = (
    Metric(
        "events_held",
        "Events held",
        "Events that took place in the period: started by the time the report was "
        "produced, and not cancelled.",
        short="Events held",
    ),
    Metric(
        "event_attendees",
        "People who came to events",
        "Distinct people who came to at least one event held in the period. A person "
        "is one person at every event: sign-ups with the same participant record, "
        "e-mail address or phone number are the same person.",
        short="Came",
    ),
    Metric(
        "event_attendees_new",
        "… of whom new to the academy",
        "People whose first event was in the period and who were not registered with "
        "the academy before it (by kind: the kind of their first event).",
        short="New",
    ),
    *(
        Metric(
            f"event_attendees_{what}_{months}m",
            f"… who went on to {WENT_ON_LABELS[what][0]} within {months} months",
            f"Of the people who came, those with {WENT_ON_LABELS[what][0]} "
            f"({WENT_ON_LABELS[what][1]}) on the day of their first event in the "
            f"period or in the {months} months after it (by kind: their first event "
            f"of that kind); events less than {months} months ago may still add to it.",
            short=f"{what.replace('_', ' ').capitalize()} {months}m",
        )
        for what in WENT_ON_TO
        for months in WINDOW_MONTHS
    ),
)
EVENT_BREAKDOWN = "event_kind"


@dataclass(frozen=True)
class Qualifying:
    """The records that put a person in a base metric, and the day each one counts on:
    the one definition that the live report, the funder returns and the precomputed
    summaries (reporting/summaries.py) all read. Activity figures are defined the same
    way, counting `item` (a referral, or each record) instead of the person."""

    model: type[models.Model]
    day: str  # the date field that places a record in a period
    filters: tuple[tuple[str, Any], ...] = ()
    person: str = "participant_id"  # the record's participant ("pk": the person)
    item: str = ""  # what is counted once ("pk": each record); default the person
    category: str = ""  # a field whose value is the figure's breakdown
    excluded: tuple[tuple[str, Any], ...] = ()
    moment: bool = False  # `day` is a moment: the local day it falls on counts
    academy_path: str = ""  # default the person's academy

    @property
    def academy_field(self) -> str:
        if self.academy_path:
            return self.academy_path
        return "academy" if self.person == "pk" else f"{self._person_path}__academy"

    @property
    def claimant_field(self) -> str:
        if self.person == "pk":
            return "is_claimant"
        return f"{self._person_path}__is_claimant"

    @property
    def _person_path(self) -> str:
        return self.person.removesuffix("_id")

    @property
    def counted(self) -> str:
        return self.item or self.person

    def records(self, academy: Academy | None = None) -> QuerySet[Any]:
        """Every qualifying record, of any day (of one academy if given)."""
        records = self.model._default_manager.filter(**dict(self.filters))
        if self.excluded:
            records = records.exclude(**dict(self.excluded))
        return (
            records
            if academy is None
            else records.filter(**{self.academy_field: academy})
        )

    def within(
        self, start: dt.date, end: dt.date, academy: Academy | None = None
    ) -> QuerySet[Any]:
        if self.moment:  # local days as a range of moments, which an index serves
            return self.records(academy).filter(
                **{f"{self.day}__gte": day_start(start)},
                **{f"{self.day}__lt": day_start(end + dt.timedelta(days=1))},
            )
        return self.records(academy).filter(**{f"{self.day}__range": (start, end)})


def day_start(day: dt.date) -> dt.datetime:
    """The first moment of a local day."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


QUALIFYING: dict[str, Qualifying] = {
    "action_plan_people": Qualifying(SkillsActionPlan, "agreed_on"),
    "employment_health_social_care": Qualifying(
        Outcome,
        "started_on",
        (("kind", "employment"), ("sector", "health_social_care")),
    ),
    "employment_other_sector": Qualifying(
        Outcome, "started_on", (("kind", "employment"), ("sector", "other"))
    ),
    "training_experience_volunteering": Qualifying(
        Outcome, "started_on", (("kind__in", TRAINING_KINDS),)
    ),
    "support_people": Qualifying(Support, "given_on", (("kind__in", COUNTED_SUPPORT),)),
    "people_registered": Qualifying(Participant, "registered_on", person="pk"),
}


def _checks(weeks: int, *, sustained: bool) -> Qualifying:
    """People whose job started in the period and whose check at `weeks` is done (and
    found them in work)."""
    in_work = (("is_in_work", True),) if sustained else ()
    return Qualifying(
        SustainmentCheck,
        "outcome__started_on",
        (("status", SustainmentCheck.Status.DONE), ("weeks", weeks), *in_work),
        person="outcome__participant_id",
    )


# The activity figures shown beside the headline ones, defined as the metrics are.
ACTIVITY: dict[str, Qualifying] = {
    "meetings": Qualifying(Meeting, "held_at", item="pk", moment=True),
    "registered_by_source": Qualifying(
        Participant, "registered_on", person="pk", category="source"
    ),
    **{
        f"starts_{what}_{weeks}": _checks(weeks, sustained=what == "sustained")
        for weeks in (13, 26)
        for what in ("checked", "sustained")
    },
    "referrals_made": Qualifying(
        Referral,
        "created_at",
        item="pk",
        excluded=(("stage", Referral.Stage.SUGGESTED),),
        moment=True,
        academy_path="academy",
    ),
    # Referrals now started that started in the period (a referral counts once).
    "referrals_started": Qualifying(
        ReferralEvent,
        "on",
        (
            ("stage", Referral.Stage.STARTED),
            ("referral__stage", Referral.Stage.STARTED),
        ),
        person="referral__participant_id",
        item="referral_id",
        academy_path="referral__academy",
    ),
}
ACTIVITY_LABELS = {  # Activity.extra: what the report prints, in its order
    "vacancies_posted": "Vacancies posted",
    "referrals_made": "Referrals made",
    "referrals_started": "Referrals that became starts",
}
# Every figure the summaries hold for a person: the metrics, then the activity.
COUNTED: dict[str, Qualifying] = {**QUALIFYING, **ACTIVITY}

# Metrics that are another metric narrowed by claimant status: grouping by claimant
# status gives them without evaluating their condition again.
DERIVED = {
    "action_plan_claimants": ("action_plan_people", True),
    "action_plan_non_claimants": ("action_plan_people", False),
}
BASE_KEYS = tuple(key for key in METRIC_KEYS if key not in DERIVED)


def metric_condition(
    key: str,
    start: dt.date,
    end: dt.date,
    *,
    via: str = "",
    academy: Academy | None = None,
) -> Q:
    """The condition that puts a person in metric `key`: on a Participant row, or with
    `via="participant"` on a row that points to one (a cohort row).

    Record-based metrics test membership of the set of people with a qualifying record
    (an uncorrelated `IN (SELECT participant_id ...)`), which PostgreSQL hashes once
    instead of probing per person; given the academy, the set holds its people only.
    """
    field = f"{via}__" if via else ""
    if key in DERIVED:
        base, claimant = DERIVED[key]
        return metric_condition(base, start, end, via=via, academy=academy) & Q(
            **{f"{field}is_claimant": claimant}
        )
    rule = QUALIFYING[key]
    if rule.person == "pk":
        return Q(**{f"{field}{rule.day}__range": (start, end)})
    person = f"{via}_id__in" if via else "pk__in"
    return Q(**{person: rule.within(start, end, academy).values(rule.person)})


def metric_people(
    *, academy: Academy, key: str, start: dt.date, end: dt.date
) -> QuerySet[Participant]:
    """The people behind one figure (for the roles that may see them)."""
    if key not in METRIC_KEYS:
        raise KeyError(key)
    return Participant.objects.for_academy(academy).filter(
        metric_condition(key, start, end)
    )


@dataclass(frozen=True)
class Row:
    """One line of the long-format report: `metric,breakdown,category,value`."""

    metric: str
    breakdown: str
    category: str
    value: int


@dataclass(frozen=True)
class MonthCount:
    month: dt.date
    counts: dict[str, int]


@dataclass(frozen=True)
class Activity:
    """Figures shown beside the headline ones; not people counts unless said."""

    meetings: int
    sources: dict[str, int]
    starts_checked_13: int
    starts_sustained_13: int
    starts_checked_26: int
    starts_sustained_26: int
    extra: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ImpactReport:
    """Everything the report shows for one academy and period."""

    academy: Academy
    start: dt.date
    end: dt.date
    rows: list[Row]
    months: list[MonthCount]
    activity: Activity
    produced_at: dt.datetime
    events: EventFigures
    event_rows: list[Row]
    refreshed_at: dt.datetime | None = None  # the summaries' last full build

    def value(self, metric: str, breakdown: str = "all", category: str = "all") -> int:
        for row in [*self.rows, *self.event_rows]:
            if (row.metric, row.breakdown, row.category) == (
                metric,
                breakdown,
                category,
            ):
                return row.value
        raise KeyError((metric, breakdown, category))

    @property
    def headline(self) -> dict[str, int]:
        return {r.metric: r.value for r in self.rows if r.breakdown == "all"}


# People counted per (base metric, cohort, claimant status); cohort "" is everyone.
Tally = dict[tuple[str, str, bool], int]
CATEGORIES = [("all", "all"), ("claimant", "yes"), ("claimant", "no")] + [
    ("cohort", code) for code in Cohort.values
]


def tally_rows(tally: Tally) -> list[Row]:
    """Every metric by claimant status and cohort, from the people counted per base
    metric, cohort and claimant status (live or precomputed, the same rows)."""
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for (base_key, cohort, claimant), n in tally.items():
        breakdowns = (
            [("cohort", cohort)]
            if cohort
            else [("all", "all"), ("claimant", "yes" if claimant else "no")]
        )
        for key in METRIC_KEYS:
            base, wanted = DERIVED.get(key, (key, claimant))
            if base == base_key and claimant == wanted:
                for breakdown, category in breakdowns:
                    counts[key, breakdown, category] += n
    return [
        Row(key, breakdown, category, counts[key, breakdown, category])
        for key in METRIC_KEYS
        for breakdown, category in CATEGORIES
    ]


def _live_tally(academy: Academy, start: dt.date, end: dt.date) -> Tally:
    """People per base metric, cohort and claimant status, in two grouped queries.

    Each query groups people by which metrics they qualify for (and by claimant status,
    or by cohort), so each condition is evaluated once per person; the few resulting
    groups (at most 2 x 2^6 and 10 x 2 x 2^6) are then added up per metric.
    """
    by_claimant = (
        Participant.objects.for_academy(academy)
        .annotate(
            **{
                key: metric_condition(key, start, end, academy=academy)
                for key in BASE_KEYS
            }
        )
        .values("is_claimant", *BASE_KEYS)
        .annotate(n=Count("pk"))
    )
    by_cohort = (
        ParticipantCohort.objects.filter(participant__academy=academy)
        .annotate(
            is_claimant=F("participant__is_claimant"),
            **{
                key: metric_condition(
                    key, start, end, via="participant", academy=academy
                )
                for key in BASE_KEYS
            },
        )
        .values("code", "is_claimant", *BASE_KEYS)
        .annotate(n=Count("pk"))
    )
    tally: Tally = defaultdict(int)
    for group in [*by_claimant, *by_cohort]:
        for key in BASE_KEYS:
            if group[key]:
                tally[key, group.get("code", ""), bool(group["is_claimant"])] += group[
                    "n"
                ]
    return tally


def _live_months(
    academy: Academy, start: dt.date, end: dt.date
) -> dict[dt.date, dict[str, int]]:
    """Distinct people per calendar month (within the period) for each base metric."""
    months: dict[dt.date, dict[str, int]] = {m: {} for m in _months(start, end)}
    for key, rule in QUALIFYING.items():
        for row in (
            rule.within(start, end, academy)
            .annotate(month=TruncMonth(rule.day))
            .values("month")
            .annotate(n=Count(rule.person, distinct=True))
        ):
            month = row["month"]
            month = month.date() if isinstance(month, dt.datetime) else month
            months.setdefault(month, {})[key] = row["n"]
    return months


def month_counts(months: dict[dt.date, dict[str, int]]) -> list[MonthCount]:
    return [
        MonthCount(month, {key: counts.get(key, 0) for key in BASE_KEYS})
        for month, counts in sorted(months.items())
    ]


def _months(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    month = start.replace(day=1)
    while month <= end:
        yield month
        month = (month + dt.timedelta(days=32)).replace(day=1)


@dataclass(frozen=True)
class Figures:
    """The people counts of a period: the long-format rows and the monthly series."""

    rows: list[Row]
    months: list[MonthCount]
    refreshed_at: dt.datetime | None = None  # precomputed: when last built in full
    # Precomputed only: the activity counts, and the people counted in event figures.
    activity_counts: ActivityCounts = field(default_factory=dict)
    event_people: PeopleCounts = field(default_factory=dict)


def live_figures(*, academy: Academy, start: dt.date, end: dt.date) -> Figures:
    """The people counts straight from the casework tables (to check the summaries)."""
    return Figures(
        tally_rows(_live_tally(academy, start, end)),
        month_counts(_live_months(academy, start, end)),
    )


# Activity counts per figure and category ("" when the figure has no breakdown).
ActivityCounts = dict[str, dict[str, int]]


def _live_activity_counts(
    academy: Academy, start: dt.date, end: dt.date
) -> ActivityCounts:
    """The activity figures from the casework tables (to check the summaries)."""
    counts: ActivityCounts = {}
    for key, rule in ACTIVITY.items():
        within = rule.within(start, end, academy).order_by()
        if rule.category:
            counts[key] = dict(
                within.values_list(rule.category)
                .annotate(n=Count(rule.counted, distinct=True))
                .values_list(rule.category, "n")
            )
        else:
            found = within.aggregate(n=Count(rule.counted, distinct=True))
            counts[key] = {"": found["n"]}
    return counts


def activity(
    academy: Academy, start: dt.date, end: dt.date, counts: ActivityCounts
) -> Activity:
    """The activity figures of a period, from its counts (live or precomputed)."""

    def total(key: str) -> int:
        return sum(counts.get(key, {}).values())

    # Vacancies belong to no person: counted here, by the index of the academy's.
    posted = (
        Vacancy.objects.for_academy(academy)
        .filter(created_at__gte=day_start(start))
        .filter(created_at__lt=day_start(end + dt.timedelta(days=1)))
        .count()
    )
    figures = {"vacancies_posted": posted, **{key: total(key) for key in ACTIVITY}}
    return Activity(
        meetings=total("meetings"),
        sources={
            source or "not_recorded": n
            for source, n in counts.get("registered_by_source", {}).items()
            if n
        },
        starts_checked_13=total("starts_checked_13"),
        starts_sustained_13=total("starts_sustained_13"),
        starts_checked_26=total("starts_checked_26"),
        starts_sustained_26=total("starts_sustained_26"),
        extra={label: figures[key] for key, label in ACTIVITY_LABELS.items()},
    )


def _event_rows(events: EventFigures) -> list[Row]:
    """Each event metric for all events, then for each kind."""

    def values(figures: KindFigures) -> dict[str, int]:
        return {
            "events_held": figures.events_held,
            "event_attendees": figures.attendees,
            "event_attendees_new": figures.new_attendees,
            **{f"event_attendees_{k}": n for k, n in figures.went_on.items()},
        }

    return [
        Row(
            m.key,
            "all" if figures.kind == ALL else EVENT_BREAKDOWN,
            figures.kind,
            values(figures)[m.key],
        )
        for m in EVENT_METRICS
        for figures in events.kinds
    ]


def impact_figures(
    *, academy: Academy, start: dt.date, end: dt.date, live: bool = False
) -> Figures:
    """The people counts of a period: from the precomputed summaries, or with
    `live=True` from the casework tables (the same figures)."""
    if end < start:
        raise ValueError("The period ends before it starts.")
    if live:
        return live_figures(academy=academy, start=start, end=end)
    from .summaries import summary_figures

    return summary_figures(academy=academy, start=start, end=end)


def impact_report(
    *, academy: Academy, start: dt.date, end: dt.date, live: bool = False
) -> ImpactReport:
    """Every figure of the impact report for one academy and period: from the
    precomputed summaries, or with `live=True` from the casework tables."""
    figures = impact_figures(academy=academy, start=start, end=end, live=live)
    if live:
        counts = _live_activity_counts(academy, start, end)
        events = event_figures(academy=academy, start=start, end=end)
    else:
        counts = figures.activity_counts
        events = event_figures_from(
            events_held_by_kind(academy=academy, start=start, end=end),
            figures.event_people,
        )
    return ImpactReport(
        academy=academy,
        start=start,
        end=end,
        rows=figures.rows,
        months=figures.months,
        refreshed_at=figures.refreshed_at,
        activity=activity(academy, start, end, counts),
        produced_at=timezone.now(),
        events=events,
        event_rows=_event_rows(events),
    )


Key = tuple[str, str, str]  # (metric, breakdown, category), as in the CSV


def report_cells(report: ImpactReport) -> dict[Key, int]:
    """Every count the report shows anywhere, keyed like the CSV's rows: the CSV's rows,
    then the month-by-month table, how people came, and the activity figures."""
    cells: dict[Key, int] = {
        (r.metric, r.breakdown, r.category): r.value
        for r in [*report.rows, *report.event_rows]
    }
    for month in report.months:
        for key, count in month.counts.items():
            cells[key, "month", f"{month.month:%Y-%m}"] = count
    for source, count in report.activity.sources.items():
        cells["people_registered", "source", source] = count
    activity = report.activity
    cells["meetings", "activity", "all"] = activity.meetings
    for weeks in (13, 26):
        cells["starts_checked", "weeks", str(weeks)] = getattr(
            activity, f"starts_checked_{weeks}"
        )
        cells["starts_sustained", "weeks", str(weeks)] = getattr(
            activity, f"starts_sustained_{weeks}"
        )
    for label, count in activity.extra.items():
        cells[label, "activity", "all"] = count
    return cells


def report_sums(report: ImpactReport) -> list[Sum]:
    """The exact sums a reader of the report can see, so that no hidden count can be
    worked out along them: all = claimants + not, for every metric; people with a plan
    = claimants + not, in every category; people registered = the months' and the
    sources' sums; events held and new attendees = the sum over kinds. (Cohorts do not
    add up, nor do distinct people per month: a person can be in several.)"""
    categories = CATEGORIES
    sums = [
        Sum((key, "all", "all"), ((key, "claimant", "yes"), (key, "claimant", "no")))
        for key in METRIC_KEYS
    ]
    sums += [
        Sum(
            ("action_plan_people", *category),
            (
                ("action_plan_claimants", *category),
                ("action_plan_non_claimants", *category),
            ),
        )
        for category in categories
    ]
    registered: Key = ("people_registered", "all", "all")
    sums.append(
        Sum(
            registered,
            tuple(
                ("people_registered", "month", f"{m.month:%Y-%m}")
                for m in report.months
            ),
        )
    )
    sums.append(
        Sum(
            registered,
            tuple(("people_registered", "source", s) for s in report.activity.sources),
        )
    )
    for metric in ("events_held", "event_attendees_new"):
        sums.append(
            Sum(
                (metric, "all", "all"),
                tuple(
                    (metric, EVENT_BREAKDOWN, k.kind)
                    for k in report.events.kinds
                    if k.kind != ALL
                ),
            )
        )
    return sums


def published_figures(report: ImpactReport, *, publish: bool) -> dict[Key, Shown]:
    """Every count of the report as it may be shown: what the dashboard, CSV, JSON,
    PDF and monthly e-mail all print (reporting/disclosure.py's rules)."""
    return disclose(report_cells(report), report_sums(report), publish=publish)


def report_rows(
    report: ImpactReport, *, publish: bool
) -> list[tuple[str, str, str, Shown]]:
    """The long-format rows, as they may be shown: what CSV and JSON carry."""
    shown = published_figures(report, publish=publish)
    return [
        (r.metric, r.breakdown, r.category, shown[r.metric, r.breakdown, r.category])
        for r in [*report.rows, *report.event_rows]
    ]
