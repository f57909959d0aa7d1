"""The impact dashboard, its downloads, PDF runs and the people behind a figure."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from academy.audit import access_record
from academy.csv_files import csv_download
from academy.lists import list_page
from academy.permissions import (
    Role,
    casework_required,
    report_readers_required,
)
from academy.ratelimit import bulk_limited
from academy.reauth import reauth_required
from academy.tenancy import AcademyRequest

from . import services
from .exports import impact_csv_rows, impact_file_name
from .forms import PeriodForm
from .impact import METRIC_KEYS, METRICS, impact_report, metric_people
from .models import ReportRun
from .presenters import impact_page

# Managers see aggregates only (spec/roles.md): the people behind a figure are casework.


def _period_form(request: AcademyRequest) -> PeriodForm:
    form = PeriodForm(request.GET, academy=request.academy, today=timezone.localdate())
    form.is_valid()
    return form


@report_readers_required
def impact_dashboard(request: AcademyRequest) -> HttpResponse:
    """Every headline figure, its breakdowns, charts and trend for a chosen period."""
    form = _period_form(request)
    context: dict[str, object] = {
        "form": form,
        "runs": ReportRun.objects.for_membership(request.membership)
        .select_related("requested_by")
        .filter(is_monthly=False)[:10],
        "can_see_people": request.membership.role != Role.MANAGER,
    }
    if form.is_valid():
        period = form.chosen
        publish = form.cleaned_data["publish"]
        report = impact_report(
            academy=request.academy, start=period.start, end=period.end
        )
        context.update(impact_page(report, publish=publish).as_context())
        context["period"] = period
        context["query"] = request.GET.urlencode()
    return render(request, "reporting/impact_dashboard.html", context)


@report_readers_required
@reauth_required
@bulk_limited
def impact_csv_download(request: AcademyRequest) -> HttpResponseBase:
    """The chosen period's report as CSV, at once."""
    form = _period_form(request)
    if not form.is_valid():
        return redirect("reporting:impact")
    period, publish = form.chosen, form.cleaned_data["publish"]
    report = impact_report(academy=request.academy, start=period.start, end=period.end)
    name = impact_file_name(report, publish=publish, ext="csv")
    return csv_download(impact_csv_rows(report, publish=publish), filename=name)


@report_readers_required
@require_POST
@reauth_required
@bulk_limited
def run_request(request: AcademyRequest) -> HttpResponse:
    """Ask for a PDF of the chosen period; its page shows the progress."""
    form = PeriodForm(request.POST, academy=request.academy, today=timezone.localdate())
    if not form.is_valid():
        messages.error(request, "Choose a valid period first.")
        return redirect("reporting:impact")
    try:
        run = services.report_run_request(
            academy=request.academy,
            start=form.chosen.start,
            end=form.chosen.end,
            publish=form.cleaned_data["publish"],
            by=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reporting:impact")
    return redirect(run)


def _run(request: AcademyRequest, pk: int) -> ReportRun:
    return get_object_or_404(
        ReportRun.objects.for_membership(request.membership).select_related(
            "requested_by", "academy"
        ),
        pk=pk,
    )


@report_readers_required
def run_detail(request: AcademyRequest, pk: int) -> HttpResponse:
    """A PDF's progress; htmx polls the status part until it is ready or has failed."""
    run = _run(request, pk)
    template = (
        "reporting/_run_status.html" if request.htmx else "reporting/run_detail.html"
    )
    return render(request, template, {"run": run})


LOST_FILE = (
    "The PDF's file is missing from storage (it may have been removed or not restored "
    "from a backup). Press Try again to build it again."
)


@report_readers_required
@reauth_required
def run_download(request: AcademyRequest, pk: int) -> HttpResponseBase:
    """The finished PDF; nothing is offered until the whole file is built."""
    run = _run(request, pk)
    if run.status != ReportRun.Status.DONE or not run.file:
        raise Http404("This report is not ready.")
    try:
        handle = run.file.open("rb")
    except FileNotFoundError:
        services.report_run_fail(run.pk, LOST_FILE, was=ReportRun.Status.DONE)
        messages.error(request, LOST_FILE)
        return redirect(run)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=run.filename,
        content_type="application/pdf",
    )


@report_readers_required
@require_POST
@reauth_required
def run_retry(request: AcademyRequest, pk: int) -> HttpResponse:
    """Try a failed PDF again."""
    run = _run(request, pk)
    try:
        services.report_run_retry(run=run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(run)


@casework_required
def figure_people(request: AcademyRequest, metric: str) -> HttpResponse:
    """The people behind one figure of the report, for coordinators and admins."""
    if metric not in METRIC_KEYS:
        raise Http404("No such figure.")
    form = _period_form(request)
    if not form.is_valid():
        return redirect("reporting:impact")
    period = form.chosen
    people = metric_people(
        academy=request.academy, key=metric, start=period.start, end=period.end
    ).order_by("last_name", "first_name")
    page = list_page(request, people)
    access_record(request, participants=page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reporting/figure_people.html",
        {
            "page": page,
            "metric": next(m for m in METRICS if m.key == metric),
            "period": period,
            "query": query.urlencode(),
        },
    )
