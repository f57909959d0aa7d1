"""Forms of tasks: adding one, cancelling one (with a reason), handing one or all of
one's tasks to a colleague."""

from __future__ import annotations

from typing import Any

from django import forms

from academy.forms import PortalFormHelper
from academy.models import Academy, User
from academy.once import OnceFormMixin

from ..services.casework.tasks import TITLE_MAX, task_holders
from ._common import DATE


def _holders(field: forms.Field, academy: Academy, exclude: User | None) -> None:
    assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - form definition
    people = task_holders(academy=academy).order_by("first_name", "last_name")
    field.queryset = people.exclude(pk=exclude.pk) if exclude else people


class TaskForm(OnceFormMixin, forms.Form):
    """A task written by hand: what, by when, and who does it."""

    title = forms.CharField(
        label="What is to be done", max_length=TITLE_MAX, strip=True
    )
    due_on = forms.DateField(
        label="Due", widget=DATE, error_messages={"invalid": "Give a real date."}
    )
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
        self.helper = PortalFormHelper("Add the task")
        self.helper.attrs = {"data-submit-once": ""}


class TaskCancelForm(forms.Form):
    """Why a task is cancelled (kept and shown)."""

    reason = forms.CharField(label="Why is it cancelled", max_length=TITLE_MAX)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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
