"""Writes of tasks: what a member must do for a person by a date. A task stays open
until someone marks it done or cancels it with a reason (or the linked sustainment
check is recorded, the linked plan action completed, or the case closed): nothing
else that is logged closes it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from academy.models import Academy, User, membership_active_q
from academy.permissions import Role

from ...models import (
    Meeting,
    Participant,
    PlanAction,
    SkillsActionPlan,
    SustainmentCheck,
    Task,
)

# Who may hold a task: as who may hold a caseload (people.CASELOAD_ROLES).
_HOLDERS = (Role.COORDINATOR, Role.ADMIN)
CASE_CLOSED = "Case closed"
TITLE_MAX = 300
# A due date further ahead than this is a typing slip (a year 2205), not a plan.
DUE_YEARS_AHEAD = 5
DUE_PASSED = "The due date has passed: choose today or later."
STEP_UNDATED = "Give the date of the next step, or leave the step empty."


def task_holders(*, academy: Academy) -> QuerySet[User]:
    """Members who can hold a task in the academy: its active coordinators and
    admins."""
    return User.objects.filter(
        membership_active_q("memberships__"),
        memberships__academy=academy,
        memberships__role__in=_HOLDERS,
    ).distinct()


def _holder_check(user: User | None, academy: Academy, field: str) -> None:
    if user is None:
        return
    if not task_holders(academy=academy).filter(pk=user.pk).exists():
        raise ValidationError(
            {
                field: "Choose an active coordinator or admin of this academy: "
                f"{user} cannot hold tasks here."
            }
        )


def _due_check(due_on: object) -> dt.date:
    if not isinstance(due_on, dt.date):
        raise ValidationError({"due_on": "Give the date it is due, as a day."})
    today = timezone.localdate()
    if due_on > today + dt.timedelta(days=366 * DUE_YEARS_AHEAD):
        raise ValidationError(
            {
                "due_on": f"That is more than {DUE_YEARS_AHEAD} years ahead: "
                "check the year."
            }
        )
    if due_on.year < 2000:
        raise ValidationError({"due_on": "Check the year of the due date."})
    return due_on


def due_not_passed(day: dt.date | None) -> None:
    """Refuse a new due date before today: a task is written to be done, not to be
    overdue at once (a task's date kept as it was is not new)."""
    if day is not None and day < timezone.localdate():
        raise ValidationError(DUE_PASSED, code="passed")


def next_step_check(
    *,
    step: str,
    on: dt.date | None,
    held_on: dt.date | None,
    kept_on: dt.date | None = None,
) -> None:
    """A meeting's next step is a task, so it needs a date: on or after the meeting
    and not passed (unless it is the date it had, `kept_on`); a date needs a step."""
    errors: dict[str, str] = {}
    if step and on is None:
        errors["next_step_on"] = STEP_UNDATED
    elif on is not None and not step:
        errors["next_step"] = "Say what the next step is, or clear its date."
    elif on is not None and held_on is not None and on < held_on:
        errors["next_step_on"] = "The next step must be on or after the meeting."
    elif on is not None and on != kept_on and on < timezone.localdate():
        errors["next_step_on"] = DUE_PASSED
    if errors:
        raise ValidationError(errors)


def _locked(task: Task) -> Task:
    """The task's row, locked and read again (a colleague may have closed it)."""
    return (
        Task.objects.select_for_update().select_related("participant").get(pk=task.pk)
    )


def _open_check(task: Task) -> None:
    if task.status != Task.Status.OPEN:
        raise ValidationError(
            f"'{task.title}' is already {task.get_status_display().lower()}"
            + (f" (by {task.closed_by})" if task.closed_by else "")
            + ", so nothing was changed."
        )


def _close(
    task: Task, *, status: Task.Status, by: User | None, reason: str = ""
) -> Task:
    task.status = status
    task.closed_at = timezone.now()
    task.closed_by = by
    task.cancel_reason = reason
    task.save(update_fields=["status", "closed_at", "closed_by", "cancel_reason"])
    return task


@transaction.atomic
def task_add(
    *,
    participant: Participant,
    by: User | None,
    title: str,
    due_on: dt.date,
    owner: User | None = None,
    source: Task.Source = Task.Source.OTHER,
    meeting: Meeting | None = None,
    plan_action: PlanAction | None = None,
    sustainment_check: SustainmentCheck | None = None,
) -> Task:
    """Add an open task for a person; its owner is the person's coordinator unless
    another colleague who can hold a caseload is chosen."""
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Say what is to be done."})
    if len(title) > TITLE_MAX:
        raise ValidationError(
            {"title": f"Keep it to {TITLE_MAX} characters; put the rest in a note."}
        )
    if not participant.is_open:
        raise ValidationError("This case is closed: reopen it before adding tasks.")
    owner = owner if owner is not None else participant.coordinator
    _holder_check(owner, participant.academy, "owner")
    task = Task(
        participant=participant,
        owner=owner,
        title=title,
        due_on=_due_check(due_on),
        source=source,
        meeting=meeting,
        plan_action=plan_action,
        sustainment_check=sustainment_check,
        created_by=by,
    )
    task.full_clean()
    task.save()
    return task


@transaction.atomic
def task_done(*, task: Task, by: User) -> Task:
    """Mark a task done. A plan action's task completes the action too; a
    sustainment check's task is done by recording the check, not here."""
    task = _locked(task)
    _open_check(task)
    if task.sustainment_check_id is not None:
        raise ValidationError(
            "A sustainment check is done by recording its answer: open the check's "
            "form and record it."
        )
    if task.plan_action_id is not None:
        PlanAction.objects.filter(
            pk=task.plan_action_id, completed_on__isnull=True
        ).update(completed_on=timezone.localdate())
    return _close(task, status=Task.Status.DONE, by=by)


@transaction.atomic
def task_cancel(*, task: Task, by: User, reason: str) -> Task:
    """Cancel a task, saying why (the reason is kept and shown)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the task is cancelled."})
    if len(reason) > TITLE_MAX:
        raise ValidationError({"reason": f"Keep the reason to {TITLE_MAX} characters."})
    task = _locked(task)
    _open_check(task)
    return _close(task, status=Task.Status.CANCELLED, by=by, reason=reason)


@transaction.atomic
def task_reopen(*, task: Task, by: User) -> Task:
    """Open a task again that was closed by mistake (a plan action's task opens its
    action again; a recorded check stays recorded)."""
    task = _locked(task)
    if task.status == Task.Status.OPEN:
        raise ValidationError(f"'{task.title}' is open already.")
    if not task.participant.is_open:
        raise ValidationError("This case is closed: reopen the case first.")
    check = task.sustainment_check
    if check is not None and check.status == SustainmentCheck.Status.DONE:
        raise ValidationError(
            "The check was recorded: change the record instead of reopening the task."
        )
    if task.plan_action_id is not None:
        PlanAction.objects.filter(pk=task.plan_action_id).update(completed_on=None)
    task.status = Task.Status.OPEN
    task.closed_at = None
    task.closed_by = None
    task.cancel_reason = ""
    task.save(update_fields=["status", "closed_at", "closed_by", "cancel_reason"])
    return task


@transaction.atomic
def task_hand(*, task: Task, to: User, by: User) -> Task:
    """Give an open task to a colleague who can hold a caseload in the academy."""
    task = _locked(task)
    _open_check(task)
    _holder_check(to, task.participant.academy, "to")
    task.owner = to
    task.save(update_fields=["owner"])
    return task


@transaction.atomic
def tasks_hand_all(*, academy: Academy, owner: User, to: User, by: User) -> int:
    """Give every open task `owner` holds in the academy to `to`; return how many."""
    if owner.pk == to.pk:
        raise ValidationError({"to": "Choose a colleague, not the same person."})
    _holder_check(to, academy, "to")
    tasks = Task.objects.for_academy(academy).filter(
        owner=owner, status=Task.Status.OPEN
    )
    ids = list(tasks.select_for_update().values_list("pk", flat=True))
    return Task.objects.filter(pk__in=ids).update(owner=to)


def tasks_close_for_case(*, participant: Participant, by: User | None) -> int:
    """Cancel a closed case's open tasks, saying so; return how many."""
    tasks = list(
        Task.objects.select_for_update().filter(
            participant=participant, status=Task.Status.OPEN
        )
    )
    for task in tasks:
        _close(task, status=Task.Status.CANCELLED, by=by, reason=CASE_CLOSED)
    return len(tasks)


def tasks_reopen_for_case(*, participant: Participant) -> int:
    """A reopened case's tasks that closing it cancelled are open again; return how
    many."""
    tasks = [
        task
        for task in Task.objects.select_for_update().filter(
            participant=participant, status=Task.Status.CANCELLED
        )
        if task.cancel_reason == CASE_CLOSED  # encrypted: compared here, not in SQL
    ]
    for task in tasks:
        task.status = Task.Status.OPEN
        task.closed_at = None
        task.closed_by = None
        task.cancel_reason = ""
        task.save(update_fields=["status", "closed_at", "closed_by", "cancel_reason"])
    return len(tasks)


# ---- the sources: next steps, plan actions and sustainment checks -------------------


def next_step_task_add(*, meeting: Meeting, by: User | None) -> Task | None:
    """A meeting's next step with a date becomes a task of the person's coordinator
    (of who logged it, if the person has none)."""
    participant = meeting.participant
    if not meeting.next_step or meeting.next_step_on is None or not participant.is_open:
        return None
    owner = participant.coordinator or by
    if (
        owner is not None
        and not task_holders(academy=participant.academy).filter(pk=owner.pk).exists()
    ):
        owner = None
    return task_add(
        participant=participant,
        by=by,
        title=meeting.next_step,
        due_on=meeting.next_step_on,
        owner=owner,
        source=Task.Source.NEXT_STEP,
        meeting=meeting,
    )


def plan_action_tasks_add(*, plan: SkillsActionPlan, by: User | None) -> int:
    """Each open action of an active plan of an open case without a task gets one;
    return how many were added."""
    participant = plan.participant
    if plan.status != SkillsActionPlan.Status.ACTIVE or not participant.is_open:
        return 0
    actions = plan.actions.filter(completed_on__isnull=True, task__isnull=True)
    added = 0
    for action in actions:
        task_add(
            participant=participant,
            by=by,
            title=action.description,
            due_on=action.due_on,
            owner=_owner_or_nobody(participant),
            source=Task.Source.PLAN_ACTION,
            plan_action=action,
        )
        added += 1
    return added


def plan_action_tasks_cancel(
    *, plan: SkillsActionPlan, by: User | None, reason: str
) -> int:
    """Cancel the open tasks of a plan's actions (the plan ended); return how many."""
    tasks = list(
        Task.objects.select_for_update().filter(
            plan_action__plan=plan, status=Task.Status.OPEN
        )
    )
    for task in tasks:
        _close(task, status=Task.Status.CANCELLED, by=by, reason=reason)
    return len(tasks)


def plan_action_task_sync(*, action: PlanAction, by: User | None) -> None:
    """After an action is ticked done or opened again, its task follows."""
    task = Task.objects.select_for_update().filter(plan_action=action).first()
    if task is None:
        return
    if action.completed_on is not None and task.status == Task.Status.OPEN:
        _close(task, status=Task.Status.DONE, by=by)
    elif action.completed_on is None and task.status == Task.Status.DONE:
        task.status = Task.Status.OPEN
        task.closed_at = None
        task.closed_by = None
        task.save(update_fields=["status", "closed_at", "closed_by"])


def _owner_or_nobody(participant: Participant) -> User | None:
    owner = participant.coordinator
    if (
        owner is not None
        and not task_holders(academy=participant.academy).filter(pk=owner.pk).exists()
    ):
        return None
    return owner


def check_tasks_add(*, check_ids: Collection[int] | None = None) -> int:
    """Due sustainment checks of open cases without a task get one, owned by the
    person's coordinator (all such checks, or those of `check_ids`); return how
    many were added. Safe to run twice: a check has at most one task."""
    checks = (
        SustainmentCheck.objects.filter(
            status=SustainmentCheck.Status.DUE,
            outcome__participant__status=Participant.Status.OPEN,
        )
        .filter(~Exists(Task.objects.filter(sustainment_check=OuterRef("pk"))))
        .select_related("outcome__participant__coordinator")
    )
    if check_ids is not None:
        checks = checks.filter(pk__in=list(check_ids))
    holders: dict[int, set[int]] = {}
    tasks = []
    for check in checks:
        participant = check.outcome.participant
        if participant.academy_id not in holders:
            holders[participant.academy_id] = set(
                task_holders(academy=participant.academy).values_list("pk", flat=True)
            )
        owner_id = participant.coordinator_id
        if owner_id not in holders[participant.academy_id]:
            owner_id = None
        tasks.append(
            Task(
                participant=participant,
                owner_id=owner_id
                if owner_id in holders[participant.academy_id]
                else None,
                title=check_title(check),
                due_on=check.due_on,
                source=Task.Source.CHECK,
                sustainment_check=check,
            )
        )
    created = Task.objects.bulk_create(tasks, batch_size=1_000, ignore_conflicts=True)
    return len(created)


def check_title(check: SustainmentCheck) -> str:
    """A check's task, in words: '13-week check: care worker at Tamar View'."""
    outcome = check.outcome
    job = " at ".join(part for part in (outcome.role, outcome.employer) if part)
    return f"{check.weeks}-week check" + (f": {job}" if job else "")


def check_task_done(*, check: SustainmentCheck, by: User | None) -> None:
    """A recorded check's task is done."""
    task = Task.objects.select_for_update().filter(sustainment_check=check).first()
    if task is not None and task.status == Task.Status.OPEN:
        _close(task, status=Task.Status.DONE, by=by)
