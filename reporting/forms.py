"""The period picker of the impact dashboard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
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
        self,
        data: Mapping[str, Any] | None = None,
        *args: Any,
        academy: Academy,
        today: dt.date,
        **kwargs: Any,
    ) -> None:
        # The box shows the period shown: none chosen is since launch, or the two
        # dates given (issue 14: it said "This month" over since launch).
        self.boxes: dict[str, Any] | None = None  # what the boxes hold
        if data is not None:
            self.boxes = dict(data.items())  # one value each; ours to change
            if not self.boxes.get("period"):
                given = self.boxes.get("start")
                self.boxes["period"] = "custom" if given else "since_launch"
        super().__init__(self.boxes, *args, **kwargs)
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
        shown = cleaned.get("chosen")
        if shown is not None and name != "custom" and self.boxes is not None:
            # The date boxes hold the dates shown, for "Two dates" to start from.
            self.boxes["start"] = shown.start.isoformat()
            self.boxes["end"] = shown.end.isoformat()
        return cleaned

    @property
    def chosen(self) -> Period:
        return self.cleaned_data["chosen"]  # type: ignore[no-any-return]
