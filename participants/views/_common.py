"""What the casework pages share: finding the participant and the shape of a 'record
one thing about a participant' page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from academy.audit import access_record
from academy.forms import form_add_validation_error, posted
from academy.once import submit_once
from academy.tenancy import AcademyRequest

from ..models import Participant


def _participant(request: AcademyRequest, pk: int) -> Participant:
    """The academy's participant `pk` (else 404), its opening recorded in the audit."""
    participant = get_object_or_404(
        Participant.objects.for_membership(request.membership), pk=pk
    )
    access_record(request, participants=[participant])
    return participant


def _form_page(
    request: AcademyRequest,
    participant: Participant,
    form: Any,
    title: str,
    template: str = "participants/participant_form.html",
    **extra: Any,
) -> HttpResponse:
    access_record(request, participants=[participant])
    return render(
        request,
        template,
        {"participant": participant, "form": form, "title": title, **extra},
    )


def _record(
    request: AcademyRequest,
    pk: int,
    form_class: Any,
    service: Any,
    title: str,
    done: str,
    next_step: Callable[[Any], tuple[str, str] | None] | None = None,
    **form_kwargs: Any,
) -> HttpResponse:
    """The common shape of 'record one thing about a participant' pages: saved once
    however often the form is sent, then back to the person (or to what `next_step`
    offers to do next, with its offer shown)."""
    participant = _participant(request, pk)
    form = form_class(posted(request), **form_kwargs)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "submission"}

        def where(saved: Any) -> str:
            offer = next_step(saved) if next_step is not None else None
            if offer is None:
                return participant.get_absolute_url()
            messages.info(request, offer[0])
            return offer[1]

        try:
            return submit_once(
                request,
                form,
                lambda: service(participant=participant, by=request.user, **data),
                done=done,
                to=where,
            )
        except ValidationError as error:
            form_add_validation_error(form, error)
    return _form_page(request, participant, form, title)
