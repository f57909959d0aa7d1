"""The diary (a day, a week) and appointments: booking one ahead from the person's
page or the diary, changing it, and on the day one tap: attended (a meeting record,
then its notes), did not attend or cancelled (each with a reason)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Value, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from academy.audit import access_record
from academy.days import moment_said
from academy.forms import form_add_validation_error, posted
from academy.once import submit_once
from academy.permissions import CASEWORK, casework_required, opportunities_required
from academy.redirects import safe_next
from academy.tenancy import AcademyRequest

from .. import selectors, services
from ..forms import (
    AppointmentBookForm,
    AppointmentForm,
    AppointmentNotesForm,
    AppointmentReasonForm,
    PersonSearchForm,
)
from ..models import Appointment, Participant
from ._common import _form_page, _participant

SEARCH_RESULTS = 20


def _day(value: str | None) -> dt.date:
    """The day asked for (YYYY-MM-DD), or today when it is missing or not a date."""
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return timezone.localdate()


def _who(request: AcademyRequest) -> int | None:
    value = request.GET.get("who", "")
    return int(value) if value.isascii() and value.isdigit() else None


def _diary(
    request: AcademyRequest, *, first: dt.date, days: int, view: str
) -> HttpResponse:
    owner = selectors.diary_owner(membership=request.membership, user_id=_who(request))
    page = selectors.diary_page(membership=owner, first=first, days=days)
    access_record(request, participants=page.people)
    step = dt.timedelta(days=days)
    is_admin = request.membership.role == "admin"
    return render(
        request,
        "participants/diary/diary.html",
        {
            "page": page,
            "view": view,
            "first": first,
            "last": first + step - dt.timedelta(days=1),
            "previous": first - step,
            "next": first + step,
            "today": timezone.localdate(),
            "now": timezone.now(),
            "owner": owner,
            "is_own": owner.pk == request.membership.pk,
            "colleagues": selectors.diary_colleagues(membership=request.membership)
            if is_admin
            else [],
            "can_book": request.membership.role in CASEWORK,
            "here": request.get_full_path(),
        },
    )


@opportunities_required
def diary_day(request: AcademyRequest) -> HttpResponse:
    """A day of the member's diary (an admin may open a colleague's)."""
    return _diary(request, first=_day(request.GET.get("day")), days=1, view="day")


@opportunities_required
def diary_week(request: AcademyRequest) -> HttpResponse:
    """A week of the member's diary, Monday to Sunday, as seven lists of times."""
    day = _day(request.GET.get("week"))
    monday = day - dt.timedelta(days=day.weekday())
    return _diary(request, first=monday, days=7, view="week")


@casework_required
def diary_book(request: AcademyRequest) -> HttpResponse:
    """Book from the diary: find the person by reference or name (posted, so that
    names stay out of addresses), then book on their page's form."""
    action = reverse("participants:diary-book")
    form = PersonSearchForm(posted(request), action=action)
    results: list[Participant] = []
    if request.method == "POST" and form.is_valid():
        people = Participant.objects.for_membership(request.membership).exclude(
            status=Participant.Status.CLOSED
        )
        # One's own caseload first: the person one means is most often there.
        is_own = Case(When(coordinator=request.user, then=Value(0)), default=Value(1))
        results = list(
            selectors.people_matching(people, form.cleaned_data["q"])
            .select_related("coordinator")
            .order_by(is_own, "last_name", "first_name", "pk")[:SEARCH_RESULTS]
        )
    access_record(request, participants=results)
    return render(
        request,
        "participants/appointments/appointment_find.html",
        {"form": form, "results": results},
    )


def _appointment(request: AcademyRequest, pk: int) -> Appointment:
    """The academy's appointment `pk` (else 404), its person's opening recorded."""
    appointment = get_object_or_404(
        selectors.appointment_list(membership=request.membership), pk=pk
    )
    access_record(request, participants=[appointment.participant_id])
    return appointment


def _after_booking(request: AcademyRequest, appointment: Appointment) -> str:
    """Where a booking ends: back in the diary (booked from it) on the day of the
    appointment, else the `next` address asked for, else the person's page."""
    wanted = safe_next(
        request, request.POST.get("next") or request.GET.get("next"), default=""
    )
    diary = reverse("participants:diary")
    if wanted.split("?")[0] in (diary, reverse("participants:diary-week")):
        query = {"day": timezone.localtime(appointment.starts_at).date().isoformat()}
        if appointment.coordinator_id != request.user.pk:
            query["who"] = str(appointment.coordinator_id)
        return f"{diary}?{urlencode(query)}"
    return wanted or appointment.participant.get_absolute_url()


def _back(request: AcademyRequest, appointment: Appointment) -> str:
    return safe_next(
        request,
        request.POST.get("next") or request.GET.get("next"),
        default=appointment.participant.get_absolute_url(),
    )


