"""Importing existing records from CSV or XLSX: upload, preview, confirm."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from academy.audit import access_record
from academy.csv_files import csv_download
from academy.once import submit_once
from academy.permissions import casework_required
from academy.tenancy import AcademyRequest
from academy.uploads import uploaded_files

from .. import imports, selectors
from ..forms import ImportConfirmForm, ImportUploadForm
from ..models import ImportRun
from ..services.imports import import_run_confirm, import_run_create

RECENT_RUNS = 20
PROBLEMS_SHOWN = 1000


@dataclass(frozen=True)
class KindGuide:
    """The columns of one kind of file, for the upload page."""

    kind: str
    label: str
    columns: tuple[imports.Column, ...]
    template_url: str


def _guides() -> list[KindGuide]:
    url = reverse("participants:import-upload")
    return [
        KindGuide(
            kind,
            label,
            imports.COLUMNS[kind],
            f"{url}?{urlencode({'template': kind})}",
        )
        for kind, label in ImportRun.Kind.choices
    ]


def _template_csv(kind: str) -> HttpResponseBase:
    if kind not in ImportRun.Kind.values:
        raise Http404("No such kind of import.")
    return csv_download(
        [imports.template_header(kind)], filename=f"{kind}-template.csv"
    )


@casework_required
def import_upload(request: AcademyRequest) -> HttpResponseBase:
    """Choose a kind and a file: it is stored and its check queued (a worker reads
    it, never this request), and its page shows the preview, not imported."""
    if "template" in request.GET:
        return _template_csv(request.GET["template"])
    form = ImportUploadForm(
        request.POST or None, uploaded_files(request), membership=request.membership
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        return submit_once(
            request,
            form,
            lambda: import_run_create(
                academy=request.academy,
                by=request.user,
                kind=data["kind"],
                upload=data["file"],
                coordinator=data["coordinator"],
            ),
            done=None,  # the run's page says what was found
        )
    runs = ImportRun.objects.for_membership(request.membership).select_related(
        "created_by"
    )[:RECENT_RUNS]
    return render(
        request,
        "participants/import_upload.html",
        {"form": form, "guides": _guides(), "runs": runs},
    )


@casework_required
def import_detail(request: AcademyRequest, pk: int) -> HttpResponse:
    """A checked file's preview or problems; POST confirms it, queueing its import.

    While the check or the import waits or runs, htmx polls the status part of this
    page, which shows the preview once the check is done.
    """
    run = get_object_or_404(
        ImportRun.objects.for_membership(request.membership).select_related(
            "created_by"
        ),
        pk=pk,
    )
    if request.method == "POST":
        confirm = ImportConfirmForm(request.POST, run=run)
        accepted = confirm.cleaned_data["accept"] if confirm.is_valid() else []
        try:
            run = import_run_confirm(run=run, by=request.user, accepted=accepted)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(run)
    if request.GET.get("download") == "problems":
        response = HttpResponse(
            "\n".join(run.problems) + "\n", content_type="text/plain; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="import-{run.pk}-problems.txt"'
        )
        return response
    access_record(request, participants=selectors.import_run_people(run=run))
    problems = [imports.Problem.parse(line) for line in run.problems[:PROBLEMS_SHOWN]]
    template = (
        "participants/_import_status.html"
        if request.htmx
        else "participants/import_detail.html"
    )
    return render(
        request,
        template,
        {
            "run": run,
            "summary": run.summary,
            "problems": problems,
            "more_problems": max(len(run.problems) - PROBLEMS_SHOWN, 0),
            "form": ImportConfirmForm(run=run)
            if run.status == ImportRun.Status.PREVIEWED
            else None,
        },
    )


@casework_required
def import_format(request: AcademyRequest) -> HttpResponse:
    """The import format: the columns of each kind and the rules an import follows."""
    return render(
        request,
        "participants/import_format.html",
        {"guides": _guides(), "max_rows": settings.IMPORT_MAX_ROWS},
    )
