"""Roles in demand in matching and on the coordinator's home page, and the impact
report's labour-market context section."""

import datetime as dt

import pytest
from django.urls import reverse

from academy.home import home_panels
from academy.labour_market import hooks, selectors
from academy.labour_market.refresh import labour_market_refresh
from reporting.impact import impact_report
from reporting.presenters import impact_page
from tests.academy.test_labour_market_adapters import NOMIS, SFC_2022
from vacancies import matching
from vacancies import selectors as vacancy_selectors
from vacancies.matching import Opening, Person
from vacancies.models import CareRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    for path, source in [
        (SFC_2022, "skills-for-care"),
        (NOMIS, "nomis-claimant-count"),
    ]:
        labour_market_refresh(source=source, data=path.read_bytes(), filename=path.name)


def test_the_app_registers_every_hook_once():
    from django.apps import apps

    apps.get_app_config("academy").ready()  # as if the app were loaded twice

    assert list(home_panels).count(hooks.roles_in_demand_panel) == 1


def test_roles_in_demand_are_the_highest_vacancy_and_turnover_rates(academy, loaded):
    roles = selectors.roles_in_demand(academy=academy)  # Plymouth

    assert [r.role for r in roles] == ["registered_nurse", "care_worker"]
    nurse = roles[0]
    assert nurse.vacancy_rate.text == "14.8%"
    assert nurse.reasons[0] == "vacancy rate 14.8% (all job roles 10.0%)"
    assert roles[1].reasons == [
        "vacancy rate 11.5% (all job roles 10.0%)",
        "turnover rate 34.0% (all job roles 29.5%)",
    ]


def test_a_suppressed_rate_does_not_count_and_roles_below_all_roles_are_left(
    other_academy, loaded
):
    roles = selectors.roles_in_demand(academy=other_academy)  # North Tyneside

    assert [r.role for r in roles] == ["registered_nurse", "care_worker"]
    assert roles[0].turnover_rate.is_suppressed
    assert "senior_care_worker" not in {r.role for r in roles}


def test_no_figures_no_roles_in_demand(academy):
    assert selectors.roles_in_demand(academy=academy) == []
    academy.area_code = ""
    assert selectors.roles_in_demand_keys(academy) == frozenset()


def test_matching_weighs_the_roles_in_demand(academy, loaded):

    in_demand = vacancy_selectors.roles_in_demand(academy=academy)

    assert in_demand == frozenset({"registered_nurse", "care_worker"})
    # A tie-breaker among equal fits: with no role recorded, every role fits equally.
    nobody_in_particular = Person(1, "A", None, None, None, False, False, "none", "yes")
    cook, nurse = (
        Opening(pk, "vacancy", role, role, None, None, False, "none", False, on)
        for pk, role, on in (
            (1, CareRole.COOK, dt.date(2030, 1, 1)),
            (2, CareRole.REGISTERED_NURSE, dt.date(2030, 2, 1)),
        )
    )
    ranked = matching.rank(
        [(nobody_in_particular, cook), (nobody_in_particular, nurse)],
        roles_in_demand=in_demand,
    )
    assert [m.opening.id for m in ranked] == [2, 1]


def test_the_impact_report_has_a_labour_market_section(academy, loaded):
    report = impact_report(
        academy=academy, start=dt.date(2024, 4, 1), end=dt.date(2024, 6, 30)
    )

    sections = impact_page(report, publish=False).context_sections

    section = next(s for s in sections if s and s["title"] == "Labour-market context")
    rows = dict(section["rows"])
    assert rows["Area"] == "Plymouth"
    assert rows["Filled posts (2022/23)"] == "8,100"
    assert rows["Vacancies (2022/23)"] == "900"
    assert rows["Vacancy rate (2022/23)"] == "10.0% (South West 9.4%; England 9.9%)"
    assert rows["Turnover rate (2022/23)"] == "29.5% (South West 32.2%; England 28.3%)"
    assert rows["Roles in demand (2022/23)"] == (
        "Registered nurse; Care worker / home carer"
    )
    assert rows["Claimant count (March 2024)"] == "6,080"
    assert (
        rows["Claimants as a share of residents aged 16-64 (March 2024)"]
        == "3.6% (South West 2.9%; England 3.9%)"
    )
    assert "© Skills for Care" in section["source"]
    assert "Open Government Licence v3.0" in section["source"]


def test_no_figures_no_context_section(academy):
    report = impact_report(
        academy=academy, start=dt.date(2024, 4, 1), end=dt.date(2024, 6, 30)
    )

    assert hooks.labour_market_context(report.academy) is None


def test_the_impact_dashboard_shows_the_section(client_of, manager, loaded):

    response = client_of(manager).get(
        reverse("reporting:impact"),
        {"period": "custom", "start": "2024-04-01", "end": "2024-06-30"},
    )

    html = response.content.decode()
    assert "Labour-market context" in html
    assert "29.5% (South West 32.2%; England 28.3%)" in html


def test_the_coordinator_home_shows_the_roles_in_demand(client_of, coordinator, loaded):

    html = client_of(coordinator).get(reverse("home")).content.decode()

    assert "Roles in demand in your area" in html
    assert "Registered nurse" in html
    assert "vacancy rate 14.8% (all job roles 10.0%)" in html
    assert "Skills for Care" in html


def test_no_panel_without_figures(coordinator):
    assert hooks.roles_in_demand_panel(coordinator) is None
