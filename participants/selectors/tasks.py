"""Reads of tasks: a member's list ordered by due date, a person's tasks, and how a
task's due date is said ("due today", "2 days overdue")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from academy.models import Membership

from ..models import Participant, Task


def task_list(*, membership: Membership) -> QuerySet[Task]:
    """The academy's tasks with what a list shows, earliest due first."""
    return (
        Task.objects.for_membership(membership)
        .select_related(
            "participant",
            "owner",
            "closed_by",
            "sustainment_check",
            "plan_action",
        )
        .order_by("due_on", "pk")
    )


def tasks_open(*, membership: Membership, mine_only: bool = True) -> QuerySet[Task]:
    """Open tasks of open cases (the member's own, or everyone's), earliest due
    first: overdue ones come first because they are earlier."""
    tasks = task_list(membership=membership).filter(
        status=Task.Status.OPEN, participant__status=Participant.Status.OPEN
    )
    if mine_only:
        tasks = tasks.filter(owner=membership.user)
    return tasks


def tasks_due_by(tasks: QuerySet[Task], when: str) -> QuerySet[Task]:
    """Narrow `tasks` to those due: overdue, today, this week (to Sunday), later."""
    today = timezone.localdate()
    sunday = today + dt.timedelta(days=6 - today.weekday())
    if when == "overdue":
        return tasks.filter(due_on__lt=today)
    if when == "today":
        return tasks.filter(due_on=today)
    if when == "week":
        return tasks.filter(due_on__gte=today, due_on__lte=sunday)
    if when == "later":
        return tasks.filter(due_on__gt=sunday)
    return tasks


@dataclass(frozen=True)
class TaskCounts:
    """How many open tasks a member has: in all, overdue and due today."""

    open: int
    overdue: int
    today: int


def task_counts(*, membership: Membership) -> TaskCounts:
    """The member's open tasks counted, for the home page: in one query."""
    today = timezone.localdate()
    counts = tasks_open(membership=membership).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        today=Count("pk", filter=Q(due_on=today)),
    )
    return TaskCounts(
        open=counts["open"], overdue=counts["overdue"], today=counts["today"]
    )


@dataclass(frozen=True)
class PersonTasks:
    """A person's tasks: open ones by due date, then those closed, latest first."""

    open: list[Task]
    closed: list[Task]


def participant_tasks(*, participant: Participant) -> PersonTasks:
    """A person's tasks for their page."""
    tasks = participant.tasks.select_related(
        "owner", "closed_by", "sustainment_check", "plan_action"
    )
    return PersonTasks(
        open=list(tasks.filter(status=Task.Status.OPEN).order_by("due_on", "pk")),
        closed=list(
            tasks.exclude(status=Task.Status.OPEN).order_by("-closed_at", "-pk")
        ),
    )


def due_words(due_on: dt.date, today: dt.date | None = None) -> str:
    """When a task is due, in words: "due today", "due tomorrow", "2 days overdue",
    "due Mon 7 Dec"."""
    today = today or timezone.localdate()
    days = (due_on - today).days
    if days == 0:
        return "due today"
    if days == 1:
        return "due tomorrow"
    if days == -1:
        return "1 day overdue"
    if days < 0:
        return f"{-days} days overdue"
    shown = f"{due_on:%a} {due_on.day} {due_on:%b}"
    if due_on.year != today.year:
        shown += f" {due_on.year}"
    return f"due {shown}"


def source_words(task: Task) -> str:
    """Where a task came from: "Next step", "Plan action", "13-week check", "Task"."""
    if task.source == Task.Source.CHECK and task.sustainment_check is not None:
        return f"{task.sustainment_check.weeks}-week check"
    return str(task.get_source_display())
