"""What the impact dashboard and its PDF show, typed: every figure suppressed when the
report is for publication, the charts drawn, and the labour-market context; and what
only the PDF adds (ImpactDocument): the cover's logo, the narrative, each figure beside
the previous period and the year's target, and the definitions."""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, fields
from typing import Any

from django.utils.safestring import SafeString

from academy.labour_market.hooks import labour_market_context
from academy.logos import CONTENT_TYPES
from academy.models import Academy
from academy.pdf import picture_uri
from participants.models import Cohort, Participant
from vacancies.events_report import ALL

from .charts import bar_chart, trend_chart
from .disclosure import PUBLICATION_FOOTNOTE, Shown, percent
from .funders.periods import financial_year_of, year_label
from .impact import (
    EVENT_BREAKDOWN,
    EVENT_METRICS,
    METRICS,
    ImpactReport,
    Metric,
    impact_report,
    published_figures,
)
from .periods import Period
from .selectors import impact_targets, period_before

logger = logging.getLogger(__name__)

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
# The cohort table's columns in print: a heading of a word or two (so no heading is
# wider than its numbers), and what it means, in the key under the table.
COHORT_COLUMNS = {
    "action_plan_people": ("Plans", "people supported with a skills action plan"),
    "action_plan_claimants": ("Plans: claimants", "of them, benefit claimants"),
    "action_plan_non_claimants": ("Plans: not claimants", "of them, not claimants"),
    "employment_health_social_care": (
        "Care jobs",
        "into paid work in health or social care",
    ),
    "employment_other_sector": ("Other jobs", "into paid work in another sector"),
    "training_experience_volunteering": (
        "Training etc.",
        "into training, work experience or volunteering",
    ),
    "support_people": (
        "Supported",
        "given careers, employability, financial or mental-health support",
    ),
    "people_registered": ("Registered", "people registered with the academy"),
}


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
class SustainmentLine:
    """Job starts checked at 13 or 26 weeks and how many were in work, as shown."""

    weeks: int
    checked: Shown
    in_work: Shown

    @property
    def share(self) -> str:
        """The percentage in work, '' when a count is hidden (disclosure.percent)."""
        return percent(self.in_work, self.checked)

    @property
    def sentence(self) -> str:
        """'38 of 50 checked were in work at 13 weeks (76%)'."""
        if self.checked == 0:
            return f"No job start in the period has had its {self.weeks}-week check."
        share = f" ({self.share})" if self.share else ""
        return (
            f"{self.in_work} of {self.checked} checked were in work at "
            f"{self.weeks} weeks{share}"
        )


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
    sustainment: list[SustainmentLine]
    cohort_columns: list[tuple[str, str]]  # (heading, meaning), in METRICS order

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

    def charted(key: str, month: dt.date) -> Shown:
        """As shown: a hidden count gets no bar and its mark ('<5' or '[c]')."""
        return value(key, "month", f"{month:%Y-%m}")

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
            [m.month for m in report.months],
            [
                (label, [charted(key, m.month) for m in report.months])
                for key, label in TREND
            ],
            title="People by month",
        ),
        sources_chart=bar_chart(sources, title="How people came to the academy"),
        context_sections=[labour_market_context(report.academy)],
        months=months,
        sustainment=[
            SustainmentLine(
                weeks,
                value("starts_checked", "weeks", str(weeks)),
                value("starts_sustained", "weeks", str(weeks)),
            )
            for weeks in (13, 26)
        ],
        cohort_columns=[COHORT_COLUMNS[m.key] for m in METRICS],
    )


# The PDF (ImpactDocument): what a commissioner reads beyond the dashboard.

NO_PREVIOUS = (
    "\u2013"  # an en dash: no previous period (since launch), or a change not given
)


