"""The public vacancy board: an academy's open vacancies, for anyone, signed in or not.

spec/roles.md: the public sees open vacancies only, and no internal field (who posted
it, its status, the full postcode or its coordinates, referrals).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe

from academy.kept import kept, refresh
from academy.lists import list_page
from academy.models import Academy

from .. import selectors_public as selectors
from ..forms_public import VacancyBoardForm

PAGE_SIZE = 25
NOT_FILTERS = ("page", "sort")  # the page and the order narrow nothing


# The board's jobs and filter form for a query are kept this long. A vacancy or
# organisation saved or deleted shows at once (`board_changed`, connected in
# VacanciesConfig.ready()); a change past the models (a bulk update) within this.
BOARD_KEPT_SECONDS = 60


def _generation_key(academy_id: int) -> str:
    return f"board:generation:{academy_id}"


def board_changed(sender: object, instance: Any, **kwargs: object) -> None:
    """A vacancy or organisation was saved or deleted: its academy's board shows it."""
    refresh(_generation_key(instance.academy_id), seconds=BOARD_KEPT_SECONDS)


@login_not_required
@require_safe
def board_list(request: HttpRequest, academy_slug: str) -> HttpResponse:
    """The academy's open vacancies: searched, filtered, sorted and paged."""
    academy = get_object_or_404(Academy, slug=academy_slug)
    form = VacancyBoardForm(request.GET)
    form.is_valid()  # an invalid filter is shown with its error, and left out
    filters = [str(v) for k, v in request.GET.items() if k not in NOT_FILTERS]
    is_filtered = any(value.strip() for value in filters)

    def build() -> tuple[SafeString, SafeString]:
        """The filter form (the same HTML for the same query: its choices are fixed;
        rendering it was half the board's time) and the jobs the query finds."""
        board = selectors.vacancy_board(academy=academy, filters=form.filters())
        page = list_page(request, board.vacancies, per_page=PAGE_SIZE)
        page.object_list = [board.row(vacancy) for vacancy in page.object_list]
        context = {
            "academy": academy,
            "page": page,
            "note": board.note,
            "is_filtered": is_filtered,
        }
        return (
            render_to_string("vacancies/_board_filter_form.html", {"form": form}),
            render_to_string("vacancies/_board_results.html", context, request),
        )

    # Kept per academy, day (which vacancies are open) and query: a public page,
    # nothing in it is the requester's. The template engine's SafeStrings, kept as
    # such (pickled with their class).
    query = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()
    day = timezone.localdate().isoformat()
    filter_form, results = kept(
        f"board:{academy.pk}:{day}:{query}",
        build,
        seconds=BOARD_KEPT_SECONDS,
        generation=_generation_key(academy.pk),
    )
    return render(
        request,
        "vacancies/board_list.html",
        {
            "academy": academy,
            "filter_form": filter_form,
            "results": results,
            "is_filtered": is_filtered,
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
