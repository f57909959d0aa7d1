"""Input shapes for campaign enquiries: the public sign-up form, with its spam checks,
and a coordinator's 'contacted' and 'close' forms. Saving and rules are in services."""

from __future__ import annotations

from typing import Any

from crispy_forms.layout import HTML, Field, Layout
from django import forms
from django.urls import reverse

from academy import rules
from academy.forms import PortalFormHelper
from academy.models import Academy
from academy.once import OnceFormMixin
from academy.public_forms import PublicContactFields, PublicFormMixin

from ..models import Enquiry


def _tidy_vacancy_title(value: str) -> str:
    # It comes from a link's query string: trim it to fit rather than refuse it.
    max_length = Enquiry._meta.get_field("vacancy_title").max_length or 200
    return " ".join(value.split())[:max_length]


class EnquiryForm(OnceFormMixin, PublicContactFields, PublicFormMixin):
    """The public 'register your interest' form of the recruitment campaign."""

    purpose = "participants.enquiry-form"
    button = "Send my details"
    need_contact = (
        "Give us an e-mail address or a phone number (or both), so that we can get "
        "in touch with you."
    )

    postcode = forms.CharField(
        max_length=10,
        help_text="So that we can tell you about work near you.",
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "autocapitalize": "characters"}
        ),
    )
    interest = forms.CharField(
        label="What interests you?",
        required=False,
        max_length=500,
        help_text="For example: caring for people at home, nursing, part-time hours.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    has_read_privacy = forms.BooleanField(
        label="I have read the privacy notice",
        error_messages={
            "required": "Tick the box to say that you have read the privacy notice."
        },
    )
    vacancy_title = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, academy: Academy, vacancy_title: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, academy=academy, **kwargs)
        self.fields["vacancy_title"].initial = _tidy_vacancy_title(vacancy_title)
        self.helper = PortalFormHelper(self.button)
        self.helper.attrs = {"data-submit-once": "", "novalidate": ""}
        self.helper.layout = Layout(
            "first_name",
            "last_name",
            "email",
            "phone",
            "postcode",
            "interest",
            Field(self.HONEYPOT, wrapper_class="visually-hidden"),
            HTML('{% include "participants/_enquiry_privacy.html" %}'),
            "has_read_privacy",
            "vacancy_title",
            "served",
        )

    def clean_postcode(self) -> str:
        return rules.postcode_clean(str(self.cleaned_data["postcode"]))

    def clean_vacancy_title(self) -> str:
        return _tidy_vacancy_title(str(self.cleaned_data["vacancy_title"]))

    def enquiry_details(self) -> dict[str, str]:
        """The cleaned values the enquiry is made of."""
        names = ("first_name", "last_name", "email", "phone", "postcode", "interest")
        details = {name: str(self.cleaned_data[name]) for name in names}
        details["vacancy_title"] = str(self.cleaned_data["vacancy_title"])
        return details


class EnquiryContactedForm(forms.Form):
    """A coordinator records that they got in touch."""

    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=500,
        help_text="What was said or agreed, e.g. “Left a voicemail”.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, enquiry: Enquiry, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "contacted-%s")
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Mark as contacted")
        self.helper.form_action = reverse(
            "participants:enquiry-contacted", args=[enquiry.pk]
        )
        self.helper.attrs = {"data-submit-once": ""}


class EnquiryCloseForm(forms.Form):
    """A coordinator closes an enquiry that will not become a participant."""

    close_reason = forms.ChoiceField(
        label="Reason",
        choices=[("", "Choose a reason"), *Enquiry.CloseReason.choices],
        error_messages={"required": "Choose why you are closing this enquiry."},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, enquiry: Enquiry, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "close-%s")
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Close enquiry")
        self.helper.inputs[0].field_classes = "btn btn-outline-danger"
        self.helper.form_action = reverse(
            "participants:enquiry-close", args=[enquiry.pk]
        )
        # The server's message says what to do better than the browser's tooltip.
        self.helper.attrs = {"data-submit-once": "", "novalidate": ""}
