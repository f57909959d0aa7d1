"""The impact dashboard, its downloads, PDF runs, the people behind a figure and the
yearly targets."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from academy.audit import access_record
from academy.csv_files import csv_download
from academy.forms import form_add_validation_error
from academy.lists import list_page
from academy.permissions import (
    Role,
    casework_required,
    report_readers_required,
    role_required,
)
from academy.ratelimit import bulk_limited
from academy.reauth import is_reauthenticated, reauth_required
from academy.tenancy import AcademyRequest

from . import services
from .exports import impact_csv_rows, impact_file_name
from .forms import ImpactTargetsForm, PeriodForm, ReportRunForm, TargetYearForm
from .funders.periods import financial_year_of, year_label
from .impact import METRIC_KEYS, METRICS, impact_report, metric_people
from .models import ReportRun
from .presenters import impact_page
from .selectors import impact_targets, report_narrative_last

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


NARRATIVE_DRAFT = "reporting:narrative-draft"
RunView = Callable[..., HttpResponseBase]


def _keeps_narrative(view: RunView) -> RunView:
    """A narrative posted once the "Confirm it's you" window has passed is kept in
    the session for the form the person is sent back to: the confirmation never
    sends a POST again, and a narrative takes longer to write than the window."""

    @wraps(view)
    def wrapped(request: AcademyRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST" and not is_reauthenticated(request):
            request.session[NARRATIVE_DRAFT] = {
                "academy": request.academy.pk,
                "text": request.POST.get("narrative", "")[: 2 * services.NARRATIVE_MAX],
            }
        return view(request, *args, **kwargs)

    return wrapped


def _narrative_to_start_from(request: AcademyRequest) -> str:
    """The draft kept while the person confirmed who they are, else the academy's
    last narrative."""
    draft = request.session.pop(NARRATIVE_DRAFT, None)
    if isinstance(draft, dict) and draft.get("academy") == request.academy.pk:
        return str(draft.get("text", ""))
    return report_narrative_last(academy=request.academy)


@report_readers_required
@require_http_methods(["GET", "POST"])
@_keeps_narrative
@reauth_required
def run_request(request: AcademyRequest) -> HttpResponseBase:
    """The PDF's form: the period kept from the dashboard, for publication or not,
    and the narrative, started from the last one (GET); a worker is asked for the PDF
    (POST) and its page shows the progress."""
    if request.method == "POST":
        return _run_request_post(request)
    data = request.GET.copy()
    if "narrative" not in data:
        data["narrative"] = _narrative_to_start_from(request)
    form = ReportRunForm(data, academy=request.academy, today=timezone.localdate())
    form.is_valid()  # a period that cannot be made says so at once
    return render(request, "reporting/run_request.html", {"form": form})


@bulk_limited
def _run_request_post(request: AcademyRequest) -> HttpResponseBase:
    form = ReportRunForm(
        request.POST, academy=request.academy, today=timezone.localdate()
    )
    if form.is_valid():
        try:
            run = services.report_run_request(
                academy=request.academy,
                start=form.chosen.start,
                end=form.chosen.end,
                publish=form.cleaned_data["publish"],
                by=request.user,
                narrative=form.cleaned_data["narrative"],
            )
        except ValidationError as error:
            form_add_validation_error(form, error)
        else:
            return redirect(run)
    # What was typed stays in the form, with what to fix.
    return render(request, "reporting/run_request.html", {"form": form})


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


# Targets are report settings: managers and admins set them (spec/roles.md's impact
# report row gives coordinators the report to read, not its settings).
report_settings_required = role_required(Role.MANAGER, Role.ADMIN)


@report_settings_required
def impact_targets_edit(request: AcademyRequest) -> HttpResponse:
    """A target for each headline figure in a financial year, printed beside the
    figure in the PDF."""
    today = timezone.localdate()
    this_year = financial_year_of(today)
    chooser = TargetYearForm(
        request.GET if "year" in request.GET else {"year": this_year},
        academy=request.academy,
        today=today,
    )
    year = chooser.cleaned_data["year"] if chooser.is_valid() else this_year
    form = ImpactTargetsForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            year = form.cleaned_data["year"]
            try:
                changed = services.impact_targets_set(
                    academy=request.academy,
                    year=year,
                    values=form.values,
                    by=request.user,
                    today=today,
                )
            except ValidationError as error:
                form_add_validation_error(form, error)
            else:
                messages.success(
                    request,
                    f"Targets for {year_label(year)} saved"
                    + (f" ({changed} changed)." if changed else ": nothing changed."),
                )
                return redirect(f"{reverse('reporting:targets')}?year={year}")
        elif "year" in form.cleaned_data:
            year = form.cleaned_data["year"]
    targets = impact_targets(academy=request.academy, year=year)
    if request.method != "POST":
        form = ImpactTargetsForm(
            initial={
                "year": year,
                **{key: target.value for key, target in targets.items()},
            }
        )
    latest = max(targets.values(), key=lambda t: t.updated_at, default=None)
    return render(
        request,
        "reporting/impact_targets.html",
        {
            "chooser": chooser,
            "form": form,
            "year": year,
            "year_label": year_label(year),
            "latest": latest,
        },
    )
