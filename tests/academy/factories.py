"""Factories for academies, organisations, users and memberships."""

import factory

from academy.models import Academy, Membership, Organisation, User
from academy.permissions import Role

PASSWORD = "correct-horse-battery-staple-42"


class AcademyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Academy
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"academy-{n}")
    name = factory.Sequence(lambda n: f"Care Academy {n}")
    region = "South West"
    area_code = "E06000026"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    academy = factory.SubFactory(AcademyFactory)
    name = factory.Sequence(lambda n: f"Provider {n} Ltd")
    kind = Organisation.Kind.CARE_PROVIDER
    postcode = "PL1 2AA"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    academy = factory.SubFactory(AcademyFactory)
    role = Role.COORDINATOR
    organisation = factory.Maybe(
        factory.LazyAttribute(lambda m: m.role == Role.PROVIDER),
        yes_declaration=factory.SubFactory(
            OrganisationFactory, academy=factory.SelfAttribute("..academy")
        ),
        no_declaration=None,
    )
