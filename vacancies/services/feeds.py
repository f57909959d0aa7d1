"""Writes of the calendar feeds: a member's private feed address, made or made anew."""

from __future__ import annotations

from django.db import transaction

from academy.models import Membership

from ..models import CalendarFeed
from ..models.feeds import feed_token

__all__ = ["calendar_feed_renew"]


@transaction.atomic
def calendar_feed_renew(*, membership: Membership) -> CalendarFeed:
    """Give the member a new private feed address; the old one stops working at once
    (a calendar subscribed to it gets nothing more)."""
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(
        membership=membership
    )
    if not created:
        feed.token = feed_token()
        feed.save(update_fields=["token"])
    return feed
