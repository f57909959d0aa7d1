import pytest
from django.urls import reverse

from academy.models import Organisation
from academy.tenancy import SESSION_ACADEMY_KEY
from tests.academy.factories import MembershipFactory, OrganisationFactory


@pytest.mark.django_db
def test_for_membership_returns_only_the_membership_academys_rows(admin, other_academy):
    own = OrganisationFactory(academy=admin.academy)
    OrganisationFactory(academy=other_academy)
    assert list(Organisation.objects.for_membership(admin)) == [own]


@pytest.mark.django_db
def test_request_academy_is_the_users_only_academy(client_of, coordinator):
    response = client_of(coordinator).get(reverse("home"))
    assert response.wsgi_request.academy == coordinator.academy
    assert response.wsgi_request.membership == coordinator


@pytest.mark.django_db
def test_user_in_two_academies_switches_between_them(
    client_of, coordinator, other_academy
):
    MembershipFactory(user=coordinator.user, academy=other_academy, role="manager")
    client = client_of(coordinator)
    assert client.get(reverse("home")).wsgi_request.academy == coordinator.academy

    response = client.post(reverse("academy:switch"), {"academy": other_academy.pk})

    assert response.status_code == 302
    now = client.get(reverse("home"))
    assert now.wsgi_request.academy == other_academy
    assert now.wsgi_request.membership.role == "manager"
    assert "Switch academy" in now.content.decode()


@pytest.mark.django_db
def test_switching_to_an_academy_without_membership_is_404(
    client_of, coordinator, other_academy
):
    client = client_of(coordinator)
    response = client.post(reverse("academy:switch"), {"academy": other_academy.pk})
    assert response.status_code == 404
    assert client.session.get(SESSION_ACADEMY_KEY) is None


@pytest.mark.django_db
def test_an_ended_membership_no_longer_gives_the_academy(client_of, coordinator):
    client = client_of(coordinator)
    coordinator.is_active = False
    coordinator.save()
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert response.wsgi_request.academy is None
    assert "not a member of any academy" in response.content.decode()


@pytest.mark.django_db
def test_a_disabled_user_is_signed_out_on_the_next_request(client_of, coordinator):
    client = client_of(coordinator)
    coordinator.user.is_active = False
    coordinator.user.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
