"""A person's plan to take away: a one-page print view and the same page as a PDF."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from academy.audit import access_record
from academy.pdf import render_pdf
from academy.permissions import casework_required
from academy.ratelimit import bulk_limited
from academy.reauth import reauth_required
from academy.tenancy import AcademyRequest

from ..selectors.plan_sheet import PlanSheet, plan_sheet, plan_sheet_plans

TEMPLATE = "print/plan.html"


def _sheet(request: AcademyRequest, pk: int) -> PlanSheet:
    plan = get_object_or_404(plan_sheet_plans(membership=request.membership), pk=pk)
    access_record(request, participants=[plan.participant])
    return plan_sheet(plan=plan, academy=request.academy)


@casework_required
def plan_print(request: AcademyRequest, pk: int) -> HttpResponse:
    """The plan as a page to print (the browser's Print prints the sheet only)."""
    return render(request, TEMPLATE, {"sheet": _sheet(request, pk), "is_pdf": False})


@casework_required
@reauth_required
@bulk_limited
def plan_pdf(request: AcademyRequest, pk: int) -> HttpResponse:
    """The plan as a one-page PDF, to e-mail or hand over."""
    sheet = _sheet(request, pk)
    pdf = render_pdf(TEMPLATE, {"sheet": sheet, "is_pdf": True})
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"plan-{sheet.reference}-{sheet.printed_on.isoformat()}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
