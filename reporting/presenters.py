"""What the impact dashboard and its PDF show, typed: every figure suppressed when the
report is for publication, the charts drawn, and the labour-market context."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from django.utils.safestring import SafeString

from academy.labour_market.hooks import labour_market_context
from participants.models import Cohort, Participant

from .charts import bar_chart, trend_chart
from .impact import EVENT_METRICS, METRICS, ImpactReport, Metric, suppress

Shown = int | str  # a count, or "<5" when suppressed for publication

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
    meetings: int
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
    """Present a report, suppressed when it is for publication."""

    def value(metric: str, breakdown: str = "all", category: str = "all") -> Shown:
        return suppress(report.value(metric, breakdown, category), publish=publish)

    def shown(count: int) -> Shown:
        return suppress(count, publish=publish)

    sources = [
        (
            Participant.Source(code).label
            if code in Participant.Source.values
            else "Not recorded",
            shown(n),
        )
        for code, n in sorted(report.activity.sources.items(), key=lambda kv: -kv[1])
    ]
    months = [
        MonthRow(m.month, [shown(m.counts.get(key, 0)) for key in MONTH_COLUMNS])
        for m in report.months
    ]

    def charted(count: int) -> int:
        """A suppressed count has no bar, as in bar_chart."""
        value = shown(count)
        return value if isinstance(value, int) else 0

    activity = report.activity
    events = [
        EventKindRow(
            kind=k.kind,
            label=k.label,
            held=shown(k.events_held),
            attendees=shown(k.attendees),
            new=shown(k.new_attendees),
            went_on=[
                WentOn(
                    label,
                    shown(k.went_on[f"{what}_3m"]),
                    shown(k.went_on[f"{what}_6m"]),
                )
                for what, label in WENT_ON_COLUMNS
            ],
        )
        for k in report.events.kinds
        # Kinds the academy did not run in the period are in the CSV, as zeros.
        if k.kind == "all" or k.events_held or k.attendees
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
            meetings=activity.meetings,
            checked_13=shown(activity.starts_checked_13),
            sustained_13=shown(activity.starts_sustained_13),
            checked_26=shown(activity.starts_checked_26),
            sustained_26=shown(activity.starts_sustained_26),
            extra={k: shown(v) for k, v in activity.extra.items()},
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
                (label, [charted(m.counts.get(key, 0)) for m in report.months])
                for key, label in TREND
            ],
            title="People by month",
        ),
        sources_chart=bar_chart(sources, title="How people came to the academy"),
        context_sections=[labour_market_context(report.academy)],
        months=months,
    )