@dataclass(frozen=True)
class FigureRow:
    """A headline figure beside the previous period and the year's target."""

    metric: Metric
    value: Shown
    previous: Shown  # NO_PREVIOUS when there is no previous period
    change: str
    target: int | None
    progress: str  # '412 of 500 target, 82%', or '' without a target


@dataclass(frozen=True)
class Definition:
    term: str
    text: str


@dataclass(frozen=True)
class DefinitionGroup:
    """The definitions of one part of the report, under its heading."""

    heading: str
    items: list[Definition]


# Every figure the PDF shows that is not a Metric, defined in plain English.
ACTIVITY_DEFINITIONS = {
    "Meetings held": "Meetings with the academy's people held in the period. Every "
    "meeting counts, so one person can count several times.",
    "Vacancies posted": "Vacancies added to the portal in the period.",
    "Referrals made": "Referrals of people to vacancies made in the period. Matches "
    "only suggested, not yet made into referrals, are not counted.",
    "Referrals that became starts": "Referrals whose person started the job in the "
    "period.",
}
SUSTAINMENT_DEFINITION = (
    "Of the people who started paid work in the period and whose {weeks}-week check "
    "has been done, those still in work {weeks} weeks after starting. A job started "
    "less than {weeks} weeks before the report is not yet due its check."
)
OTHER_DEFINITIONS = (
    Definition(
        "Previous period and change",
        "Each headline figure is shown beside the same figure for the period of the "
        "same length just before (the quarter before a quarter, the year before a "
        "year). Change is this period's figure less the previous period's, and that "
        "difference as a share of the previous figure; it is not given where either "
        "count is hidden. A report from the academy's launch has no previous period.",
    ),
    Definition(
        "Target",
        "The figure a manager set as the academy's aim for the financial year (April "
        "to March) that the period ends in, and how much of it the period reached. "
        "A target is for the whole year, so a shorter period is compared with the "
        "year's target.",
    ),
    Definition(
        "By claimant status",
        "Each headline figure split into people recorded as benefit claimants and "
        "people not recorded as claimants. Claimant status is as recorded on each "
        "person's record.",
    ),
    Definition(
        "By cohort",
        "Each headline figure for the people in one cohort, a group the academy "
        "reaches out to, as recorded on each person's record. A person in several "
        "cohorts counts once in each of them, so the cohorts do not add up to the "
        "total.",
    ),
    Definition(
        "Month by month",
        "People counted in each calendar month for the figures that have a day: a "
        "plan agreed, a start, support given, a registration. One person can count "
        "in several months, so the months can add up to more than the period.",
    ),
    Definition(
        "How people came to the academy",
        "The people registered in the period, by how they first came to the academy "
        "as recorded when they registered ('Not recorded' where nobody said).",
    ),
)
LABOUR_MARKET_DEFINITION = Definition(
    "The area's labour market",
    "Published figures for the academy's area, with their sources under the table. "
    "They describe the area, not the academy's people.",
)
PUBLICATION_RULES = (
    f"{PUBLICATION_FOOTNOTE} A percentage or a change is not given where one of its "
    "counts is hidden. A count of 0 is shown as 0."
)


@dataclass(frozen=True)
class ImpactDocument:
    """The impact report as the PDF presents it: the dashboard's page and what only
    the PDF shows."""

    page: ImpactPage
    classification: str  # the cover's first line
    logo: str  # a data: URI, or '' to show the name only
    narrative: list[str]  # paragraphs, as typed
    previous_period: Period | None
    target_year: str  # '2024/25'
    figures: list[FigureRow]
    definitions: list[DefinitionGroup]
    publication_rules: str  # '' when internal

    def as_context(self) -> dict[str, Any]:
        """The page's parts and the document's, as template variables."""
        own = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "page"}
        return {**self.page.as_context(), **own}


