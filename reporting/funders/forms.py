"""The forms of funder returns: the year to build, and an admin's return and
indicator (saving and the rules they follow are in services and the models)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db import models
from django.http import QueryDict

from academy.forms import PortalFormHelper, plain_messages
from academy.models import Academy

from ..models import FunderReturn, Indicator
from .metrics import FUNDER_METRICS, METRIC_CHOICES
from .periods import financial_year_of, year_label
from .services import INDICATOR_FIELDS

# Years offered before this one, at least (records imported from before the academy
# used the portal count too); more when the academy launched earlier.
YEARS_BACK = 5


class ReturnYearForm(forms.Form):
    year = forms.TypedChoiceField(coerce=int, label="Financial year")
    publish = forms.BooleanField(
        required=False,
        label="For publication",
        help_text="Counts of 1 to 4 read '<5', and counts that would give one away "
        "read '[c]'.",
    )

    def __init__(self, data: QueryDict, *, academy: Academy, today: dt.date) -> None:
        this_year = financial_year_of(today)
        if not data.get("year"):
            # The page's first opening shows this year, and the box says so.
            data = data.copy()
            data["year"] = str(this_year)
        super().__init__(data)
        launched = academy.launched_on or academy.created_at.date()
        first = min(financial_year_of(launched), this_year - YEARS_BACK)
        field = self.fields["year"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - declared above
        field.choices = [
            (year, f"{year_label(year)} (April {year} to March {year + 1})")
            for year in range(this_year, first - 1, -1)
        ]
        field.error_messages["invalid_choice"] = (
            "Choose a financial year from the list."
        )


class FunderReturnForm(forms.ModelForm[FunderReturn]):
    class Meta:
        model = FunderReturn
        fields = ["name", "code", "funder", "description", "period", "is_retired"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_messages(
            self,
            {
                "name": "Give the return's name, as the funder calls it.",
                "code": "Give a short code for file names, such as ukspf-q.",
                "funder": "Say who the return is for.",
            },
        )
        self.fields["code"].error_messages["invalid"] = (
            "Use only letters, numbers, hyphens and underscores, such as ukspf-q."
        )
        self.helper = PortalFormHelper("Save return")


class IndicatorForm(forms.ModelForm[Indicator]):
    metric = forms.ChoiceField(
        choices=[("", "Choose…"), *METRIC_CHOICES],
        label="What is counted",
        help_text="Each choice is defined under the form.",
    )

    class Meta:
        model = Indicator
        fields = list(INDICATOR_FIELDS)  # what the service writes
        widgets = {"definition": forms.Textarea(attrs={"rows": 3})}
        labels = {"order": "Position in the return"}
        help_texts = {"order": "Lower numbers come first."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anyone = {
            "cohort": "Any cohort",
            "claimant": "Claimants or not",
            "age_band": "Any age",
            "economic_status": "Any status",
            "sector": "Any sector",
        }
        for name, label in anyone.items():
            field = self.fields[name]
            model_field = Indicator._meta.get_field(name)
            assert isinstance(field, forms.ChoiceField)  # noqa: S101 - model choices
            assert isinstance(model_field, models.CharField)  # noqa: S101
            field.choices = [("", label), *(model_field.choices or [])]
        plain_messages(
            self,
            {
                "code": "Give the funder's reference for the figure, such as PS-OC-01.",
                "title": "Give the figure's title, as the funder words it.",
                "definition": "Say what is counted, in the words the funder reads.",
                "unit": "Say what is counted: people, for example.",
                "metric": "Choose what the figure counts.",
            },
        )
        self.helper = PortalFormHelper("Save figure")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        metric = FUNDER_METRICS.get(cleaned.get("metric") or "")
        if cleaned.get("sector") and metric is not None and not metric.is_employment:
            self.add_error(
                "sector",
                "A job sector narrows only a figure that counts jobs: choose 'Any "
                "sector', or a figure about jobs.",
            )
        return cleaned
