"""The public vacancy board: an academy's open vacancies, for anyone, signed in or not.

spec/roles.md: the public sees open vacancies only, and no internal field (who posted
it, its status, the full postcode or its coordinates, referrals).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from academy.lists import list_page
from academy.models import Academy
from academy.places.geo import postcode_parts

from .. import selectors
from ..forms import BoardFilterForm
from ..models import Vacancy

PAGE_SIZE = 25


@dataclass(frozen=True)
class BoardRow:
    """A vacancy as the board lists it, with its area rather than its postcode."""

    vacancy: Vacancy
    area: str
    distance_km: float | None


def _area(postcode: str) -> str:
    """The postcode district (PL4 of PL4 6AB): the most the public is told."""
    parts = postcode_parts(postcode)
    return parts[0] if parts else ""


@login_not_required
@require_safe
def board_list(request: HttpRequest, academy_slug: str) -> HttpResponse:
    """The academy's open vacancies, by role, setting, area, hours and distance."""
    academy = get_object_or_404(Academy, slug=academy_slug)
    form = BoardFilterForm(request.GET)
    form.is_valid()  # an invalid filter is shown with its error, and left out
    entries, note = selectors.public_board(academy=academy, filters=form.filters())
    rows = [
        BoardRow(e.vacancy, _area(e.vacancy.postcode), e.distance_km) for e in entries
    ]
    page = list_page(request, rows, per_page=PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "vacancies/board_list.html",
        {
            "academy": academy,
            "form": form,
            "page": page,
            "note": note,
            "query": query.urlencode(),
            "is_filtered": any(query.dict().values()),
        },
    )


@login_not_required
@require_safe
def board_detail(request: HttpRequest, academy_slug: str, pk: int) -> HttpResponse:
    """One open vacancy's public details, and the way to register interest in it."""
    academy = get_object_or_404(Academy, slug=academy_slug)
    vacancy = get_object_or_404(
        selectors.open_vacancies(academy=academy).select_related("organisation"),
        pk=pk,
    )
    return render(
        request,
        "vacancies/board_detail.html",
        {"academy": academy, "vacancy": vacancy, "area": _area(vacancy.postcode)},
    )
