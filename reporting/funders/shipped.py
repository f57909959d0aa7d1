"""The returns every academy starts with, as data: UKSPF People and Skills and a
DWP-funded employment programme. `install_shipped` copies them into an academy (the
data migration passes its historical models; `services.funder_returns_install` the
real ones). An academy's admin may then edit, add and retire indicators.

The UKSPF titles are the fund's own output and outcome wording (People and Skills
investment priority); the codes are the portal's (PS-OUT-nn for outputs, PS-OC-nn for
outcomes), as the fund's published list has no codes: an admin can type the lead local
authority's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ShippedIndicator:
    code: str
    title: str
    definition: str
    metric: str
    economic_status: str = ""


@dataclass(frozen=True)
class ShippedReturn:
    code: str
    name: str
    funder: str
    description: str
    period: str
    indicators: tuple[ShippedIndicator, ...]


SHIPPED = (
    ShippedReturn(
        "ukspf-people-skills",
        "UKSPF People and Skills",
        "Lead local authority (UK Shared Prosperity Fund)",
        "The People and Skills outputs and outcomes the academy's support delivers, "
        "each quarter of the financial year.",
        "quarter",
        (
            ShippedIndicator(
                "PS-OUT-01",
                "Number of people supported to engage in job-searching",
                "People given employability or careers support in the period.",
                "job_search_support",
            ),
            ShippedIndicator(
                "PS-OUT-02",
                "Number of economically inactive people engaging with keyworker "
                "support services",
                "People economically inactive when they started with the academy "
                "who met their keyworker (coordinator) or agreed a skills action plan "
                "with them in the period.",
                "keyworker_support",
                economic_status="inactive",  # Participant.EntryStatus.INACTIVE
            ),
            ShippedIndicator(
                "PS-OC-01",
                "Number of people in employment, including self-employment, "
                "following support",
                "People who started paid employment in any sector in the period, "
                "self-employment included.",
                "employment_any_sector",
            ),
            ShippedIndicator(
                "PS-OC-02",
                "Number of people gaining a qualification or completing a course "
                "following support",
                "People who started a training or education course in the period "
                "(the portal records the course taken up).",
                "training_education",
            ),
            ShippedIndicator(
                "PS-OC-03",
                "Number of people engaged in job-searching following support",
                "People put forward for a vacancy through the academy in the period.",
                "put_forward_for_jobs",
            ),
        ),
    ),
    ShippedReturn(
        "dwp-programme",
        "DWP-funded employment programme",
        "Department for Work and Pensions (or its prime provider)",
        "Starts, job outcomes and sustained job outcomes, each quarter of the "
        "financial year.",
        "quarter",
        (
            ShippedIndicator(
                "DWP-01",
                "Starts",
                "People who started on the programme (registered with the academy) "
                "in the period.",
                "people_registered",
            ),
            ShippedIndicator(
                "DWP-02",
                "Job outcomes",
                "People who started paid employment in any sector in the period, "
                "self-employment included.",
                "employment_any_sector",
            ),
            ShippedIndicator(
                "DWP-03",
                "Sustained job outcomes: 13 weeks",
                "People confirmed still in work 13 weeks after starting a job, "
                "counted in the period the 13 weeks ended.",
                "sustained_13_weeks",
            ),
            ShippedIndicator(
                "DWP-04",
                "Sustained job outcomes: 26 weeks",
                "People confirmed still in work 26 weeks after starting a job, "
                "counted in the period the 26 weeks ended.",
                "sustained_26_weeks",
            ),
        ),
    ),
)


def install_shipped(academy_id: int, returns: Any, indicators: Any) -> int:
    """Copy each shipped return the academy does not have (by code) into it, with
    its indicators; `returns` and `indicators` are the FunderReturn and Indicator
    models (historical ones in a migration). Returns how many were added."""
    have = set(
        returns.objects.filter(academy_id=academy_id).values_list("code", flat=True)
    )
    added = 0
    for shipped in SHIPPED:
        if shipped.code in have:
            continue
        funder_return = returns.objects.create(
            academy_id=academy_id,
            code=shipped.code,
            name=shipped.name,
            funder=shipped.funder,
            description=shipped.description,
            period=shipped.period,
        )
        indicators.objects.bulk_create(
            indicators(
                funder_return=funder_return,
                code=item.code,
                title=item.title,
                definition=item.definition,
                unit="people",
                metric=item.metric,
                economic_status=item.economic_status,
                order=10 * (n + 1),
            )
            for n, item in enumerate(shipped.indicators)
        )
        added += 1
    return added
