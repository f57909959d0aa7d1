"""The period picker of the impact dashboard."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from academy.models import Academy

from .periods import PRESETS, Period, period_custom, period_preset
from .services import report_period_check

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        choices=[*PRESETS, ("custom", "Two dates")], required=False, label="Period"
    )
    start = forms.DateField(required=False, widget=DATE, label="From")
    end = forms.DateField(required=False, widget=DATE, label="To")
    publish = forms.BooleanField(
        required=False,
        label="For publication",
        help_text="Counts of 1 to 4 read '<5'.",
    )

    def __init__(
        self, *args: Any, academy: Academy, today: dt.date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.academy, self.today = academy, today

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        name = cleaned.get("period") or (
            "custom" if cleaned.get("start") else "since_launch"
        )
        if name == "custom":
            start, end = cleaned.get("start"), cleaned.get("end") or self.today
            if not start:
                self.add_error("start", "Give the first day of the period.")
            elif end < start:
                self.add_error("end", "The last day must be on or after the first.")
            else:
                cleaned["chosen"] = period_custom(start, end)
        else:
            cleaned["chosen"] = period_preset(
                name, academy=self.academy, today=self.today
            )
        cleaned["period"] = name
        chosen = cleaned.get("chosen")
        if chosen is not None:
            try:  # the rule every use of a period follows (dashboard, CSV, PDF)
                report_period_check(
                    academy=self.academy, start=chosen.start, end=chosen.end
                )
            except ValidationError as error:
                del cleaned["chosen"]
                self.add_error(None, error)
        return cleaned

    @property
    def chosen(self) -> Period:
        return self.cleaned_data["chosen"]  # type: ignore[no-any-return]
