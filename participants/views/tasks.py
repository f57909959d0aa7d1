"""Tasks: the list of what is to be done for people, adding one, and marking one done,
cancelling it (with a reason), opening it again or handing it to a colleague."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from academy.audit import access_record
from academy.forms import form_add_validation_error, posted
from academy.lists import list_page
from academy.models import Membership, User
from academy.once import submit_once
from academy.permissions import casework_required
from academy.reauth import reauth_required
from academy.redirects import safe_next
from academy.tenancy import AcademyRequest

from .. import selectors, services
from ..filters import TaskFilterSet
from ..forms.tasks import TaskCancelForm, TaskForm, TaskHandForm, TasksHandAllForm
from ..models import Task
from ._common import _form_page, _participant


def _task(request: AcademyRequest, pk: int) -> Task:
    """The academy's task `pk` (else 404), its person's opening recorded."""
    task = get_object_or_404(selectors.task_list(membership=request.membership), pk=pk)
    access_record(request, participants=[task.participant_id])
    return task


def _back(request: AcademyRequest, task: Task) -> HttpResponse:
    return redirect(
        safe_next(
            request,
            request.POST.get("next") or request.GET.get("next"),
            default=task.participant.get_absolute_url(),
        )
    )


@casework_required
def task_list(request: AcademyRequest) -> HttpResponse:
    """Tasks by due date: one's own by default, or everyone's in the academy."""
    filterset = TaskFilterSet(
        request.GET,
        queryset=selectors.task_list(membership=request.membership).filter(
            participant__status="open"
        ),
        request=request,
    )
    page = list_page(request, filterset.qs)
    access_record(request, participants=[t.participant_id for t in page])
    return render(
        request,
        "participants/tasks/task_list.html",
        {
            "filterset": filterset,
            "page": page,
            "today": timezone.localdate(),
            "counts": selectors.task_counts(membership=request.membership),
        },
    )


@casework_required
def task_add(request: AcademyRequest, pk: int) -> HttpResponse:
    """Add a task for a person (theirs to do by a date)."""
    participant = _participant(request, pk)
    form = TaskForm(
        posted(request),
        academy=request.academy,
        initial={"owner": participant.coordinator_id},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            return submit_once(
                request,
                form,
                lambda: services.task_add(
                    participant=participant,
                    by=request.user,
                    title=data["title"],
                    due_on=data["due_on"],
                    owner=data["owner"],
                ),
                done="Task added.",
                to=lambda task: participant.get_absolute_url(),
            )
        except ValidationError as error:
            form_add_validation_error(form, error)
    return _form_page(request, participant, form, "Add a task")


@casework_required
@require_POST
def task_done(request: AcademyRequest, pk: int) -> HttpResponse:
    """Mark a task done in one tap; a sustainment check's task opens the check's
    form, since a check is done by recording it."""
    task = _task(request, pk)
    if task.sustainment_check_id is not None and task.status == Task.Status.OPEN:
        return redirect("participants:check-record", task.sustainment_check_id)
    try:
        services.task_done(task=task, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Done: {task.title}.")
    return _back(request, task)


@casework_required
@require_POST
def task_reopen(request: AcademyRequest, pk: int) -> HttpResponse:
    """Open a task again that was closed by mistake."""
    task = _task(request, pk)
    try:
        services.task_reopen(task=task, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.info(request, f"'{task.title}' is open again.")
    return _back(request, task)


def _task_form_page(
    request: AcademyRequest, task: Task, form: object, title: str
) -> HttpResponse:
    return _form_page(
        request,
        task.participant,
        form,
        title,
        template="participants/tasks/task_form.html",
        task=task,
    )


@casework_required
def task_cancel(request: AcademyRequest, pk: int) -> HttpResponse:
    """Cancel a task, saying why."""
    task = _task(request, pk)
    form = TaskCancelForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.task_cancel(
                task=task, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form_add_validation_error(form, error)
        else:
            messages.success(request, f"Cancelled: {task.title}.")
            return _back(request, task)
    return _task_form_page(request, task, form, "Cancel a task")


@casework_required
def task_hand(request: AcademyRequest, pk: int) -> HttpResponse:
    """Give a task to a colleague who can hold a caseload in the academy."""
    task = _task(request, pk)
    form = TaskHandForm(posted(request), academy=request.academy, exclude=task.owner)
    if request.method == "POST" and form.is_valid():
        to = form.cleaned_data["to"]
        try:
            services.task_hand(task=task, to=to, by=request.user)
        except ValidationError as error:
            form_add_validation_error(form, error)
        else:
            messages.success(request, f"'{task.title}' is {to}'s now.")
            return _back(request, task)
    return _task_form_page(request, task, form, "Hand a task to a colleague")


@casework_required
@reauth_required  # it can move a whole caseload
def tasks_hand_all(request: AcademyRequest) -> HttpResponse:
    """Give all one's open tasks (and, if asked, one's people) to a colleague."""
    form = TasksHandAllForm(
        posted(request), academy=request.academy, exclude=request.user
    )
    if request.method == "POST" and form.is_valid():
        to = form.cleaned_data["to"]
        try:
            done = _hand_all(request, to, caseload=form.cleaned_data["caseload"])
        except ValidationError as error:
            form_add_validation_error(form, error)
        else:
            messages.success(request, done)
            return redirect("participants:task-list")
    return render(
        request,
        "participants/tasks/tasks_hand_all.html",
        {"form": form, "counts": selectors.task_counts(membership=request.membership)},
    )


def _hand_all(request: AcademyRequest, to: User, *, caseload: bool) -> str:
    """Hand the member's open tasks (and people) to `to`; say what moved."""
    if not caseload:
        moved = services.tasks_hand_all(
            academy=request.academy, owner=request.user, to=to, by=request.user
        )
        return f"{moved} task{'s' if moved != 1 else ''} handed to {to}."
    theirs = Membership.objects.active().filter(academy=request.academy, user=to)
    if not theirs.exists():
        raise ValidationError({"to": "Choose a colleague in this academy."})
    people = services.caseload_reassign(
        leaver=request.membership, to=theirs.get(), by=request.user
    )
    return (
        f"{people} {'person' if people == 1 else 'people'} and your open tasks "
        f"handed to {to}."
    )


@casework_required
def actions_overdue(request: AcademyRequest) -> HttpResponse:
    """The old overdue actions list: the task list's overdue plan actions now."""
    return _old_list(request, "source=plan_action&due=overdue")


@casework_required
def checks_due(request: AcademyRequest) -> HttpResponse:
    """The old sustainment checks list: the task list's checks now."""
    return _old_list(request, "source=check")


def _old_list(request: AcademyRequest, query: str) -> HttpResponse:
    whose = "all" if request.GET.get("all") else "mine"
    return redirect(f"{reverse('participants:task-list')}?{query}&whose={whose}")
