"""Funder returns an admin keeps without code: the shipped ones every academy gets,
adding, changing and retiring figures (each change a new version), and the checks on
what is typed."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from academy import services as academy_services
from reporting.funders.forms import IndicatorForm
from reporting.funders.services import (
    funder_return_save,
    funder_returns_install,
    indicator_save,
)
from reporting.funders.shipped import SHIPPED
from reporting.models import FunderReturn, Indicator
from tests.academy.factories import AcademyFactory, UserFactory


def shipped_codes():
    return {r.code: [i.code for i in r.indicators] for r in SHIPPED}


def installed(academy):
    return {
        r.code: list(r.indicators.values_list("code", flat=True))
        for r in FunderReturn.objects.for_academy(academy)
    }


@pytest.mark.django_db
def test_a_new_academy_gets_the_shipped_returns():
    academy = academy_services.academy_create(
        slug="new-place", name="New Place Care Academy", area_code="E06000026"
    )
    assert installed(academy) == shipped_codes()
    ukspf = FunderReturn.objects.get(academy=academy, code="ukspf-people-skills")
    assert ukspf.period == "quarter"
    assert ukspf.version == 1
    inactive = ukspf.indicators.get(code="PS-OUT-02")
    assert (inactive.metric, inactive.economic_status) == (
        "keyworker_support",
        "inactive",
    )
    dwp = FunderReturn.objects.get(academy=academy, code="dwp-programme")
    assert list(dwp.indicators.values_list("metric", flat=True)) == [
        "people_registered",
        "employment_any_sector",
        "sustained_13_weeks",
        "sustained_26_weeks",
    ]


@pytest.mark.django_db
def test_installing_again_adds_nothing_and_keeps_an_admins_changes(academy, admin):
    assert funder_returns_install(academy) == 2
    figure = Indicator.objects.get(funder_return__academy=academy, code="PS-OUT-01")
    figure.title = "Our own title"
    indicator_save(indicator=figure, by=admin.user)
    assert funder_returns_install(academy) == 0
    assert installed(academy) == shipped_codes()
    figure.refresh_from_db()
    assert figure.title == "Our own title"


@pytest.mark.django_db
def test_the_data_migration_gives_existing_academies_their_returns():
    first, second = AcademyFactory(), AcademyFactory()
    funder_returns_install(second)
    migration = importlib.import_module(
        "reporting.migrations.0008_shipped_funder_returns"
    )
    migration.install(apps, None)
    assert installed(first) == shipped_codes()
    assert installed(second) == shipped_codes()
    assert FunderReturn.objects.filter(academy=second).count() == 2


def a_return(academy):
    funder_returns_install(academy)
    return FunderReturn.objects.get(academy=academy, code="dwp-programme")


@pytest.mark.django_db
def test_each_change_to_a_figure_makes_a_new_version_and_saving_unchanged_does_not(
    academy, admin
):
    funder_return = a_return(academy)
    figure = funder_return.indicators.get(code="DWP-02")
    figure.title = "Job starts"
    indicator_save(indicator=figure, by=admin.user)
    funder_return.refresh_from_db()
    assert (funder_return.version, funder_return.updated_by) == (2, admin.user)

    indicator_save(indicator=figure, by=admin.user)  # nothing changed
    funder_return.refresh_from_db()
    assert funder_return.version == 2

    figure.is_retired = True  # retiring is a change
    indicator_save(indicator=figure, by=admin.user)
    indicator_save(
        indicator=Indicator(
            funder_return=funder_return,
            code="DWP-05",
            title="Starts aged 50 and over",
            definition="People aged 50 to 64 at start.",
            metric="people_registered",
            age_band="50_64",
        ),
        by=admin.user,
    )
    funder_return.refresh_from_db()
    assert funder_return.version == 4


@pytest.mark.django_db
def test_changing_the_return_itself_makes_a_new_version(academy, admin):
    funder_return = a_return(academy)
    funder_return.name = "Restart-style programme"
    funder_return_save(funder_return=funder_return, by=admin.user)
    funder_return_save(funder_return=funder_return, by=admin.user)
    funder_return.refresh_from_db()
    assert funder_return.version == 2


@pytest.mark.django_db
def test_a_sector_narrows_only_a_figure_that_counts_jobs(academy, admin):
    funder_return = a_return(academy)
    figure = funder_return.indicators.get(code="DWP-01")  # starts
    figure.sector = "health_social_care"
    with pytest.raises(ValidationError) as error:
        indicator_save(indicator=figure, by=admin.user)
    assert "job sector" in str(error.value.message_dict["sector"])
    funder_return.refresh_from_db()
    assert funder_return.version == 1
    jobs = funder_return.indicators.get(code="DWP-03")  # sustained 13 weeks
    jobs.sector = "health_social_care"
    indicator_save(indicator=jobs, by=admin.user)


@pytest.mark.django_db
def test_a_code_is_used_once_in_a_return(academy, admin):
    funder_return = a_return(academy)
    copy = Indicator(
        funder_return=funder_return,
        code="dwp-01",
        title="Starts again",
        definition="The same code in other letters.",
        metric="people_registered",
    )
    with pytest.raises(ValidationError) as error:
        indicator_save(indicator=copy, by=admin.user)
    assert "Another figure of this return has this code" in str(
        error.value.message_dict["code"]
    )


def indicator_data(**changes):
    data = {
        "code": "PS-OC-09",
        "title": "People into care jobs",
        "definition": "People who started paid work in care.",
        "unit": "people",
        "metric": "employment_any_sector",
        "cohort": "",
        "claimant": "",
        "age_band": "",
        "economic_status": "",
        "sector": "health_social_care",
        "order": "60",
    }
    return {**data, **changes}


@pytest.mark.django_db
def test_an_admin_adds_a_figure_and_the_return_moves_to_its_next_version(
    client_of, admin, academy
):
    funder_return = a_return(academy)
    client = client_of(admin)
    url = reverse("reporting:indicator-add", args=[funder_return.pk])
    response = client.post(url, indicator_data())
    assert response.status_code == 302
    added = funder_return.indicators.get(code="PS-OC-09")
    assert (added.metric, added.sector) == (
        "employment_any_sector",
        "health_social_care",
    )
    funder_return.refresh_from_db()
    assert funder_return.version == 2
    page = client.get(response["Location"])
    assert "version 2" in page.content.decode()


@pytest.mark.django_db
def test_a_new_figure_is_placed_after_the_last(client_of, admin, academy):
    funder_return = a_return(academy)
    page = client_of(admin).get(
        reverse("reporting:indicator-add", args=[funder_return.pk])
    )
    assert page.context["form"].initial["order"] == 50  # DWP-04 is at 40


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"metric": "people_registered"}, "sector", "only a figure that counts jobs"),
        ({"metric": ""}, "metric", "Choose what the figure counts"),
        ({"metric": "no_such_metric"}, "metric", "Select a valid choice"),
        ({"code": ""}, "code", "funder's reference"),
        ({"title": ""}, "title", "figure's title"),
        ({"code": "DWP-01"}, "code", "Another figure of this return has this code"),
        ({"age_band": "12_15"}, "age_band", "Select a valid choice"),
        ({"title": "x" * 301}, "title", "Keep it to 300 characters"),
    ],
)
def test_bad_input_is_refused_saying_what_to_fix_and_nothing_changes(
    client_of, admin, academy, changes, field, words
):
    funder_return = a_return(academy)
    before = list(Indicator.objects.order_by("pk").values())
    response = client_of(admin).post(
        reverse("reporting:indicator-add", args=[funder_return.pk]),
        indicator_data(**changes),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert words in " ".join(form.errors[field]), form.errors
    assert list(Indicator.objects.order_by("pk").values()) == before
    funder_return.refresh_from_db()
    assert funder_return.version == 1


@pytest.mark.django_db
def test_an_admin_retires_a_figure_and_it_stays_listed_greyed(
    client_of, admin, academy
):
    funder_return = a_return(academy)
    figure = funder_return.indicators.get(code="DWP-04")
    client = client_of(admin)
    data = {
        **{
            f: getattr(figure, f)
            for f in IndicatorForm.Meta.fields
            if f not in ("is_retired",)
        },
        "is_retired": "on",
    }
    response = client.post(reverse("reporting:indicator-edit", args=[figure.pk]), data)
    assert response.status_code == 302
    figure.refresh_from_db()
    assert figure.is_retired
    page = client.get(
        reverse("reporting:funder-return-edit", args=[funder_return.pk])
    ).content.decode()
    assert "DWP-04: Sustained job outcomes: 26 weeks" in page
    assert "Retired" in page


@pytest.mark.django_db
def test_an_admin_adds_a_return_and_its_code_must_be_new(client_of, admin, academy):
    a_return(academy)
    client = client_of(admin)
    data = {
        "name": "Adult skills fund",
        "code": "adult-skills",
        "funder": "The combined authority",
        "description": "",
        "period": "half_year",
    }
    response = client.post(reverse("reporting:funder-return-add"), data)
    assert response.status_code == 302
    added = FunderReturn.objects.get(academy=academy, code="adult-skills")
    assert added.period == "half_year"
    again = client.post(
        reverse("reporting:funder-return-add"), {**data, "code": "dwp-programme"}
    )
    assert "Another return already has this code" in " ".join(
        again.context["form"].errors["code"]
    )
    bad = client.post(
        reverse("reporting:funder-return-add"), {**data, "code": "two words"}
    )
    assert "letters, numbers, hyphens" in " ".join(bad.context["form"].errors["code"])


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coordinator", "manager", "provider"])
def test_only_admins_change_returns(request, client_of, academy, role):
    funder_return = a_return(academy)
    figure = funder_return.indicators.first()
    client = client_of(request.getfixturevalue(role))
    for url in (
        reverse("reporting:funder-return-add"),
        reverse("reporting:funder-return-edit", args=[funder_return.pk]),
        reverse("reporting:indicator-add", args=[funder_return.pk]),
        reverse("reporting:indicator-edit", args=[figure.pk]),
    ):
        assert client.post(url, indicator_data()).status_code == 403
    funder_return.refresh_from_db()
    assert funder_return.version == 1


@pytest.mark.django_db
def test_another_academys_return_and_figure_are_not_found(
    client_of, admin, other_academy
):
    theirs = a_return(other_academy)
    client = client_of(admin)
    for url in (
        reverse("reporting:funder-return", args=[theirs.pk]),
        reverse("reporting:funder-return-edit", args=[theirs.pk]),
        reverse("reporting:indicator-edit", args=[theirs.indicators.first().pk]),
        reverse("reporting:funder-return-xlsx", args=[theirs.pk]),
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("reporting:indicator-add", args=[theirs.pk]), indicator_data()
        ).status_code
        == 404
    )


@pytest.mark.django_db
def test_a_retired_return_is_listed_for_admins_only(client_of, admin, manager, academy):
    funder_return = a_return(academy)
    funder_return.is_retired = True
    funder_return_save(funder_return=funder_return, by=UserFactory())
    admin_page = client_of(admin).get(reverse("reporting:funder-returns"))
    assert "DWP-funded employment programme" in admin_page.content.decode()
    manager_client = client_of(manager)
    page = manager_client.get(reverse("reporting:funder-returns")).content.decode()
    assert "DWP-funded employment programme" not in page
    assert "UKSPF People and Skills" in page
    url = reverse("reporting:funder-return", args=[funder_return.pk])
    assert manager_client.get(url).status_code == 404
