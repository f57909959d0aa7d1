"""The one search of the academy's people that pages picking a person use."""

from __future__ import annotations

from typing import Any

from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms


class PersonSearchForm(forms.Form):
    """A search of the academy's people by reference or name, posted so that names
    stay out of URLs (booking an appointment, booking or linking an event's people)."""

    q = forms.CharField(
        label="Find the person",
        max_length=100,
        help_text="Their reference, or their first and last name.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        error_messages={"required": "Type a reference or a name to look for."},
    )

    def __init__(self, *args: Any, action: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.form_action = action
        self.helper.attrs = {"role": "search"}
        self.helper.layout = Layout(
            Row(
                Column("q", css_class="col-12 col-sm"),
                Column(
                    StrictButton(
                        "Find", type="submit", css_class="btn-outline-primary w-100"
                    ),
                    css_class="col-12 col-sm-auto mb-3",
                ),
                css_class="g-2 align-items-end",
            )
        )

    def clean_q(self) -> str:
        text = " ".join(str(self.cleaned_data["q"]).split())
        if len(text) < 2:
            raise forms.ValidationError("Type at least two letters or digits.")
        return text
