"""A person's rights: everything held about them as a download (subject access), and
erasure."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from academy.permissions import Role, admin_required, casework_required
from academy.ratelimit import bulk_limited
from academy.reauth import reauth_required
from academy.tenancy import AcademyRequest

from .. import services
from ..forms import EraseForm
from ._common import _participant


@casework_required
def participant_rights(request: AcademyRequest, pk: int) -> HttpResponse:
    """What the person can ask for, and the buttons that do it."""
    participant = _participant(request, pk)
    return _page(request, participant, EraseForm(participant=participant))


def _page(
    request: AcademyRequest, participant: object, form: EraseForm
) -> HttpResponse:
    return render(
        request,
        "participants/rights.html",
        {
            "participant": participant,
            "form": form,
            "can_erase": request.membership.role == Role.ADMIN,
        },
    )


@casework_required
@reauth_required
@bulk_limited
def participant_access_export(request: AcademyRequest, pk: int) -> HttpResponse:
    """A zip of everything held about the person: JSON and a readable PDF."""
    participant = _participant(request, pk)  # recorded as an access, like every page
    bundle = services.subject_access_bundle(participant)
    response = HttpResponse(bundle, content_type="application/zip")
    name = f"subject-access-{participant.reference}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@admin_required
@require_POST
@reauth_required
def participant_erase(request: AcademyRequest, pk: int) -> HttpResponse:
    """Erase the person, after the reference is typed again and a reason given."""
    participant = _participant(request, pk)
    form = EraseForm(request.POST, participant=participant)
    if not form.is_valid():
        return _page(request, participant, form)
    done = services.participant_erase(
        participant=participant, by=request.user, reason=form.cleaned_data["reason"]
    )
    messages.success(
        request,
        f"Erased: {done.rows_cleared} records cleared, {done.history_removed} history "
        f"entries and {done.files_removed} uploaded files removed. Dates, statuses "
        "and outcomes stay, without a name, so past figures still count them.",
    )
    return redirect("participants:detail", pk=participant.pk)
