"""The staff's event pages: the list, creating one date or a series, an event's page
with its sign-ups, changing and cancelling dates, and the door (the register on a
phone, walk-ins, the QR code for self check-in, a printed register).

Coordinators and admins run every event of the academy; a provider sees and runs the
register of the events its organisation hosts (the querysets see to that), with
people's details only where they agreed to share them. Booking, linking and making
enquiries reach the academy's people, so they are casework."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from academy.audit import access_record
from academy.forms import form_add_validation_error, posted
from academy.lists import list_page
from academy.models import Organisation
from academy.once import submit_once
from academy.permissions import (
    CASEWORK,
    Role,
    casework_required,
    opportunities_required,
)
from academy.tenancy import AcademyRequest
from participants.forms import PersonSearchForm
from participants.models import Participant
from participants.selectors import participant_duplicates, people_matching

from .. import selectors_events as selectors
from .. import services
from ..filters import EventFilterSet
from ..forms_events import (
    EventCancelForm,
    EventEditForm,
    EventForm,
    ParticipantChoiceForm,
    SignUpEnquiryForm,
    WalkInForm,
    people_choices,
)
from ..models import Event, SignUp

SEARCH_RESULTS = 20  # people a search offers at most
BLANK_ROWS = 12  # the printed register's empty rows for walk-ins
# A service's field names as the forms call them.
FORM_FIELDS = {"until": "last_on", "starts_at": "starts", "ends_at": "ends"}


def _is_casework(request: AcademyRequest) -> bool:
    return request.membership.role in CASEWORK


def _event_or_404(request: AcademyRequest, pk: int) -> Event:
    events = Event.objects.for_membership(request.membership).prefetch_related("hosts")
    return get_object_or_404(events, pk=pk)


def _signup_or_404(request: AcademyRequest, pk: int) -> SignUp:
    signups = SignUp.objects.for_membership(request.membership).select_related(
        "event", "participant", "enquiry"
    )
    return get_object_or_404(signups, pk=pk)


def _show_error(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        error = ValidationError(
            {FORM_FIELDS.get(k, k): v for k, v in error.error_dict.items()}
        )
    form_add_validation_error(form, error)


def _hosts(request: AcademyRequest, data: dict[str, Any]) -> list[Organisation]:
    """The organisations hosting a new or changed event: a provider's own (the form
    offers it no choice), or those a coordinator chose."""
    if request.membership.role == Role.PROVIDER:
        assert request.membership.organisation is not None  # noqa: S101 - constraint
        return [request.membership.organisation]
    return list(data.get("hosts", []))


def _following(request: AcademyRequest, event: Event) -> int:
    """How many later dates of the series the member may change with this one: none
    for a provider when one of them is not its organisation's to change."""
    later = selectors.event_following(event=event)
    if later and request.membership.role == Role.PROVIDER:
        visible = selectors.event_following(event=event, membership=request.membership)
        return later if visible == later else 0
    return later


def _errors(form: Any, name: str) -> str:
    return " ".join(str(error) for error in form.errors[name])


def _record_access(request: AcademyRequest, rows: list[selectors.Attendee]) -> None:
    participant_ids, enquiry_ids = selectors.shown_records(rows)
    access_record(request, participants=participant_ids, enquiries=enquiry_ids)


def _name_shown(request: AcademyRequest, signup: SignUp) -> str:
    """The person's name as this member may see it (for a message)."""
    rows = selectors.attendees(signups=[signup], membership=request.membership)
    return rows[0].name


@opportunities_required
def event_list(request: AcademyRequest) -> HttpResponse:
    """Events: upcoming first (or past ones), by kind, with places taken."""
    filterset = EventFilterSet(
        request.GET,
        queryset=selectors.event_list(membership=request.membership),
        request=request,
    )
    return render(
        request,
        "vacancies/event_list.html",
        {
            "filterset": filterset,
            "page": list_page(request, filterset.qs),
        },
    )


