"""URLs of the impact report."""

from django.urls import path

from . import views
from .funders import views as funders

app_name = "reporting"

urlpatterns = [
    path("reports/impact/", views.impact_dashboard, name="impact"),
    path("reports/impact.csv", views.impact_csv_download, name="impact-csv"),
    path("reports/impact/people/<slug:metric>/", views.figure_people, name="people"),
    path("reports/runs/", views.run_request, name="run-request"),
    path("reports/runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("reports/runs/<int:pk>/download/", views.run_download, name="run-download"),
    path("reports/runs/<int:pk>/retry/", views.run_retry, name="run-retry"),
    path("reports/impact/targets/", views.impact_targets_edit, name="targets"),
    # Funder returns (reporting/funders).
    path("reports/funders/", funders.funder_return_index, name="funder-returns"),
    path("reports/funders/new/", funders.funder_return_edit, name="funder-return-add"),
    path(
        "reports/funders/<int:pk>/", funders.funder_return_detail, name="funder-return"
    ),
    path(
        "reports/funders/<int:pk>/return.xlsx",
        funders.funder_return_xlsx,
        name="funder-return-xlsx",
    ),
    path(
        "reports/funders/<int:pk>/return.csv",
        funders.funder_return_csv,
        name="funder-return-csv",
    ),
    path(
        "reports/funders/<int:pk>/edit/",
        funders.funder_return_edit,
        name="funder-return-edit",
    ),
    path(
        "reports/funders/<int:pk>/figures/new/",
        funders.indicator_add,
        name="indicator-add",
    ),
    path(
        "reports/funders/figures/<int:pk>/",
        funders.indicator_edit,
        name="indicator-edit",
    ),
]
