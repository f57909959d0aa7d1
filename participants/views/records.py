"""A coordinator's pages for recording casework: meetings, plans and their actions,
support, outcomes and sustainment checks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from academy.audit import access_record
from academy.forms import form_add_validation_error, posted
from academy.lists import list_page
from academy.once import submit_once
from academy.permissions import casework_required
from academy.redirects import safe_next
from academy.tenancy import AcademyRequest

from .. import selectors, services
from ..forms import (
    PLAN_ACTIONS_MAX,
    MeetingForm,
    OutcomeDoubleForm,
    OutcomeForm,
    PlanActionForm,
    PlanActionFormSet,
    PlanForm,
    PlanReviewForm,
    SupportForm,
    SustainmentCheckForm,
)
from ..models import PlanAction, SkillsActionPlan, SustainmentCheck
from ._common import _form_page, _participant, _record


@casework_required
def meeting_add(request: AcademyRequest, pk: int) -> HttpResponse:
    """Log a meeting."""
    return _record(
        request,
        pk,
        MeetingForm,
        services.meeting_log,
        "Log a meeting",
        "Meeting logged.",
    )


@casework_required
def support_add(request: AcademyRequest, pk: int) -> HttpResponse:
    """Record support given."""
    return _record(
        request,
        pk,
        SupportForm,
        services.support_record,
        "Record support",
        "Support recorded.",
        membership=request.membership,
    )


@casework_required
def outcome_add(request: AcademyRequest, pk: int) -> HttpResponse:
    """Record an outcome (a job start also schedules sustainment checks)."""
    return _record(
        request,
        pk,
        OutcomeForm,
        services.outcome_record,
        "Record an outcome",
        "Outcome recorded.",
        next_step=selectors.outcome_followup,
    )


def _actions(formset: Any) -> list[services.NewAction]:
    kept = (f for f in formset.forms if f not in formset.deleted_forms)
    return [a for a in (f.new_action() for f in kept) if a is not None]


# The name of the "Add another action" button: the plan page is shown again with one
# more row (htmx: just the row), and nothing is checked or saved.
ADD_ACTION = "add_action"


def _typed(form: forms.BaseForm) -> dict[str, Any]:
    """What was typed into a bound form, as the initial values of an unbound copy."""
    return {
        name: field.widget.value_from_datadict(
            form.data, form.files, form.add_prefix(name)
        )
        for name, field in form.fields.items()
    }


def _action_rows_state(total: int, note: str = "") -> dict[str, Any]:
    """Whether another action row may be added, and what to say (why not)."""
    can_add = total < PLAN_ACTIONS_MAX
    if not can_add and not note:
        note = str(PlanActionFormSet.default_error_messages["too_many_forms"])
    return {"can_add_action": can_add, "action_note": note}


def _action_row(index: int) -> PlanActionForm:
    """Row `index` of a plan's actions, empty, its first box focused when shown."""
    blank = PlanActionFormSet(prefix="actions")
    row = blank.form(
        auto_id=blank.auto_id,
        prefix=blank.add_prefix(index),
        empty_permitted=True,
        use_required_attribute=False,
    )
    blank.add_fields(row, index)
    row.fields["description"].widget.attrs["autofocus"] = True
    return row


def _action_add(
    request: AcademyRequest, form: PlanForm, actions: Any
) -> HttpResponse | tuple[PlanForm, Any, dict[str, Any]]:
    """'Add another action': for htmx the next empty row, the new row count and the
    button; else the plan form and its rows as typed, unchecked, with one more row."""
    note = ""
    index = None
    if not actions.management_form.is_valid():
        note = actions.error_messages["missing_management_form"]
    elif actions.total_form_count() < PLAN_ACTIONS_MAX:
        index = actions.total_form_count()
    if not request.htmx:
        rows = [_typed(f) for f in actions.forms]
        more = PlanActionFormSet(initial=rows, prefix="actions")
        if index is not None:
            more.forms[-1].fields["description"].widget.attrs["autofocus"] = True
        state = _action_rows_state(more.total_form_count(), note)
        return type(form)(initial=_typed(form)), more, state
    if index is None:
        state = _action_rows_state(actions.total_form_count(), note)
        context: dict[str, Any] = {"action_form": None, **state}
    else:
        context = {
            "action_form": _action_row(index),
            "number": index + 1,
            "total": index + 1,
            **_action_rows_state(index + 1),
        }
    return render(request, "participants/_plan_action_added.html", context)


@casework_required
def plan_agree(request: AcademyRequest, pk: int) -> HttpResponse:
    """Agree a skills action plan and its first actions, all saved or none."""
    participant = _participant(request, pk)
    form = PlanForm(posted(request))
    actions = PlanActionFormSet(posted(request), prefix="actions")
    state = _action_rows_state(actions.total_form_count())
    if request.method == "POST" and ADD_ACTION in request.POST:
        added = _action_add(request, form, actions)
        if isinstance(added, HttpResponse):
            return added
        form, actions, state = added
    elif request.method == "POST" and form.is_valid() and actions.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "submission"}
        try:
            return submit_once(
                request,
                form,
                lambda: services.plan_agree(
                    participant=participant,
                    by=request.user,
                    actions=_actions(actions),
                    **data,
                ),
                done="Skills action plan agreed.",
                to=lambda plan: participant.get_absolute_url(),
            )
        except ValidationError as error:
            form_add_validation_error(form, error)
    return _form_page(
        request,
        participant,
        form,
        "Agree a skills action plan",
        template="participants/plan_form.html",
        actions=actions,
        submit="Agree the plan",
        **state,
    )


