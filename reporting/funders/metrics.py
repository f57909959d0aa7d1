"""What a funder return's indicator can count: the impact report's headline metrics
and the few more the shipped returns need, each the records (of one academy) that put
a person in it on a day, so that a return counts DISTINCT people in a period (both
days included) as the report does (spec/impact-report.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from academy.models import Academy
from participants.models import (
    Meeting,
    Outcome,
    SkillsActionPlan,
    Support,
    SustainmentCheck,
)
from vacancies.models import Referral

from ..impact import DERIVED, METRICS, QUALIFYING


def _local_days(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local days as a timestamp range [first, after)."""
    first = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    after = timezone.make_aware(
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)
    )
    return first, after


@dataclass(frozen=True)
class Source:
    """Records that put a person in a figure: `records` (one academy's) name the
    person in `person` and fall in a period by `day`, a date, or a moment counted on
    its local day."""

    records: QuerySet[Any]
    day: str
    person: str = "participant_id"
    is_moment: bool = False

    def on(self, start: dt.date, end: dt.date) -> Q:
        """Records of the days from `start` to `end` (both included)."""
        if self.is_moment:
            first, after = _local_days(start, end)
            return Q(**{f"{self.day}__gte": first, f"{self.day}__lt": after})
        return Q(**{f"{self.day}__range": (start, end)})

    def within(self, start: dt.date, end: dt.date) -> QuerySet[Any]:
        return self.records.filter(self.on(start, end))


Sources = Callable[[Academy, str], tuple[Source, ...]]  # (academy, sector) -> sources


@dataclass(frozen=True)
class FunderMetric:
    """A figure an indicator may count: a person counts in a period when one of the
    records of `sources(academy, sector)` falls in it and they meet `person`."""

    key: str
    label: str
    definition: str
    sources: Sources
    # Counts jobs: an indicator may narrow it to one sector.
    is_employment: bool = False
    # A person can count in one period only (their registration day), so a year's
    # figure is exactly the sum of its quarters' (the publication rules need to know).
    counts_once: bool = False
    person: Q = field(default_factory=Q)  # a condition on the person too

    def sources_for(self, academy: Academy, sector: str) -> tuple[Source, ...]:
        """The records to read (a sector narrows only a figure that counts jobs)."""
        return self.sources(academy, sector if self.is_employment else "")

    def condition(
        self, start: dt.date, end: dt.date, sector: str, academy: Academy
    ) -> Q:
        """The people counted in one period, as a condition on Participant (one
        figure at a time: the build reads every figure's records at once)."""
        having = (
            Q(pk__in=source.within(start, end).values(source.person))
            for source in self.sources_for(academy, sector)
        )
        return reduce(or_, having) & self.person


def _of(records: QuerySet[Any], academy: Academy, path: str = "participant") -> Any:
    return records.filter(**{f"{path}__academy": academy})


def _report(key: str) -> tuple[Sources, Q]:
    """A headline metric of the impact report: its qualifying records (one
    definition, `impact.QUALIFYING`), narrowed by claimant status for those that are
    another metric's claimants or not."""
    base, claimant = DERIVED.get(key, (key, None))
    rule = QUALIFYING[base]

    def sources(academy: Academy, sector: str) -> tuple[Source, ...]:
        return (Source(rule.records(academy), rule.day, rule.person),)

    return sources, Q() if claimant is None else Q(is_claimant=claimant)


def _jobs(academy: Academy, sector: str) -> tuple[Source, ...]:
    jobs = _of(Outcome.objects.filter(kind=Outcome.Kind.EMPLOYMENT), academy)
    return (Source(jobs.filter(sector=sector) if sector else jobs, "started_on"),)


def _courses(academy: Academy, sector: str) -> tuple[Source, ...]:
    courses = Outcome.objects.filter(
        kind__in=[Outcome.Kind.TRAINING, Outcome.Kind.EDUCATION]
    )
    return (Source(_of(courses, academy), "started_on"),)


def _job_search_support(academy: Academy, sector: str) -> tuple[Source, ...]:
    support = Support.objects.filter(
        kind__in=[Support.Kind.EMPLOYABILITY, Support.Kind.CAREERS]
    )
    return (Source(_of(support, academy), "given_on"),)


def _keyworker(academy: Academy, sector: str) -> tuple[Source, ...]:
    return (
        Source(_of(SkillsActionPlan.objects.all(), academy), "agreed_on"),
        Source(_of(Meeting.objects.all(), academy), "held_at", is_moment=True),
    )


def _put_forward(academy: Academy, sector: str) -> tuple[Source, ...]:
    # A referral carries its academy: read by (academy, created_at), no person joined.
    referrals = (
        Referral.objects.for_academy(academy)
        .filter(vacancy__isnull=False)
        .exclude(stage=Referral.Stage.SUGGESTED)
    )
    return (Source(referrals, "created_at", is_moment=True),)


def _sustained(weeks: int) -> Sources:
    def sources(academy: Academy, sector: str) -> tuple[Source, ...]:
        checks = SustainmentCheck.objects.filter(
            weeks=weeks,
            status=SustainmentCheck.Status.DONE,
            is_in_work=True,
            outcome__kind=Outcome.Kind.EMPLOYMENT,
        )
        if sector:
            checks = checks.filter(outcome__sector=sector)
        checks = _of(checks, academy, "outcome__participant")
        return (Source(checks, "due_on", "outcome__participant_id"),)

    return sources


EXTRA = (
    FunderMetric(
        "employment_any_sector",
        "Into paid employment, any sector",
        "People who started paid employment in any sector in the period, "
        "self-employment included (recorded as paid employment).",
        _jobs,
        is_employment=True,
    ),
    FunderMetric(
        "training_education",
        "Onto a training or education course",
        "People who started a training or education course in the period (an "
        "outcome of kind training or education; the portal records the course "
        "taken up, not the qualification).",
        _courses,
    ),
    FunderMetric(
        "job_search_support",
        "Supported to look for work",
        "People given employability or careers support in the period.",
        _job_search_support,
    ),
    FunderMetric(
        "keyworker_support",
        "Engaging with keyworker support",
        "People who met their coordinator (a meeting recorded) or agreed a skills "
        "action plan with them in the period.",
        _keyworker,
    ),
    FunderMetric(
        "put_forward_for_jobs",
        "Applying for jobs through the academy",
        "People put forward for a vacancy in the period (a referral made, not only "
        "suggested).",
        _put_forward,
    ),
    FunderMetric(
        "sustained_13_weeks",
        "Still in work at 13 weeks",
        "People confirmed still in a job 13 weeks after starting it (the 13-week "
        "check done and in work), counted in the period the 13 weeks ended.",
        _sustained(13),
        is_employment=True,
    ),
    FunderMetric(
        "sustained_26_weeks",
        "Still in work at 26 weeks",
        "People confirmed still in a job 26 weeks after starting it (the 26-week "
        "check done and in work), counted in the period the 26 weeks ended.",
        _sustained(26),
        is_employment=True,
    ),
)

FUNDER_METRICS: dict[str, FunderMetric] = {
    **{
        m.key: FunderMetric(
            m.key,
            m.label,
            m.definition,
            _report(m.key)[0],
            counts_once=m.key == "people_registered",
            person=_report(m.key)[1],
        )
        for m in METRICS
    },
    **{m.key: m for m in EXTRA},
}
METRIC_CHOICES = [(m.key, m.label) for m in FUNDER_METRICS.values()]
