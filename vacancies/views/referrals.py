"""Matching pages and the referral pipeline: coordinators match and refer people;
providers (for their own opportunities) and coordinators move referrals along."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from academy.audit import access_record
from academy.forms import form_add_validation_error
from academy.lists import list_page
from academy.once import submit_once
from academy.permissions import (
    Role,
    casework_required,
    opportunities_required,
)
from academy.redirects import safe_next
from academy.tenancy import AcademyRequest
from participants.models import Participant

from .. import selectors, services
from ..filters import ReferralFilterSet
from ..forms_referrals import (
    ReferControls,
    ReferralAdvanceForm,
    ReferralCreateForm,
    ReferralInterviewForm,
)
from ..matching import TIE_BREAKERS, WEIGHTS, Match
from ..models import Referral, TrainingOpportunity, Vacancy


@dataclass(frozen=True)
class MatchRow:
    """One match as a matching page shows it: what, why, and the Refer button."""

    match: Match
    title: str
    url: str
    detail: str
    when: str
    referral: Referral | None = None
    form: ReferControls | None = None
    participant: Participant | None = None


# "How matches are ranked" on both matching pages: the table the code reads.
RANKING = {"weights": list(WEIGHTS.values()), "tie_breakers": TIE_BREAKERS}


def _refer_form(
    request: AcademyRequest,
    *,
    match: Match,
    participant_id: int,
    kind: str,
    title: str,
    can_refer: bool,
) -> ReferControls:
    opening_id = match.opening.id
    return ReferralCreateForm(
        initial={"participant": participant_id, kind: opening_id, "next": request.path},
        auto_id=f"refer-{participant_id}-{kind}-{opening_id}-%s",
        can_refer=can_refer,
        button_label=f"Refer to {title}",
        blockers=match.blockers,
    ).controls()


def _opportunity_rows(
    request: AcademyRequest, participant: Participant, matches: list[Match], kind: str
) -> list[MatchRow]:
    """Rows for a participant's matches: the opportunity, and a button or its stage."""
    membership = request.membership
    ids = [m.opening.id for m in matches]
    opportunities: dict[int, Vacancy] | dict[int, TrainingOpportunity] = (
        selectors.vacancy_list(membership=membership).in_bulk(ids)
        if kind == "vacancy"
        else TrainingOpportunity.objects.for_membership(membership)
        .select_related("organisation")
        .in_bulk(ids)
    )
    referred = {
        r.vacancy_id if kind == "vacancy" else r.training_id: r
        for r in selectors.referral_list(membership=membership).filter(
            participant=participant
        )
    }
    can_refer = participant.has_consent_to_share and participant.is_open
    rows = []
    for match in matches:
        opportunity = opportunities[match.opening.id]
        referral = referred.get(match.opening.id)
        rows.append(
            MatchRow(
                match=match,
                title=match.opening.title,
                url=opportunity.get_absolute_url(),
                detail=str(opportunity.organisation),
                when="Closes" if kind == "vacancy" else "Starts",
                referral=referral,
                form=None
                if referral
                else _refer_form(
                    request,
                    match=match,
                    participant_id=participant.pk,
                    kind=kind,
                    title=match.opening.title,
                    can_refer=can_refer,
                ),
            )
        )
    return rows


@casework_required
def participant_matches(request: AcademyRequest, pk: int) -> HttpResponse:
    """Open vacancies and training places ranked for one person, with the reasons."""
    participant = get_object_or_404(
        Participant.objects.for_membership(request.membership), pk=pk
    )
    access_record(request, participants=[participant])
    vacancies, training = selectors.matches_for_participant(
        membership=request.membership, participant=participant
    )
    return render(
        request,
        "vacancies/matches_participant.html",
        {
            "participant": participant,
            "vacancy_rows": _opportunity_rows(
                request, participant, vacancies, "vacancy"
            ),
            "training_rows": _opportunity_rows(
                request, participant, training, "training"
            ),
            **RANKING,
        },
    )


def _person_rows(
    request: AcademyRequest, vacancy: Vacancy, matches: list[Match]
) -> list[MatchRow]:
    """Rows for a vacancy's matches: the person, and a button (with consent) or the
    stage of their referral."""
    membership = request.membership
    people = Participant.objects.for_membership(membership).in_bulk(
        [m.person.id for m in matches]
    )
    referred = {
        r.participant_id: r
        for r in selectors.referral_list(membership=membership).filter(vacancy=vacancy)
    }
    is_open = vacancy.is_open_on(timezone.localdate())
    rows = []
    for match in matches:
        person = people[match.person.id]
        referral = referred.get(person.pk)
        rows.append(
            MatchRow(
                match=match,
                title=person.full_name,
                url=person.get_absolute_url(),
                detail=person.reference,
                when="",
                referral=referral,
                form=_refer_form(
                    request,
                    match=match,
                    participant_id=person.pk,
                    kind="vacancy",
                    title=f"{vacancy.title}: {person.full_name}",
                    can_refer=is_open,
                )
                if referral is None and person.has_consent_to_share
                else None,
                participant=person,
            )
        )
    return rows


@casework_required
def vacancy_matches(request: AcademyRequest, pk: int) -> HttpResponse:
    """The open cases best matched to a vacancy, with the reasons."""
    vacancy = get_object_or_404(
        selectors.vacancy_list(membership=request.membership), pk=pk
    )
    matches = selectors.matches_for_vacancy(
        membership=request.membership, vacancy=vacancy, limit=25
    )
    access_record(request, participants=[m.person.id for m in matches])
    return render(
        request,
        "vacancies/matches_vacancy.html",
        {
            "vacancy": vacancy,
            "rows": _person_rows(request, vacancy, matches),
            "is_open": vacancy.is_open_on(timezone.localdate()),
            **RANKING,
        },
    )


