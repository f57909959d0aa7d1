"""Forms of tasks: adding one, cancelling one (with a reason), handing one or all of
one's tasks to a colleague."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from academy.forms import PortalFormHelper, plain_messages
from academy.models import Academy, User
from academy.once import OnceFormMixin

from ..models import Meeting
from ..services.casework.tasks import (
    TITLE_MAX,
    due_not_passed,
    next_step_check,
    task_holders,
)
from ._common import DATE

HOLDER_CHOOSE = "Choose who takes it."


def next_step_clean(
    form: forms.ModelForm[Meeting], cleaned: dict[str, Any], *, held_on: dt.date | None
) -> None:
    """A meeting form's next step, which becomes a task: dated, on or after the
    meeting, not passed unless kept as it was (said once: not when the step or its
    date is wrong already)."""
    if "next_step" in form.errors or "next_step_on" in form.errors:
        return
    try:
        next_step_check(
            step=cleaned.get("next_step", ""),
            on=cleaned.get("next_step_on"),
            held_on=held_on,
            kept_on=form.instance.next_step_on,
        )
    except ValidationError as error:
        form.add_error(None, error)


def _holders(field: forms.Field, academy: Academy, exclude: User | None) -> None:
    assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - form definition
    people = task_holders(academy=academy).order_by("first_name", "last_name")
    field.queryset = people.exclude(pk=exclude.pk) if exclude else people
    field.error_messages["invalid_choice"] = (
        "Choose an active coordinator or admin of this academy from the list."
    )


class TaskForm(OnceFormMixin, forms.Form):
    """A task written by hand: what, by when, and who does it."""

    title = forms.CharField(
        label="What is to be done", max_length=TITLE_MAX, strip=True
    )
    due_on = forms.DateField(label="Due", widget=DATE)
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Who does it",
        required=False,
        empty_label="The person's coordinator",
        help_text="An active coordinator or admin of this academy.",
    )

    def __init__(self, *args: Any, academy: Academy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _holders(self.fields["owner"], academy, None)
        plain_messages(
            self,
            required={
                "title": "Say what needs doing.",
                "due_on": "Give the date it is due.",
            },
        )
        self.helper = PortalFormHelper("Add the task")
        self.helper.attrs = {"data-submit-once": ""}

    def clean_due_on(self) -> dt.date:
        due_on: dt.date = self.cleaned_data["due_on"]
        due_not_passed(due_on)
        return due_on


class TaskCancelForm(forms.Form):
    """Why a task is cancelled (kept and shown)."""

    reason = forms.CharField(label="Why is it cancelled", max_length=TITLE_MAX)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_messages(self, required={"reason": "Say why it is cancelled."})
        self.helper = PortalFormHelper("Cancel the task")


class TaskHandForm(forms.Form):
    """The colleague who takes a task (or all of one's tasks)."""

    to = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Give it to",
        help_text="An active coordinator or admin of this academy.",
    )

    def __init__(
        self,
        *args: Any,
        academy: Academy,
        exclude: User | None,
        submit: str = "Hand it over",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _holders(self.fields["to"], academy, exclude)
        plain_messages(self, required={"to": HOLDER_CHOOSE})
        self.helper = PortalFormHelper(submit)


class TasksHandAllForm(TaskHandForm):
    """Handing all of one's open tasks to a colleague, and optionally one's people."""

    caseload = forms.BooleanField(
        required=False,
        label="Give them the people I coordinate too, with the appointments in my "
        "diary",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, submit="Hand them over", **kwargs)
        self.fields["to"].label = "Give my open tasks to"
