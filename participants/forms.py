"""Casework forms: input shape and field checks; rules and saving are in services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.forms import formset_factory
from django.utils import timezone

from academy import rules
from academy.forms import PortalFormHelper
from academy.models import Membership, Organisation
from academy.once import OnceFormMixin

from .models import (
    Barrier,
    Cohort,
    ConsentRecord,
    Meeting,
    Outcome,
    Participant,
    PlanAction,
    SkillsActionPlan,
    Support,
    SustainmentCheck,
)
from .selectors import coordinator_choices
from .services.casework import CASELOAD_ROLES, PARTICIPANT_FIELDS, NewAction

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(
    attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
)
YES_NO = [(True, "Yes"), (False, "No")]


def _not_future(value: dt.date | None, what: str) -> None:
    if value and value > timezone.localdate():
        raise forms.ValidationError(f"{what} cannot be in the future. Check the date.")


def _limit_organisations(
    form: forms.BaseForm, name: str, membership: Membership
) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - form definition
    field.queryset = Organisation.objects.for_membership(membership).filter(
        is_active=True
    )


class ParticipantForm(forms.ModelForm[Participant]):
    """Registration and editing of a participant's details."""

    cohorts = forms.MultipleChoiceField(
        choices=Cohort.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick every group the person belongs to.",
    )

    class Meta:
        model = Participant
        fields = list(PARTICIPANT_FIELDS)
        widgets = {"date_of_birth": DATE, "registered_on": DATE}
        labels = {"is_claimant": "Claims benefits"}

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["registered_on"].initial = timezone.localdate()
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        self.fields["phone"].widget.attrs.update(inputmode="tel", autocomplete="off")
        _limit_organisations(self, "referring_organisation", membership)
        coordinator = self.fields["coordinator"]
        assert isinstance(coordinator, forms.ModelChoiceField)  # noqa: S101
        coordinator.queryset = coordinator_choices(membership=membership)
        coordinator.help_text = "Whose caseload the person joins (you, if left empty)."
        if self.instance.pk:
            self.initial.setdefault(
                "cohorts", list(self.instance.cohorts.values_list("code", flat=True))
            )
        self.helper = PortalFormHelper("Save")
        self.helper.layout = Layout(*self._sections())

    def _sections(self) -> list[Any]:
        return [
            Fieldset("About them", "first_name", "last_name", "date_of_birth"),
            Fieldset("How to reach them", "phone", "email", "postcode"),
            Fieldset(
                "Benefits and work",
                "is_claimant",
                "benefit_type",
                "status_at_entry",
                "cohorts",
            ),
            Fieldset(
                "How they came to the academy",
                "source",
                "referring_organisation",
                "registered_on",
                "coordinator",
            ),
            Fieldset(
                "Work they could do (for matching)",
                "hours_wanted",
                "has_driving_licence",
                "has_car",
                "dbs_level",
                "right_to_work",
            ),
        ]

    def clean_date_of_birth(self) -> dt.date | None:
        born = self.cleaned_data.get("date_of_birth")
        if born:
            today = timezone.localdate()
            age = (today - born).days // 365
            if age < 14 or age > 100:
                raise forms.ValidationError(
                    "Check the date of birth: the person would be "
                    f"{age} years old. Use the format day / month / year."
                )
        return born

    def clean_postcode(self) -> str:
        return rules.postcode_clean(str(self.cleaned_data.get("postcode") or ""))

    def clean_registered_on(self) -> dt.date:
        registered: dt.date = self.cleaned_data["registered_on"]
        _not_future(registered, "The registration date")
        return registered

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("benefit_type") and not cleaned.get("is_claimant"):
            self.add_error(
                "benefit_type",
                "Tick 'Claims benefits', or leave the benefit type empty.",
            )
        return cleaned


