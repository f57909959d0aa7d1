"""What the impact dashboard and its PDF show, typed: every figure suppressed when the
report is for publication, the charts drawn, and the labour-market context."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from django.utils.safestring import SafeString

from academy.labour_market.hooks import labour_market_context
from participants.models import Cohort, Participant
from vacancies.events_report import ALL

from .charts import bar_chart, trend_chart
from .disclosure import Shown
from .impact import (
    EVENT_BREAKDOWN,
    EVENT_METRICS,
    METRICS,
    ImpactReport,
    Metric,
    published_figures,
)

TREND = (
    ("action_plan_people", "Plans agreed"),
    ("support_people", "Supported"),
    ("employment_health_social_care", "Into care jobs"),
)
# The columns of the month-by-month table.
MONTH_COLUMNS = (
    "action_plan_people",
    "support_people",
    "employment_health_social_care",
    "employment_other_sector",
    "training_experience_volunteering",
    "people_registered",
)
# The two halves of people with a plan are in the headline chart's total already.
NOT_CHARTED = ("action_plan_claimants", "action_plan_non_claimants")


@dataclass(frozen=True)
class MonthRow:
    """One month of the month-by-month table, its counts as shown (MONTH_COLUMNS)."""

    month: dt.date
    values: list[Shown]


@dataclass(frozen=True)
class HeadlineRow:
    metric: Metric
    value: Shown
    yes: Shown  # claimants
    no: Shown  # not claimants


@dataclass(frozen=True)
class CohortRow:
    label: str
    values: list[Shown]  # in METRICS order


@dataclass(frozen=True)
class ActivityShown:
    meetings: Shown
    checked_13: Shown
    sustained_13: Shown
    checked_26: Shown
    sustained_26: Shown
    extra: dict[str, Shown]


@dataclass(frozen=True)
class WentOn:
    """How many went on to one thing within 3 and within 6 months."""

    label: str
    three: Shown
    six: Shown


@dataclass(frozen=True)
class EventKindRow:
    """One line of the events table: all events, or one kind."""

    kind: str
    label: str
    held: Shown
    attendees: Shown
    new: Shown
    went_on: list[WentOn]  # in WENT_ON_COLUMNS order


# The events table's columns of what people went on to, each "3 months / 6 months".
WENT_ON_COLUMNS = (
    ("plan", "Plan agreed"),
    ("referral", "Referred"),
    ("job_start", "Job started"),
)


@dataclass(frozen=True)
class ImpactPage:
    """The impact report as the dashboard and the PDF present it."""

    report: ImpactReport
    publish: bool
    headline: list[HeadlineRow]
    metrics: tuple[Metric, ...]
    cohorts: list[CohortRow]
    sources: list[tuple[str, Shown]]
    activity: ActivityShown
    events: list[EventKindRow]
    event_metrics: tuple[Metric, ...]
    went_on_columns: tuple[tuple[str, str], ...]
    headline_chart: SafeString
    trend_chart: SafeString
    sources_chart: SafeString
    context_sections: list[dict[str, Any] | None]
    months: list[MonthRow]

    def as_context(self) -> dict[str, Any]:
        """The page's parts as template variables."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def impact_page(report: ImpactReport, *, publish: bool) -> ImpactPage:
    """Present a report: every count as `published_figures` shows it (when for
    publication, small counts hidden and none that would give one away shown)."""
    figures = published_figures(report, publish=publish)

    def value(metric: str, breakdown: str = "all", category: str = "all") -> Shown:
        return figures[metric, breakdown, category]

    sources = [
        (
            Participant.Source(code).label
            if code in Participant.Source.values
            else "Not recorded",
            value("people_registered", "source", code),
        )
        for code, n in sorted(report.activity.sources.items(), key=lambda kv: -kv[1])
    ]
    months = [
        MonthRow(
            m.month,
            [value(key, "month", f"{m.month:%Y-%m}") for key in MONTH_COLUMNS],
        )
        for m in report.months
    ]

    def charted(key: str, month: dt.date) -> int:
        """A hidden count has no bar, as in bar_chart."""
        shown = value(key, "month", f"{month:%Y-%m}")
        return shown if isinstance(shown, int) else 0

    def event(metric: str, kind: str) -> Shown:
        return (
            value(metric, "all", "all")
            if kind == ALL
            else value(metric, EVENT_BREAKDOWN, kind)
        )

    events = [
        EventKindRow(
            kind=k.kind,
            label=k.label,
            held=event("events_held", k.kind),
            attendees=event("event_attendees", k.kind),
            new=event("event_attendees_new", k.kind),
            went_on=[
                WentOn(
                    label,
                    event(f"event_attendees_{what}_3m", k.kind),
                    event(f"event_attendees_{what}_6m", k.kind),
                )
                for what, label in WENT_ON_COLUMNS
            ],
        )
        for k in report.events.kinds
        # Kinds the academy did not run in the period are in the CSV, as zeros.
        if k.kind == ALL or k.events_held or k.attendees
    ]
    return ImpactPage(
        report=report,
        publish=publish,
        headline=[
            HeadlineRow(
                m,
                value(m.key),
                value(m.key, "claimant", "yes"),
                value(m.key, "claimant", "no"),
            )
            for m in METRICS
        ],
        metrics=tuple(METRICS),
        cohorts=[
            CohortRow(label, [value(m.key, "cohort", code) for m in METRICS])
            for code, label in Cohort.choices
        ],
        sources=sources,
        activity=ActivityShown(
            meetings=value("meetings", "activity"),
            checked_13=value("starts_checked", "weeks", "13"),
            sustained_13=value("starts_sustained", "weeks", "13"),
            checked_26=value("starts_checked", "weeks", "26"),
            sustained_26=value("starts_sustained", "weeks", "26"),
            extra={k: value(k, "activity") for k in report.activity.extra},
        ),
        events=events,
        event_metrics=EVENT_METRICS,
        went_on_columns=WENT_ON_COLUMNS,
        headline_chart=bar_chart(
            [(m.short, value(m.key)) for m in METRICS if m.key not in NOT_CHARTED],
            title="Headline figures",
        ),
        trend_chart=trend_chart(
            [f"{m.month:%b %y}" for m in report.months],
            [
                (label, [charted(key, m.month) for m in report.months])
                for key, label in TREND
            ],
            title="People by month",
        ),
        sources_chart=bar_chart(sources, title="How people came to the academy"),
        context_sections=[labour_market_context(report.academy)],
        months=months,
    )
