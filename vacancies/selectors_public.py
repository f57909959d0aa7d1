"""Reads of the public event pages: an academy's upcoming public events, the areas
they are in, and how many places each has left."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from academy.models import Academy
from academy.places.geo import postcode_parts

from .models import Event, EventQuerySet, SignUp

ONLINE = "online"  # the area filter's value for events with no venue


@dataclass(frozen=True)
class EventBoardRow:
    """An event as the public list shows it: its area, not its full postcode, and the
    places left (None: no limit)."""

    event: Event
    area: str
    places_left: int | None

    @property
    def is_full(self) -> bool:
        return self.places_left is not None and self.places_left <= 0


def event_area(event: Event) -> str:
    """The postcode district (PL4 of PL4 6AB), or Online."""
    parts = postcode_parts(event.postcode) if event.postcode else None
    if parts:
        return parts[0]
    return "Online" if event.online_url else ""


def public_events(*, academy: Academy) -> EventQuerySet:
    """The academy's public events that have not ended, soonest first, each with
    `places_taken` (booked or come)."""
    return (
        Event.objects.for_academy(academy)
        .public()
        .filter(ends_at__gt=timezone.now())
        .annotate(
            places_taken=Count("signups", filter=Q(signups__status__in=SignUp.HOLDING))
        )
        .order_by("starts_at", "pk")
    )


def places_left(event: Event) -> int | None:
    """Places still free (never below 0); None when there is no limit. Reads the
    `places_taken` annotation of public_events, or counts."""
    if event.capacity is None:
        return None
    taken = getattr(event, "places_taken", None)
    if taken is None:
        taken = SignUp.objects.filter(event=event).holding_places().count()
    return max(event.capacity - int(taken), 0)


def event_board(
    *, academy: Academy, kind: str = "", area: str = ""
) -> tuple[list[EventBoardRow], list[str]]:
    """The academy's upcoming public events of `kind` in `area` (a district, or
    online), and every district its upcoming events are in, for the area filter."""
    events = public_events(academy=academy)
    areas = sorted(
        {a for e in events.only("postcode", "online_url") if (a := event_area(e))}
        - {"Online"}
    )
    if kind:
        events = events.filter(kind=kind)
    if area == ONLINE:
        events = events.filter(postcode="").exclude(online_url="")
    elif area:
        # PL1 is not PL12: the district is followed by the space of a clean postcode.
        events = events.filter(postcode__istartswith=f"{area} ")
    rows = [EventBoardRow(e, event_area(e), places_left(e)) for e in events]
    return rows, areas
