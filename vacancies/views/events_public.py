"""The public side of events, beside the vacancy board: an academy's upcoming public
events, an event's page where anyone signs up without an account (or joins the waiting
list), the page a sign-up's e-mail links to for cancelling, and the self check-in page
the QR code at the venue opens.

spec/roles.md: the public sees public, scheduled events only, and no one's details but
their own; a sign-up is reached by its secret cancel token, an event's check-in by its
check-in token.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from academy import ratelimit
from academy.audit import access_record
from academy.lists import list_page
from academy.models import Academy
from academy.once import submit_once
from academy.public_forms import client_address

from .. import selectors_public as selectors
from .. import services
from ..forms_public import EventBoardFilterForm, EventCheckInForm, EventSignUpForm
from ..models import Event, SignUp

logger = logging.getLogger(__name__)

PAGE_SIZE = 20
DETAIL_TEMPLATE = "vacancies/event_board_detail.html"
CHECK_IN_TEMPLATE = "vacancies/event_check_in.html"


def _linked(signup: SignUp) -> list[int]:
    """The participant a sign-up was linked to, whose details its pages show."""
    return [signup.participant_id] if signup.participant_id else []


def _signed_up_key(event: Event) -> str:
    return f"event-sign-up:{event.pk}"


@login_not_required
@require_safe
def event_board(request: HttpRequest, academy_slug: str) -> HttpResponse:
    """The academy's upcoming public events, by kind and area."""
    academy = get_object_or_404(Academy, slug=academy_slug)
    _, areas = selectors.event_board(academy=academy)
    form = EventBoardFilterForm(request.GET, areas=areas)
    form.is_valid()  # an invalid filter is shown with its error, and left out
    kind, area = form.filters()
    rows, _ = selectors.event_board(academy=academy, kind=kind, area=area)
    page = list_page(request, rows, per_page=PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "vacancies/event_board.html",
        {
            "academy": academy,
            "form": form,
            "page": page,
            "is_filtered": any(query.dict().values()),
        },
    )