@casework_required
def plan_review(request: AcademyRequest, pk: int) -> HttpResponse:
    """Review a plan: change it, add actions, and say what changed."""
    plan = get_object_or_404(
        SkillsActionPlan.objects.for_membership(request.membership).select_related(
            "participant"
        ),
        pk=pk,
    )
    initial = {
        "pathway": plan.pathway,
        "target_role": plan.target_role,
        "barriers": plan.barriers,
        "status": plan.status,
    }
    form: PlanForm = PlanReviewForm(posted(request), initial=initial)
    actions = PlanActionFormSet(posted(request), prefix="actions")
    state = _action_rows_state(actions.total_form_count())
    if request.method == "POST" and ADD_ACTION in request.POST:
        added = _action_add(request, form, actions)
        if isinstance(added, HttpResponse):
            return added
        form, actions, state = added
    elif request.method == "POST" and form.is_valid() and actions.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "submission"}
        try:
            services.plan_review(
                plan=plan,
                by=request.user,
                actions=_actions(actions),
                **data,
            )
        except ValidationError as error:
            form_add_validation_error(form, error)
        else:
            messages.success(request, "Plan reviewed.")
            return redirect(plan.participant)
    return _form_page(
        request,
        plan.participant,
        form,
        f"Review the plan agreed {plan.agreed_on:%d %B %Y}",
        template="participants/plan_form.html",
        actions=actions,
        plan=plan,
        submit="Save the review",
        **state,
    )


@casework_required
@require_POST
def action_complete(request: AcademyRequest, pk: int) -> HttpResponse:
    """Tick an action done, or undo it."""
    action = get_object_or_404(
        PlanAction.objects.for_membership(request.membership).select_related(
            "plan__participant"
        ),
        pk=pk,
    )
    access_record(request, participants=[action.plan.participant_id])
    if request.POST.get("undo"):
        services.plan_action_reopen(action=action, by=request.user)
        messages.info(request, f"'{action}' is open again.")
    else:
        services.plan_action_complete(
            action=action, on=timezone.localdate(), by=request.user
        )
        messages.success(request, f"'{action}' is done.")
    return redirect(
        safe_next(
            request,
            request.POST.get("next"),
            default=action.plan.participant.get_absolute_url(),
        )
    )


@casework_required
def check_record(request: AcademyRequest, pk: int) -> HttpResponse:
    """Answer a sustainment check: still in work or not, and how we know."""
    check = get_object_or_404(
        SustainmentCheck.objects.for_membership(request.membership).select_related(
            "outcome__participant"
        ),
        pk=pk,
    )
    participant = check.outcome.participant
    form = SustainmentCheckForm(posted(request), instance=check)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.sustainment_check_record(check=check, by=request.user, **data)
        except ValidationError as error:
            form_add_validation_error(form, error)
        else:
            messages.success(request, "Check recorded.")
            return redirect(participant)
    job = check.outcome.role or "job"
    title = f"{check.weeks}-week check: {job} at {check.outcome.employer or 'employer'}"
    return _form_page(request, participant, form, title)


@casework_required
def outcome_doubles(request: AcademyRequest) -> HttpResponse:
    """Outcomes that look like one job start recorded twice, to resolve; POST resolves
    one pair (one start: keep one record; two starts: keep both)."""
    pairs = selectors.outcome_doubles_open(membership=request.membership)
    if request.method == "POST" and request.POST.get("find"):
        found = services.outcome_doubles_find()
        messages.info(
            request,
            f"Checked every outcome now: {found} new pair{'s' if found != 1 else ''} "
            "found.",
        )
        return redirect("participants:outcome-doubles")
    if request.method == "POST":
        form = OutcomeDoubleForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose how to resolve the pair.")
            return redirect("participants:outcome-doubles")
        pair = get_object_or_404(pairs, pk=form.cleaned_data["pair"])
        is_same = form.cleaned_data["resolution"] == "same"
        keep = None
        if is_same:
            keep = (
                pair.first
                if form.cleaned_data["keep"] == pair.first_id
                else pair.second
            )
        try:
            services.outcome_double_resolve(
                pair=pair, by=request.user, is_same_start=is_same, keep=keep
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                "Recorded once now." if is_same else "Both kept as different jobs.",
            )
        return redirect("participants:outcome-doubles")
    page = list_page(request, pairs)
    access_record(
        request,
        participants=[
            o.participant_id for pair in page for o in (pair.first, pair.second)
        ],
    )
    return render(request, "participants/outcome_doubles.html", {"page": page})