@casework_required
@require_POST
def referral_create(request: AcademyRequest) -> HttpResponse:
    """Refer a person to a vacancy or training place (the Refer buttons post here)."""
    form = ReferralCreateForm(request.POST)
    if not form.is_valid():
        problem = (
            " ".join(str(e) for e in form.non_field_errors())
            or "Choose who to refer, and to what."
        )
        messages.error(request, problem)
        return redirect(
            safe_next(
                request,
                form.cleaned_data.get("next"),
                reverse("vacancies:referral-list"),
            )
        )
    data = form.cleaned_data
    data["next"] = safe_next(request, data["next"])
    participant = get_object_or_404(
        Participant.objects.for_membership(request.membership), pk=data["participant"]
    )
    access_record(request, participants=[participant])
    vacancy = training = None
    if data["vacancy"]:
        vacancy = get_object_or_404(
            Vacancy.objects.for_academy(request.academy), pk=data["vacancy"]
        )
    else:
        training = get_object_or_404(
            TrainingOpportunity.objects.for_academy(request.academy),
            pk=data["training"],
        )
    back = data["next"] or reverse(
        "vacancies:participant-matches", args=[participant.pk]
    )
    try:
        return submit_once(
            request,
            form,
            lambda: services.referral_create(
                participant=participant,
                by=request.user,
                vacancy=vacancy,
                training=training,
                note=data["note"],
                blockers_confirmed=data["blockers_confirmed"],
            ),
            done=lambda referral: (
                f"{participant.full_name} referred to {referral.opportunity} "
                f"({referral.opportunity.organisation})."
            ),
            to=lambda referral: data["next"] or referral.get_absolute_url(),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)


@opportunities_required
def referral_list(request: AcademyRequest) -> HttpResponse:
    """Referrals the membership may see (a provider: its own), filtered by stage."""
    filterset = ReferralFilterSet(
        request.GET,
        queryset=selectors.referral_list(membership=request.membership),
        request=request,
    )
    page = list_page(request, filterset.qs)
    people = selectors.referral_people(
        referrals=list(page), membership=request.membership
    )
    access_record(request, participants=[r.participant_id for r in page])
    return render(
        request,
        "vacancies/referral_list.html",
        {
            "filterset": filterset,
            "page": page,
            "rows": zip(page, people, strict=True),
        },
    )


def _detail(
    request: AcademyRequest,
    referral: Referral,
    form: ReferralAdvanceForm,
    interview_form: ReferralInterviewForm | None = None,
) -> HttpResponse:
    access_record(request, participants=[referral.participant_id])
    if interview_form is None and referral.stage == Referral.Stage.INTERVIEW:
        interview_form = ReferralInterviewForm(referral=referral)
    return render(
        request,
        "vacancies/referral_detail.html",
        {
            "referral": referral,
            "person": selectors.referral_person(
                referral=referral, membership=request.membership
            ),
            "events": selectors.referral_history(
                referral=referral, membership=request.membership
            ),
            "form": form,
            "interview_form": interview_form,
            "interview": services.interview_said(referral),
            "can_move": bool(services.NEXT_STAGES.get(referral.stage)),
            "is_staff": request.membership.role != Role.PROVIDER,
        },
    )


@opportunities_required
def referral_detail(request: AcademyRequest, pk: int) -> HttpResponse:
    """A referral: the person as the viewer may see them, its history, and what next."""
    referral = get_object_or_404(
        selectors.referral_list(membership=request.membership), pk=pk
    )
    return _detail(request, referral, _advance_form(referral, None))


def _advance_form(referral: Referral, data: QueryDict | None) -> ReferralAdvanceForm:
    """The move form, offering the start already recorded by hand when there is one."""
    recorded = None
    if Referral.Stage.STARTED in services.NEXT_STAGES.get(referral.stage, ()):
        recorded = services.start_outcome_match(
            referral=referral, on=timezone.localdate()
        )
    return ReferralAdvanceForm(data, referral=referral, recorded_start=recorded)


@opportunities_required
@require_POST
def referral_advance(request: AcademyRequest, pk: int) -> HttpResponse:
    """Move a referral one step along; a start records the person's Outcome."""
    referral = get_object_or_404(
        selectors.referral_list(membership=request.membership), pk=pk
    )
    access_record(request, participants=[referral.participant_id])
    form = _advance_form(referral, request.POST)
    if form.is_valid():
        try:
            referral = services.referral_advance(
                referral=referral,
                to=form.cleaned_data["to"],
                by=request.user,
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
                link_outcome=form.cleaned_data.get("is_same_start", True),
                interview_at=form.cleaned_data.get("interview_at"),
                interview_place=form.cleaned_data.get("interview_place", ""),
            )
        except ValidationError as error:
            form_add_validation_error(form, error)
        else:
            messages.success(request, f"Moved to {referral.get_stage_display()}.")
            return redirect(referral)
    return _detail(request, referral, form)


@opportunities_required
@require_POST
def referral_interview(request: AcademyRequest, pk: int) -> HttpResponse:
    """Rearrange an arranged interview: a new date, time or place."""
    referral = get_object_or_404(
        selectors.referral_list(membership=request.membership), pk=pk
    )
    access_record(request, participants=[referral.participant_id])
    form = ReferralInterviewForm(request.POST, referral=referral)
    if form.is_valid():
        try:
            referral = services.referral_interview_rearrange(
                referral=referral,
                by=request.user,
                interview_at=form.cleaned_data.get("interview_at"),
                interview_place=form.cleaned_data["interview_place"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form_add_validation_error(form, error)
        else:
            messages.success(
                request, f"Interview moved to {services.interview_said(referral)}."
            )
            return redirect(referral)
    return _detail(request, referral, _advance_form(referral, None), form)
