"""The portal's own public pages (academy/views_public.py)."""

from django.urls import path

from . import views_public

urlpatterns = [
    path(
        "accessibility/",
        views_public.accessibility_statement,
        name="accessibility",
    ),
]
