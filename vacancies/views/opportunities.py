"""Providers' and staff's pages for vacancies and training places: the lists, posting
and editing, each one's page, and pausing, closing or re-opening a vacancy."""

from __future__ import annotations

from collections.abc import Collection

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from academy.forms import form_add_validation_error, posted
from academy.lists import list_page
from academy.once import submit_once
from academy.permissions import (
    OPPORTUNITIES,
    Role,
    any_member,
    opportunities_required,
)
from academy.tenancy import AcademyRequest

from .. import selectors, services
from ..filters import TrainingFilterSet, VacancyFilterSet
from ..forms import TrainingForm, VacancyForm
from ..models import TrainingOpportunity, Vacancy

# spec/roles.md: vacancies and training are created, edited and closed by these roles,
# a provider only for its own organisation (the querysets see to that).
PAGE_SIZE = 50


def _choice(request: AcademyRequest, name: str, allowed: Collection[str]) -> str:
    value = request.GET.get(name, "")
    return value if value in allowed else ""


def _can_manage(request: AcademyRequest) -> bool:
    return request.membership.role in OPPORTUNITIES


@opportunities_required
def vacancy_list(request: AcademyRequest) -> HttpResponse:
    """The vacancies the member manages: a provider's own, or all of the academy's."""
    filterset = VacancyFilterSet(
        request.GET,
        queryset=selectors.vacancy_list(membership=request.membership),
        request=request,
    )
    return render(
        request,
        "vacancies/vacancy_list.html",
        {
            "filterset": filterset,
            "page": list_page(request, filterset.qs),
            "show_organisation": request.membership.role != Role.PROVIDER,
            "today": timezone.localdate(),
        },
    )


def _vacancy_form(
    request: AcademyRequest, vacancy: Vacancy, *, heading: str
) -> HttpResponse:
    """Show the vacancy form, and save it through the service when it is valid."""
    is_new = vacancy.pk is None
    form = VacancyForm(posted(request), instance=vacancy, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        vacancy = form.save(commit=False)

        def save() -> Vacancy:
            # A provider's vacancy is its own organisation's, whatever was posted.
            vacancy.organisation = services.organisation_for(
                request.membership, form.cleaned_data.get("organisation")
            )
            return services.vacancy_save(vacancy=vacancy, by=request.user)

        try:
            return submit_once(
                request,
                form,
                save,
                done=lambda v: f"{v} is {'posted' if is_new else 'saved'}.",
            )
        except ValidationError as error:
            form_add_validation_error(form, error)
    return render(
        request,
        "vacancies/vacancy_form.html",
        {
            "form": form,
            "heading": heading,
            "vacancy_pk": None if is_new else vacancy.pk,
        },
    )


@opportunities_required
def vacancy_add(request: AcademyRequest) -> HttpResponse:
    """Post a new vacancy."""
    return _vacancy_form(
        request, Vacancy(academy=request.academy), heading="Post a vacancy"
    )


def _vacancy_or_404(request: AcademyRequest, pk: int) -> Vacancy:
    return get_object_or_404(
        selectors.vacancy_list(membership=request.membership), pk=pk
    )


@opportunities_required
def vacancy_edit(request: AcademyRequest, pk: int) -> HttpResponse:
    """Change a vacancy's details."""
    vacancy = _vacancy_or_404(request, pk)
    return _vacancy_form(request, vacancy, heading=f"Edit: {vacancy.title}")


@any_member
def vacancy_detail(request: AcademyRequest, pk: int) -> HttpResponse:
    """Everything about one vacancy; its managers also get edit and status buttons."""
    vacancy = _vacancy_or_404(request, pk)
    today = timezone.localdate()
    can_manage = _can_manage(request)
    return render(
        request,
        "vacancies/vacancy_detail.html",
        {
            "vacancy": vacancy,
            "can_manage": can_manage,
            "can_match": request.membership.role in (Role.COORDINATOR, Role.ADMIN),
            "status_actions": services.VACANCY_MOVES[vacancy.status]
            if can_manage
            else [],
            "is_past_closing": vacancy.closing_on < today,
            "is_on_board": vacancy.is_open_on(today),
        },
    )


@opportunities_required
@require_POST
def vacancy_status(request: AcademyRequest, pk: int) -> HttpResponse:
    """Pause, close or re-open a vacancy."""
    vacancy = _vacancy_or_404(request, pk)
    try:
        move = services.vacancy_status_set(
            vacancy=vacancy, status=request.POST.get("status", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{vacancy} is {move.done}.")
    return redirect(vacancy)


@opportunities_required
def training_list(request: AcademyRequest) -> HttpResponse:
    """The training places the member manages: a provider's own, or the academy's."""
    filterset = TrainingFilterSet(
        request.GET,
        queryset=TrainingOpportunity.objects.for_membership(
            request.membership
        ).select_related("organisation"),
        request=request,
    )
    return render(
        request,
        "vacancies/training_list.html",
        {
            "filterset": filterset,
            "page": list_page(request, filterset.qs),
            "show_organisation": request.membership.role != Role.PROVIDER,
        },
    )


def _training_form(
    request: AcademyRequest, training: TrainingOpportunity, *, heading: str
) -> HttpResponse:
    """Show the training form, and save it through the service when it is valid."""
    is_new = training.pk is None
    form = TrainingForm(
        posted(request), instance=training, membership=request.membership
    )
    if request.method == "POST" and form.is_valid():
        training = form.save(commit=False)

        def save() -> TrainingOpportunity:
            training.organisation = services.organisation_for(
                request.membership, form.cleaned_data.get("organisation")
            )
            return services.training_save(training=training)

        try:
            return submit_once(
                request,
                form,
                save,
                done=lambda t: f"{t} is {'offered' if is_new else 'saved'}.",
            )
        except ValidationError as error:
            form_add_validation_error(form, error)
    return render(
        request,
        "vacancies/training_form.html",
        {
            "form": form,
            "heading": heading,
            "training_pk": None if is_new else training.pk,
        },
    )


def _training_or_404(request: AcademyRequest, pk: int) -> TrainingOpportunity:
    training = TrainingOpportunity.objects.for_membership(request.membership)
    return get_object_or_404(training.select_related("organisation"), pk=pk)


@opportunities_required
def training_add(request: AcademyRequest) -> HttpResponse:
    """Offer a training place, work placement or interview preparation."""
    return _training_form(
        request,
        TrainingOpportunity(academy=request.academy),
        heading="Offer a training place",
    )


@opportunities_required
def training_edit(request: AcademyRequest, pk: int) -> HttpResponse:
    """Change a training place's details, or close it."""
    training = _training_or_404(request, pk)
    return _training_form(request, training, heading=f"Edit: {training.title}")


@any_member
def training_detail(request: AcademyRequest, pk: int) -> HttpResponse:
    """Everything about one training place; its managers also get the edit button."""
    training = _training_or_404(request, pk)
    return render(
        request,
        "vacancies/training_detail.html",
        {"training": training, "can_manage": _can_manage(request)},
    )
