"""What a funder return's indicator can count: the impact report's headline metrics
and the few more the shipped returns need, each a condition on Participant for a
period (both days included), so that a return counts DISTINCT people as the report
does (spec/impact-report.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from participants.models import (
    Meeting,
    Outcome,
    SkillsActionPlan,
    Support,
    SustainmentCheck,
)
from vacancies.models import Referral

from ..impact import METRICS, metric_condition

Condition = Callable[[dt.date, dt.date, str], Q]  # (start, end, sector) -> Q


@dataclass(frozen=True)
class FunderMetric:
    """A figure an indicator may count; `condition(start, end, sector)` selects the
    people who count in it."""

    key: str
    label: str
    definition: str
    condition: Condition
    # Counts jobs: an indicator may narrow it to one sector.
    is_employment: bool = False
    # A person can count in one period only (their registration day), so a year's
    # figure is exactly the sum of its quarters' (the publication rules need to know).
    counts_once: bool = False


def _having(records: QuerySet[Any], person: str = "participant_id") -> Q:
    return Q(pk__in=records.values(person))


def _report(key: str) -> Condition:
    return lambda start, end, sector: metric_condition(key, start, end)


def _jobs(start: dt.date, end: dt.date, sector: str) -> Q:
    jobs = Outcome.objects.filter(
        kind=Outcome.Kind.EMPLOYMENT, started_on__range=(start, end)
    )
    return _having(jobs.filter(sector=sector) if sector else jobs)


def _courses(start: dt.date, end: dt.date, sector: str) -> Q:
    return _having(
        Outcome.objects.filter(
            kind__in=[Outcome.Kind.TRAINING, Outcome.Kind.EDUCATION],
            started_on__range=(start, end),
        )
    )


def _job_search_support(start: dt.date, end: dt.date, sector: str) -> Q:
    return _having(
        Support.objects.filter(
            kind__in=[Support.Kind.EMPLOYABILITY, Support.Kind.CAREERS],
            given_on__range=(start, end),
        )
    )


def _local_days(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local days as a timestamp range [first, after)."""
    first = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    after = timezone.make_aware(
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)
    )
    return first, after


def _keyworker(start: dt.date, end: dt.date, sector: str) -> Q:
    first, after = _local_days(start, end)
    return _having(
        SkillsActionPlan.objects.filter(agreed_on__range=(start, end))
    ) | _having(Meeting.objects.filter(held_at__gte=first, held_at__lt=after))


def _put_forward(start: dt.date, end: dt.date, sector: str) -> Q:
    first, after = _local_days(start, end)
    return _having(
        Referral.objects.filter(
            vacancy__isnull=False, created_at__gte=first, created_at__lt=after
        ).exclude(stage=Referral.Stage.SUGGESTED)
    )


def _sustained(weeks: int) -> Condition:
    def condition(start: dt.date, end: dt.date, sector: str) -> Q:
        checks = SustainmentCheck.objects.filter(
            weeks=weeks,
            status=SustainmentCheck.Status.DONE,
            is_in_work=True,
            due_on__range=(start, end),
            outcome__kind=Outcome.Kind.EMPLOYMENT,
        )
        if sector:
            checks = checks.filter(outcome__sector=sector)
        return _having(checks, "outcome__participant_id")

    return condition


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
            _report(m.key),
            counts_once=m.key == "people_registered",
        )
        for m in METRICS
    },
    **{m.key: m for m in EXTRA},
}
METRIC_CHOICES = [(m.key, m.label) for m in FUNDER_METRICS.values()]
