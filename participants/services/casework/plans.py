"""Writes of skills action plans: agreeing, reviewing and ticking off actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from academy.models import User

from ...models import Participant, PlanAction, PlanReview, SkillsActionPlan
from .records import _dated
from .tasks import (
    plan_action_task_sync,
    plan_action_tasks_add,
    plan_action_tasks_cancel,
)


@dataclass(frozen=True)
class NewAction:
    """An action typed into a plan form."""

    description: str
    owner: str
    due_on: dt.date


def _check_actions(actions: Sequence[NewAction], agreed_on: dt.date) -> None:
    for number, action in enumerate(actions, start=1):
        if action.due_on < agreed_on:
            raise ValidationError(
                f"Action {number} ('{action.description}') is due before the plan was "
                "agreed. Give a due date on or after the day the plan was agreed."
            )


@transaction.atomic
def plan_agree(
    *,
    participant: Participant,
    by: User,
    agreed_on: dt.date,
    pathway: str,
    target_role: str,
    barriers: Sequence[str],
    goals: str = "",
    actions: Sequence[NewAction] = (),
) -> SkillsActionPlan:
    """Agree a skills action plan with its first actions, all saved together; each
    action is a task of the person's coordinator until it is done."""
    _dated(agreed_on, "agreed_on", "The day the plan was agreed")
    _check_actions(actions, agreed_on)
    plan = SkillsActionPlan(
        participant=participant,
        agreed_on=agreed_on,
        pathway=pathway,
        target_role=target_role,
        barriers=sorted(set(barriers)),
        goals=goals,
        agreed_by=by,
    )
    try:
        plan.full_clean()
    except ValidationError as error:
        if "__all__" in error.message_dict:
            raise ValidationError(
                f"A plan agreed on {agreed_on:%d %B %Y} already exists. "
                "Review that plan instead."
            ) from error
        raise
    plan.save()
    PlanAction.objects.bulk_create(
        PlanAction(plan=plan, description=a.description, owner=a.owner, due_on=a.due_on)
        for a in actions
    )
    plan_action_tasks_add(plan=plan, by=by)
    return plan


@transaction.atomic
def plan_review(
    *,
    plan: SkillsActionPlan,
    by: User,
    reviewed_on: dt.date,
    summary: str,
    pathway: str,
    target_role: str,
    barriers: Sequence[str],
    status: str,
    actions: Sequence[NewAction] = (),
) -> PlanReview:
    """Review a plan: change what was agreed, add actions, and note what changed.
    New actions of an active plan become tasks; a plan no longer active cancels its
    actions' open tasks."""
    if reviewed_on < plan.agreed_on:
        raise ValidationError("A review cannot be dated before the plan was agreed.")
    _dated(reviewed_on, "reviewed_on", "The review date")
    _check_actions(actions, reviewed_on)
    plan.pathway = pathway
    plan.target_role = target_role
    plan.barriers = sorted(set(barriers))
    plan.status = status
    plan.full_clean()
    plan.save()
    PlanAction.objects.bulk_create(
        PlanAction(plan=plan, description=a.description, owner=a.owner, due_on=a.due_on)
        for a in actions
    )
    review = PlanReview(
        plan=plan, reviewed_on=reviewed_on, summary=summary, reviewed_by=by
    )
    review.full_clean()
    review.save()
    if plan.status == SkillsActionPlan.Status.ACTIVE:
        plan_action_tasks_add(plan=plan, by=by)
    else:
        plan_action_tasks_cancel(
            plan=plan,
            by=by,
            reason=f"The plan was marked {plan.get_status_display().lower()}",
        )
    return review


@transaction.atomic
def plan_action_complete(
    *, action: PlanAction, on: dt.date, by: User | None = None
) -> PlanAction:
    """Mark an action done on the given day (its task is done with it)."""
    action.completed_on = on
    action.save(update_fields=["completed_on"])
    plan_action_task_sync(action=action, by=by)
    return action


@transaction.atomic
def plan_action_reopen(*, action: PlanAction, by: User | None = None) -> PlanAction:
    """Undo a completion recorded by mistake (its task opens again)."""
    action.completed_on = None
    action.save(update_fields=["completed_on"])
    plan_action_task_sync(action=action, by=by)
    return action