@opportunities_required
def event_add(request: AcademyRequest) -> HttpResponse:
    """Create an event: one date, or a weekly or fortnightly series."""
    form = EventForm(posted(request), membership=request.membership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def save() -> Event:
            common = {
                "academy": request.academy,
                "by": request.user,
                "hosts": _hosts(request, data),
                **form.event_fields(),
            }
            if not form.is_series:
                return services.event_create(
                    starts_at=services.local_datetime(data["first_on"], data["starts"]),
                    ends_at=services.local_datetime(data["first_on"], data["ends"]),
                    **common,
                )
            series = services.series_create(
                frequency=data["how_often"],
                first=data["first_on"],
                until=data["last_on"],
                starts=data["starts"],
                ends=data["ends"],
                **common,
            )
            first = series.events.order_by("starts_at").first()
            assert first is not None  # noqa: S101 - a series has its first date
            return first

        def done(event: Event) -> str:
            if event.series_id is None:
                return f"{event.title} is created."
            dates = Event.objects.filter(series_id=event.series_id).count()
            return f"{event.title} is created: {dates} dates."

        try:
            return submit_once(request, form, save, done=done)
        except ValidationError as error:
            _show_error(form, error)
    return render(
        request,
        "vacancies/event_form.html",
        {"form": form, "heading": "Create an event", "event": None},
    )


@opportunities_required
def event_detail(request: AcademyRequest, pk: int) -> HttpResponse:
    """An event's page: its details, places taken and everyone signed up, waiting,
    cancelled, come or not come; staff also book people from it."""
    event = _event_or_404(request, pk)
    people = selectors.event_people(event=event, membership=request.membership)
    _record_access(request, people.everyone)
    return render(
        request,
        "vacancies/event_detail.html",
        {
            "event": event,
            "people": people,
            "is_casework": _is_casework(request),
            "can_change": not event.is_cancelled,
            "is_over": event.ends_at <= timezone.now(),
            "following": selectors.event_following(event=event),
            "audience": selectors.audience_labels(event),
            # Bookings can be cancelled and waiting people given a place until the
            # event is cancelled.
            "actionable": () if event.is_cancelled else ("booked", "waiting"),
            "search_form": PersonSearchForm(action=_book_url(event)),
        },
    )


@opportunities_required
def event_edit(request: AcademyRequest, pk: int) -> HttpResponse:
    """Change an event: this date, or this date and all that follow in its series."""
    event = _event_or_404(request, pk)
    if event.is_cancelled:
        messages.error(request, "This event is cancelled, so it cannot be changed.")
        return redirect(event)
    following = _following(request, event)
    form = EventEditForm(
        posted(request),
        event=event,
        has_following=following > 0,
        membership=request.membership,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def save() -> list[Event]:
            return services.event_update(
                event=event,
                by=request.user,
                following=form.is_following,
                starts=data["starts"],
                ends=data["ends"],
                day=data["on"],
                hosts=_hosts(request, data) if "hosts" in form.fields else None,
                **form.event_fields(),
            )

        def done(changed: list[Event]) -> str:
            if len(changed) > 1:
                return f"{len(changed)} dates of {event.title} are changed."
            return f"{event.title} is changed."

        try:
            return submit_once(
                request, form, save, done=done, to=lambda _: event.get_absolute_url()
            )
        except ValidationError as error:
            _show_error(form, error)
    return render(
        request,
        "vacancies/event_form.html",
        {
            "form": form,
            "heading": f"Change: {event.title}",
            "event": event,
            "following": following,
        },
    )


@opportunities_required
def event_cancel(request: AcademyRequest, pk: int) -> HttpResponse:
    """Cancel an event: this date, or this date and all that follow, saying why."""
    event = _event_or_404(request, pk)
    if event.is_cancelled:
        messages.info(request, "This event is cancelled already.")
        return redirect(event)
    following = _following(request, event)
    form = EventCancelForm(posted(request), has_following=following > 0)
    if request.method == "POST" and form.is_valid():
        try:
            cancelled = services.event_cancel(
                event=event,
                by=request.user,
                reason=form.cleaned_data["reason"],
                following=form.is_following,
            )
        except ValidationError as error:
            form_add_validation_error(form, error)
        else:
            dates = f"{len(cancelled)} dates" if len(cancelled) > 1 else "This date"
            messages.success(request, f"{dates} of {event.title} cancelled.")
            return redirect(event)
    return render(
        request,
        "vacancies/event_cancel.html",
        {"form": form, "event": event, "following": following},
    )


def _people_found(request: AcademyRequest, text: str) -> list[Participant]:
    """The academy's people a coordinator may book or link, by reference or name."""
    people = people_choices(request.membership)
    return list(people_matching(people, text)[:SEARCH_RESULTS])


def _book_url(event: Event) -> str:
    return reverse("vacancies:event-book", args=[event.pk])


def _book_page(
    request: AcademyRequest,
    event: Event,
    search_form: PersonSearchForm,
    results: list[Any],
) -> HttpResponse:
    access_record(request, participants=results)
    return render(
        request,
        "vacancies/event_book.html",
        {"event": event, "search_form": search_form, "results": results},
    )


@casework_required
def event_book(request: AcademyRequest, pk: int) -> HttpResponse:
    """Book one of the academy's participants on the event: find them by reference or
    name (the search is posted, so names stay out of addresses), then book."""
    event = _event_or_404(request, pk)
    if request.method != "POST":
        return _book_page(request, event, PersonSearchForm(action=_book_url(event)), [])
    if "participant" not in request.POST:
        search_form = PersonSearchForm(request.POST, action=_book_url(event))
        results: list[Participant] = []
        if search_form.is_valid():
            results = _people_found(request, search_form.cleaned_data["q"])
        return _book_page(request, event, search_form, results)
    form = ParticipantChoiceForm(request.POST, membership=request.membership)
    if not form.is_valid():
        messages.error(request, _errors(form, "participant"))
        return redirect("vacancies:event-book", pk=event.pk)
    person = form.cleaned_data["participant"]
    try:
        result = services.signup_create(
            event=event,
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
            phone=str(person.phone or ""),
            source=SignUp.Source.STAFF,
            participant_id=person.pk,
            by=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(event)
    if not result.is_new:
        messages.info(request, f"{person.full_name} is on this event's list already.")
    elif result.is_waiting:
        messages.warning(
            request, f"The event is full: {person.full_name} is on the waiting list."
        )
    else:
        messages.success(request, f"{person.full_name} is booked.")
    return redirect(event)


@opportunities_required
@require_POST
def signup_promote(request: AcademyRequest, pk: int) -> HttpResponse:
    """Give a person on the waiting list a free place, ahead of others."""
    signup = _signup_or_404(request, pk)
    try:
        services.signup_promote(signup=signup, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{_name_shown(request, signup)} has a place now.")
    return redirect(signup.event)


@opportunities_required
@require_POST
def signup_cancel(request: AcademyRequest, pk: int) -> HttpResponse:
    """Cancel someone's sign-up; their place goes to the first person waiting."""
    signup = _signup_or_404(request, pk)
    if signup.status == SignUp.Status.CANCELLED:
        messages.info(request, "That sign-up is cancelled already.")
        return redirect(signup.event)
    promoted = services.signup_cancel(signup=signup)
    text = f"{_name_shown(request, signup)}'s sign-up is cancelled."
    if promoted:
        names = ", ".join(_name_shown(request, p) for p in promoted)
        text += f" The place went to {names}, who was first on the waiting list."
    messages.success(request, text)
    return redirect(signup.event)


# ---- at the door --------------------------------------------------------------------


def _walk_in_url(event: Event) -> str:
    return reverse("vacancies:event-walk-in", args=[event.pk])


def _register(
    request: AcademyRequest, event: Event, walk_in: WalkInForm, status: int = 200
) -> HttpResponse:
    people = selectors.event_people(event=event, membership=request.membership)
    _record_access(request, [*people.at_the_door, *people.waiting])
    return render(
        request,
        "vacancies/event_register.html",
        {
            "event": event,
            "people": people,
            "walk_in": walk_in,
            "is_casework": _is_casework(request),
        },
        status=status,
    )


@opportunities_required
def event_register(request: AcademyRequest, pk: int) -> HttpResponse:
    """The register at the door: tick who came, mark who did not, add walk-ins."""
    event = _event_or_404(request, pk)
    return _register(request, event, WalkInForm(action=_walk_in_url(event)))


@opportunities_required
@require_POST
def signup_mark(request: AcademyRequest, pk: int) -> HttpResponse:
    """Tick one person present, or mark them as not come."""
    signup = _signup_or_404(request, pk)
    attended = request.POST.get("attended", "")
    error = ""
    if attended not in ("1", "0"):
        error = "Choose present or did not attend."
    else:
        try:
            services.attendance_mark(
                signup=signup, attended=attended == "1", by=request.user
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
    if request.htmx:
        people = selectors.event_people(
            event=signup.event, membership=request.membership
        )
        row = next(a for a in people.everyone if a.pk == signup.pk)
        _record_access(request, [row])
        return render(
            request,
            "vacancies/_register_row.html",
            {
                "row": row,
                "people": people,
                "event": signup.event,
                "error": error,
                "is_casework": _is_casework(request),
                "counts_oob": True,
            },
        )
    if error:
        messages.error(request, error)
    return redirect("vacancies:event-register", pk=signup.event_id)


@opportunities_required
@require_POST
def event_mark_all(request: AcademyRequest, pk: int) -> HttpResponse:
    """Everyone booked is present ("Mark all present")."""
    event = _event_or_404(request, pk)
    count = services.attendance_mark_all(event=event, by=request.user)
    if count:
        messages.success(
            request, f"{count} {'person' if count == 1 else 'people'} marked present."
        )
    else:
        messages.info(request, "Nobody was waiting to be marked: no change.")
    return redirect("vacancies:event-register", pk=event.pk)


@opportunities_required
@require_POST
def event_walk_in(request: AcademyRequest, pk: int) -> HttpResponse:
    """Add someone who came without booking, present now."""
    event = _event_or_404(request, pk)
    form = WalkInForm(request.POST, action=_walk_in_url(event))
    if form.is_valid():
        data = form.cleaned_data
        try:
            signup = services.walk_in_add(
                event=event,
                by=request.user,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                phone=str(data["phone"] or ""),
            )
        except ValidationError as error:
            form_add_validation_error(form, error)
        else:
            name = _name_shown(request, signup)
            messages.success(request, f"{name} is on the register, present.")
            return redirect("vacancies:event-register", pk=event.pk)
    return _register(request, event, form, status=200)


def _check_in_url(request: AcademyRequest, event: Event) -> str:
    """The absolute address of the event's public self check-in page."""
    path = reverse("vacancies:event-check-in", args=[event.checkin_token])
    return request.build_absolute_uri(path)


@opportunities_required
def event_qr(request: AcademyRequest, pk: int) -> HttpResponse:
    """The QR code to show at the venue: people scan it to check themselves in."""
    event = _event_or_404(request, pk)
    url = _check_in_url(request, event)
    svg = segno.make(url, error="m").svg_inline(
        scale=10, dark="#0b0c0c", light="#ffffff", omitsize=True, border=2
    )
    return render(
        request,
        "vacancies/event_qr.html",
        {"event": event, "qr_svg": svg, "check_in_url": url},
    )


@opportunities_required
def event_print(request: AcademyRequest, pk: int) -> HttpResponse:
    """A register to print for a venue without Wi-Fi: names, contact details of those
    who agreed, a box to tick, and empty rows for walk-ins."""
    event = _event_or_404(request, pk)
    people = selectors.event_people(
        event=event, membership=request.membership, contact_if_consented=True
    )
    rows = people.at_the_door
    _record_access(request, rows)
    return render(
        request,
        "print/event_register.html",
        {
            "event": event,
            "rows": rows,
            "waiting": people.waiting,
            "blank_rows": range(max(BLANK_ROWS, 20 - len(rows))),
        },
    )


# ---- who they were ------------------------------------------------------------------


@casework_required
def signup_link(request: AcademyRequest, pk: int) -> HttpResponse:
    """Link someone who came to a participant the academy knows: the likely same
    people (registration's duplicate rules) are offered, or find them by reference or
    name."""
    signup = _signup_or_404(request, pk)
    event = signup.event
    candidates = participant_duplicates(
        membership=request.membership,
        first_name=signup.first_name,
        last_name=signup.last_name,
        date_of_birth=None,
        email=signup.email,
        phone=str(signup.phone or ""),
    )
    link_url = reverse("vacancies:signup-link", args=[signup.pk])
    search_form = PersonSearchForm(action=link_url)
    results: list[Any] = []
    if request.method == "POST" and "participant" in request.POST:
        form = ParticipantChoiceForm(request.POST, membership=request.membership)
        if form.is_valid():
            person = form.cleaned_data["participant"]
            try:
                services.signup_link_participant(
                    signup=signup, participant=person, by=request.user
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    f"{signup.full_name} is linked to {person.full_name} "
                    f"({person.reference}).",
                )
                return redirect("vacancies:event-register", pk=event.pk)
        else:
            messages.error(request, _errors(form, "participant"))
    elif request.method == "POST":
        search_form = PersonSearchForm(request.POST, action=link_url)
        if search_form.is_valid():
            found = _people_found(request, search_form.cleaned_data["q"])
            results = [p for p in found if p not in candidates]
    row = selectors.attendees(signups=[signup], membership=request.membership)
    _record_access(request, row)
    access_record(request, participants=[*candidates, *results])
    return render(
        request,
        "vacancies/signup_link.html",
        {
            "signup": signup,
            "event": event,
            "candidates": candidates,
            "results": results,
            "search_form": search_form,
        },
    )


@casework_required
def signup_enquiry(request: AcademyRequest, pk: int) -> HttpResponse:
    """Turn someone met at the event into an enquiry of the academy. The details are
    checked with them first."""
    signup = _signup_or_404(request, pk)
    event = signup.event
    if signup.participant_id is not None or signup.enquiry_id is not None:
        what = "a participant" if signup.participant_id else "an enquiry"
        messages.info(request, f"{signup.full_name} is {what} already.")
        return redirect("vacancies:event-register", pk=event.pk)
    form = SignUpEnquiryForm(
        posted(request),
        initial={
            "first_name": signup.first_name,
            "last_name": signup.last_name,
            "email": signup.email,
            "phone": signup.phone,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            return submit_once(
                request,
                form,
                lambda: services.signup_to_enquiry(
                    signup=signup,
                    by=request.user,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    phone=str(data["phone"] or ""),
                    postcode=data["postcode"],
                    interest=data["interest"],
                ),
                done=lambda enquiry: (
                    f"{enquiry} is now an enquiry, in the enquiries list."
                ),
                to=lambda _: reverse("vacancies:event-register", args=[event.pk]),
            )
        except ValidationError as error:
            form_add_validation_error(form, error)
    return render(
        request,
        "vacancies/signup_enquiry.html",
        {"form": form, "signup": signup, "event": event},
    )
