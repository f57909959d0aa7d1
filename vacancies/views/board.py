"""The public vacancy board: an academy's open vacancies, for anyone, signed in or not.

spec/roles.md: the public sees open vacancies only, and no internal field (who posted
it, its status, the full postcode or its coordinates, referrals).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from academy.lists import list_page
from academy.models import Academy

from .. import selectors_public as selectors
from ..forms_public import VacancyBoardForm

PAGE_SIZE = 25
NOT_FILTERS = ("page", "sort")  # the page and the order narrow nothing


@login_not_required
@require_safe
def board_list(request: HttpRequest, academy_slug: str) -> HttpResponse:
    """The academy's open vacancies: searched, filtered, sorted and paged."""
    academy = get_object_or_404(Academy, slug=academy_slug)
    form = VacancyBoardForm(request.GET)
    form.is_valid()  # an invalid filter is shown with its error, and left out
    board = selectors.vacancy_board(academy=academy, filters=form.filters())
    page = list_page(request, board.vacancies, per_page=PAGE_SIZE)
    page.object_list = [board.row(vacancy) for vacancy in page.object_list]
    filters = [str(v) for k, v in request.GET.items() if k not in NOT_FILTERS]
    return render(
        request,
        "vacancies/board_list.html",
        {
            "academy": academy,
            "form": form,
            "page": page,
            "note": board.note,
            "is_filtered": any(value.strip() for value in filters),
        },
    )


@login_not_required
@require_safe
def board_detail(request: HttpRequest, academy_slug: str, pk: int) -> HttpResponse:
    """One open vacancy's public details, with its schema.org JobPosting, and the way
    to register interest in it. Any other is 404, saying only that it is closed."""
    academy = get_object_or_404(Academy, slug=academy_slug)
    vacancy = selectors.open_vacancy_get(academy=academy, pk=pk)
    if vacancy is None:
        return render(
            request, "vacancies/board_closed.html", {"academy": academy}, status=404
        )
    posting = selectors.job_posting(
        vacancy=vacancy, url=request.build_absolute_uri(request.path)
    )
    return render(
        request,
        "vacancies/board_detail.html",
        {
            "academy": academy,
            "vacancy": vacancy,
            "area": selectors.postcode_area(vacancy.postcode),
            "job_posting": selectors.json_for_script(posting),
        },
    )
