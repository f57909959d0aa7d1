"""Vacancies, training places and referrals of the demo academy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from academy.models import Academy, Organisation, User
from participants.models import Participant

from . import services
from .models import Referral, ReferralEvent, TrainingOpportunity, Vacancy

VACANCIES = [
    # title, role, setting, hours, pay_min, pay_max, postcode, critical, licence
    (
        "Home carer (days)",
        "care_worker",
        "domiciliary",
        "30",
        "12.75",
        "13.40",
        "PL4 6AB",
        True,
        True,
    ),
    (
        "Night care assistant",
        "care_worker",
        "care_home",
        "36",
        "12.80",
        None,
        "PL1 2AA",
        False,
        False,
    ),
    (
        "Senior care worker",
        "senior_care_worker",
        "care_home",
        "37.5",
        "13.90",
        "14.50",
        "PL1 2AA",
        False,
        False,
    ),
    (
        "Healthcare assistant",
        "nursing_assistant",
        "care_home_nursing",
        "37.5",
        "12.90",
        "13.60",
        "PL6 8DH",
        True,
        False,
    ),
    (
        "Registered nurse (nights)",
        "registered_nurse",
        "care_home_nursing",
        "36",
        "21.50",
        "24.00",
        "PL6 8DH",
        True,
        False,
    ),
    (
        "Support worker, supported living",
        "support_worker",
        "supported_living",
        "24",
        "12.80",
        "13.20",
        "PL2 2PQ",
        False,
        False,
    ),
    (
        "Activities coordinator",
        "activities_coordinator",
        "care_home",
        "20",
        "12.75",
        None,
        "PL7 4JH",
        False,
        False,
    ),
    ("Cook", "cook", "care_home", "30", "12.90", None, "PL1 2AA", False, False),
    (
        "Domestic assistant",
        "domestic",
        "care_home",
        "16",
        "12.71",
        None,
        "PL5 1CD",
        False,
        False,
    ),
    (
        "Care worker, weekends",
        "care_worker",
        "domiciliary",
        "16",
        "12.75",
        None,
        "PL9 1AA",
        False,
        True,
    ),
]


@transaction.atomic
def demo_vacancies_seed(*, academy: Academy, by: User) -> int:
    """Post the demo academy's vacancies, training places and referrals once."""
    if Vacancy.objects.for_academy(academy).exists():
        return 0
    providers = list(
        Organisation.objects.for_academy(academy).filter(
            kind__in=["care_provider", "nhs_trust"]
        )
    )
    trainer = (
        Organisation.objects.for_academy(academy)
        .filter(kind="training_provider")
        .first()
    )
    today = timezone.localdate()
    vacancies = []
    for n, (
        title,
        role,
        setting,
        hours,
        low,
        high,
        postcode,
        critical,
        licence,
    ) in enumerate(VACANCIES):
        vacancy = Vacancy(
            academy=academy,
            organisation=providers[n % len(providers)],
            title=title,
            role=role,
            setting=setting,
            hours_per_week=Decimal(hours),
            works_nights="night" in title.lower(),
            works_weekends="weekend" in title.lower(),
            contract="permanent",
            pay_min=Decimal(low),
            pay_max=Decimal(high) if high else None,
            postcode=postcode,
            posts=1 + n % 3,
            closing_on=today + dt.timedelta(days=14 + 3 * n),
            needs_driving_licence=licence,
            is_critical_shortage=critical,
            benefits="Paid training, paid DBS check, mileage",
            how_to_apply="Ask your coordinator, or register your interest online.",
        )
        vacancies.append(services.vacancy_save(vacancy=vacancy, by=by, notify=False))
    if trainer is not None:
        for n, (kind, title) in enumerate(
            [
                ("course", "Care Certificate"),
                ("course", "First aid at work"),
                ("course", "Moving and handling"),
                ("interview_prep", "Interview preparation"),
            ]
        ):
            services.training_save(
                training=TrainingOpportunity(
                    academy=academy,
                    organisation=trainer,
                    kind=kind,
                    title=title,
                    starts_on=today + dt.timedelta(days=7 + 7 * n),
                    places=12,
                    location="Care Skills Training, Plympton",
                    postcode="PL7 4JH",
                    role="care_worker",
                )
            )
    _referrals(vacancies, by)
    return len(vacancies)


def _weekday(day: dt.date) -> dt.date:
    """The day, or the Monday after it when it falls at a weekend (the past: the
    Friday before, so that what happened stays in the past)."""
    if day.weekday() < 5:
        return day
    if day < timezone.localdate():
        return day - dt.timedelta(days=day.weekday() - 4)
    return day + dt.timedelta(days=7 - day.weekday())


def _referrals(vacancies: list[Vacancy], by: User) -> None:
    """The demo coordinator's referrals to the open vacancies: made in the last weeks,
    some with an interview arranged in the days ahead and one offered. Written as
    history (made days ago), so nobody is sent a message when the demo is built."""
    today = timezone.localdate()
    people = list(
        Participant.objects.filter(
            academy=vacancies[0].academy,
            status=Participant.Status.OPEN,
            has_consent_to_share=True,
            coordinator=by,
        ).order_by("-registered_on", "pk")[:6]
    )
    # (stage, days since referred, days and time of the interview ahead), one for each
    # vacancy in turn (their organisations in name order): the demo provider, Tamar
    # View, has an interview tomorrow and a new referral.
    plan = [
        (Referral.Stage.INTERVIEW, 9, (3, dt.time(14, 0))),
        (Referral.Stage.REFERRED, 2, None),
        (Referral.Stage.INTERVIEW, 6, (1, dt.time(10, 30))),
        (Referral.Stage.INTERVIEW, 4, (6, dt.time(11, 0))),
        (Referral.Stage.OFFERED, 20, None),
        (Referral.Stage.REFERRED, 1, None),
    ]
    for person, vacancy, (stage, ago, interview) in zip(
        people, vacancies, plan, strict=False
    ):
        referred_on = today - dt.timedelta(days=ago)
        referral = Referral.objects.create(
            participant=person, vacancy=vacancy, stage=stage, created_by=by
        )
        moves = [(Referral.Stage.REFERRED, referred_on, "")]
        if interview is not None or stage == Referral.Stage.OFFERED:
            days, at = interview or (-ago // 2, dt.time(10, 0))
            when = timezone.make_aware(
                dt.datetime.combine(_weekday(today + dt.timedelta(days=days)), at)
            )
            referral.interview_at = when
            # At the employer's own address (a vacancy's postcode may be elsewhere).
            organisation = vacancy.organisation
            referral.interview_place = (
                f"{organisation.name}, {organisation.postcode or vacancy.postcode}"
            )
            arranged = referred_on + dt.timedelta(days=min(2, ago))
            moves.append((Referral.Stage.INTERVIEW, arranged, ""))
        if stage == Referral.Stage.OFFERED:
            moves.append((Referral.Stage.OFFERED, today - dt.timedelta(days=3), ""))
        made = timezone.make_aware(dt.datetime.combine(referred_on, dt.time(11, 0)))
        Referral.objects.filter(pk=referral.pk).update(
            interview_at=referral.interview_at,
            interview_place=referral.interview_place,
            created_at=made,
            updated_at=made,
        )
        ReferralEvent.objects.bulk_create(
            ReferralEvent(referral=referral, stage=s, on=on, note=note, by=by)
            for s, on, note in moves
        )
