"""The labour-market page (every role), and loading source files (admins)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from academy.forms import posted
from academy.lists import list_page
from academy.permissions import Role, admin_required, any_member, superuser_required
from academy.tenancy import AcademyRequest
from academy.uploads import uploaded_files

from ..models import RefreshRun, RefreshRunQuerySet
from . import refresh, selectors
from .config import SOURCES
from .forms import RefreshConfirmForm, RefreshUploadForm

REJECTED_SHOWN = 200


@any_member
def labour_market_area(request: AcademyRequest) -> HttpResponse:
    """The academy's area: workforce, roles in demand and claimant figures."""
    return render(
        request,
        "labour_market/area.html",
        {
            "overview": selectors.area_overview(academy=request.academy),
            "is_admin": request.membership.role == Role.ADMIN,
        },
    )


def _runs(request: AcademyRequest) -> RefreshRunQuerySet:
    return RefreshRun.objects.for_membership(request.membership).select_related(
        "created_by", "confirmed_by"
    )


@admin_required
def refresh_run_list(request: AcademyRequest) -> HttpResponse:
    """Every refresh run: when, source, file, counts, duration and any error."""
    page = list_page(request, _runs(request))
    return render(request, "labour_market/run_list.html", {"page": page})


# The figures are shared by every academy of the deployment: platform staff load them
# (from within an academy where they are an admin); academy admins see the runs.
@superuser_required
@admin_required
def refresh_run_upload(request: AcademyRequest) -> HttpResponse:
    """Upload a downloaded source file; it is checked and previewed, not loaded."""
    form = RefreshUploadForm(posted(request), uploaded_files(request))
    if form.is_valid():
        run = refresh.refresh_run_upload(
            academy=request.academy,
            by=request.user,
            source=form.cleaned_data["source"],
            data=form.cleaned_data["data"],
            filename=form.cleaned_data["filename"],
            period=form.cleaned_data["period"],
        )
        return redirect(run)
    return render(
        request,
        "labour_market/upload.html",
        {"form": form, "sources": SOURCES.values(), "runs": _runs(request)[:5]},
    )


@admin_required
def refresh_run_detail(request: AcademyRequest, pk: int) -> HttpResponse:
    """A run's preview, progress or result; htmx polls its status part meanwhile."""
    run = get_object_or_404(_runs(request), pk=pk)
    template = (
        "labour_market/_run_status.html"
        if request.htmx
        else "labour_market/run_detail.html"
    )
    return render(
        request,
        template,
        {
            "run": run,
            "rejected": run.rejected[:REJECTED_SHOWN],
            "form": RefreshConfirmForm(
                action=reverse("labour_market:run-confirm", args=[run.pk])
            )
            if run.status == RefreshRun.Status.PREVIEWED and request.user.is_superuser
            else None,
        },
    )


@superuser_required
@admin_required
@require_POST
def refresh_run_confirm(request: AcademyRequest, pk: int) -> HttpResponse:
    """Load a previewed file: queued for a worker, which checks it again first."""
    run = get_object_or_404(_runs(request), pk=pk)
    try:
        run = refresh.refresh_run_confirm(run=run, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(run)
