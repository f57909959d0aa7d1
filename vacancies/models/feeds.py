"""A member's private calendar feed: the events they created or their organisation
hosts, read by a calendar program from an address whose secret token is the only
key (a calendar program cannot sign in)."""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.db import models

from academy.models import Membership
from academy.tenancy import AcademyQuerySet


def feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeedQuerySet(AcademyQuerySet["CalendarFeed"]):
    academy_path = "membership__academy"


class CalendarFeed(models.Model):
    """The secret of one member's private feed; a new one replaces the old, whose
    address then stops working."""

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[CalendarFeedQuerySet] = CalendarFeedQuerySet.as_manager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return f"Calendar feed of {self.membership}"
