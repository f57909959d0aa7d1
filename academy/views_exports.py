"""Exports: a small one streams at once; a large one is written by a worker while its
page shows progress, then offers the file to the member who asked
(academy/exports.py)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render

from .csv_files import csv_download
from .exports import (
    ExportKind,
    ExportSource,
    export_filename,
    export_is_direct,
    export_kind,
    export_run_fail,
    export_run_request,
)
from .models.exports import ExportRun
from .permissions import casework_required
from .reauth import reauth_required
from .tenancy import AcademyRequest


def export_respond(
    request: AcademyRequest,
    *,
    kind: ExportKind,
    source: ExportSource,
    query: QueryDict,
) -> HttpResponseBase:
    """The file at once when it is small (DIRECT_ROWS), else a run a worker writes and
    the page that follows it. Views call this after recording the access."""
    total = source.count()
    if export_is_direct(total):
        return csv_download(source.rows(), filename=export_filename(kind))
    run = export_run_request(
        kind=kind,
        membership=request.membership,
        by=request.user,
        query=query,
        total=total,
    )
    if source.ignored:
        messages.warning(
            request,
            "Some filters were not understood and were left out: "
            + "; ".join(source.ignored),
        )
    return redirect(run)


def _run(request: AcademyRequest, pk: int) -> tuple[ExportRun, ExportKind]:
    """A run of this academy asked for by this member, of a kind their role may
    export; any other is not found."""
    run = get_object_or_404(
        ExportRun.objects.for_membership(request.membership).filter(
            requested_by=request.user
        ),
        pk=pk,
    )
    try:
        kind = export_kind(run.kind)
    except KeyError:
        raise Http404("No such export.") from None
    if request.membership.role not in kind.roles:
        raise Http404("No such export.")
    return run, kind


# Every kind of export is casework or the audit (admins, who are in CASEWORK); the
# kind's own roles are checked on each run.
@casework_required
def export_run_detail(request: AcademyRequest, pk: int) -> HttpResponse:
    """An export's progress; htmx polls the status part until the file is ready."""
    run, kind = _run(request, pk)
    template = (
        "academy/_export_run_status.html"
        if request.htmx
        else "academy/export_run_detail.html"
    )
    return render(request, template, {"run": run, "kind": kind})


LOST_FILE = (
    "The file is no longer kept (exported files are removed after two days, or it "
    "was not restored from a backup). Export the list again."
)


@casework_required
@reauth_required
def export_run_download(request: AcademyRequest, pk: int) -> HttpResponseBase:
    """The finished file, only to the member who asked; nothing before it is whole."""
    run, _kind = _run(request, pk)
    if run.status != ExportRun.Status.DONE or not run.file:
        raise Http404("This export is not ready.")
    try:
        handle = run.file.open("rb")
    except FileNotFoundError:
        export_run_fail(run.pk, LOST_FILE, was=ExportRun.Status.DONE)
        messages.error(request, LOST_FILE)
        return redirect(run)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=run.filename,
        content_type="text/csv; charset=utf-8",
    )
