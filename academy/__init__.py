"""The project package and core app: academies, users, memberships and organisations."""

from .celery import app as celery_app

__all__ = ["celery_app"]
