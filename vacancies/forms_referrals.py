"""Input shapes of the matching pages and the referral pipeline (rules: services)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.urls import reverse
from django.utils import timezone

from academy.forms import PortalFormHelper, plain_messages
from academy.once import OnceFormMixin
from participants.models import Outcome

from .matching import Reason, blockers_said
from .models import Referral
from .services import NEXT_STAGES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")

HOW = [
    ("in_person", "In person"),
    ("phone", "By phone"),
    ("video", "By video call"),
]
# How a phone or video interview is written in Referral.interview_place.
HOW_SAID = {"phone": "By phone", "video": "By video call"}


def interview_place_parts(place: str) -> tuple[str, str]:
    """The stored place as the form's two fields: how, and the address or details."""
    for how, said in HOW_SAID.items():
        if place == said or place.startswith(f"{said}: "):
            return how, place[len(said) + 2 :]
    return "in_person", place


class InterviewFields(forms.Form):
    """When and where an interview is: a date, a time (London) and a place."""

    interview_on = forms.DateField(widget=DATE, required=False, label="Interview date")
    interview_time = forms.TimeField(
        widget=TIME, required=False, label="Time", help_text="UK time, e.g. 14:30."
    )
    interview_how = forms.ChoiceField(
        choices=HOW,
        initial="in_person",
        widget=forms.RadioSelect,
        required=False,
        label="How",
    )
    interview_place = forms.CharField(
        max_length=180,
        required=False,
        label="Address, or the phone or video details",
        help_text="For a call: who rings whom, or the link to join.",
    )

    def interview_needed(self, cleaned: dict[str, Any]) -> bool:
        """Whether the interview fields must be filled in (rearranging: always)."""
        return True

    def clean_interview(self, cleaned: dict[str, Any]) -> None:
        """Check the interview fields are given; join them as the service takes them
        (`interview_at`, `interview_place`). The service checks it is in the future."""
        if not self.interview_needed(cleaned):
            return
        on, at = cleaned.get("interview_on"), cleaned.get("interview_time")
        if on is None and "interview_on" not in self.errors:
            self.add_error("interview_on", "Give the date of the interview.")
        if at is None and "interview_time" not in self.errors:
            self.add_error("interview_time", "Give the time of the interview.")
        how = cleaned.get("interview_how") or "in_person"
        details = " ".join(str(cleaned.get("interview_place", "")).split())
        if "interview_place" in self.errors:
            pass  # too long: said already, not "give the address" as well
        elif how == "in_person" and not details:
            self.add_error("interview_place", "Give the address of the interview.")
        elif how == "video" and not details:
            self.add_error(
                "interview_place",
                "Give the link to join the video call, or who sends it.",
            )
        if on is not None and at is not None:
            cleaned["interview_at"] = timezone.make_aware(dt.datetime.combine(on, at))
        if how in HOW_SAID:
            said = HOW_SAID[how]
            cleaned["interview_place"] = f"{said}: {details}" if details else said
        else:
            cleaned["interview_place"] = details


def _interview_layout() -> list[str]:
    return ["interview_on", "interview_time", "interview_how", "interview_place"]


@dataclass(frozen=True)
class ReferControls:
    """A Refer form's controls as templates/vacancies/_refer_form.html draws them:
    the hidden fields (name, value, id), the "Refer anyway" tick's id and label (no
    label: no tick), the note's id and label, and the button."""

    hidden: tuple[tuple[str, str, str], ...]
    confirm_id: str
    confirm_label: str
    note_id: str
    note_label: str
    button_label: str
    button_text: str
    can_refer: bool


