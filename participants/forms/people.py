"""Forms about the person: details, registration, consent, closing, merging and
handing a caseload over."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms.layout import Column, Div, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from academy import rules
from academy.form_pattern import MoreDetails
from academy.forms import PortalFormHelper, plain_messages
from academy.models import Membership
from academy.once import OnceFormMixin

from ..models import (
    Cohort,
    ConsentRecord,
    Participant,
)
from ..selectors import coordinator_choices
from ..services.casework import (
    CASELOAD_ROLES,
    PARTICIPANT_FIELDS,
    RightToWorkCheck,
    right_to_work_check_clean,
)
from ._common import DATE, YES_NO, _limit_organisations, _not_future


class ParticipantForm(forms.ModelForm[Participant]):
    """Registration and editing of a participant's details."""

    cohorts = forms.MultipleChoiceField(
        choices=Cohort.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick every group the person belongs to.",
    )
    # Saved by contact_preference_set (the one writer), not with the details.
    contact_by = forms.ChoiceField(
        label="Reminders by",
        choices=[
            (Participant.ContactBy.SMS, "Text message"),
            (Participant.ContactBy.EMAIL, "E-mail"),
            (Participant.ContactBy.NONE, "Not to be sent messages"),
        ],
        initial=Participant.ContactBy.NONE,
        required=False,
        widget=forms.RadioSelect,
        help_text="Only with their agreement: confirmations of appointments, "
        "interviews and events, and a reminder the day before.",
    )

    class Meta:
        model = Participant
        fields = list(PARTICIPANT_FIELDS)
        widgets = {
            "date_of_birth": DATE,
            "registered_on": DATE,
            "right_to_work": forms.RadioSelect,
            "right_to_work_checked_on": DATE,
        }
        labels = {
            "is_claimant": "Claims benefits",
            "status_at_entry": "Economic status at start",
            "right_to_work": "Status",
            "right_to_work_checked_on": "Day checked",
            "right_to_work_document": "Document kind seen",
        }
        help_texts = {
            "status_at_entry": "At registration: in work, looking for work, or "
            "neither.",
            "right_to_work_checked_on": "When confirmed: the day the evidence was "
            "seen. Saving a new check records you as the one who checked.",
            "right_to_work_document": "When confirmed: the kind of document only. "
            "Never keep a copy of it here.",
        }

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_messages(self)
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
            self.initial.setdefault("contact_by", self.instance.contact_by)
        self.helper = PortalFormHelper("Save")
        self.helper.layout = Layout(*self._sections())

    def _sections(self, leave_out: tuple[str, ...] = ()) -> list[Any]:
        """The form's fieldsets, without the fields in `leave_out`."""
        sections = [
            Fieldset("About them", "first_name", "last_name", "date_of_birth"),
            Fieldset("How to reach them", "phone", "email", "postcode", "contact_by"),
            Fieldset(
                "Benefits and work",
                "is_claimant",
                "benefit_type",
                "status_at_entry",
                "cohorts",
            ),
            Fieldset(
                "Right to work",
                "right_to_work",
                "right_to_work_checked_on",
                "right_to_work_document",
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
            ),
        ]
        for section in sections:
            section.fields = [f for f in section.fields if f not in leave_out]
        return sections

    def clean_date_of_birth(self) -> dt.date | None:
        born = self.cleaned_data.get("date_of_birth")
        if born:
            # A future date first: otherwise the age below would be negative.
            _not_future(born, "The date of birth")
            today = timezone.localdate()
            age = (today - born).days // 365
            if age < 14 or age > 100:
                raise forms.ValidationError(
                    "Check the date of birth: the person would be "
                    f"{age} years old. Use the format day / month / year."
                )
        return born

    def clean_contact_by(self) -> str:
        """Left out (an older form): as it was."""
        value = self.cleaned_data.get("contact_by")
        if value:
            return str(value)
        return str(self.instance.contact_by or Participant.ContactBy.NONE)

    def clean_postcode(self) -> str:
        return rules.postcode_clean(str(self.cleaned_data.get("postcode") or ""))

    def clean_registered_on(self) -> dt.date:
        registered: dt.date = self.cleaned_data["registered_on"]
        _not_future(registered, "The registration date")
        return registered

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        contact_by = cleaned.get("contact_by")
        if contact_by == Participant.ContactBy.SMS and not rules.phone_is_mobile(
            cleaned.get("phone")
        ):
            self.add_error(
                "contact_by",
                "Text messages need a mobile number: give one under Phone, or "
                "choose e-mail or no messages.",
            )
        if contact_by == Participant.ContactBy.EMAIL and not cleaned.get("email"):
            self.add_error(
                "contact_by",
                "E-mails need an address: give one under E-mail, or choose text "
                "messages or no messages.",
            )
        if cleaned.get("benefit_type") and not cleaned.get("is_claimant"):
            self.add_error(
                "benefit_type",
                "Tick 'Claims benefits', or leave the benefit type empty.",
            )
        if "right_to_work" in cleaned:
            try:
                right_to_work_check_clean(
                    status=cleaned["right_to_work"],
                    checked_on=cleaned.get("right_to_work_checked_on"),
                    document=cleaned.get("right_to_work_document") or "",
                    date_of_birth=cleaned.get("date_of_birth"),
                    before=RightToWorkCheck.of(self.instance),
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    if field not in self.errors:
                        self.add_error(field, messages)
        return cleaned


# Registration's four essentials, asked first.
ESSENTIALS = ("first_name", "last_name", "phone", "postcode")


class ParticipantRegisterForm(OnceFormMixin, ParticipantForm):
    """Registration adds the consents and the answer to a duplicate warning."""

    consent_to_hold = forms.BooleanField(
        label="They agree to the academy holding their details",
        help_text="Read the privacy notice to them, or give them a copy, before "
        "asking.",
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
        # What a registration needs at the desk, on one phone screen: the person,
        # how to reach them and where they live, and consent (without which
        # nothing may be held). The rest can follow and is folded away.
        self.helper.layout = Layout(
            Div("not_a_duplicate"),
            "first_name",
            "last_name",
            Row(
                Column("phone", css_class="col-6"),
                Column("postcode", css_class="col-6"),
            ),
            Fieldset(
                "Consent",
                "consent_to_hold",
                "consent_to_share",
                css_class="register-consent",
            ),
            MoreDetails(
                "More details (date of birth, e-mail, benefits…)",
                *self._sections(leave_out=ESSENTIALS),
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


class CaseloadReassignForm(forms.Form):
    """Who takes a leaver's caseload, and whether the leaver's access ends now."""

    to = forms.ModelChoiceField(
        queryset=Membership.objects.none(),
        label="Give their people to",
        help_text="An active coordinator or admin of this academy.",
    )
    deactivate = forms.BooleanField(
        required=False,
        initial=False,
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


class EraseForm(forms.Form):
    """Erasing a person: the reference typed again, so the wrong record cannot be
    erased by a slip, and the reason, which the history keeps."""

    reference = forms.CharField(
        max_length=40,
        label="Type the person's reference to confirm",
        help_text="Erasure cannot be undone.",
    )
    reason = forms.CharField(
        max_length=250,
        label="Why",
        help_text="For example: the person asked under Article 17 on 3 March 2026.",
    )

    def __init__(self, *args: Any, participant: Participant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.participant = participant
        self.helper = PortalFormHelper("Erase this person")
        self.helper.form_action = reverse("participants:erase", args=[participant.pk])

    def clean_reference(self) -> str:
        typed = str(self.cleaned_data["reference"]).strip()
        if typed.lower() != self.participant.reference.lower():
            wanted = self.participant.reference
            raise forms.ValidationError(
                f"That is not this person's reference: type {wanted}."
            )
        return typed