def logo_data_uri(academy: Academy) -> str:
    """The academy's logo written into the page, or '' when it has none or its file
    cannot be read (the cover then shows the name only, and the PDF is still built)."""
    if not academy.logo:
        return ""
    name = academy.logo.name or ""
    content_type = CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower())
    if content_type is None:
        logger.warning("logo %s of academy %s is not PNG or JPEG", name, academy.pk)
        return ""
    try:
        with academy.logo.open("rb") as file:
            content = file.read()
    except (OSError, ValueError):
        logger.warning("logo %s of academy %s cannot be read", name, academy.pk)
        return ""
    # The cover's box (print.css .cover-logo: 70 by 35 mm).
    return picture_uri(content, content_type, box_mm=(70, 35))


def narrative_paragraphs(text: str) -> list[str]:
    """The narrative's paragraphs: text between empty lines, each line kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _change(value: Shown, previous: Shown) -> str:
    """'+12 (+5%)', a minus sign and '3 (2%)' for a fall, 'No change'; NO_PREVIOUS
    where either count is hidden (or there is no previous period)."""
    if not isinstance(value, int) or not isinstance(previous, int):
        return NO_PREVIOUS
    difference = value - previous
    if difference == 0:
        return "No change"
    sign = "+" if difference > 0 else "\u2212"
    share = percent(abs(difference), previous)
    return f"{sign}{abs(difference)}" + (f" ({sign}{share})" if share else "")


def _progress(value: Shown, target: int | None) -> str:
    """'412 of 500 target, 82%' (no percentage when the count is hidden)."""
    if target is None:
        return ""
    share = percent(value, target)
    return f"{value} of {target:,} target" + (f", {share}" if share else "")


def impact_document(
    report: ImpactReport, *, publish: bool, narrative: str = ""
) -> ImpactDocument:
    """The PDF of a report: the page, and each headline figure beside the previous
    period (a second report, through the same publication rules) and the target of
    the financial year the period ends in."""
    academy = report.academy
    page = impact_page(report, publish=publish)
    previous_period = period_before(academy=academy, start=report.start, end=report.end)
    before: dict[Any, Shown] = {}
    if previous_period is not None:
        earlier = impact_report(
            academy=academy, start=previous_period.start, end=previous_period.end
        )
        before = published_figures(earlier, publish=publish)
    year = financial_year_of(report.end)
    targets = impact_targets(academy=academy, year=year)
    figures = []
    for row in page.headline:
        key = row.metric.key
        previous = before.get((key, "all", "all"), NO_PREVIOUS)
        target = targets[key].value if key in targets else None
        figures.append(
            FigureRow(
                metric=row.metric,
                value=row.value,
                previous=previous,
                change=_change(row.value, previous),
                target=target,
                progress=_progress(row.value, target),
            )
        )
    definitions = [
        DefinitionGroup(
            "Headline figures", [Definition(m.label, m.definition) for m in METRICS]
        ),
        DefinitionGroup("Comparisons and breakdowns", list(OTHER_DEFINITIONS)),
        DefinitionGroup(
            "What came of it",
            [
                *(
                    Definition(label, ACTIVITY_DEFINITIONS[label])
                    for label in ("Meetings held", *report.activity.extra)
                ),
                *(
                    Definition(
                        f"In work at {line.weeks} weeks",
                        SUSTAINMENT_DEFINITION.format(weeks=line.weeks),
                    )
                    for line in page.sustainment
                ),
            ],
        ),
        DefinitionGroup(
            "Events", [Definition(m.label, m.definition) for m in EVENT_METRICS]
        ),
    ]
    if any(page.context_sections):
        definitions.append(
            DefinitionGroup("The area", [LABOUR_MARKET_DEFINITION]),
        )
    return ImpactDocument(
        page=page,
        classification="For publication"
        if publish
        else "Internal \u2014 not for publication",
        logo=logo_data_uri(academy),
        narrative=narrative_paragraphs(narrative),
        previous_period=previous_period,
        target_year=year_label(year),
        figures=figures,
        definitions=definitions,
        publication_rules=PUBLICATION_RULES if publish else "",
    )
