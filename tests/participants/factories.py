"""Factories for casework records."""

import datetime as dt

import factory
from django.utils import timezone

from participants.models import (
    Appointment,
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
from tests.academy.factories import AcademyFactory, UserFactory


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    academy = factory.SubFactory(AcademyFactory)
    reference = factory.Sequence(lambda n: f"P{n:06d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = dt.date(1980, 5, 17)
    email = factory.Sequence(lambda n: f"participant{n}@example.net")
    phone = factory.Sequence(lambda n: f"07700 9{n:05d}")
    postcode = "PL1 1AA"
    is_claimant = True
    registered_on = dt.date(2024, 1, 15)
    has_consent_to_hold = True
    has_consent_to_share = True


class ParticipantCohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParticipantCohort

    participant = factory.SubFactory(ParticipantFactory)
    code = "over_50"


class ConsentRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsentRecord

    participant = factory.SubFactory(ParticipantFactory)
    kind = ConsentRecord.Kind.HOLD_DATA
    is_given = True
    recorded_at = factory.LazyFunction(timezone.now)


class EnquiryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enquiry

    academy = factory.SubFactory(AcademyFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"enquirer{n}@example.net")
    phone = "07700 900123"
    postcode = "PL4 6AB"
    interest = "Care work near home"


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    participant = factory.SubFactory(ParticipantFactory)
    kind = Meeting.Kind.JOB_CENTRE
    held_at = factory.LazyFunction(timezone.now)
    location = "Plymouth Jobcentre"
    notes = "Talked about care work."


class SkillsActionPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SkillsActionPlan

    participant = factory.SubFactory(ParticipantFactory)
    agreed_on = dt.date(2024, 1, 20)
    pathway = SkillsActionPlan.Pathway.DEMAND
    target_role = "Care worker"


class PlanActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanAction

    plan = factory.SubFactory(SkillsActionPlanFactory)
    description = "Apply for the Care Certificate course"
    owner = PlanAction.Owner.PARTICIPANT
    due_on = dt.date(2024, 2, 20)


class SupportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Support

    participant = factory.SubFactory(ParticipantFactory)
    kind = Support.Kind.CAREERS
    given_on = dt.date(2024, 1, 20)


class TaskFactory(factory.django.DjangoModelFactory):
    """An open task due today, of the person's coordinator."""

    class Meta:
        model = "participants.Task"

    participant = factory.SubFactory(ParticipantFactory)
    owner = factory.LazyAttribute(lambda o: o.participant.coordinator)
    title = "Ring about the Care Certificate"
    due_on = factory.LazyFunction(timezone.localdate)


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    participant = factory.SubFactory(ParticipantFactory)
    kind = Outcome.Kind.EMPLOYMENT
    started_on = dt.date(2024, 3, 1)
    sector = Outcome.Sector.HEALTH_SOCIAL_CARE
    employer = "Tamar View Care Homes"
    role = "Care worker"


class AppointmentFactory(factory.django.DjangoModelFactory):
    """An appointment booked for tomorrow at 10:00 (UK time), in the diary of its
    person's coordinator."""

    class Meta:
        model = Appointment

    participant = factory.SubFactory(ParticipantFactory)
    coordinator = factory.LazyAttribute(
        lambda o: o.participant.coordinator or UserFactory()
    )
    kind = Meeting.Kind.JOB_CENTRE
    starts_at = factory.LazyFunction(
        lambda: (
            timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
            + dt.timedelta(days=1)
        )
    )
    minutes = 30
    place = "Plymouth Jobcentre"