def _detail(
    request: HttpRequest,
    academy: Academy,
    event: Event,
    form: EventSignUpForm | None = None,
    *,
    status: int = 200,
    is_limited: bool = False,
) -> HttpResponse:
    left = selectors.places_left(event)
    is_full = left is not None and left <= 0
    if form is None:
        form = EventSignUpForm(academy=academy, is_full=is_full)
    return render(
        request,
        DETAIL_TEMPLATE,
        {
            "academy": academy,
            "event": event,
            "area": selectors.event_area(event),
            "places_left": left,
            "is_full": is_full,
            "form": form,
            "is_limited": is_limited,
            "retention_months": settings.ENQUIRY_RETENTION_MONTHS,
        },
        status=status,
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def event_board_detail(
    request: HttpRequest, academy_slug: str, pk: int
) -> HttpResponse:
    """One public event, and the form to sign up to it (or join its waiting list)."""
    academy = get_object_or_404(Academy, slug=academy_slug)
    event = get_object_or_404(selectors.public_events(academy=academy), pk=pk)
    if request.method != "POST":
        return _detail(request, academy, event)
    left = selectors.places_left(event)
    form = EventSignUpForm(
        request.POST, academy=academy, is_full=left is not None and left <= 0
    )
    done = reverse("vacancies:event-board-signed-up", args=[academy.slug, event.pk])
    if form.is_from_robot:
        # Pretend all went well, so that the robot learns nothing.
        logger.info("Sign-up to event %s dropped: hidden field filled in", event.pk)
        return redirect(done)
    if not form.is_valid():
        return _detail(request, academy, event, form)

    def sign_up() -> services.SignUpResult:
        result = services.signup_public(
            event=event,
            ip=client_address(request),
            has_consented=bool(form.cleaned_data["has_consented"]),
            **form.person(),
        )
        request.session[_signed_up_key(event)] = {
            "signup": result.signup.pk,
            "is_new": result.is_new,
        }
        return result

    try:
        return submit_once(request, form, sign_up, done=None, to=lambda _: done)
    except ValidationError as error:
        form.add_error(None, error)
    except ratelimit.Limited:
        logger.info("Sign-up to event %s refused: hourly allowance used", event.pk)
        return _detail(request, academy, event, status=429, is_limited=True)
    return _detail(request, academy, event, form)


@login_not_required
@never_cache
@require_safe
def event_board_signed_up(
    request: HttpRequest, academy_slug: str, pk: int
) -> HttpResponse:
    """What the person got (a place, or a place on the waiting list), and what
    happens next. Only the browser that signed up sees it."""
    academy = get_object_or_404(Academy, slug=academy_slug)
    event = get_object_or_404(selectors.public_events(academy=academy), pk=pk)
    saved = request.session.get(_signed_up_key(event))
    if not isinstance(saved, dict) or not isinstance(saved.get("signup"), int):
        return redirect("vacancies:event-board-detail", academy.slug, event.pk)
    signup = SignUp.objects.filter(event=event, pk=saved["signup"]).first()
    if signup is None:
        return redirect("vacancies:event-board-detail", academy.slug, event.pk)
    access_record(request, participants=_linked(signup))
    return render(
        request,
        "vacancies/event_signed_up.html",
        {
            "academy": academy,
            "event": event,
            "signup": signup,
            "is_new": bool(saved.get("is_new")),
            "area": selectors.event_area(event),
        },
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def booking_cancel(request: HttpRequest, cancel_token: str) -> HttpResponse:
    """The link in a sign-up's e-mails: the booking, and a button that cancels it
    (opening the page never does)."""
    signup = get_object_or_404(
        SignUp.objects.select_related("event__academy"), cancel_token=cancel_token
    )
    event = signup.event
    access_record(request, participants=_linked(signup))
    is_over = event.ends_at <= timezone.now()
    can_cancel = (
        signup.status in (SignUp.Status.BOOKED, SignUp.Status.WAITING)
        and not event.is_cancelled
        and not is_over
    )
    if request.method == "POST" and can_cancel:
        was_waiting = signup.status == SignUp.Status.WAITING
        services.signup_cancel(signup=signup)
        messages.success(
            request,
            "You have left the waiting list."
            if was_waiting
            else "Your place is cancelled. Thank you for letting us know.",
        )
        return redirect("vacancies:booking-cancel", cancel_token=cancel_token)
    return render(
        request,
        "vacancies/booking_cancel.html",
        {
            "academy": event.academy,
            "event": event,
            "signup": signup,
            "can_cancel": can_cancel,
            "is_over": is_over,
            "area": selectors.event_area(event),
        },
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def event_check_in(request: HttpRequest, checkin_token: str) -> HttpResponse:
    """The page the QR code at the venue opens: anyone checks themselves in, with
    their name and the e-mail address or phone number they signed up with."""
    event = get_object_or_404(
        Event.objects.select_related("academy"), checkin_token=checkin_token
    )
    academy = event.academy
    context: dict[str, object] = {
        "academy": academy,
        "event": event,
        "closed": services.check_in_closed_reason(event),
        "retention_months": settings.ENQUIRY_RETENTION_MONTHS,
    }
    if context["closed"]:
        return render(request, CHECK_IN_TEMPLATE, context)
    if request.method != "POST":
        return render(
            request,
            CHECK_IN_TEMPLATE,
            {**context, "form": EventCheckInForm(academy=academy)},
        )
    form = EventCheckInForm(request.POST, academy=academy)
    if form.is_from_robot:
        logger.info("Check-in to event %s dropped: hidden field filled in", event.pk)
        return render(request, CHECK_IN_TEMPLATE, {**context, "checked_in": True})
    if form.is_valid():
        try:
            signup = services.check_in_public(
                event=event, ip=client_address(request), **form.person()
            )
        except ValidationError as error:
            form.add_error(None, error)
        except ratelimit.Limited:
            logger.info("Check-in to event %s refused: allowance used", event.pk)
            return render(
                request, CHECK_IN_TEMPLATE, {**context, "is_limited": True}, status=429
            )
        else:
            return render(
                request,
                CHECK_IN_TEMPLATE,
                {**context, "checked_in": True, "first_name": signup.first_name},
            )
    return render(request, CHECK_IN_TEMPLATE, {**context, "form": form})
