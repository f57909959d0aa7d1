"""A long impact report for the PDF tests: five years of an academy since launch,
presented as the PDF presents it, with its month-by-month table run over 40 years'
worth of rows (the five years' rows again), so that the PDF passes 20 pages through
the real template, print CSS and presenter rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from academy.models import Academy
from reporting.impact import impact_report
from reporting.presenters import impact_document
from tests.participants.factories import ParticipantFactory, SkillsActionPlanFactory
from tests.vacancies.factories import EventFactory, SignUpFactory

LAUNCH, END = dt.date(2021, 4, 1), dt.date(2026, 3, 31)


def long_report_context(
    academy: Academy, *, events: int = 12, month_rows: int = 480
) -> dict[str, Any]:
    """The print template's context for a long report (see the module's note)."""
    academy.launched_on = LAUNCH
    academy.region = "South West"
    academy.save()
    day = LAUNCH
    while day <= END:
        person = ParticipantFactory(academy=academy, registered_on=day)
        SkillsActionPlanFactory(participant=person, agreed_on=day)
        day += dt.timedelta(days=20)
    for number in range(events):
        start = dt.datetime.combine(
            LAUNCH + dt.timedelta(days=11 * number), dt.time(10), tzinfo=dt.UTC
        )
        event = EventFactory(
            academy=academy, starts_at=start, ends_at=start + dt.timedelta(hours=2)
        )
        SignUpFactory(event=event)
    report = impact_report(academy=academy, start=LAUNCH, end=END)
    context = impact_document(report, publish=False).as_context()
    months = list(context["months"])
    context["months"] = (months * (month_rows // len(months) + 1))[:month_rows]
    return context
