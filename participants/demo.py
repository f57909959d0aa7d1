"""Casework of the demo academy: Caring Plymouth's published figures to March 2024.

From launch (1 November 2023) to 31 March 2024 the demo academy has 653 people with a
skills action plan (540 claimants, 113 not), 165 starts in health or social care jobs,
57 in other sectors, 69 people into training, work experience or volunteering and 637
people given careers, employability, financial or mental-health support. Some people
have several qualifying records, so the report must count people, not records. Later
activity, from April 2024 to the day the demo is built and the week ahead, is in
`demo_present`.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from academy.models import Academy, User

from .demo_present import CHECK_DAYS, demo_present_seed, demo_start_evidence
from .models import (
    Cohort,
    ConsentRecord,
    Enquiry,
    Meeting,
    Outcome,
    Participant,
    ParticipantCohort,
    PlanAction,
    SkillsActionPlan,
    Support,
)

LAUNCH = dt.date(2023, 11, 1)
PERIOD_END = dt.date(2024, 3, 31)

PLAN_PEOPLE, PLAN_CLAIMANTS = 653, 540
EMPLOYMENT_HSC, EMPLOYMENT_OTHER, TRAINING_ETC, SUPPORTED = 165, 57, 69, 637
REGISTERED = 720  # some registered in the period never agreed a plan in it

FIRST = [
    "Amira",
    "Ben",
    "Chloe",
    "Dan",
    "Ewa",
    "Femi",
    "Grace",
    "Hassan",
    "Iona",
    "Jack",
    "Kasia",
    "Liam",
    "Maya",
    "Noor",
    "Owen",
    "Priya",
    "Ravi",
    "Sara",
    "Tom",
    "Uma",
    "Wes",
    "Yara",
    "Zoe",
]
LAST = [
    "Adams",
    "Bello",
    "Carter",
    "Davies",
    "Evans",
    "Fofana",
    "Green",
    "Hughes",
    "Islam",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Nowak",
    "Okafor",
    "Patel",
    "Quinn",
    "Reid",
    "Smith",
    "Taylor",
    "Usman",
    "Walsh",
    "Young",
]
ROLES = [
    "Care worker",
    "Home carer",
    "Senior care worker",
    "Healthcare assistant",
    "Support worker",
]
EMPLOYERS = [
    "Tamar View Care Homes",
    "Sound Homecare",
    "Plymouth Hospitals NHS Trust (demo)",
    "Moorview Supported Living",
]


def _day_in(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


@transaction.atomic
def demo_casework_seed(*, academy: Academy, coordinator: User) -> int:
    """Create the demo academy's casework once; return how many people it registered."""
    if Participant.objects.for_academy(academy).exists():
        return 0
    rng = random.Random(2023)  # noqa: S311 - the same demo every time, not a secret
    people = []
    for n in range(REGISTERED):
        registered = _day_in(rng, LAUNCH, dt.date(2024, 3, 20))
        people.append(
            Participant(
                academy=academy,
                reference=f"CA-{n + 1:06d}",
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                date_of_birth=dt.date(
                    rng.randint(1960, 2005), rng.randint(1, 12), rng.randint(1, 28)
                ),
                email=f"person{n + 1}@demo.example.net",
                phone=f"07700 9{n + 1:05d}",
                postcode=rng.choice(
                    ["PL1 2AA", "PL2 3BB", "PL4 6AB", "PL5 1CD", "PL6 8DH", "PL7 4JH"]
                ),
                # Claimants: the first 540 planners, and some of those without a plan.
                is_claimant=n < PLAN_CLAIMANTS or (n >= PLAN_PEOPLE and n % 2 == 0),
                benefit_type="universal_credit" if n < PLAN_CLAIMANTS else "",
                status_at_entry=rng.choice(
                    ["unemployed", "unemployed", "inactive", "employed"]
                ),
                source=rng.choice(
                    [
                        "job_centre",
                        "job_centre",
                        "campaign",
                        "event",
                        "drop_in",
                        "partner_referral",
                        "self",
                    ]
                ),
                registered_on=registered,
                coordinator=coordinator if n % 6 == 0 else None,
                hours_wanted=rng.choice([None, 16, 24, 30, 37]),
                has_driving_licence=rng.random() < 0.4,
                dbs_level=rng.choice(["none", "none", "basic", "enhanced"]),
                right_to_work_checked_on=registered
                + dt.timedelta(days=rng.choice(CHECK_DAYS)),
                has_consent_to_hold=True,
                has_consent_to_share=rng.random() < 0.85,
                last_contact_at=timezone.make_aware(
                    dt.datetime.combine(registered, dt.time(10, 0))
                ),
            )
        )
    demo_start_evidence(people, coordinator=coordinator, today=PERIOD_END)
    Participant.objects.bulk_create(people, batch_size=1000)
    people = list(Participant.objects.for_academy(academy).order_by("reference"))
    codes = list(Cohort.values)
    ParticipantCohort.objects.bulk_create(
        ParticipantCohort(participant=p, code=code)
        for p in people
        for code in rng.sample(codes, rng.choice([0, 1, 1, 2]))
    )
    now = timezone.now()
    ConsentRecord.objects.bulk_create(
        ConsentRecord(
            participant=p, kind=kind, is_given=given, recorded_at=now, note="Demo data"
        )
        for p in people
        for kind, given in (
            ("hold_data", True),
            ("share_with_providers", p.has_consent_to_share),
        )
    )
    Meeting.objects.bulk_create(
        Meeting(
            participant=p,
            kind=rng.choice(Meeting.Kind.values),
            held_at=p.last_contact_at,
            location="Royal Parade Jobcentre (demo)",
            notes="First conversation about care careers.",
        )
        for p in people
        if p.last_contact_at
    )
    plans = []
    for p in people[:PLAN_PEOPLE]:
        agreed = _day_in(
            rng,
            p.registered_on,
            min(p.registered_on + dt.timedelta(days=10), PERIOD_END),
        )
        plans.append(
            SkillsActionPlan(
                participant=p,
                agreed_on=agreed,
                pathway=rng.choice(["demand", "demand", "supply", "pipeline"]),
                target_role=rng.choice(ROLES),
                barriers=rng.sample(
                    ["transport", "childcare", "confidence", "dbs", "digital"],
                    rng.choice([0, 1, 2]),
                ),
            )
        )
    # Planners without a plan in the period get theirs later (outside the period).
    for p in people[PLAN_PEOPLE : PLAN_PEOPLE + 20]:
        plans.append(
            SkillsActionPlan(
                participant=p,
                agreed_on=dt.date(2024, 4, 15),
                pathway="supply",
                target_role="Care worker",
            )
        )
    SkillsActionPlan.objects.bulk_create(plans)
    mine = list(
        SkillsActionPlan.objects.filter(participant__coordinator=coordinator)[:12]
    )
    PlanAction.objects.bulk_create(
        PlanAction(
            plan=plan,
            description=rng.choice(
                [
                    "Apply for DBS check",
                    "Book Care Certificate",
                    "Update CV",
                    "Visit a care home",
                ]
            ),
            owner=rng.choice(PlanAction.Owner.values),
            # Done long ago (the draw keeps the random sequence of earlier demos).
            due_on=plan.agreed_on + dt.timedelta(days=rng.randint(1, 20) + 7 * (i % 2)),
            completed_on=plan.agreed_on + dt.timedelta(days=7),
        )
        for i, plan in enumerate(mine)
    )
    # Support: 637 people in the period, some twice; 'other' support is not counted.
    support = []
    for n, p in enumerate(people[:SUPPORTED]):
        given = _day_in(rng, p.registered_on, PERIOD_END)
        support.append(
            Support(
                participant=p,
                kind=rng.choice(
                    ["careers", "employability", "financial", "mental_health"]
                ),
                given_on=given,
            )
        )
        if n % 5 == 0:
            support.append(Support(participant=p, kind="careers", given_on=given))
    support += [
        Support(participant=p, kind="other", given_on=PERIOD_END)
        for p in people[SUPPORTED:PLAN_PEOPLE]
    ]
    Support.objects.bulk_create(support)
    outcomes = []
    hsc = people[:EMPLOYMENT_HSC]
    other = people[EMPLOYMENT_HSC : EMPLOYMENT_HSC + EMPLOYMENT_OTHER]
    trained = people[300 : 300 + TRAINING_ETC]
    for n, p in enumerate(hsc):
        start = _day_in(rng, max(p.registered_on, dt.date(2023, 12, 1)), PERIOD_END)
        outcomes.append(
            Outcome(
                participant=p,
                kind="employment",
                sector="health_social_care",
                started_on=start,
                employer=rng.choice(EMPLOYERS),
                role=rng.choice(ROLES),
                hours_per_week=rng.choice([16, 24, 30, 37.5]),
            )
        )
        if n % 10 == 0:  # a second job start in the period: still one person
            outcomes.append(
                Outcome(
                    participant=p,
                    kind="employment",
                    sector="health_social_care",
                    started_on=PERIOD_END,
                    employer="Sound Homecare",
                    role="Home carer",
                )
            )
    for p in other:
        outcomes.append(
            Outcome(
                participant=p,
                kind="employment",
                sector="other",
                started_on=_day_in(rng, p.registered_on, PERIOD_END),
                employer="Local retailer",
                role="Sales assistant",
            )
        )
    for n, p in enumerate(trained):
        kind = ["training", "work_experience", "volunteering"][n % 3]
        outcomes.append(
            Outcome(
                participant=p,
                kind=kind,
                started_on=_day_in(rng, p.registered_on, PERIOD_END),
                employer="Care Skills Training (demo)",
            )
        )
    Outcome.objects.bulk_create(outcomes)
    Enquiry.objects.bulk_create(
        Enquiry(
            academy=academy,
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            email=f"enquiry{i}@demo.example.net",
            postcode="PL1 1AA",
            interest="Care work near home, days only",
        )
        for i in range(5)
    )
    return len(people) + demo_present_seed(
        academy=academy,
        coordinator=coordinator,
        first_number=REGISTERED + 1,
        first=FIRST,
        last=LAST,
        roles=ROLES,
        employers=EMPLOYERS,
    )
