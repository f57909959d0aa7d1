"""Vacancies: posting, status, the detail page, what another organisation or academy
may see, and the lists."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.academy.factories import OrganisationFactory
from tests.vacancies.factories import TrainingFactory, VacancyFactory
from tests.vacancies.pages import TODAY, _in, training_data, vacancy_data
from vacancies.forms import VacancyForm
from vacancies.models import Vacancy

# Posting a vacancy


@pytest.mark.django_db
def test_provider_posts_a_vacancy_for_its_own_organisation(client_of, provider):
    response = client_of(provider).post(reverse("vacancies:add"), vacancy_data())
    vacancy = Vacancy.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("vacancies:detail", args=[vacancy.pk])
    assert vacancy.organisation == provider.organisation
    assert vacancy.academy == provider.academy
    assert vacancy.created_by == provider.user
    assert vacancy.postcode == "PL4 6AB"
    assert vacancy.pattern == ["days", "weekends"]
    assert vacancy.status == Vacancy.Status.OPEN


@pytest.mark.django_db
def test_provider_form_has_no_organisation_field(client_of, provider):
    response = client_of(provider).get(reverse("vacancies:add"))
    assert response.status_code == 200
    assert 'name="organisation"' not in response.content.decode()
    assert "Coordinators are told at once" in response.content.decode()


@pytest.mark.django_db
def test_forged_fields_from_a_provider_are_ignored(client_of, provider, other_academy):
    someone_else = OrganisationFactory(academy=provider.academy)
    forged = vacancy_data(
        organisation=str(someone_else.pk),
        academy=str(other_academy.pk),
        status="closed",
        latitude="1.5",
        longitude="1.5",
        created_by="1",
    )
    client_of(provider).post(reverse("vacancies:add"), forged)
    vacancy = Vacancy.objects.get()
    assert vacancy.organisation == provider.organisation
    assert vacancy.academy == provider.academy
    assert vacancy.status == Vacancy.Status.OPEN
    assert round(vacancy.latitude, 2) == 50.37
    assert vacancy.created_by == provider.user


@pytest.mark.django_db
def test_coordinator_posts_for_a_chosen_organisation(client_of, coordinator):
    care_home = OrganisationFactory(academy=coordinator.academy, name="Tamar View")
    client_of(coordinator).post(
        reverse("vacancies:add"), vacancy_data(organisation=str(care_home.pk))
    )
    assert Vacancy.objects.get().organisation == care_home


@pytest.mark.django_db
def test_coordinator_chooses_only_among_the_academys_active_organisations(
    client_of, coordinator, other_academy
):
    ours = OrganisationFactory(academy=coordinator.academy, name="Tamar View")
    gone = OrganisationFactory(
        academy=coordinator.academy, name="Closed Down Care", is_active=False
    )
    theirs = OrganisationFactory(academy=other_academy, name="Tyneside Care")
    client = client_of(coordinator)
    page = client.get(reverse("vacancies:add")).content.decode()
    assert ours.name in page
    assert gone.name not in page
    assert theirs.name not in page
    response = client.post(
        reverse("vacancies:add"), vacancy_data(organisation=str(theirs.pk))
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Vacancy.objects.exists()


@pytest.mark.django_db
def test_coordinator_must_choose_an_organisation(client_of, coordinator):
    response = client_of(coordinator).post(reverse("vacancies:add"), vacancy_data())
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Vacancy.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"closing_on": _in(-1)},
            "The closing date has passed. Choose today or later.",
        ),
        (
            {"pay_min": "14.00", "pay_max": "12.00"},
            "The highest pay is below the lowest. Swap them.",
        ),
        ({"postcode": "ZZ9 9ZZ"}, "We cannot find where ZZ9 9ZZ is"),
        ({"postcode": "nowhere"}, "is not a UK postcode"),
        ({"hours_per_week": "0"}, "Hours a week must be at least 1."),
        ({"hours_per_week": "61"}, "Hours a week must be 60 or fewer."),
        (
            {"works_days": None, "works_weekends": None},
            "Tick at least one: days, nights or weekends.",
        ),
        ({"posts": "0"}, "Enter 1 or more posts."),
        ({"title": ""}, "This field is required"),
    ],
)
def test_bad_vacancy_input_is_explained_and_nothing_is_saved(
    client_of, provider, changes, message
):
    response = client_of(provider).post(
        reverse("vacancies:add"), vacancy_data(**changes)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Vacancy.objects.exists()


@pytest.mark.django_db
def test_form_refuses_a_pay_range_upside_down(provider):
    form = VacancyForm(
        vacancy_data(pay_min="14", pay_max="12"),
        instance=Vacancy(academy=provider.academy),
        membership=provider,
    )
    assert not form.is_valid()
    assert form.errors["pay_max"] == ["The highest pay is below the lowest. Swap them."]


@pytest.mark.django_db
def test_provider_edits_its_vacancy(client_of, provider):
    vacancy = VacancyFactory(
        academy=provider.academy, organisation=provider.organisation
    )
    response = client_of(provider).post(
        reverse("vacancies:edit", args=[vacancy.pk]),
        vacancy_data(title="Night care worker", works_nights="on", pay_max=""),
    )
    assert response.status_code == 302
    vacancy.refresh_from_db()
    assert vacancy.title == "Night care worker"
    assert vacancy.pay_max is None
    assert vacancy.organisation == provider.organisation


@pytest.mark.django_db
def test_an_edit_refused_by_the_service_leaves_the_vacancy_as_it_was(
    client_of, provider
):
    vacancy = VacancyFactory(
        academy=provider.academy, organisation=provider.organisation, title="Cook"
    )
    response = client_of(provider).post(
        reverse("vacancies:edit", args=[vacancy.pk]),
        vacancy_data(title="Head cook", postcode="ZZ9 9ZZ"),
    )
    assert response.status_code == 200
    assert "We cannot find where ZZ9 9ZZ is" in response.content.decode()
    assert "Edit: Cook" in response.content.decode()
    vacancy.refresh_from_db()
    assert vacancy.title == "Cook"


# Status


@pytest.mark.django_db
def test_provider_pauses_closes_and_reopens_its_vacancy(client_of, provider):
    vacancy = VacancyFactory(
        academy=provider.academy, organisation=provider.organisation
    )
    client = client_of(provider)
    url = reverse("vacancies:status", args=[vacancy.pk])
    response = client.post(url, {"status": "paused"}, follow=True)
    assert f"{vacancy.title} is paused." in response.content.decode()
    vacancy.refresh_from_db()
    assert vacancy.status == Vacancy.Status.PAUSED
    client.post(url, {"status": "closed"})
    vacancy.refresh_from_db()
    assert vacancy.status == Vacancy.Status.CLOSED
    assert vacancy.closed_at is not None
    client.post(url, {"status": "open"})
    vacancy.refresh_from_db()
    assert vacancy.status == Vacancy.Status.OPEN
    assert vacancy.closed_at is None


@pytest.mark.django_db
def test_reopening_past_the_closing_date_is_refused_with_the_reason(
    client_of, provider
):
    vacancy = VacancyFactory(
        academy=provider.academy,
        organisation=provider.organisation,
        status=Vacancy.Status.CLOSED,
        closing_on=TODAY() - dt.timedelta(days=3),
    )
    response = client_of(provider).post(
        reverse("vacancies:status", args=[vacancy.pk]), {"status": "open"}, follow=True
    )
    page = response.content.decode()
    assert "The closing date has passed: edit the vacancy to give a new one" in page
    assert "alert-danger" in page
    vacancy.refresh_from_db()
    assert vacancy.status == Vacancy.Status.CLOSED


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["", "deleted"])
def test_an_unknown_status_changes_nothing(client_of, coordinator, status):
    vacancy = VacancyFactory(academy=coordinator.academy)
    response = client_of(coordinator).post(
        reverse("vacancies:status", args=[vacancy.pk]), {"status": status}
    )
    assert response.status_code == 302
    vacancy.refresh_from_db()
    assert vacancy.status == Vacancy.Status.OPEN


@pytest.mark.django_db
def test_status_change_is_post_only(client_of, provider):
    vacancy = VacancyFactory(
        academy=provider.academy, organisation=provider.organisation
    )
    response = client_of(provider).get(reverse("vacancies:status", args=[vacancy.pk]))
    assert response.status_code == 405


# The detail page


@pytest.mark.django_db
def test_vacancy_page_shows_every_field_readably(client_of, provider):
    vacancy = VacancyFactory(
        academy=provider.academy,
        organisation=provider.organisation,
        role="senior_care_worker",
        works_nights=True,
        pay_min=Decimal("12.80"),
        pay_max=Decimal("13.50"),
        qualifications="NVQ Level 3",
        benefits="Paid breaks",
        how_to_apply="Phone Sam",
        is_critical_shortage=True,
    )
    page = client_of(provider).get(vacancy.get_absolute_url()).content.decode()
    for text in [
        vacancy.title,
        provider.organisation.name,
        "Senior care worker",
        "6136 Senior care workers",
        "£12.80 to £13.50 per hour",
        "Days, nights",
        "Care home without nursing",
        "PL4 6AB",
        "NVQ Level 3",
        "Paid breaks",
        "Phone Sam",
        "Critical shortage",
        "Enhanced",
    ]:
        assert text in page, text
    assert reverse("vacancies:edit", args=[vacancy.pk]) in page
    assert 'value="paused"' in page
    assert "See matching people" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_staff_see_the_link_to_matching_people(request, client_of, role):
    membership = request.getfixturevalue(role)
    vacancy = VacancyFactory(academy=membership.academy)
    page = client_of(membership).get(vacancy.get_absolute_url()).content.decode()
    assert reverse("vacancies:matches", args=[vacancy.pk]) in page
    assert "See matching people" in page
    assert reverse("vacancies:edit", args=[vacancy.pk]) in page


@pytest.mark.django_db
def test_status_buttons_follow_the_status(client_of, coordinator):
    paused = VacancyFactory(academy=coordinator.academy, status="paused")
    closed = VacancyFactory(academy=coordinator.academy, status="closed")
    client = client_of(coordinator)
    paused_page = client.get(paused.get_absolute_url()).content.decode()
    closed_page = client.get(closed.get_absolute_url()).content.decode()
    assert 'value="open"' in paused_page
    assert 'value="closed"' in paused_page
    assert 'value="paused"' not in paused_page
    assert 'value="open"' in closed_page
    assert 'value="closed"' not in closed_page


@pytest.mark.django_db
def test_manager_reads_a_vacancy_without_edit_controls(client_of, manager):
    vacancy = VacancyFactory(academy=manager.academy)
    response = client_of(manager).get(vacancy.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert vacancy.title in page
    assert reverse("vacancies:edit", args=[vacancy.pk]) not in page
    assert reverse("vacancies:status", args=[vacancy.pk]) not in page
    assert "See matching people" not in page


@pytest.mark.django_db
def test_manager_may_not_add_edit_or_change_status(client_of, manager):
    vacancy = VacancyFactory(academy=manager.academy)
    client = client_of(manager)
    assert client.get(reverse("vacancies:add")).status_code == 403
    assert client.post(reverse("vacancies:add"), vacancy_data()).status_code == 403
    edit = reverse("vacancies:edit", args=[vacancy.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, vacancy_data(title="Hijacked")).status_code == 403
    status = reverse("vacancies:status", args=[vacancy.pk])
    assert client.post(status, {"status": "closed"}).status_code == 403
    vacancy.refresh_from_db()
    assert vacancy.status == Vacancy.Status.OPEN
    assert vacancy.title != "Hijacked"


# Another organisation's, another academy's


@pytest.mark.django_db
def test_provider_cannot_reach_another_providers_vacancy(
    client_of, provider, second_provider
):
    theirs = VacancyFactory(
        academy=second_provider.academy, organisation=second_provider.organisation
    )
    client = client_of(provider)
    for name in ("vacancies:detail", "vacancies:edit"):
        url = reverse(name, args=[theirs.pk])
        assert client.get(url).status_code == 404, name
        assert client.post(url, vacancy_data(title="Hijacked")).status_code == 404
    status = reverse("vacancies:status", args=[theirs.pk])
    assert client.post(status, {"status": "closed"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Vacancy.Status.OPEN
    assert theirs.title != "Hijacked"


@pytest.mark.django_db
def test_provider_cannot_reach_another_providers_training(
    client_of, provider, second_provider
):
    theirs = TrainingFactory(
        academy=second_provider.academy, organisation=second_provider.organisation
    )
    client = client_of(provider)
    for name in ("vacancies:training-detail", "vacancies:training-edit"):
        url = reverse(name, args=[theirs.pk])
        assert client.get(url).status_code == 404, name
        assert client.post(url, training_data(title="Hijacked")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "Care Certificate"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coordinator", "provider", "manager", "admin"])
def test_another_academys_opportunities_are_404(
    request, client_of, role, other_academy
):
    membership = request.getfixturevalue(role)
    vacancy = VacancyFactory(academy=other_academy)
    training = TrainingFactory(academy=other_academy)
    client = client_of(membership)
    assert client.get(vacancy.get_absolute_url()).status_code == 404
    assert client.get(training.get_absolute_url()).status_code == 404
    if role != "manager":
        edit = reverse("vacancies:edit", args=[vacancy.pk])
        assert client.post(edit, vacancy_data()).status_code == 404
        status = reverse("vacancies:status", args=[vacancy.pk])
        assert client.post(status, {"status": "closed"}).status_code == 404


# The lists


@pytest.mark.django_db
def test_provider_lists_only_its_own_vacancies(client_of, provider, second_provider):
    VacancyFactory(
        academy=provider.academy, organisation=provider.organisation, title="Ours"
    )
    VacancyFactory(
        academy=provider.academy,
        organisation=second_provider.organisation,
        title="Theirs",
    )
    page = client_of(provider).get(reverse("vacancies:list")).content.decode()
    assert "Ours" in page
    assert "Theirs" not in page
    assert "Post a vacancy" in page


@pytest.mark.django_db
def test_vacancy_list_filters_by_status_and_role(client_of, coordinator):
    academy = coordinator.academy
    VacancyFactory(academy=academy, title="Open carer", is_critical_shortage=True)
    VacancyFactory(academy=academy, title="Paused carer", status="paused")
    VacancyFactory(academy=academy, title="Closed carer", status="closed")
    VacancyFactory(academy=academy, title="Open cook", role="cook")
    client = client_of(coordinator)
    url = reverse("vacancies:list")
    default = client.get(url).content.decode()
    assert "Open carer" in default
    assert "Paused carer" in default
    assert "Closed carer" not in default
    assert "Critical shortage" in default
    closed = client.get(url, {"status": "closed"}).content.decode()
    assert "Closed carer" in closed
    assert "Open carer" not in closed
    cooks = client.get(url, {"role": "cook", "status": "all"}).content.decode()
    assert "Open cook" in cooks
    assert "Open carer" not in cooks
    ignored = client.get(url, {"status": "bogus", "role": "bogus"})
    assert ignored.status_code == 200


@pytest.mark.django_db
def test_vacancy_list_queries_do_not_grow_with_rows(
    client_of, coordinator, django_assert_max_num_queries
):
    client = client_of(coordinator)
    url = reverse("vacancies:list")
    for _ in range(2):
        VacancyFactory(academy=coordinator.academy)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(28):
        VacancyFactory(academy=coordinator.academy)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert response.content.decode().count("badge text-bg-success") == 30


@pytest.mark.django_db
def test_training_list_queries_do_not_grow_with_rows(
    client_of, coordinator, django_assert_max_num_queries
):
    client = client_of(coordinator)
    url = reverse("vacancies:training-list")
    for _ in range(2):
        TrainingFactory(academy=coordinator.academy)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(28):
        TrainingFactory(academy=coordinator.academy)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert response.content.decode().count("badge text-bg-success") == 30


@pytest.mark.django_db
def test_training_list_shows_own_places_and_filters(
    client_of, provider, second_provider
):
    TrainingFactory(
        academy=provider.academy, organisation=provider.organisation, title="Ours"
    )
    TrainingFactory(
        academy=provider.academy,
        organisation=provider.organisation,
        title="Filled",
        is_open=False,
    )
    TrainingFactory(
        academy=provider.academy,
        organisation=second_provider.organisation,
        title="Theirs",
    )
    client = client_of(provider)
    url = reverse("vacancies:training-list")
    page = client.get(url).content.decode()
    assert "Ours" in page
    assert "Filled" not in page
    assert "Theirs" not in page
    assert "Offer a training place" in page
    assert "Filled" in client.get(url, {"show": "closed"}).content.decode()
