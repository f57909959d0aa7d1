import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from academy.models import Membership
from academy.permissions import Role
from tests.academy.factories import (
    AcademyFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)


@pytest.mark.django_db
def test_provider_membership_without_organisation_is_refused_by_the_database(academy):
    with pytest.raises(IntegrityError):
        Membership.objects.create(
            user=UserFactory(), academy=academy, role=Role.PROVIDER
        )


@pytest.mark.django_db
def test_provider_membership_without_organisation_fails_validation_with_a_message(
    academy,
):
    membership = Membership(user=UserFactory(), academy=academy, role=Role.PROVIDER)
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert "Choose the organisation" in str(error.value.message_dict["organisation"])


@pytest.mark.django_db
def test_membership_cannot_name_another_academys_organisation(academy, other_academy):
    foreign = OrganisationFactory(academy=other_academy)
    membership = Membership(
        user=UserFactory(), academy=academy, role=Role.PROVIDER, organisation=foreign
    )
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert "organisation of this academy" in str(
        error.value.message_dict["organisation"]
    )


@pytest.mark.django_db
def test_a_user_has_one_membership_per_academy(academy):
    membership = MembershipFactory(academy=academy)
    with pytest.raises(IntegrityError):
        MembershipFactory(academy=academy, user=membership.user)


@pytest.mark.django_db
def test_area_code_must_look_like_an_ons_code():
    academy = AcademyFactory.build(slug="x", area_code="PL1")
    with pytest.raises(ValidationError) as error:
        academy.full_clean()
    assert "E06000026" in str(error.value.message_dict["area_code"])


@pytest.mark.django_db
def test_users_sign_in_with_their_email_address_in_lower_case():
    from academy.models import User

    user = User.objects.create_user("Ann.Smith@Example.ORG", password="x" * 12)
    assert user.email == "ann.smith@example.org"
    assert User.USERNAME_FIELD == "email"
