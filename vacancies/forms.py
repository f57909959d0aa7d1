"""Input shapes for vacancies and training places; the rules and saving are in
services (the public board's filters are in forms_public.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from crispy_forms.layout import HTML, Column, Fieldset, Layout, Row
from django import forms
from django.db.models import Q

from academy.forms import PortalFormHelper
from academy.models import Membership, Organisation
from academy.once import OnceFormMixin
from academy.permissions import Role

from .models import CareRole, TrainingOpportunity, Vacancy
from .models.opportunities import POSTS_MESSAGE

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _choose_organisation(
    form: forms.BaseForm, membership: Membership, current_id: int | None
) -> None:
    """A provider's opportunities are always its own: it gets no organisation field.
    Staff choose among the academy's active organisations (and the current one)."""
    if membership.role == Role.PROVIDER:
        del form.fields["organisation"]
        return
    field = form.fields["organisation"]
    assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - form definition
    field.queryset = Organisation.objects.for_academy(membership.academy).filter(
        Q(is_active=True) | Q(pk=current_id)
    )
    field.label = "Offered by"


def _pattern_group() -> Fieldset:
    return Fieldset(
        "",
        HTML('<legend class="form-label fs-6 mb-1">Pattern</legend>'),
        HTML('<p class="form-text mt-0">Tick every pattern the job works.</p>'),
        "works_days",
        "works_nights",
        "works_weekends",
        css_class="mb-3",
    )


class VacancyForm(OnceFormMixin, forms.ModelForm[Vacancy]):
    """Posting or editing a vacancy. The organisation is a provider's own."""

    hours_per_week = forms.DecimalField(
        label="Hours a week",
        min_value=1,
        max_value=60,
        max_digits=4,
        decimal_places=1,
        error_messages={
            "min_value": "Hours a week must be at least 1.",
            "max_value": "Hours a week must be 60 or fewer.",
        },
    )
    posts = forms.IntegerField(
        label="Number of posts",
        min_value=1,
        max_value=32767,
        initial=1,
        error_messages={"min_value": POSTS_MESSAGE, "max_value": "Enter fewer posts."},
    )

    class Meta:
        model = Vacancy
        fields = [
            "organisation",
            "title",
            "role",
            "setting",
            "contract",
            "posts",
            "is_critical_shortage",
            "hours_per_week",
            "works_days",
            "works_nights",
            "works_weekends",
            "pay_unit",
            "pay_min",
            "pay_max",
            "postcode",
            "closing_on",
            "starts_on",
            "needs_driving_licence",
            "dbs_level",
            "qualifications",
            "experience",
            "description",
            "benefits",
            "how_to_apply",
        ]
        widgets = {
            "closing_on": DATE,
            "starts_on": DATE,
            "description": forms.Textarea(attrs={"rows": 4}),
            "benefits": forms.Textarea(attrs={"rows": 3}),
            "how_to_apply": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "title": "Job title",
            "setting": "Care setting",
            "pay_unit": "Pay is",
            "pay_min": "Pay from (£)",
            "pay_max": "Pay up to (£)",
            "is_critical_shortage": "This is a critical shortage",
            "description": "About the job",
        }
        help_texts = {
            "is_critical_shortage": "Coordinators are told at once.",
            "pay_max": "Leave empty for a single rate.",
            "pay_min": "At least the National Living Wage on the day the job starts.",
            "postcode": "Where the work is based, e.g. PL4 6AB. The public board "
            "shows only the district (PL4).",
            "closing_on": "The vacancy leaves the board after this day.",
            "qualifications": "e.g. Care Certificate, NVQ Level 2. Leave empty if "
            "none are needed.",
            "experience": "e.g. None needed: full training given.",
            "how_to_apply": "What happens after someone registers their interest.",
        }

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choose_organisation(self, membership, self.instance.organisation_id)
        for name in ("pay_min", "pay_max"):
            self.fields[name].widget.attrs.update(inputmode="decimal", min="0")
        self.fields["postcode"].widget.attrs["autocapitalize"] = "characters"
        job = ["title", "role", "setting", "contract", "posts", "is_critical_shortage"]
        if "organisation" in self.fields:
            job.insert(0, "organisation")
        self.helper = PortalFormHelper(
            "Save changes" if self.instance.pk else "Post the vacancy"
        )
        self.helper.attrs = {"data-submit-once": ""}
        self.helper.layout = Layout(
            Fieldset("The job", *job),
            Fieldset(
                "Hours and pay",
                "hours_per_week",
                _pattern_group(),
                Row(Column("pay_unit"), Column("pay_min"), Column("pay_max")),
            ),
            Fieldset(
                "Where and when",
                Row(Column("postcode"), Column("closing_on"), Column("starts_on")),
            ),
            Fieldset(
                "What they need",
                "needs_driving_licence",
                "dbs_level",
                "qualifications",
                "experience",
            ),
            Fieldset("For applicants", "description", "benefits", "how_to_apply"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        low: Decimal | None = cleaned.get("pay_min")
        high: Decimal | None = cleaned.get("pay_max")
        if low is not None and high is not None and high < low:
            self.add_error("pay_max", "The highest pay is below the lowest. Swap them.")
        patterns = ("works_days", "works_nights", "works_weekends")
        if not any(cleaned.get(name) for name in patterns):
            self.add_error("works_days", "Tick at least one: days, nights or weekends.")
        return cleaned


class TrainingForm(OnceFormMixin, forms.ModelForm[TrainingOpportunity]):
    """Offering or editing a training place. The organisation is a provider's own."""

    class Meta:
        model = TrainingOpportunity
        fields = [
            "organisation",
            "kind",
            "title",
            "role",
            "description",
            "starts_on",
            "ends_on",
            "places",
            "location",
            "postcode",
            "is_open",
        ]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {
            "kind": "What it is",
            "places": "Number of places",
            "is_open": "Open for referrals",
        }
        help_texts = {
            "role": "Optional: the job this prepares people for.",
            "ends_on": "Leave empty for a single day.",
            "location": "e.g. Training room, Derriford Hospital",
            "postcode": "Optional, for distances when matching people.",
            "is_open": "Untick when the places are filled.",
        }

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choose_organisation(self, membership, self.instance.organisation_id)
        self.fields["postcode"].widget.attrs["autocapitalize"] = "characters"
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)  # noqa: S101 - form definition
        role.choices = [("", "No particular role"), *CareRole.choices]
        what = ["kind", "title", "role", "description"]
        if "organisation" in self.fields:
            what.insert(0, "organisation")
        self.helper = PortalFormHelper(
            "Save changes" if self.instance.pk else "Offer the place"
        )
        self.helper.attrs = {"data-submit-once": ""}
        self.helper.layout = Layout(
            Fieldset("What is offered", *what),
            Fieldset(
                "When and where",
                Row(Column("starts_on"), Column("ends_on")),
                "places",
                "location",
                "postcode",
                "is_open",
            ),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The end date is before the start date.")
        return cleaned
