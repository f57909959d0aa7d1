"""Input shapes of the matching pages and the referral pipeline (rules: services)."""

from __future__ import annotations

from typing import Any

from crispy_forms.bootstrap import FieldWithButtons, StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.urls import reverse
from django.utils import timezone

from academy.forms import PortalFormHelper
from academy.once import OnceFormMixin
from participants.models import Outcome

from .models import Referral
from .services import NEXT_STAGES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReferralCreateForm(OnceFormMixin, forms.Form):
    """Refer a participant to one vacancy or training place (a Refer button's data)."""

    participant = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    vacancy = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    training = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    note = forms.CharField(
        max_length=300, required=False, label="Note for the provider (optional)"
    )
    next = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        can_refer: bool = True,
        button_label: str = "Refer",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.form_action = reverse("vacancies:referral-create")
        self.helper.form_class = "referral-refer-form"
        self.helper.label_class = "small"
        button: dict[str, Any] = {"type": "submit", "aria_label": button_label}
        if not can_refer:
            button["disabled"] = "disabled"
        self.helper.layout = Layout(
            "participant",
            "vacancy",
            "training",
            "next",
            FieldWithButtons(
                "note",
                StrictButton("Refer", css_class="btn-primary", **button),
                input_size="input-group-sm",
            ),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("vacancy")) == bool(cleaned.get("training")):
            raise forms.ValidationError("Refer to one vacancy or one training place.")
        return cleaned


class ReferralAdvanceForm(forms.Form):
    """Move a referral along: the next stage, when it happened, and a note."""

    to = forms.ChoiceField(
        choices=Referral.Stage.choices, widget=forms.RadioSelect, label="Move it to"
    )
    on = forms.DateField(widget=DATE, label="Date it happened")
    note = forms.CharField(max_length=300, required=False, label="Note (optional)")

    def __init__(
        self,
        *args: Any,
        referral: Referral,
        recorded_start: Outcome | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()
        if recorded_start is not None:
            # spec/impact-report.md counts a start once: offer the one already there.
            self.fields["is_same_start"] = forms.BooleanField(
                required=False,
                initial=True,
                label=(
                    f"This start is already recorded: {recorded_start} at "
                    f"{recorded_start.employer}. Link the referral to it (untick "
                    "only if this is a different job)."
                ),
            )
        # Any stage is accepted as input; the service says which moves are allowed,
        # so an illegal one is refused with its reason rather than "not a choice".
        to = self.fields["to"]
        assert isinstance(to, forms.ChoiceField)  # noqa: S101 - form definition
        allowed = NEXT_STAGES.get(referral.stage, ())
        to.widget.choices = [(s, Referral.Stage(s).label) for s in allowed]
        self.helper = PortalFormHelper("Update stage")
        self.helper.form_action = reverse(
            "vacancies:referral-advance", args=[referral.pk]
        )
        self.helper.attrs = {"data-submit-once": ""}
