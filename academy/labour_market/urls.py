"""URLs of the labour-market pages: included by academy/urls.py."""

from django.urls import path

from . import views

app_name = "labour_market"

urlpatterns = [
    path("labour-market/", views.labour_market_area, name="area"),
    path("labour-market/runs/", views.refresh_run_list, name="runs"),
    path("labour-market/upload/", views.refresh_run_upload, name="upload"),
    path("labour-market/runs/<int:pk>/", views.refresh_run_detail, name="run-detail"),
    path(
        "labour-market/runs/<int:pk>/confirm/",
        views.refresh_run_confirm,
        name="run-confirm",
    ),
]
