"""The period picker of the impact dashboard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from crispy_forms.layout import Div, Layout
from django import forms
from django.core.exceptions import ValidationError

from academy.forms import PortalFormHelper, plain_messages
from academy.models import Academy

from .funders.periods import year_label
from .impact import METRICS
from .periods import PRESETS, Period, period_custom, period_preset
from .selectors import target_years
from .services import TARGET_MAX, report_period_check

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


# The PDF's form and the targets page (the rules are in services).


class NarrativeField(forms.CharField):
    """Plain text with one kind of line end, so a browser's CR LF counts once towards
    the limit, as its box counted it."""

    def to_python(self, value: Any) -> str:
        text = super().to_python(value) or ""
        return text.replace("\r\n", "\n").replace("\r", "\n")


class ReportRunForm(PeriodForm):
    """What a PDF is made of: the period, for publication or not, and a narrative."""

    narrative = NarrativeField(
        required=False,
        max_length=3000,
        strip=True,
        label="Narrative",
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="A few paragraphs on the period, printed after the cover as you "
        "type them (plain text: leave an empty line between paragraphs). Up to "
        "3,000 characters. It starts as the last PDF's narrative, to edit.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_messages(self)
        self.helper = PortalFormHelper("Build the PDF")
        self.helper.form_class = "period-form"
        self.helper.layout = Layout(
            Div(
                Div("period", css_class="col-12 col-md-4"),
                Div("start", css_class="col-6 col-md-4 period-date"),
                Div("end", css_class="col-6 col-md-4 period-date"),
                css_class="row g-2",
            ),
            "publish",
            "narrative",
        )


class TargetYearForm(forms.Form):
    """Which financial year's targets the page shows."""

    year = forms.TypedChoiceField(coerce=int, label="Financial year")

    def __init__(self, data: Any, *, academy: Academy, today: dt.date) -> None:
        # Its own ids: the targets form on the same page has a (hidden) year too.
        super().__init__(data, auto_id="id_choose_%s")
        field = self.fields["year"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - declared above
        field.choices = [
            (year, f"{year_label(year)} (April {year} to March {year + 1})")
            for year in reversed(target_years(academy=academy, today=today))
        ]
        field.error_messages["invalid_choice"] = (
            "Choose a financial year from the list."
        )


class ImpactTargetsForm(forms.Form):
    """A target for each headline figure in one financial year; empty for none."""

    year = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for metric in METRICS:
            self.fields[metric.key] = forms.IntegerField(
                required=False,
                min_value=0,
                max_value=TARGET_MAX,
                label=metric.label,
                help_text=metric.definition,
                error_messages={
                    "invalid": "Give a whole number of people, such as 120, or "
                    "leave it empty for no target.",
                    "min_value": "A target cannot be negative: give 0 or more, or "
                    "leave it empty for no target.",
                    "max_value": f"Give a target of at most {TARGET_MAX:,}.",
                },
                widget=forms.NumberInput(attrs={"min": 0, "step": 1}),
            )
        self.fields["year"].error_messages["invalid"] = (
            "Choose a financial year from the list."
        )
        self.helper = PortalFormHelper("Save targets")
        # Every box is checked at once and said in the portal's words.
        self.helper.attrs = {"novalidate": ""}

    @property
    def values(self) -> dict[str, int | None]:
        """The target of each metric, None for none."""
        return {m.key: self.cleaned_data.get(m.key) for m in METRICS}