@casework_required
def appointment_add(request: AcademyRequest, pk: int) -> HttpResponse:
    """Book an appointment with the person, ahead."""
    participant = _participant(request, pk)
    if participant.is_erased or not participant.is_open:
        messages.error(
            request,
            "This case is closed: reopen it before booking an appointment."
            if not participant.is_erased
            else "This person was erased: nothing can be booked.",
        )
        return redirect(participant)
    form = AppointmentBookForm(posted(request), membership=request.membership)
    if request.method == "POST" and form.is_valid():
        fields = form.appointment_fields()

        def book() -> Appointment:
            return services.appointment_book(
                participant=participant, by=request.user, **fields
            )

        def done(appointment: Appointment) -> str:
            when = timezone.localtime(appointment.starts_at)
            told = (
                " They will be sent a confirmation."
                if services.participant_recipient(participant).has_agreed
                else ""
            )
            return f"Booked for {moment_said(when)}.{told}"

        try:
            return submit_once(
                request,
                form,
                book,
                done=done,
                to=lambda appointment: _after_booking(request, appointment),
            )
        except ValidationError as error:
            form.add_service_error(error)
    return _form_page(
        request,
        participant,
        form,
        "Book an appointment",
        template="participants/appointments/appointment_form.html",
    )


@casework_required
def appointment_edit(request: AcademyRequest, pk: int) -> HttpResponse:
    """Change a booked appointment; a new time is confirmed to the person again."""
    appointment = _appointment(request, pk)
    if appointment.status != Appointment.Status.BOOKED:
        messages.error(
            request,
            f"This appointment is {appointment.get_status_display().lower()}: "
            "it cannot be changed.",
        )
        return redirect(appointment.participant)
    form = AppointmentForm(
        posted(request),
        membership=request.membership,
        submit="Save the changes",
        initial=AppointmentForm.initial_of(appointment),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_change(
                appointment=appointment, by=request.user, **form.appointment_fields()
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Appointment changed.")
            return redirect(_back(request, appointment))
    return _form_page(
        request,
        appointment.participant,
        form,
        "Change the appointment",
        template="participants/appointments/appointment_form.html",
        appointment=appointment,
    )


@casework_required
@require_POST
def appointment_attended(request: AcademyRequest, pk: int) -> HttpResponse:
    """They came: the appointment becomes a meeting record; then its notes."""
    appointment = _appointment(request, pk)
    try:
        services.appointment_attend(appointment=appointment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_back(request, appointment))
    messages.success(
        request,
        f"{appointment.participant.first_name} came: the meeting is recorded. "
        "Add what was said and the next step, or skip.",
    )
    notes = reverse("participants:appointment-notes", args=[appointment.pk])
    return redirect(f"{notes}?{urlencode({'next': _back(request, appointment)})}")


def _reason_page(
    request: AcademyRequest,
    pk: int,
    *,
    service: Any,
    label: str,
    submit: str,
    title: str,
    done: str,
) -> HttpResponse:
    appointment = _appointment(request, pk)
    form = AppointmentReasonForm(posted(request), label=label, submit=submit)
    if request.method == "POST" and form.is_valid():
        try:
            service(
                appointment=appointment,
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                form_add_validation_error(form, error)
            else:
                messages.error(request, " ".join(error.messages))
                return redirect(_back(request, appointment))
        else:
            messages.success(request, done)
            return redirect(_back(request, appointment))
    return _form_page(
        request,
        appointment.participant,
        form,
        title,
        template="participants/appointments/appointment_reason.html",
        appointment=appointment,
        back=_back(request, appointment),
    )


@casework_required
def appointment_missed(request: AcademyRequest, pk: int) -> HttpResponse:
    """They did not come: say why."""
    return _reason_page(
        request,
        pk,
        service=services.appointment_miss,
        label="Why did they not come?",
        submit="Record: did not attend",
        title="Did not attend",
        done="Recorded as not attended.",
    )


@casework_required
def appointment_cancel(request: AcademyRequest, pk: int) -> HttpResponse:
    """Call the appointment off, saying why (the person is told if they agreed)."""
    return _reason_page(
        request,
        pk,
        service=services.appointment_cancel,
        label="Why is it cancelled?",
        submit="Cancel the appointment",
        title="Cancel the appointment",
        done="Appointment cancelled.",
    )


@casework_required
def appointment_notes(request: AcademyRequest, pk: int) -> HttpResponse:
    """What was said at an attended appointment, and the next step."""
    appointment = _appointment(request, pk)
    meeting = appointment.meeting
    if meeting is None:
        messages.error(request, "Only an attended appointment has a meeting's notes.")
        return redirect(_back(request, appointment))
    form = AppointmentNotesForm(posted(request), instance=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_notes_record(
                appointment=appointment, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_validation_error(form, error)
        else:
            messages.success(request, "Notes saved.")
            return redirect(_back(request, appointment))
    return _form_page(
        request,
        appointment.participant,
        form,
        f"Notes of the {appointment.get_kind_display().lower()}",
        template="participants/appointments/appointment_reason.html",
        appointment=appointment,
        back=_back(request, appointment),
    )
