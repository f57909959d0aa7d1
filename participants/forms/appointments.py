"""Forms of appointments: booking one ahead (or changing it), the reason a person did
not come or it was cancelled, and finding the person to book from the diary."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from academy.forms import PortalFormHelper, form_add_validation_error, plain_messages
from academy.models import Membership, User
from academy.once import OnceFormMixin
from academy.permissions import Role

from ..models import Appointment, Meeting
from ..selectors import coordinator_choices
from ..services.casework import APPOINTMENT_MINUTES, appointment_time_problems
from ._common import DATE
from .tasks import next_step_clean


def _minutes_label(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} minutes"
    text = "1 hour" if hours == 1 else f"{hours} hours"
    return f"{text} {rest} minutes" if rest else text


class AppointmentForm(forms.Form):
    """When, how long, what kind and where: the time is the academy's (UK) time."""

    day = forms.DateField(
        widget=DATE,
        label="Date",
        error_messages={"required": "Choose the day of the appointment."},
    )
    time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        label="Time",
        help_text="UK time.",
        error_messages={
            "required": "Give the time it starts, like 10:30.",
            "invalid": "Give the time it starts as hours and minutes, like 10:30.",
        },
    )
    minutes = forms.TypedChoiceField(
        label="Length",
        coerce=int,
        choices=[(m, _minutes_label(m)) for m in APPOINTMENT_MINUTES],
        initial=30,
    )
    kind = forms.ChoiceField(label="Kind", choices=Meeting.Kind.choices)
    place = forms.CharField(
        label="Place or phone number",
        max_length=200,
        required=False,
        help_text="Where you meet, or the number to call for a phone call.",
    )
    link = forms.URLField(
        label="Video link",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="For a video call: the address of the call.",
    )
    coordinator = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Whose diary",
        help_text="Who meets the person.",
        error_messages={"invalid_choice": "Choose a coordinator of the academy."},
    )

    field_order = ["day", "time", "minutes", "kind", "place", "link", "coordinator"]

    def __init__(
        self, *args: Any, membership: Membership, submit: str = "Book", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        coordinator = self.fields["coordinator"]
        assert isinstance(coordinator, forms.ModelChoiceField)  # noqa: S101
        if membership.role == Role.ADMIN:
            # An admin may book in a colleague's diary; a coordinator in their own.
            coordinator.queryset = coordinator_choices(membership=membership)
            self.initial.setdefault("coordinator", membership.user_id)
        else:
            del self.fields["coordinator"]
        self.membership = membership
        self.helper = PortalFormHelper(submit)
        self.helper.attrs = {"data-submit-once": ""}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, time = cleaned.get("day"), cleaned.get("time")
        if day and time:
            starts_at = timezone.make_aware(dt.datetime.combine(day, time))
            minutes = cleaned.get("minutes") or APPOINTMENT_MINUTES[0]
            for field, problem in appointment_time_problems(starts_at, minutes).items():
                self.add_error(field, problem)
            cleaned["starts_at"] = starts_at
        kind = cleaned.get("kind")
        if kind == Meeting.Kind.VIDEO and not cleaned.get("link"):
            self.add_error("link", "Give the video call's link, for a video call.")
        if kind and kind != Meeting.Kind.VIDEO and cleaned.get("link"):
            self.add_error("link", "Only a video call has a link: leave this empty.")
        if "coordinator" not in self.fields:
            cleaned["coordinator"] = self.membership.user
        return cleaned

    def add_service_error(self, error: ValidationError) -> None:
        """A service's refusal on the form: a time's (taken, out of hours) on Time."""
        if hasattr(error, "error_dict") and "starts_at" in error.error_dict:
            error = ValidationError(
                {
                    ("time" if name == "starts_at" else name): errors
                    for name, errors in error.error_dict.items()
                }
            )
        form_add_validation_error(self, error)

    def appointment_fields(self) -> dict[str, Any]:
        """What the services take, from the cleaned form."""
        data = self.cleaned_data
        return {
            "coordinator": data["coordinator"],
            "kind": data["kind"],
            "starts_at": data["starts_at"],
            "minutes": data["minutes"],
            "place": data["place"],
            "link": data["link"],
        }

    @staticmethod
    def initial_of(appointment: Appointment) -> dict[str, Any]:
        local = timezone.localtime(appointment.starts_at)
        return {
            "day": local.date(),
            "time": local.time().replace(second=0, microsecond=0),
            "minutes": appointment.minutes,
            "kind": appointment.kind,
            "place": appointment.place,
            "link": appointment.link,
            "coordinator": appointment.coordinator_id,
        }


class AppointmentBookForm(OnceFormMixin, AppointmentForm):
    """Booking: saved once however often the form is sent."""


class AppointmentReasonForm(forms.Form):
    """Why the person did not come, or why it is called off."""

    reason = forms.CharField(
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why, as far as you know."},
    )

    def __init__(self, *args: Any, label: str, submit: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.helper = PortalFormHelper(submit)
        self.helper.attrs = {"data-submit-once": ""}


class AppointmentNotesForm(forms.ModelForm[Meeting]):
    """What was said at an appointment the person came to, and the next step."""

    class Meta:
        model = Meeting
        fields = ["notes", "next_step", "next_step_on"]
        widgets = {"next_step_on": DATE, "notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_messages(self)
        self.helper = PortalFormHelper("Save the notes")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        held_on = timezone.localtime(self.instance.held_at).date()
        next_step_clean(self, cleaned, held_on=held_on)
        return cleaned
