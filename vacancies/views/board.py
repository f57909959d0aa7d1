"""The public vacancy board: an academy's open vacancies, for anyone, signed in or not.

spec/roles.md: the public sees open vacancies only, and no internal field (who posted
it, its status, the full postcode or its coordinates, referrals).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
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


def _kept_html(
    name: str, academy: Academy, request: HttpRequest, build: Callable[[], SafeString]
) -> SafeString:
    """HTML for the query, kept BOARD_KEPT_SECONDS per academy, day and query (a
    public page: nothing in it is the requester's)."""
    query = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()
    day = timezone.localdate().isoformat()  # which vacancies are open
    # The template engine's SafeString, kept as one (pickled with its class).
    return kept(
        f"board:{name}:{academy.pk}:{day}:{query}",
        build,
        seconds=BOARD_KEPT_SECONDS,
        generation=_generation_key(academy.pk),
    )


@login_not_required
@require_safe
def board_list(request: HttpRequest, academy_slug: str) -> HttpResponse:
    """The academy's open vacancies: searched, filtered, sorted and paged."""
    academy = get_object_or_404(Academy, slug=academy_slug)
    form = VacancyBoardForm(request.GET)
    form.is_valid()  # an invalid filter is shown with its error, and left out
    filters = [str(v) for k, v in request.GET.items() if k not in NOT_FILTERS]
    is_filtered = any(value.strip() for value in filters)

    def results() -> SafeString:
        board = selectors.vacancy_board(academy=academy, filters=form.filters())
        page = list_page(request, board.vacancies, per_page=PAGE_SIZE)
        page.object_list = [board.row(vacancy) for vacancy in page.object_list]
        context = {
            "academy": academy,
            "page": page,
            "note": board.note,
            "is_filtered": is_filtered,
        }
        return render_to_string("vacancies/_board_results.html", context, request)

    def filter_form() -> SafeString:
        # The same HTML for the same query (its choices are fixed); rendering it
        # was half the board's time.
        return render_to_string("vacancies/_board_filter_form.html", {"form": form})

    return render(
        request,
        "vacancies/board_list.html",
        {
            "academy": academy,
            "filter_form": _kept_html("filters", academy, request, filter_form),
            "results": _kept_html("results", academy, request, results),
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