class ParticipantRegisterForm(OnceFormMixin, ParticipantForm):
    """Registration adds the consents and the answer to a duplicate warning."""

    consent_to_hold = forms.BooleanField(
        label="They agree to the academy holding their details",
        required=True,
        error_messages={
            "required": "Without this agreement the person cannot be registered."
        },
    )
    consent_to_share = forms.BooleanField(
        label="They agree to their name and contact details being shared with "
        "providers they are referred to",
        required=False,
    )
    not_a_duplicate = forms.BooleanField(
        label="I have checked: this is a different person",
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Register")
        self.helper.attrs = {"data-submit-once": ""}
        self.helper.layout = Layout(
            Div("not_a_duplicate"),
            *self._sections(),
            Fieldset(
                "Consent",
                HTML(
                    '<p class="small text-body-secondary">Read the privacy notice to '
                    "them, or give them a copy, before asking.</p>"
                ),
                "consent_to_hold",
                "consent_to_share",
            ),
        )

    def show_duplicate_confirmation(self) -> None:
        """Turn the hidden 'different person' box into a visible checkbox."""
        self.fields["not_a_duplicate"].widget = forms.CheckboxInput()


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(choices=ConsentRecord.Kind.choices, label="Consent")
    is_given = forms.TypedChoiceField(
        choices=YES_NO,
        coerce=lambda v: v in (True, "True"),
        widget=forms.RadioSelect,
        label="Do they agree?",
    )
    note = forms.CharField(max_length=300, required=False, label="Note (optional)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Record consent")


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
        held_at, step_on = cleaned.get("held_at"), cleaned.get("next_step_on")
        if held_at and step_on and step_on < timezone.localtime(held_at).date():
            self.add_error(
                "next_step_on", "The next step must be on or after the meeting."
            )
        if step_on and not cleaned.get("next_step"):
            self.add_error("next_step", "Say what the next step is, or clear its date.")
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
    description = forms.CharField(max_length=300, required=False, label="Action")
    owner = forms.ChoiceField(choices=PlanAction.Owner.choices, label="Who")
    due_on = forms.DateField(widget=DATE, required=False, label="By when")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
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


PlanActionFormSet = formset_factory(PlanActionForm, extra=3, max_num=10)


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
        if started > timezone.localdate() + dt.timedelta(days=90):
            raise forms.ValidationError(
                "A start more than 90 days ahead is not an outcome yet. Record it "
                "when it is closer."
            )
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


class CloseForm(forms.Form):
    reason = forms.ChoiceField(choices=Participant.CloseReason.choices)
    note = forms.CharField(max_length=500, required=False, label="Note (optional)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Close the case")


class MergeForm(forms.Form):
    other_reference = forms.CharField(
        max_length=40,
        label="Reference of the other record",
        help_text="The other record's history moves into this one; the other record "
        "is then removed.",
    )
    confirm = forms.BooleanField(
        label="I have checked both records are the same person", required=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Merge the records")


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


class CaseloadReassignForm(forms.Form):
    """Who takes a leaver's caseload, and whether the leaver's access ends now."""

    to = forms.ModelChoiceField(
        queryset=Membership.objects.none(),
        label="Give their people to",
        help_text="An active coordinator or admin of this academy.",
    )
    deactivate = forms.BooleanField(
        required=False,
        initial=True,
        label="End their access now (what they recorded keeps their name)",
    )

    def __init__(self, *args: Any, leaver: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        to = self.fields["to"]
        assert isinstance(to, forms.ModelChoiceField)  # noqa: S101 - form definition
        to.queryset = (
            Membership.objects.active()
            .filter(academy_id=leaver.academy_id, role__in=CASELOAD_ROLES)
            .exclude(pk=leaver.pk)
            .select_related("user")
            .order_by("user__first_name", "user__last_name")
        )
        to.label_from_instance = lambda m: f"{m.user} ({m.get_role_display()})"  # type: ignore[method-assign,assignment]
        self.helper = PortalFormHelper("Move the caseload")
