"""Factories for vacancies, training places and referrals."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from tests.academy.factories import AcademyFactory, OrganisationFactory
from tests.participants.factories import ParticipantFactory
from vacancies.models import Event, Referral, SignUp, TrainingOpportunity, Vacancy


def _in(days):
    return factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=days))


class VacancyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vacancy

    academy = factory.SubFactory(AcademyFactory)
    organisation = factory.SubFactory(
        OrganisationFactory, academy=factory.SelfAttribute("..academy")
    )
    title = factory.Sequence(lambda n: f"Care worker {n}")
    role = "care_worker"
    setting = "care_home"
    hours_per_week = Decimal("37.5")
    contract = "permanent"
    pay_min = Decimal("12.80")
    pay_max = Decimal("13.50")
    postcode = "PL4 6AB"
    latitude = 50.374
    longitude = -4.121
    closing_on = _in(30)
    dbs_level = "enhanced"


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingOpportunity

    academy = factory.SubFactory(AcademyFactory)
    organisation = factory.SubFactory(
        OrganisationFactory, academy=factory.SelfAttribute("..academy")
    )
    kind = "course"
    title = "Care Certificate"
    starts_on = _in(14)
    places = 12
    postcode = "PL1 2AA"
    latitude = 50.3714
    longitude = -4.1422


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    participant = factory.SubFactory(ParticipantFactory)
    vacancy = factory.SubFactory(
        VacancyFactory, academy=factory.SelfAttribute("..participant.academy")
    )
    stage = Referral.Stage.REFERRED


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    academy = factory.SubFactory(AcademyFactory)
    kind = Event.Kind.INFORMATION
    title = "Careers in care: information session"
    venue = "Skills Launchpad Plymouth"
    postcode = "PL1 1AA"
    # 10:00 a week ahead: the same whatever the hour the tests run.
    starts_at = factory.LazyFunction(
        lambda: (
            timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
            + dt.timedelta(days=7)
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    capacity = 20
    created_by = factory.SubFactory("tests.academy.factories.UserFactory")


class SignUpFactory(factory.django.DjangoModelFactory):
    """Someone who walked in to an event and was ticked present."""

    class Meta:
        model = SignUp

    event = factory.SubFactory(EventFactory)
    first_name = "Dana"
    last_name = "Walker"
    email = factory.Sequence(lambda n: f"walk-in{n}@example.org")
    has_consented = True
    status = SignUp.Status.ATTENDED
    source = SignUp.Source.WALK_IN
