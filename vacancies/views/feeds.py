"""Calendar feeds (iCalendar): the academy's public events, for anyone, and each
member's private feed of their diary (appointments, interviews, the events they run),
opened by the secret token in its address
(a calendar program cannot sign in); and the page where a member finds both addresses
and makes a new private one, which ends the old."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from academy.models import Academy
from academy.permissions import opportunities_required
from academy.tenancy import AcademyRequest

from .. import feeds
from ..calendars import ICS_MIMETYPE
from ..diary import diary_calendar
from ..models import Event
from ..services.feeds import calendar_feed_renew

FEED_MAX_AGE = 15 * 60  # calendar programs ask every few hours; a quarter is plenty


def _ics(body: bytes, *, filename: str, private: bool) -> HttpResponse:
    response = HttpResponse(body, content_type=f"{ICS_MIMETYPE}; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    scope = "private" if private else "public"
    response["Cache-Control"] = f"{scope}, max-age={FEED_MAX_AGE}"
    if private:
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_not_required
@require_safe
def public_feed(request: HttpRequest, academy_slug: str) -> HttpResponse:
    """The academy's public events as a calendar anyone may subscribe to."""
    academy = get_object_or_404(Academy, slug=academy_slug)

    def page_of(event: Event) -> str:
        path = reverse("vacancies:event-board-detail", args=[academy.slug, event.pk])
        return request.build_absolute_uri(path)

    body = feeds.public_calendar(academy=academy, url_of=page_of)
    return _ics(body, filename=f"{academy.slug}-events.ics", private=False)


@login_not_required
@require_safe
def member_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A member's private feed: their diary (appointments, interviews, the events
    they run), with no names or contact details. An unknown or replaced token, or an
    ended membership, finds nothing (404)."""
    membership = feeds.feed_membership(token=token)
    if membership is None:
        raise Http404("No such calendar feed.")
    body = diary_calendar(membership=membership, url_of=request.build_absolute_uri)
    return _ics(body, filename="my-diary.ics", private=True)


def _addresses(request: AcademyRequest) -> dict[str, str]:
    feed = feeds.calendar_feed_of(membership=request.membership)
    public = reverse("vacancies:event-feed", args=[request.academy.slug])
    shown = {"public": request.build_absolute_uri(public), "private": ""}
    if feed is not None:
        private = reverse("vacancies:event-feed-private", args=[feed.token])
        shown["private"] = request.build_absolute_uri(private)
    return shown


def _webcal(address: str) -> str:
    """The same address for calendar programs that subscribe on a click."""
    return "webcal://" + address.split("://", 1)[-1] if address else ""


@opportunities_required
@require_safe
def calendar_feeds(request: AcademyRequest) -> HttpResponse:
    """The member's private feed address (or the button to make one) and the public
    feed's."""
    addresses = _addresses(request)
    return render(
        request,
        "vacancies/event_calendar.html",
        {
            "private_url": addresses["private"],
            "private_webcal": _webcal(addresses["private"]),
            "public_url": addresses["public"],
            "public_webcal": _webcal(addresses["public"]),
            "organisation": request.membership.organisation,
        },
    )


@opportunities_required
@require_POST
def calendar_feed_new(request: AcademyRequest) -> HttpResponse:
    """Make the member's private feed address, or a new one in place of the old."""
    had = feeds.calendar_feed_of(membership=request.membership) is not None
    calendar_feed_renew(membership=request.membership)
    messages.success(
        request,
        "Your calendar has a new address: subscribe to it again. The old address "
        "no longer works."
        if had
        else "Your calendar feed is ready: subscribe to its address below.",
    )
    return redirect("vacancies:event-calendar")
