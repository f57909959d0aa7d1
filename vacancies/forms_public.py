"""Input shapes of the public pages: the vacancy board's search, filters and sorting,
the event list's filters, signing up to an event without an account, and checking in
at the door. The spam checks are academy/public_forms.py's; saving and rules are in
services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crispy_forms.bootstrap import FieldWithButtons, StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Field, Fieldset, Layout, Row
from django import forms
from django.http import QueryDict

from academy.forms import PortalFormHelper
from academy.models import Academy
from academy.once import OnceFormMixin
from academy.places.geo import postcode_parts
from academy.public_forms import PublicContactFields, PublicFormMixin

from .models import CareRole, EventKind, Setting, Vacancy
from .selectors_public import FULL_TIME_HOURS, ONLINE, BoardFilter

DISTANCES = [5, 10, 20, 50]
PAY_MESSAGE = "Enter pay as an amount in pounds an hour, such as 12.50."
# The board's fields folded under "Filter" on a phone (the search and sort stay out).
FOLDED = (
    "role",
    "setting",
    "contract",
    "hours",
    "min_hours",
    "max_hours",
    "min_pay",
    "area",
    "near",
    "within_km",
)


def _choose(what: str) -> dict[str, str]:
    return {"invalid_choice": f"Choose {what} from the list."}


class VacancyBoardForm(forms.Form):
    """The public board's search, filters and order, all optional. Without an order
    the board is sorted by distance when a postcode is given, else by closing date."""

    q = forms.CharField(
        label="Search jobs",
        max_length=100,
        required=False,
        help_text="A job, employer, town or area (such as PL4).",
        error_messages={"max_length": "Enter 100 characters or fewer."},
        widget=forms.TextInput(attrs={"type": "search", "enterkeyhint": "search"}),
    )
    sort = forms.ChoiceField(
        label="Sort by",
        choices=[
            ("closing", "Closing date, soonest first"),
            ("distance", "Distance from your postcode"),
            ("pay", "Pay, highest first"),
        ],
        required=False,
        error_messages=_choose("how to sort the jobs"),
    )
    role = forms.ChoiceField(
        choices=[("", "Any role"), *CareRole.choices],
        required=False,
        error_messages=_choose("a role"),
    )
    setting = forms.ChoiceField(
        label="Care setting",
        choices=[("", "Any setting"), *Setting.choices],
        required=False,
        error_messages=_choose("a care setting"),
    )
    contract = forms.ChoiceField(
        choices=[("", "Any contract"), *Vacancy.Contract.choices],
        required=False,
        error_messages=_choose("a kind of contract"),
    )
    hours = forms.ChoiceField(
        label="Full or part time",
        choices=[
            ("", "Either"),
            ("full_time", f"Full time ({FULL_TIME_HOURS} hours a week or more)"),
            ("part_time", f"Part time (under {FULL_TIME_HOURS} hours a week)"),
        ],
        required=False,
        error_messages=_choose("full time or part time"),
    )
    min_hours = forms.IntegerField(
        label="From", min_value=1, max_value=60, required=False
    )
    max_hours = forms.IntegerField(
        label="Up to", min_value=1, max_value=60, required=False
    )
    min_pay = forms.DecimalField(
        label="Pay at least (£ an hour)",
        min_value=0,
        max_value=999,
        max_digits=5,
        decimal_places=2,
        required=False,
        help_text="A salary counts as its pay an hour over the job's hours.",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages=dict.fromkeys(
            (
                "invalid",
                "min_value",
                "max_value",
                "max_digits",
                "max_decimal_places",
                "max_whole_digits",
            ),
            PAY_MESSAGE,
        ),
    )
    area = forms.CharField(
        label="Area", max_length=8, required=False, help_text="A district, e.g. PL4"
    )
    near = forms.CharField(
        label="Your postcode",
        max_length=8,
        required=False,
        help_text="To see how far away each job is.",
        error_messages={"max_length": "Enter a postcode, such as PL4 6AB."},
    )
    within_km = forms.TypedChoiceField(
        label="Within",
        choices=[("", "Any distance"), *((km, f"{km} km") for km in DISTANCES)],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages=_choose("a distance"),
    )

    def __init__(self, data: QueryDict | None = None, **kwargs: Any) -> None:
        if data is not None and not data.get("sort"):
            data = data.copy()
            data["sort"] = "distance" if data.get("near") else "closing"
        super().__init__(data, **kwargs)
        for name in ("area", "near"):
            self.fields[name].widget.attrs["autocapitalize"] = "characters"
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.attrs = {"role": "search", "aria-label": "Search and filter jobs"}
        self.helper.layout = Layout(
            FieldWithButtons(
                "q", StrictButton("Search", type="submit", css_class="btn-primary")
            ),
            Row(
                Column("sort", css_class="col"),
                Column(
                    HTML('{% include "vacancies/_board_filter_button.html" %}'),
                    css_class="col-auto d-lg-none align-self-end",
                ),
                css_class="g-2",
            ),
            folded := Div(
                "role",
                "setting",
                "contract",
                "hours",
                Fieldset(
                    "",
                    HTML('<legend class="form-label fs-6 mb-1">Hours a week</legend>'),
                    Row(
                        Column("min_hours", css_class="col-6"),
                        Column("max_hours", css_class="col-6"),
                        css_class="g-2",
                    ),
                ),
                "min_pay",
                "area",
                Row(
                    Column("near", css_class="col-6"),
                    Column("within_km", css_class="col-6"),
                    css_class="g-2",
                ),
                StrictButton("Show jobs", type="submit", css_class="btn-primary w-100"),
                css_id="board-filters",
                css_class="collapse d-lg-block",
            ),
        )
        self.folded = folded

    @property
    def filter_count(self) -> int:
        """How many of the folded filters have a value (the "Filter" button says)."""
        return sum(1 for name in FOLDED if str(self.data.get(name) or "").strip())

    @property
    def shows_filters(self) -> bool:
        """On a phone the filters stay folded, so the jobs come first, unless one
        of them has an error to read."""
        return any(name in self.errors for name in FOLDED)

    def full_clean(self) -> None:
        super().full_clean()
        if self.shows_filters:
            self.folded.css_class = "collapse d-lg-block show"

    def clean_area(self) -> str:
        area = str(self.cleaned_data["area"]).strip()
        if not area:
            return ""
        parts = postcode_parts(area.upper())
        if parts is None:
            raise forms.ValidationError("Enter a postcode district, such as PL4.")
        return parts[0]

    def clean_near(self) -> str:
        near = " ".join(str(self.cleaned_data["near"]).split()).upper()
        # A postcode not in the directory is not an error: the board says so.
        if near and postcode_parts(near) is None:
            raise forms.ValidationError("Enter a postcode, such as PL4 6AB.")
        return near

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        low, high = cleaned.get("min_hours"), cleaned.get("max_hours")
        if low is not None and high is not None and high < low:
            self.add_error("max_hours", "This is fewer hours than the 'from' figure.")
        near_missing = not cleaned.get("near") and "near" not in self.errors
        if cleaned.get("within_km") and near_missing:
            self.add_error("within_km", "Enter your postcode to see jobs near it.")
        if cleaned.get("sort") == "distance" and not cleaned.get("near"):
            if "near" in self.errors:
                cleaned["sort"] = "closing"  # the postcode's own error says enough
            else:
                self.add_error("sort", "Enter your postcode to sort jobs by distance.")
        return cleaned

    def filters(self) -> BoardFilter:
        """The board's filters from the fields that are valid; an invalid one is
        left out (and its error shown)."""
        data = getattr(self, "cleaned_data", {})  # after is_valid(), good or not
        return BoardFilter(
            q=str(data.get("q") or "").strip(),
            role=data.get("role") or "",
            setting=data.get("setting") or "",
            area=data.get("area") or "",
            contract=data.get("contract") or "",
            hours=data.get("hours") or "",
            min_hours=data.get("min_hours"),
            max_hours=data.get("max_hours"),
            min_pay=data.get("min_pay"),
            near=data.get("near") or "",
            within_km=data.get("within_km"),
            sort=data.get("sort") or "closing",
        )


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

    @property
    def filter_count(self) -> int:
        """How many filters have a value (the "Filter" button says, as the jobs
        board's does)."""
        return sum(1 for name in self.fields if str(self.data.get(name) or "").strip())

    @property
    def shows_filters(self) -> bool:
        """On a phone the filters stay folded, so the events come first, unless
        one of them has an error to read."""
        return self.is_bound and bool(self.errors)

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
