"""Tasks in words: `{{ task.due_on|due_words }}` ("due today", "2 days overdue") and
`{{ task|task_source }}` ("Next step", "13-week check"); and a person's tasks for the
section of their page (`{% person_tasks participant as tasks %}`)."""

from __future__ import annotations

import datetime as dt

from django import template

from ..models import Participant, Task
from ..selectors.tasks import PersonTasks, participant_tasks, source_words
from ..selectors.tasks import due_words as _due_words

register = template.Library()


@register.filter
def due_words(due_on: dt.date) -> str:
    """When a task is due, in words, from today in Europe/London."""
    return _due_words(due_on)


@register.filter
def task_source(task: Task) -> str:
    """Where the task came from."""
    return source_words(task)


@register.simple_tag
def person_tasks(participant: Participant) -> PersonTasks:
    """A person's tasks, open first, for their page: `{% person_tasks p as tasks %}`."""
    return participant_tasks(participant=participant)
