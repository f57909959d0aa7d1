"""A coordinator's pages about people: find, export, register, see, edit, consent,
close, reopen and merge."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from academy.audit import access_record
from academy.forms import form_add_validation_error, posted
from academy.lists import list_page, list_query, list_search_redirect
from academy.models import Membership
from academy.once import submit_once, submitted_before
from academy.permissions import admin_required, casework_required
from academy.ratelimit import bulk_limited
from academy.reauth import reauth_required
from academy.tenancy import AcademyRequest
from academy.views_exports import export_respond

from .. import selectors, services
from ..exports import PEOPLE_EXPORT, people_export
from ..filters import ParticipantFilterSet
from ..forms import (
    CaseloadReassignForm,
    CloseForm,
    ConsentForm,
    MergeForm,
    ParticipantForm,
    ParticipantRegisterForm,
)
from ..models import Enquiry, Participant, SustainmentCheck
from ._common import _form_page, _participant


@casework_required
def participant_list(request: AcademyRequest) -> HttpResponse:
    """Find people: search, filter, sort and page through the academy's participants.
    The search box posts here, so that what was typed never goes in a URL."""
    if request.method == "POST":
        return list_search_redirect(request, ParticipantFilterSet)
    filterset = ParticipantFilterSet(
        list_query(request, ParticipantFilterSet),
        queryset=selectors.participant_list(membership=request.membership),
        request=request,
    )
    template = (
        "participants/_participant_table.html"
        if request.htmx
        else "participants/participant_list.html"
    )
    page = list_page(request, filterset.qs)
    access_record(request, participants=page.object_list)
    return render(request, template, {"filterset": filterset, "page": page})


@casework_required
@reauth_required
@bulk_limited
def participant_export(request: AcademyRequest) -> HttpResponseBase:
    """The filtered list as CSV (column labels as on screen, or codes with
    `?columns=codes`): at once when small, else written by a worker while a page
    shows how far it has got (academy/exports.py)."""
    query = list_query(request, ParticipantFilterSet)
    export = people_export(request, query)
    access_record(request, participants=export.ids())
    return export_respond(request, kind=PEOPLE_EXPORT, source=export, query=query)


@casework_required
def participant_register(request: AcademyRequest) -> HttpResponse:
    """Register a person, warning first of a likely duplicate."""
    enquiry = None
    wanted = request.GET.get("enquiry", "")
    if wanted.isascii() and wanted.isdigit():
        enquiry = get_object_or_404(
            Enquiry.objects.for_membership(request.membership).waiting(),
            pk=request.GET["enquiry"],
        )
        access_record(request, enquiries=[enquiry])
    initial: dict[str, Any] = {"source": Participant.Source.JOB_CENTRE}
    if enquiry is not None:
        initial = {
            "first_name": enquiry.first_name,
            "last_name": enquiry.last_name,
            "email": enquiry.email,
            "phone": enquiry.phone,
            "postcode": enquiry.postcode,
            "source": Participant.Source.CAMPAIGN,
        }
    form = ParticipantRegisterForm(
        posted(request), membership=request.membership, initial=initial
    )
    duplicates: list[Participant] = []
    if request.method == "POST" and form.is_valid():
        earlier = submitted_before(request, form)
        if earlier is not None:
            return earlier
        data = dict(form.cleaned_data)
        duplicates = selectors.participant_duplicates(
            membership=request.membership,
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=data["date_of_birth"],
            email=data["email"],
            phone=data["phone"],
        )
        if duplicates and not data.pop("not_a_duplicate"):
            form.show_duplicate_confirmation()
        else:
            data.pop("not_a_duplicate", None)
            data.pop("submission", None)
            contact_by = data.pop("contact_by")

            def register() -> Participant:
                person = services.participant_register(
                    academy=request.academy,
                    by=request.user,
                    enquiry=enquiry,
                    **data,
                )
                services.contact_preference_set(
                    participant=person, contact_by=contact_by, by=request.user
                )
                return person

            try:
                return submit_once(
                    request,
                    form,
                    register,
                    done=lambda p: f"{p} is registered as {p.reference}.",
                )
            except ValidationError as error:
                form_add_validation_error(form, error)
    return render(
        request,
        "participants/participant_register.html",
        {"form": form, "duplicates": duplicates, "enquiry": enquiry},
    )


@casework_required
def participant_detail(request: AcademyRequest, pk: int) -> HttpResponse:
    """A participant's record: details, start evidence, consent, plan, checks due and
    the timeline."""
    participant = get_object_or_404(
        Participant.objects.for_membership(request.membership)
        .select_related(
            "coordinator", "referring_organisation", "right_to_work_checked_by"
        )
        .prefetch_related("cohorts"),
        pk=pk,
    )
    access_record(request, participants=[participant])
    return render(
        request,
        "participants/participant_detail.html",
        {
            "participant": participant,
            "plan": selectors.plan_current(participant=participant),
            "consents": selectors.consent_latest(participant=participant),
            "checks": SustainmentCheck.objects.filter(
                outcome__participant=participant
            ).exclude(status=SustainmentCheck.Status.DONE)[:4],
            "timeline": selectors.participant_timeline(participant=participant),
            "postcode_notices": selectors.postcode_notices(participant=participant),
            "evidence": selectors.start_evidence(participant=participant),
            "today": timezone.localdate(),
            "now": timezone.now(),
            "appointments": selectors.participant_appointments(participant=participant),
            "appointment_counts": selectors.appointment_counts(participant=participant),
        },
    )


@casework_required
def participant_edit(request: AcademyRequest, pk: int) -> HttpResponse:
    """Edit a participant's details and cohorts."""
    participant = _participant(request, pk)
    form = ParticipantForm(
        posted(request), instance=participant, membership=request.membership
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        contact_by = data.pop("contact_by")
        try:
            with transaction.atomic():
                services.participant_update(
                    participant=participant, by=request.user, **data
                )
                services.contact_preference_set(
                    participant=participant, contact_by=contact_by, by=request.user
                )
        except ValidationError as error:
            form_add_validation_error(form, error)
        else:
            messages.success(request, "Details saved.")
            return redirect(participant)
    return _form_page(request, participant, form, "Edit details")


@casework_required
def consent_change(request: AcademyRequest, pk: int) -> HttpResponse:
    """Record consent given or withdrawn; withdrawal takes effect at once."""
    participant = _participant(request, pk)
    form = ConsentForm(posted(request))
    if request.method == "POST" and form.is_valid():
        services.consent_set(
            participant=participant, by=request.user, **form.cleaned_data
        )
        messages.success(request, "Consent recorded.")
        return redirect(participant)
    return _form_page(
        request,
        participant,
        form,
        "Consent",
        consents=selectors.consent_latest(participant=participant),
        ledger=participant.consents.select_related("recorded_by"),
        template="participants/consent_form.html",
    )


@casework_required
def case_close(request: AcademyRequest, pk: int) -> HttpResponse:
    """Close a case with a reason."""
    participant = _participant(request, pk)
    form = CloseForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.case_close(
                participant=participant, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_validation_error(form, error)
        else:
            messages.success(request, "Case closed.")
            return redirect(participant)
    return _form_page(request, participant, form, "Close the case")


@casework_required
@require_POST
def case_reopen(request: AcademyRequest, pk: int) -> HttpResponse:
    """Reopen a closed case."""
    participant = _participant(request, pk)
    try:
        services.case_reopen(participant=participant, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Case reopened.")
    return redirect(participant)


@casework_required
def participant_merge(request: AcademyRequest, pk: int) -> HttpResponse:
    """Merge another record of the same person into this one."""
    participant = _participant(request, pk)
    form = MergeForm(
        posted(request), initial={"other_reference": request.GET.get("other", "")}
    )
    if request.method == "POST" and form.is_valid():
        other = (
            Participant.objects.for_membership(request.membership)
            .filter(reference__iexact=form.cleaned_data["other_reference"].strip())
            .first()
        )
        if other is None:
            form.add_error(
                "other_reference", "No record of this academy has that reference."
            )
        else:
            access_record(request, participants=[other])
            try:
                services.participant_merge(
                    keep=participant, duplicate=other, by=request.user
                )
            except ValidationError as error:
                form_add_validation_error(form, error)
            else:
                messages.success(
                    request, f"{other.reference} is merged into this record."
                )
                return redirect(participant)
    return _form_page(
        request, participant, form, "Merge a duplicate record into this one"
    )


@admin_required
@reauth_required  # it can end the member's access
def caseload_reassign(request: AcademyRequest, pk: int) -> HttpResponse:
    """Move everyone a member coordinates to a colleague in one step (a leaver)."""
    leaver = get_object_or_404(
        Membership.objects.for_academy(request.academy).select_related("user"), pk=pk
    )
    form = CaseloadReassignForm(posted(request), leaver=leaver)
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.caseload_reassign(
                leaver=leaver, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_validation_error(form, error)
        else:
            to = form.cleaned_data["to"].user
            messages.success(
                request,
                f"{moved} {'person' if moved == 1 else 'people'} moved from "
                f"{leaver.user} to {to}."
                + (
                    " Their access has ended."
                    if form.cleaned_data["deactivate"]
                    else ""
                ),
            )
            return redirect("academy:member-list")
    return render(
        request,
        "participants/caseload_reassign.html",
        {
            "form": form,
            "leaver": leaver,
            "caseload": selectors.caseload_count(membership=leaver),
        },
    )
