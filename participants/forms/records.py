"""Forms of what is recorded about a person: meetings, plans and their actions,
support, outcomes, sustainment checks, and resolving a start recorded twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils import timezone

from academy import rules
from academy.forms import PortalFormHelper, plain_messages
from academy.models import Membership
from academy.once import OnceFormMixin

from ..models import (
    Barrier,
    Meeting,
    Outcome,
    PlanAction,
    SkillsActionPlan,
    Support,
    SustainmentCheck,
)
from ..services.casework import NewAction
from ._common import DATE, DATETIME, YES_NO, _limit_organisations, _not_future
from .tasks import next_step_clean


class MeetingForm(OnceFormMixin, forms.ModelForm[Meeting]):
    class Meta:
        model = Meeting
        fields = ["kind", "held_at", "location", "notes", "next_step", "next_step_on"]
        widgets = {
            "held_at": DATETIME,
            "next_step_on": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"held_at": "When"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["held_at"].initial = timezone.localtime().replace(
            second=0, microsecond=0
        )
        plain_messages(self)
        self.helper = PortalFormHelper("Log meeting")
        self.helper.attrs = {"data-submit-once": ""}

    def clean_held_at(self) -> dt.datetime:
        held_at: dt.datetime = self.cleaned_data["held_at"]
        if held_at > timezone.now() + dt.timedelta(hours=1):
            raise forms.ValidationError(
                "A meeting is logged after it happens: the time is in the future."
            )
        return held_at

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        held_at = cleaned.get("held_at")
        held_on = timezone.localtime(held_at).date() if held_at else None
        next_step_clean(self, cleaned, held_on=held_on)
        return cleaned


class PlanForm(OnceFormMixin, forms.Form):
    agreed_on = forms.DateField(widget=DATE, initial=timezone.localdate)
    pathway = forms.ChoiceField(choices=SkillsActionPlan.Pathway.choices)
    target_role = forms.CharField(
        max_length=120,
        required=False,
        help_text="e.g. Care worker, Healthcare assistant",
    )
    barriers = forms.MultipleChoiceField(
        choices=Barrier.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Barriers to work",
    )
    goals = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="What they want"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("")
        self.helper.form_tag = False
        self.helper.inputs = []

    def clean_agreed_on(self) -> dt.date:
        agreed: dt.date = self.cleaned_data["agreed_on"]
        _not_future(agreed, "The day the plan was agreed")
        return agreed


class PlanReviewForm(PlanForm):
    reviewed_on = forms.DateField(widget=DATE, initial=timezone.localdate)
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="What was reviewed and changed"
    )
    status = forms.ChoiceField(choices=SkillsActionPlan.Status.choices)

    field_order = [
        "reviewed_on",
        "summary",
        "pathway",
        "target_role",
        "barriers",
        "status",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["agreed_on"]
        del self.fields["goals"]

    def clean_reviewed_on(self) -> dt.date:
        reviewed: dt.date = self.cleaned_data["reviewed_on"]
        _not_future(reviewed, "The review date")
        return reviewed


class PlanActionForm(forms.Form):
    description = forms.CharField(max_length=300, required=False, label="What to do")
    owner = forms.ChoiceField(choices=PlanAction.Owner.choices, label="Who")
    due_on = forms.DateField(widget=DATE, required=False, label="By when")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("DELETE"):
            return cleaned  # ticked "Remove this action": it is not saved
        if cleaned.get("description") and not cleaned.get("due_on"):
            self.add_error("due_on", "Give the action a due date.")
        if cleaned.get("due_on") and not cleaned.get("description"):
            self.add_error("description", "Say what the action is, or clear its date.")
        return cleaned

    def new_action(self) -> NewAction | None:
        data = self.cleaned_data
        if not data.get("description"):
            return None
        return NewAction(data["description"], data["owner"], data["due_on"])


# Ten actions is more than a first plan needs; more follow at its reviews, and a
# longer list on one page becomes hard to read on a phone.
PLAN_ACTIONS_MAX = 10


class PlanActionBaseFormSet(BaseFormSet[PlanActionForm]):
    """A plan's new actions: one empty row to begin with, another on request (up to
    PLAN_ACTIONS_MAX), any of them removable before saving."""

    row_name = "Action"
    default_error_messages = {
        "missing_management_form": "The form was not complete: open the page "
        "again and type the actions again.",
        "too_many_forms": f"A plan takes at most {PLAN_ACTIONS_MAX} actions at a "
        "time: save these, then add more when you review the plan.",
    }

    def add_fields(self, form: PlanActionForm, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this action"


PlanActionFormSet = formset_factory(
    PlanActionForm,
    formset=PlanActionBaseFormSet,
    extra=1,
    max_num=PLAN_ACTIONS_MAX,
    validate_max=True,
    can_delete=True,
)


class SupportForm(OnceFormMixin, forms.ModelForm[Support]):
    class Meta:
        model = Support
        fields = ["kind", "given_on", "notes", "referred_to"]
        widgets = {"given_on": DATE, "notes": forms.Textarea(attrs={"rows": 3})}
        labels = {"given_on": "Date", "referred_to": "Referred to (optional)"}

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["given_on"].initial = timezone.localdate()
        _limit_organisations(self, "referred_to", membership)
        self.helper = PortalFormHelper("Record support")
        self.helper.attrs = {"data-submit-once": ""}

    def clean_given_on(self) -> dt.date:
        given: dt.date = self.cleaned_data["given_on"]
        _not_future(given, "The date of the support")
        return given


class OutcomeForm(OnceFormMixin, forms.ModelForm[Outcome]):
    class Meta:
        model = Outcome
        fields = [
            "kind",
            "started_on",
            "sector",
            "employer",
            "role",
            "hours_per_week",
            "hourly_pay",
            "evidence",
        ]
        widgets = {"started_on": DATE}
        labels = {"started_on": "Start date", "sector": "Sector (for a job)"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hours_per_week"].widget.attrs.update(
            step="0.5", inputmode="decimal"
        )
        self.fields["hourly_pay"].widget.attrs.update(step="0.01", inputmode="decimal")
        self.helper = PortalFormHelper("Record outcome")
        self.helper.attrs = {"data-submit-once": ""}

    def clean_started_on(self) -> dt.date:
        started: dt.date = self.cleaned_data["started_on"]
        rules.start_not_too_far(started)
        return started

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if kind == Outcome.Kind.EMPLOYMENT and not cleaned.get("sector"):
            self.add_error(
                "sector",
                "Choose the sector of the job: health or social care, or another.",
            )
        if kind and kind != Outcome.Kind.EMPLOYMENT and cleaned.get("sector"):
            self.add_error("sector", "Only a job has a sector: leave this empty.")
        return cleaned


class SustainmentCheckForm(forms.ModelForm[SustainmentCheck]):
    is_in_work = forms.TypedChoiceField(
        choices=YES_NO,
        coerce=lambda v: v in (True, "True"),
        widget=forms.RadioSelect,
        label="Are they still in work?",
    )

    class Meta:
        model = SustainmentCheck
        fields = ["is_in_work", "confirmed_how", "confirmed_by", "checked_on"]
        widgets = {"checked_on": DATE}
        labels = {"checked_on": "Checked on"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirmed_how"].required = True
        self.fields["checked_on"].required = True
        self.fields["checked_on"].initial = timezone.localdate()
        self.helper = PortalFormHelper("Record the check")


class OutcomeDoubleForm(forms.Form):
    """How a suspected double outcome is resolved (buttons on the doubles page)."""

    pair = forms.IntegerField()
    resolution = forms.ChoiceField(
        choices=[("same", "same"), ("different", "different")]
    )
    keep = forms.IntegerField(required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("resolution") == "same" and not cleaned.get("keep"):
            raise forms.ValidationError("Choose which record to keep.")
        return cleaned
