"""Funder returns: build one for a financial year (on screen, XLSX and CSV, with the
exceptions to fix), and an admin's pages to add, change and retire returns and their
figures. Managers see aggregates only (spec/roles.md): the exceptions' people are
listed for coordinators and admins."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from academy.audit import access_record
from academy.csv_files import csv_download
from academy.forms import form_add_validation_error, posted
from academy.permissions import (
    CASEWORK,
    Role,
    admin_required,
    report_readers_required,
)
from academy.ratelimit import bulk_limited
from academy.reauth import reauth_required
from academy.tenancy import AcademyRequest

from ..models import FunderReturn, FunderReturnFigures, Indicator
from . import services
from .build import (
    BuiltReturn,
    counted_present,
    exceptions_people_now,
    filters_label,
    funder_return_list,
    indicator_next_order,
)
from .exports import XLSX_TYPE, return_csv_rows, return_file_name, return_xlsx
from .forms import FunderReturnForm, IndicatorForm, ReturnYearForm
from .metrics import FUNDER_METRICS
from .periods import year_label

_ANY_PK = 987654321


def _return(request: AcademyRequest, pk: int) -> FunderReturn:
    return get_object_or_404(
        funder_return_list(membership=request.membership).select_related("academy"),
        pk=pk,
    )


def _year_form(
    request: AcademyRequest, data: QueryDict | None = None
) -> ReturnYearForm:
    return ReturnYearForm(
        request.GET if data is None else data,
        academy=request.academy,
        today=timezone.localdate(),
    )


def _built(
    request: AcademyRequest,
    funder_return: FunderReturn,
    *,
    with_exceptions: bool = False,
    stale_counted: bool = False,
) -> tuple[BuiltReturn, FunderReturnFigures] | None:
    """The return's figures as stored for the year the form chose (this year when
    none is; counted now if never before, or if stale when `stale_counted`), with its
    exceptions to fix when asked (who they are for the roles that see people, as
    they are now)."""
    form = _year_form(request)
    if not form.is_valid():
        return None
    counted, stored = services.funder_figures_current(
        funder_return=funder_return,
        year=form.cleaned_data["year"],
        stale_counted=stale_counted,
    )
    if with_exceptions and request.membership.role in CASEWORK:
        counted = replace(
            counted,
            exceptions=exceptions_people_now(
                counted.exceptions, membership=request.membership
            ),
        )
    built = counted_present(
        counted,
        publish=form.cleaned_data["publish"],
        produced_at=stored.computed_at,
        with_exceptions=with_exceptions,
        with_people=request.membership.role in CASEWORK,
    )
    return built, stored


@report_readers_required
def funder_return_index(request: AcademyRequest) -> HttpResponse:
    """The academy's funder returns."""
    returns = funder_return_list(membership=request.membership)
    return render(
        request,
        "reporting/funders/return_list.html",
        {"returns": returns, "can_change": request.membership.role == Role.ADMIN},
    )


