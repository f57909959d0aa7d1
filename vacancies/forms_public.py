"""Input shapes of the public event pages: the list's filters, signing up without an
account, and checking in at the door. The spam checks are academy/public_forms.py's;
saving and rules are in services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Field, Layout
from django import forms

from academy.forms import PortalFormHelper
from academy.models import Academy
from academy.once import OnceFormMixin
from academy.public_forms import PublicContactFields, PublicFormMixin

from .models import EventKind
from .selectors_public import ONLINE


class EventBoardFilterForm(forms.Form):
    """The public list's filters, both optional: the kind of event and the area
    (postcode district) it is in, or online."""

    kind = forms.ChoiceField(
        label="Kind of event",
        choices=[("", "Any kind"), *EventKind.choices],
        required=False,
        error_messages={"invalid_choice": "Choose a kind of event from the list."},
    )
    area = forms.ChoiceField(
        label="Area",
        required=False,
        error_messages={"invalid_choice": "Choose an area from the list."},
    )

    def __init__(self, *args: Any, areas: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Anywhere"), *((a, a) for a in areas), (ONLINE, "Online")]
        self.fields["area"].choices = choices  # type: ignore[attr-defined]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.attrs = {"role": "search", "aria-label": "Filter events"}
        self.helper.layout = Layout(
            "kind",
            "area",
            StrictButton("Show events", type="submit", css_class="btn-primary w-100"),
        )

    def filters(self) -> tuple[str, str]:
        """The kind and area chosen, leaving out any that is not valid."""
        data = getattr(self, "cleaned_data", {})  # after is_valid(), good or not
        return str(data.get("kind") or ""), str(data.get("area") or "")


class EventSignUpForm(OnceFormMixin, PublicFormMixin, PublicContactFields):
    """Signing up to a public event, without an account."""

    purpose = "vacancies.event-sign-up"

    has_consented = forms.BooleanField(
        label="Contact me about this event",
        required=False,
        help_text=(
            "A confirmation with the event for your calendar, a reminder the day "
            "before, and word of any change. We use your details for nothing else: "
            '<a href="#privacy-notice">privacy notice</a>.'
        ),
    )

    def __init__(
        self, *args: Any, academy: Academy, is_full: bool, **kwargs: Any
    ) -> None:
        self.button = "Join the waiting list" if is_full else "Sign me up"
        super().__init__(*args, academy=academy, **kwargs)
        self.helper = PortalFormHelper(self.button)
        self.helper.attrs = {"data-submit-once": "", "novalidate": ""}
        self.helper.layout = Layout(
            "first_name",
            "last_name",
            "email",
            "phone",
            "has_consented",
            Field(self.HONEYPOT, wrapper_class="visually-hidden"),
            HTML('{% include "vacancies/_event_privacy.html" %}'),
            "served",
        )


class EventCheckInForm(PublicFormMixin, PublicContactFields):
    """Checking oneself in at the door, from the QR code shown at the venue."""

    purpose = "vacancies.event-check-in"
    button = "Check me in"

    def __init__(self, *args: Any, academy: Academy, **kwargs: Any) -> None:
        super().__init__(*args, academy=academy, **kwargs)
        self.fields["last_name"].required = False
        self.fields[
            "phone"
        ].help_text = (
            "The e-mail address or phone number you signed up with, if you did."
        )
        self.helper = PortalFormHelper(self.button)
        self.helper.attrs = {"data-submit-once": "", "novalidate": ""}
        self.helper.layout = Layout(
            "first_name",
            "last_name",
            "email",
            "phone",
            Field(self.HONEYPOT, wrapper_class="visually-hidden"),
            HTML('{% include "vacancies/_event_privacy.html" %}'),
            "served",
        )