class ReferralCreateForm(OnceFormMixin, forms.Form):
    """Refer a participant to one vacancy or training place (a Refer button's data);
    a blocked match carries the blockers shown and a "Refer anyway" tick naming them
    (the service refuses a blocked match without it). Drawn by
    templates/vacancies/_refer_form.html, not crispy: a matching page shows 25, and
    crispy's layout took about 30 ms each (issue 16)."""

    participant = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    vacancy = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    training = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    blockers = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)
    refer_anyway = forms.BooleanField(required=False, label="Refer anyway")
    note = forms.CharField(
        max_length=300, required=False, label="Note for the provider (optional)"
    )
    next = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        can_refer: bool = True,
        button_label: str = "Refer",
        blockers: Sequence[Reason] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.can_refer = can_refer
        self.button_text = "Refer"
        self.button_label = button_label
        self.asks_to_confirm = bool(blockers)
        if blockers:
            self.button_text = "Refer anyway"
            self.button_label = button_label.replace("Refer ", "Refer anyway ", 1)
            self.initial["blockers"] = " ".join(b.kind for b in blockers)
            anyway = self.fields["refer_anyway"]
            anyway.required = True
            anyway.label = f"Refer anyway, although: {blockers_said(blockers)}"

    def controls(self) -> ReferControls:
        """What the template draws, read once: a matching page shows 25 to 50 of
        these, and the template engine's lookups through bound fields (a dozen a
        form) cost more than the rest of the page."""
        hidden = []
        for field in self.hidden_fields():
            value = field.value()
            shown = "" if value is None else str(value)
            hidden.append((field.html_name, shown, field.auto_id))
        tick, note = self["refer_anyway"], self["note"]
        return ReferControls(
            hidden=tuple(hidden),
            confirm_id=tick.auto_id,
            confirm_label=str(tick.label) if self.asks_to_confirm else "",
            note_id=note.auto_id,
            note_label=str(note.label),
            button_label=self.button_label,
            button_text=self.button_text,
            can_refer=self.can_refer,
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("vacancy")) == bool(cleaned.get("training")):
            raise forms.ValidationError("Refer to one vacancy or one training place.")
        shown = str(cleaned.get("blockers") or "").split()
        cleaned["blockers_confirmed"] = (
            frozenset(shown) if cleaned.get("refer_anyway") else frozenset()
        )
        return cleaned


class ReferralAdvanceForm(InterviewFields):
    """Move a referral along: the next stage, when it happened, and a note; an
    interview arranged needs its date, time and place."""

    to = forms.ChoiceField(
        choices=Referral.Stage.choices, widget=forms.RadioSelect, label="Move it to"
    )
    on = forms.DateField(widget=DATE, label="Date it happened")
    note = forms.CharField(max_length=300, required=False, label="Note (optional)")

    def __init__(
        self,
        *args: Any,
        referral: Referral,
        recorded_start: Outcome | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        plain_messages(
            self,
            required={
                "to": "Choose the stage it moves to.",
                "on": "Give the date it happened.",
            },
        )
        self.fields["on"].initial = timezone.localdate()
        if recorded_start is not None:
            # spec/impact-report.md counts a start once: offer the one already there.
            self.fields["is_same_start"] = forms.BooleanField(
                required=False,
                initial=True,
                label=(
                    f"This start is already recorded: {recorded_start} at "
                    f"{recorded_start.employer}. Link the referral to it (untick "
                    "only if this is a different job)."
                ),
            )
        # Any stage is accepted as input; the service says which moves are allowed,
        # so an illegal one is refused with its reason rather than "not a choice".
        to = self.fields["to"]
        assert isinstance(to, forms.ChoiceField)  # noqa: S101 - form definition
        allowed = NEXT_STAGES.get(referral.stage, ())
        to.widget.choices = [(s, Referral.Stage(s).label) for s in allowed]
        self.helper = PortalFormHelper("Update stage")
        self.helper.form_action = reverse(
            "vacancies:referral-advance", args=[referral.pk]
        )
        self.helper.attrs = {"data-submit-once": ""}
        if Referral.Stage.INTERVIEW not in allowed:
            for name in _interview_layout():
                del self.fields[name]
        else:
            self.helper.layout = Layout(
                "to",
                "on",
                Fieldset("If an interview is arranged", *_interview_layout()),
                "note",
                *(["is_same_start"] if "is_same_start" in self.fields else []),
            )

    def interview_needed(self, cleaned: dict[str, Any]) -> bool:
        return cleaned.get("to") == Referral.Stage.INTERVIEW

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "interview_on" in self.fields:
            self.clean_interview(cleaned)
        return cleaned


class ReferralInterviewForm(InterviewFields):
    """Rearrange an interview: a new date, time or place, and why (optional)."""

    note = forms.CharField(
        max_length=200, required=False, label="Why it moved (optional)"
    )

    def __init__(self, *args: Any, referral: Referral, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if referral.interview_at is not None:
            when = timezone.localtime(referral.interview_at)
            how, details = interview_place_parts(referral.interview_place)
            self.initial.update(
                {
                    "interview_on": when.date(),
                    "interview_time": when.time().replace(second=0, microsecond=0),
                    "interview_how": how,
                    "interview_place": details,
                }
            )
        self.fields["interview_on"].label = "New date"
        plain_messages(self)
        self.helper = PortalFormHelper("Rearrange the interview")
        self.helper.form_action = reverse(
            "vacancies:referral-interview", args=[referral.pk]
        )
        self.helper.form_id = "interview-form"
        self.helper.attrs = {"data-submit-once": ""}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.clean_interview(cleaned)
        return cleaned