def _recount(request: AcademyRequest, funder_return: FunderReturn) -> HttpResponse:
    """Count the figures of the year posted again, then back to the page for it."""
    form = _year_form(request, request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a financial year from the list.")
        return redirect(funder_return)
    year = form.cleaned_data["year"]
    back = QueryDict(mutable=True)
    back["year"] = str(year)
    if form.cleaned_data["publish"]:
        back["publish"] = "on"
    if services.funder_figures_count_again(funder_return=funder_return, year=year):
        messages.success(
            request,
            f"Counted again: the figures for {year_label(year)} are as of "
            f"{timezone.localtime():%H:%M}.",
        )
    else:
        messages.info(request, "Counted a moment ago; nothing has changed since.")
    return redirect(f"{funder_return.get_absolute_url()}?{back.urlencode()}")


@report_readers_required
def funder_return_detail(request: AcademyRequest, pk: int) -> HttpResponse:
    """A return's figures for a financial year, its downloads, and the people
    counted without their start evidence. A POST counts the figures again now (its
    "Count again now")."""
    funder_return = _return(request, pk)
    if request.method == "POST":
        return _recount(request, funder_return)
    form = _year_form(request)
    found = _built(request, funder_return, with_exceptions=True)
    built = found[0] if found else None
    context: dict[str, object] = {
        "funder_return": funder_return,
        "form": form,
        "built": built,
        "changed_since": found is not None and found[1].is_stale,
        "can_see_people": request.membership.role in CASEWORK,
        "can_change": request.membership.role == Role.ADMIN,
        "query": request.GET.urlencode(),
        "today": timezone.localtime(),
    }
    if built is not None and built.exceptions is not None:
        access_record(request, participants=[p.pk for p in built.exceptions.people])
        context["exceptions"] = built.exceptions
        # Each person's link from one reversed address (a page may list thousands).
        address = reverse("participants:detail", args=[_ANY_PK])
        context["link_start"], context["link_end"] = address.split(str(_ANY_PK), 1)
    return render(request, "reporting/funders/return_detail.html", context)


@report_readers_required
@reauth_required
@bulk_limited
def funder_return_xlsx(request: AcademyRequest, pk: int) -> HttpResponseBase:
    """The return as the funder's workbook."""
    funder_return = _return(request, pk)
    found = _built(request, funder_return, stale_counted=True)
    if found is None:
        messages.error(request, "Choose a financial year from the list.")
        return redirect(funder_return)
    built = found[0]
    response = HttpResponse(return_xlsx(built), content_type=XLSX_TYPE)
    name = return_file_name(built, ext="xlsx")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@report_readers_required
@reauth_required
@bulk_limited
def funder_return_csv(request: AcademyRequest, pk: int) -> HttpResponseBase:
    """The return's rows as CSV."""
    funder_return = _return(request, pk)
    found = _built(request, funder_return, stale_counted=True)
    if found is None:
        messages.error(request, "Choose a financial year from the list.")
        return redirect(funder_return)
    built = found[0]
    return csv_download(
        return_csv_rows(built), filename=return_file_name(built, ext="csv")
    )


@admin_required
def funder_return_edit(request: AcademyRequest, pk: int | None = None) -> HttpResponse:
    """Add a return, or change one: its name, code, funder, pattern, or retire it;
    its figures are listed to change."""
    if pk is None:
        funder_return = FunderReturn(academy=request.academy)
    else:
        funder_return = _return(request, pk)
    form = FunderReturnForm(posted(request), instance=funder_return)
    if request.method == "POST" and form.is_valid():
        try:
            services.funder_return_save(funder_return=form.instance, by=request.user)
        except ValidationError as error:
            form_add_validation_error(form, error)
        else:
            messages.success(
                request,
                f"{funder_return} saved (version {funder_return.version}).",
            )
            return redirect("reporting:funder-return-edit", funder_return.pk)
    indicators = (
        Indicator.objects.filter(funder_return=funder_return)
        if pk
        else Indicator.objects.none()
    )
    return render(
        request,
        "reporting/funders/return_edit.html",
        {
            "form": form,
            "funder_return": funder_return if pk else None,
            "indicators": [(i, _counts(i), filters_label(i)) for i in indicators],
        },
    )


def _counts(indicator: Indicator) -> str:
    metric = FUNDER_METRICS.get(indicator.metric)
    return metric.label if metric else "Not counted: choose what it counts"


def _indicator_page(
    request: AcademyRequest, indicator: Indicator, *, is_new: bool
) -> HttpResponse:
    form = IndicatorForm(posted(request), instance=indicator)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_save(indicator=form.instance, by=request.user)
        except ValidationError as error:
            form_add_validation_error(form, error)
        else:
            funder_return = indicator.funder_return
            messages.success(
                request,
                f"{indicator.code} saved: {funder_return} is now version "
                f"{funder_return.version}.",
            )
            return redirect("reporting:funder-return-edit", funder_return.pk)
    return render(
        request,
        "reporting/funders/indicator_edit.html",
        {
            "form": form,
            "indicator": None if is_new else indicator,
            "funder_return": indicator.funder_return,
            "metrics": list(FUNDER_METRICS.values()),
        },
    )


@admin_required
def indicator_add(request: AcademyRequest, pk: int) -> HttpResponse:
    """Add a figure to a return."""
    funder_return = _return(request, pk)
    indicator = Indicator(
        funder_return=funder_return, order=indicator_next_order(funder_return)
    )
    return _indicator_page(request, indicator, is_new=True)


@admin_required
def indicator_edit(request: AcademyRequest, pk: int) -> HttpResponse:
    """Change one figure of a return, or retire it."""
    indicator = get_object_or_404(
        Indicator.objects.for_membership(request.membership).select_related(
            "funder_return"
        ),
        pk=pk,
    )
    return _indicator_page(request, indicator, is_new=False)
