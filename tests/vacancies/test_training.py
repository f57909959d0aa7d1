"""Training places, work placements and interview preparation."""

import pytest
from django.urls import reverse

from tests.academy.factories import OrganisationFactory
from tests.vacancies.factories import TrainingFactory
from tests.vacancies.pages import _in, training_data
from vacancies.models import TrainingOpportunity

# Training places


@pytest.mark.django_db
def test_provider_offers_a_training_place(client_of, provider, other_academy):
    someone_else = OrganisationFactory(academy=provider.academy)
    response = client_of(provider).post(
        reverse("vacancies:training-add"),
        training_data(organisation=str(someone_else.pk), academy=str(other_academy.pk)),
    )
    training = TrainingOpportunity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == training.get_absolute_url()
    assert training.organisation == provider.organisation
    assert training.academy == provider.academy
    assert training.role == "care_worker"


@pytest.mark.django_db
def test_training_form_lists_the_kinds_and_suggests_titles(client_of, coordinator):
    page = client_of(coordinator).get(reverse("vacancies:training-add")).content
    page = page.decode()
    for text in [
        "Training course",
        "Work placement",
        "Interview preparation",
        "Care Certificate, First aid, Moving and handling",
        'name="organisation"',
    ]:
        assert text in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"starts_on": _in(-1)}, "The start date has passed. Choose today or later."),
        (
            {"starts_on": _in(10), "ends_on": _in(5)},
            "The end date is before the start date.",
        ),
        ({"places": "0"}, "greater than or equal to 1"),
        ({"postcode": "nowhere"}, "is not a UK postcode"),
    ],
)
def test_bad_training_input_is_explained_and_nothing_is_saved(
    client_of, provider, changes, message
):
    response = client_of(provider).post(
        reverse("vacancies:training-add"), training_data(**changes)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TrainingOpportunity.objects.exists()


@pytest.mark.django_db
def test_provider_closes_its_training_place_by_editing_it(client_of, provider):
    training = TrainingFactory(
        academy=provider.academy, organisation=provider.organisation
    )
    response = client_of(provider).post(
        reverse("vacancies:training-edit", args=[training.pk]),
        training_data(is_open=None, starts_on=training.starts_on.isoformat()),
    )
    assert response.status_code == 302
    training.refresh_from_db()
    assert not training.is_open


@pytest.mark.django_db
def test_manager_reads_a_training_place_but_cannot_change_it(client_of, manager):
    training = TrainingFactory(academy=manager.academy)
    client = client_of(manager)
    response = client.get(training.get_absolute_url())
    assert response.status_code == 200
    edit = reverse("vacancies:training-edit", args=[training.pk])
    assert edit not in response.content.decode()
    assert client.get(edit).status_code == 403
    assert client.get(reverse("vacancies:training-add")).status_code == 403
    assert client.get(reverse("vacancies:training-list")).status_code == 403


@pytest.mark.django_db
def test_training_page_shows_its_details(client_of, coordinator):
    training = TrainingFactory(
        academy=coordinator.academy,
        kind="placement",
        title="Moving and handling",
        location="Derriford",
        role="nursing_assistant",
    )
    page = client_of(coordinator).get(training.get_absolute_url()).content.decode()
    for text in [
        "Moving and handling",
        "Work placement",
        "Derriford",
        "Nursing auxiliary / healthcare assistant",
        training.organisation.name,
    ]:
        assert text in page
