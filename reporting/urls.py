"""URLs of the impact report."""

from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("reports/impact/", views.impact_dashboard, name="impact"),
    path("reports/impact.csv", views.impact_csv_download, name="impact-csv"),
    path("reports/impact/people/<slug:metric>/", views.figure_people, name="people"),
    path("reports/runs/", views.run_request, name="run-request"),
    path("reports/runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("reports/runs/<int:pk>/download/", views.run_download, name="run-download"),
    path("reports/runs/<int:pk>/retry/", views.run_retry, name="run-retry"),
]
