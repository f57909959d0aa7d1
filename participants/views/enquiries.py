"""Campaign enquiries: the public 'register your interest' form, and the queue in which
coordinators triage them."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from academy import ratelimit
from academy.audit import access_record
from academy.lists import list_page
from academy.models import Academy
from academy.once import submit_once
from academy.permissions import casework_required
from academy.public_forms import client_address
from academy.tenancy import AcademyRequest

from .. import selectors
from ..filters import EnquiryFilterSet
from ..forms import EnquiryCloseForm, EnquiryContactedForm, EnquiryForm
from ..models import Enquiry
from ..services import enquiries as services

logger = logging.getLogger(__name__)

PUBLIC_TEMPLATE = "participants/enquiry_public.html"
DETAIL_TEMPLATE = "participants/enquiry_detail.html"
PAGE_SIZE = 50


@dataclass(frozen=True)
class QueueRow:
    """An enquiry in the queue, with how many days the person has waited so far."""

    enquiry: Enquiry
    waiting_days: int | None


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def enquiry_public(request: HttpRequest, academy_slug: str) -> HttpResponse:
    """The campaign's 'register your interest' form, open to anyone."""
    academy = get_object_or_404(Academy, slug=academy_slug)
    context: dict[str, object] = {
        "academy": academy,
        "retention_months": services.ENQUIRY_RETENTION_MONTHS,
    }
    if request.method != "POST":
        vacancy = request.GET.get("vacancy", "")
        context["form"] = EnquiryForm(academy=academy, vacancy_title=vacancy)
        return render(request, PUBLIC_TEMPLATE, context)
    form = EnquiryForm(request.POST, academy=academy)
    if form.is_from_robot:
        # Pretend all went well, so that the robot learns nothing.
        logger.info("Enquiry to %s dropped: hidden field filled in", academy.slug)
        return redirect("participants:enquiry-thanks", academy_slug=academy.slug)
    if form.is_valid():
        thanks = reverse("participants:enquiry-thanks", args=[academy.slug])
        try:
            return submit_once(
                request,
                form,
                lambda: services.enquiry_submit(
                    academy=academy,
                    ip=client_address(request),
                    **form.enquiry_details(),
                ),
                done=None,  # the page it goes to says thank you
                to=lambda enquiry: thanks,
            )
        except ValidationError as error:
            form.add_error(None, error)
        except ratelimit.Limited:
            logger.info("Enquiry to %s refused: hourly allowance used", academy.slug)
            return render(
                request, PUBLIC_TEMPLATE, {**context, "is_limited": True}, status=429
            )
    return render(request, PUBLIC_TEMPLATE, {**context, "form": form})


@login_not_required
@require_safe
def enquiry_thanks(request: HttpRequest, academy_slug: str) -> HttpResponse:
    """What happens after a person has registered their interest."""
    academy = get_object_or_404(Academy, slug=academy_slug)
    return render(request, "participants/enquiry_thanks.html", {"academy": academy})


@casework_required
def enquiry_list(request: AcademyRequest) -> HttpResponse:
    """The queue of campaign sign-ups, those still waiting for a call first."""
    filterset = EnquiryFilterSet(
        request.GET,
        queryset=selectors.enquiry_queue(membership=request.membership),
        request=request,
    )
    page = list_page(request, filterset.qs)
    today = timezone.localdate()
    rows = [
        QueueRow(
            enquiry=enquiry,
            waiting_days=(today - timezone.localdate(enquiry.created_at)).days
            if enquiry.status in services.WAITING
            else None,
        )
        for enquiry in page
    ]
    access_record(request, enquiries=page.object_list)
    return render(
        request,
        "participants/enquiry_list.html",
        {"filterset": filterset, "page": page, "rows": rows},
    )


def _enquiry_or_404(request: AcademyRequest, pk: int) -> Enquiry:
    enquiry = get_object_or_404(
        Enquiry.objects.for_membership(request.membership).select_related(
            "handled_by", "participant"
        ),
        pk=pk,
    )
    access_record(
        request,
        enquiries=[enquiry],
        participants=[enquiry.participant_id] if enquiry.participant_id else [],
    )
    return enquiry


def _detail(
    request: AcademyRequest,
    enquiry: Enquiry,
    *,
    contacted_form: EnquiryContactedForm | None = None,
    close_form: EnquiryCloseForm | None = None,
) -> HttpResponse:
    if contacted_form is None:
        contacted_form = EnquiryContactedForm(enquiry=enquiry)
    if close_form is None:
        close_form = EnquiryCloseForm(enquiry=enquiry)
    return render(
        request,
        DETAIL_TEMPLATE,
        {
            "enquiry": enquiry,
            "is_waiting": enquiry.status in services.WAITING,
            "contacted_form": contacted_form,
            "close_form": close_form,
        },
    )


@casework_required
def enquiry_detail(request: AcademyRequest, pk: int) -> HttpResponse:
    """One enquiry: what the person told us, notes so far, and what to do next."""
    return _detail(request, _enquiry_or_404(request, pk))


@casework_required
@require_POST
def enquiry_contacted(request: AcademyRequest, pk: int) -> HttpResponse:
    """Record that someone got in touch with the enquirer."""
    enquiry = _enquiry_or_404(request, pk)
    form = EnquiryContactedForm(request.POST, enquiry=enquiry)
    if form.is_valid():
        try:
            services.enquiry_mark_contacted(
                enquiry=enquiry, by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{enquiry} is marked as contacted.")
            return redirect(enquiry)
    return _detail(request, enquiry, contacted_form=form)


@casework_required
@require_POST
def enquiry_close(request: AcademyRequest, pk: int) -> HttpResponse:
    """Close an enquiry that will not become a participant, with a reason."""
    enquiry = _enquiry_or_404(request, pk)
    form = EnquiryCloseForm(request.POST, enquiry=enquiry)
    if form.is_valid():
        try:
            services.enquiry_close(
                enquiry=enquiry,
                by=request.user,
                reason=form.cleaned_data["close_reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"The enquiry from {enquiry} is closed.")
            return redirect("participants:enquiry-list")
    return _detail(request, enquiry, close_form=form)
